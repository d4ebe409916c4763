"""A small content tree for tests that need exact line numbers, and CLI helpers.

``testland`` has ``profile.yaml``, ``en.yaml`` (the source) and ``de.yaml``
(a translation of en), each written here line by line, so a test can say
exactly where a problem is.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from mgi_report.cli import main
from mgi_report.content.domains import DOMAIN_KEYS

PROFILE = """\
iso3: XTS
published: 2018-05
source_language: en
"""

#: Line numbers below are what the validation tests rely on.
LANG = """\
country: Republic of Testland
short_name: Testland
domains:
  migrants_rights:
    well_developed:
      - Migrants have access to primary education.
    potential:
      - There is no *national* strategy yet.
  whole_of_government:
    well_developed: [A council exists.]
    potential: []
  partnerships:
    well_developed: [Treaties are signed.]
    potential: []
  wellbeing:
    well_developed: [Diplomas are recognised.]
    potential: []
  mobility_crises:
    well_developed: [A plan exists.]
    potential: []
  safe_orderly_regular_migration:
    well_developed: [Visas are issued.]
    potential: []
"""

#: A translation of LANG (line for line: the same line numbers).
DE = LANG.replace("short_name: Testland", "short_name: Testland\ntranslation_of: en", 1) \
    .replace("Migrants have access to primary education.",
             "Migranten haben Zugang zur Grundschulbildung.") \
    .replace("There is no *national* strategy yet.", "Es gibt noch keine *nationale* Strategie.") \
    .replace("A council exists.", "Ein Rat besteht.") \
    .replace("Treaties are signed.", "Verträge sind unterzeichnet.") \
    .replace("Diplomas are recognised.", "Diplome werden anerkannt.") \
    .replace("A plan exists.", "Ein Plan besteht.") \
    .replace("Visas are issued.", "Visa werden erteilt.")

LOCATED = re.compile(r"^(?P<path>[^:\n]+\.(?:yaml|svg|png)):(?P<line>\d+):(?P<col>\d+): \S")


def make_tree(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    """Write the testland tree under root/content; ``files`` overrides or adds files."""
    content = root / "content"
    folder = content / "testland"
    folder.mkdir(parents=True, exist_ok=True)
    base: dict[str, str | bytes] = {"profile.yaml": PROFILE, "en.yaml": LANG,
                                    "de.yaml": DE}
    for name, data in {**base, **(files or {})}.items():
        path = folder / name
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return content


def lang_yaml(country: str = "Republic of Testland", short_name: str = "Testland",
              findings: dict[str, tuple[list[str], list[str]]] | None = None,
              **extra) -> str:
    """A language file as YAML text, from Python values (for generated content)."""
    findings = findings or {}
    doc = {"country": country, "short_name": short_name, **extra, "domains": {
        key: {"well_developed": list(findings.get(key, ([], []))[0]),
              "potential": list(findings.get(key, ([], []))[1])}
        for key in DOMAIN_KEYS}}
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=72)


def build(capsys, tmp_path, files: dict, lang: str = "en", *extra):
    """Build testland (``files`` over its own) to tmp_path/out.pdf as a user would:
    (exit code, stderr, the PDF's path)."""
    content = make_tree(tmp_path, files)
    out = tmp_path / "out.pdf"
    code, err = run(capsys, "build", "testland", "--lang", lang, "--content", content,
                    "-o", out, *extra)
    return code, err, out


def run(capsys, *argv: str) -> tuple[int, str]:
    """Call the command line as a user would; returns (exit code, stderr)."""
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def located_lines(err: str) -> list[str]:
    """The ``path:line:col: message`` lines of stderr."""
    return [line for line in err.splitlines() if LOCATED.match(line)]


def assert_only_located(err: str) -> None:
    """Every line of stderr is a located problem or the closing summary."""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines, "no message at all"
    # "; nothing was written" only where the command writes (not after `check`)
    assert re.fullmatch(r"mgi-report: \d+ problems? in the content(; nothing was written)?",
                        lines[-1]), lines[-1]
    for line in lines[:-1]:
        assert LOCATED.match(line), line


def squash(text: str) -> str:
    """Text without white space or the hyphens WeasyPrint adds (U+2010, soft hyphen),
    so that line breaks and hyphenation in a PDF do not matter."""
    return "".join(ch for ch in text if not ch.isspace() and ch not in "\u2010\u00ad")


def all_pdf_bytes(path: Path) -> bytes:
    """A PDF's bytes followed by every stream decoded (attachments, fonts, pages)."""
    import pikepdf

    parts = [path.read_bytes()]
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    parts.append(obj.read_bytes())
                except pikepdf.PdfError:  # an image codec pikepdf does not decode
                    parts.append(obj.read_raw_bytes())
    return b"\n".join(parts)


def edited_since_a_commit(root: Path) -> Path:
    """The testland tree under ``root`` committed to a new git repository, then
    one finding of en.yaml edited ("A council exists." -> "... meets monthly."):
    what ``review --since HEAD`` marks. Returns the content folder."""
    import subprocess

    content = make_tree(root)
    git = ["git", "-C", str(root), "-c", "user.name=Editor",
           "-c", "user.email=editor@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "validated"], check=True)
    en = content / "testland" / "en.yaml"
    en.write_text(en.read_text().replace("A council exists.", "A council meets monthly."))
    return content
