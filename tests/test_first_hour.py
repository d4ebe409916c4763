"""A new user's first hour (issue 30): the README's way to the command, as written.

The README's section "Running mgi-report" is read from the README itself and
its command lines are run by a shell in a clean environment (no virtual
environment active, a PATH of the system's folders only, a home of its own), in
the project folder as a clone has it after ``make`` (in CI, ``.ci/run`` runs in a
fresh clone, after ``make test`` did its set-up). What a user types is what is
tested: a README that names a command that does not exist fails here.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from mgi_report.resources import ROOT

README = ROOT / "README.md"


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def code_lines(text: str) -> list[str]:
    """The indented code lines of a README section, comments dropped."""
    lines = []
    for line in text.splitlines():
        if line.startswith("    ") and line.strip():
            command = re.sub(r"\s+#\s.*$", "", line.strip())
            lines.append(command)
    return lines


def clean_shell(script: str, home: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    if "MGI_REPORT_CACHE" in os.environ:  # the suite's own cache folder, if any
        env["MGI_REPORT_CACHE"] = os.environ["MGI_REPORT_CACHE"]
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "mgi-report").exists(),
                    reason="needs the project's .venv, as `make` sets it up")
def test_the_readme_way_to_the_command_works_as_written(tmp_path):
    lines = code_lines(section("Running mgi-report"))
    assert ". .venv/bin/activate" in lines and "mgi-report check" in lines
    # Without the README's lines, the command is not found: the first hour's trap.
    bare = clean_shell("mgi-report check", tmp_path, ROOT)
    assert bare.returncode == 127 and "not found" in bare.stderr
    # As written, in order, in one shell.
    ran = clean_shell("\n".join(lines), tmp_path, ROOT)
    assert ran.returncode == 0, ran.stderr
    assert "valid" in ran.stdout + ran.stderr
    assert "kazakhstan" in ran.stdout
    # The link for the user works from any folder, in a new shell.
    link = tmp_path / ".local" / "bin" / "mgi-report"
    assert link.is_symlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    later = clean_shell("PATH=$HOME/.local/bin:$PATH\nmgi-report list", tmp_path, elsewhere)
    assert later.returncode == 0 and "kazakhstan" in later.stdout, later.stderr


def test_every_make_target_the_readme_names_exists():
    """`make check`, `make list` … as the README names them: each is a target
    that `make -n` accepts, and `make help` lists it."""
    named = set(re.findall(r"`make ([a-z]+)`", section("Running mgi-report")))
    assert {"check", "list", "help"} <= named
    helped = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True,
                            text=True).stdout
    for target in named - {"help"}:
        assert f"make {target} " in helped, target
        dry = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
        assert dry.returncode == 0, (target, dry.stderr)


# ------------------------------------------------------------------ empty is not finished

from mgitree import LANG, make_tree, run  # noqa: E402

#: Testland with its partnerships domain emptied (line 14 is `partnerships:`).
EMPTY_PARTNERSHIPS = LANG.replace("well_developed: [Treaties are signed.]", "well_developed: []")


def test_an_empty_domain_warns_located_and_strict_fails(tmp_path, capsys):
    content = make_tree(tmp_path, {"en.yaml": EMPTY_PARTNERSHIPS})
    line = EMPTY_PARTNERSHIPS.splitlines().index("  partnerships:") + 1
    code, err = run(capsys, "check", "--content", content)
    assert code == 0
    [warned] = [w for w in err.splitlines() if "has no finding" in w]
    assert warned.endswith(f"testland/en.yaml:{line}:3: domain `partnerships` has no finding: "
                           "neither `well_developed`, `potential` nor an area holds one "
                           "(warning)")
    code, err = run(capsys, "check", "--strict", "--content", content)
    assert code == 1 and f"en.yaml:{line}:3: domain `partnerships` has no finding" in err


def test_the_print_edition_refuses_an_empty_domain_and_screen_warns(tmp_path, capsys):
    content = make_tree(tmp_path, {"en.yaml": EMPTY_PARTNERSHIPS})
    line = EMPTY_PARTNERSHIPS.splitlines().index("  partnerships:") + 1
    out = tmp_path / "out"
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content,
                    "--edition", "screen,print", "--out", out)
    assert code == 1
    assert (out / "testland-en.pdf").is_file() and not (out / "testland-en-print.pdf").exists()
    refusal = [x for x in err.splitlines() if "print edition refuses" in x]
    assert len(refusal) == 1 and f"en.yaml:{line}:3: domain `partnerships`" in refusal[0]
    assert any(x.endswith("(warning)") and "partnerships" in x for x in err.splitlines())


def test_a_profile_with_no_finding_is_named_and_stats_shows_empty_domains(tmp_path, capsys):
    empty = LANG
    for finding in ("Migrants have access to primary education.",
                    "There is no *national* strategy yet.", "A council exists.",
                    "Treaties are signed.", "Diplomas are recognised.", "A plan exists.",
                    "Visas are issued."):
        empty = empty.replace(f"- {finding}", "").replace(f"[{finding}]", "[]")
    content = make_tree(tmp_path, {"en.yaml": empty, "de.yaml": empty.replace(
        "short_name: Testland", "short_name: Testland\ntranslation_of: en")})
    code, err = run(capsys, "check", "--content", content)
    assert code == 0
    assert "en.yaml:1:1: the profile of Testland in `en` has no finding at all: all six " \
        "domains are empty (warning)" in err
    assert sum("has no finding:" in x for x in err.splitlines()) == 12  # 6 domains x 2 files
    from mgi_report.cli import main

    capsys.readouterr()
    assert main(["stats", "--content", str(make_tree(tmp_path / "one",
                                                     {"en.yaml": EMPTY_PARTNERSHIPS}))]) == 0
    head, *rows = capsys.readouterr().out.splitlines()
    assert head.split()[-3] == "empty"  # (a state may be two words: count from the end)
    assert {r.split()[1]: r.split()[-3] for r in rows} == {"en": "d3", "de": "-"}
