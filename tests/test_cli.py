"""The command line as a user calls it: exit codes, messages, nothing half-written."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mgi_report.cli import main
from mgi_report.resources import ROOT


def run(*argv: str) -> int:
    return main(list(argv))


def test_unknown_language_names_the_existing_ones(capsys, tmp_path):
    out = tmp_path / "x.pdf"
    assert run("build", "kazakhstan", "--lang", "fr", "-o", str(out)) == 2
    err = capsys.readouterr().err
    assert "no `fr` findings for kazakhstan" in err
    assert "ar, de, en, ru" in err and "--fallback" in err
    assert "Traceback" not in err and not out.exists()


def test_unknown_country_names_the_existing_ones(capsys):
    assert run("build", "atlantis", "--lang", "en") == 2
    err = capsys.readouterr().err
    assert "no country `atlantis`" in err and "kazakhstan" in err


def test_bad_content_is_reported_located_and_the_old_pdf_survives(content_copy, tmp_path,
                                                                   capsys):
    out = tmp_path / "k.pdf"
    out.write_bytes(b"%PDF-previous")
    de = content_copy / "kazakhstan" / "de.yaml"
    lines = de.read_text().splitlines()
    lines.insert(1, "country: Kasachstan")  # duplicate key on line 2
    de.write_text("\n".join(lines) + "\n")
    en = content_copy / "kazakhstan" / "en.yaml"
    en.write_text(en.read_text().replace("  partnerships:", "  partnership:"))
    code = run("build", "kazakhstan", "--lang", "de", "--content", str(content_copy),
               "-o", str(out))
    err = capsys.readouterr().err
    assert code == 1
    assert "de.yaml:3:1: duplicate key `country` (first given on line 2)" in err
    assert "Traceback" not in err
    assert out.read_bytes() == b"%PDF-previous"
    assert run("build", "kazakhstan", "--lang", "en", "--content", str(content_copy),
               "-o", str(out)) == 1
    err = capsys.readouterr().err
    assert re.search(r"en\.yaml:\d+:3: unknown key `partnership`.*did you mean `partnerships`\?",
                     err)
    assert out.read_bytes() == b"%PDF-previous"


def test_check_reports_every_problem_at_once(content_copy, capsys):
    (content_copy / "kazakhstan" / "ru.yaml").write_text("country: [1\n")
    prof = content_copy / "kazakhstan" / "profile.yaml"
    prof.write_text(prof.read_text().replace("2018-05", "2018-13"))
    assert run("check", "--content", str(content_copy)) == 1
    err = capsys.readouterr().err.splitlines()
    located = [line for line in err if ".yaml:" in line]
    assert any("profile.yaml:3:12: `published` must be a year" in l for l in located)
    assert any("ru.yaml:" in l and "YAML syntax error" in l for l in located)
    assert located == sorted(located)


def test_check_passes_on_the_shipped_content(capsys):
    assert run("check") == 0


def test_list(capsys):
    assert run("list") == 0
    assert "kazakhstan\tar de en ru" in capsys.readouterr().out


def test_usage_error_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        run("--version")
    assert exc.value.code == 0
    assert run("build") == 2
    assert run("build", "kazakhstan", "--lang", "de", "--edition", "poster") == 2


# --------------------------------------------------------------------- make


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory) -> Path:
    """The repository's files in a temp dir (mtimes kept), sharing the .venv."""
    dest = tmp_path_factory.mktemp("repo")
    for name in ["Makefile", "pyproject.toml", "babel.cfg", "src", "layouts", "fonts",
                 "locale", "content", "scripts", "icc"]:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, copy_function=shutil.copy2,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    # The copy uses the project's .venv programs but has its own, fresh install
    # stamp: make must never reinstall into the shared environment from here.
    (dest / ".venv").mkdir()
    (dest / ".venv" / "bin").symlink_to(ROOT / ".venv" / "bin")
    (dest / ".venv" / ".installed").touch()
    return dest


def make(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MGI_REPORT_HOME": str(repo)}
    return subprocess.run(["make", "-C", str(repo), *args], capture_output=True, text=True,
                          env=env)


def test_make_builds_once_then_only_when_an_input_changes(repo_copy):
    target = "kazakhstan-de.pdf"
    first = make(repo_copy, target)
    assert first.returncode == 0, first.stderr
    assert (repo_copy / target).read_bytes().startswith(b"%PDF-")
    assert make(repo_copy, "-q", target).returncode == 0  # up to date: nothing to do

    def stale_after_touching(path: str) -> bool:
        """Whether make would rebuild after ``path`` is saved; then the file's time
        is put back, so the PDF is up to date again without a rebuild."""
        p = repo_copy / path
        before = p.stat()
        p.touch()
        stale = make(repo_copy, "-q", target).returncode != 0
        os.utime(p, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert make(repo_copy, "-q", target).returncode == 0
        return stale

    assert stale_after_touching("content/kazakhstan/de.yaml")
    assert stale_after_touching("content/kazakhstan/profile.yaml")
    assert stale_after_touching("layouts/parts/cover.html")
    assert stale_after_touching("fonts/NotoSans-Regular.ttf")
    assert stale_after_touching("locale/de/LC_MESSAGES/messages.po")
    assert stale_after_touching("src/mgi_report/compose/profile.py")  # in a stage folder
    logo = repo_copy / "content/kazakhstan/logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    built = (repo_copy / target).stat().st_mtime_ns
    os.utime(logo, ns=(built - 10**9, built - 10**9))  # as if it had been there before
    assert stale_after_touching("content/kazakhstan/logo.svg")  # a logo is printed
    assert stale_after_touching("icc/FOGRA39L-mgi.icc")
    assert not stale_after_touching("icc/README.md")
    assert not stale_after_touching("fonts/OFL.txt")
    assert not stale_after_touching("content/kazakhstan/en.yaml")
    assert not stale_after_touching("locale/fr/LC_MESSAGES/messages.po") \
        if (repo_copy / "locale/fr").exists() else True


def test_make_all_lists_every_country_and_language(repo_copy):
    out = make(repo_copy, "-n", "-B", "all")
    assert out.returncode == 0
    for lang in ["ar", "de", "en", "ru"]:
        assert f"--lang {lang}" in out.stdout


def test_build_writes_the_named_file_though_another_language_is_broken(content_copy, tmp_path,
                                                                       capsys):
    """The file named by -o, and no temporary file beside it; a broken file of
    another language does not stop the build (check reports it)."""
    ru = content_copy / "kazakhstan" / "ru.yaml"
    ru.write_text(ru.read_text() + "bogus: 1\n")
    out = tmp_path / "de.pdf"
    assert run("build", "kazakhstan", "--lang", "de", "--content", str(content_copy),
               "-o", str(out)) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert not list(tmp_path.glob(".*.tmp"))
    assert run("check", "--content", str(content_copy)) == 1
    assert "ru.yaml" in capsys.readouterr().err
