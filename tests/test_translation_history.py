"""Issue 25's defect, on a real history: the Kazakhstan profile committed to a
git repository, its English source edited, its translations untouched, then
one edited and restamped. ``diff --since`` reads a translation's earlier version
as the translation it was: an untouched one has no change (before the fix,
every finding of de.yaml, ru.yaml and ar.yaml was reported as added)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from mgi_report.cli import main
from mgi_report.resources import DEFAULT_CONTENT


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=Editor",
                    "-c", "user.email=editor@example.org", *args], check=True)


def _diff(capsys, content: Path, lang: str) -> tuple[int, str, str]:
    code = main(["diff", "kazakhstan", "--lang", lang, "--since", "HEAD",
                 "--content", str(content)])
    out, err = capsys.readouterr()
    return code, out, err


def test_translations_untouched_edited_and_restamped(tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT / "kazakhstan", content / "kazakhstan")
    shutil.copy(DEFAULT_CONTENT / "publisher.yaml", content / "publisher.yaml")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "published")
    folder = content / "kazakhstan"
    en = folder / "en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace(
        "Immigrants are guaranteed access", "Immigrants are assured access"), encoding="utf-8")

    # the source edited alone: each translation, untouched, has no change
    for lang in ("de", "ru", "ar"):
        code, out, err = _diff(capsys, content, lang)
        assert code == 0, err
        assert out.strip().endswith(f"kazakhstan/{lang}.yaml: no change since HEAD"), out
        assert "added" not in out
    code, out, err = _diff(capsys, content, "en")
    assert code == 0 and "1 change(s) since HEAD" in out and "{+assured+}" in out, out

    # the translation edited: exactly that finding changed
    de = folder / "de.yaml"
    text = de.read_text(encoding="utf-8")
    assert "ist der Zugang zu vorschulischer Bildung" in text
    de.write_text(text.replace("ist der Zugang zu vorschulischer Bildung",
                               "ist der Zugang zu frühkindlicher Bildung"), encoding="utf-8")
    code, out, err = _diff(capsys, content, "de")
    assert code == 0, err
    assert "de.yaml: 1 change(s) since HEAD" in out, out
    assert "migrants_rights.well_developed, entry 1, changed" in out
    assert "[-vorschulischer-] {+frühkindlicher+}" in out

    # restamped: its source_hash changed, no finding did; the check is clean of it
    assert main(["stamp", "kazakhstan", "--lang", "de", "--content", str(content)]) == 0
    capsys.readouterr()
    assert de.read_text(encoding="utf-8") != text
    code, out, err = _diff(capsys, content, "de")
    assert code == 0 and "de.yaml: 1 change(s) since HEAD" in out, out
    for lang in ("ru", "ar"):
        code, out, err = _diff(capsys, content, lang)
        assert code == 0 and out.strip().endswith("no change since HEAD"), out
    assert main(["check", "--content", str(content)]) == 0
    err = capsys.readouterr().err
    assert "de.yaml" not in err, err  # stamped: no longer out of date
    assert "ru.yaml:5:1: out of date: 1 change(s)" in err, err

    # committed, then nothing changed since: every file says so
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "de revised")
    for lang in ("en", "de", "ru", "ar"):
        code, out, err = _diff(capsys, content, lang)
        assert code == 0 and out.strip().endswith("no change since HEAD"), out
