"""A layout folder cannot run code or reach files, and nothing reaches a system font.

Layout folders may come from anyone (like a downloaded theme): their templates
render in Jinja's immutable sandbox, and resolve (links included) inside the
layout folders only. Fontconfig knows the shipped fonts only. Every case runs
under the three witnesses of ``witness.py``.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from mgi_report.engine.fonts import isolate_fonts
from mgi_report.resources import FONTS
from mgitree import lang_yaml, located_lines, make_tree, run
from pdfread import fonts
from witness import assert_sentinel_absent, listener, outside, sentinel, witnessed  # noqa: F401


def cover(line2: str) -> dict[str, str]:
    """A cover part whose line 2 is the given template code."""
    return {"parts/cover.html": f'<section class="cover" id="cover">\n{line2}\n</section>\n'}


def code_cases(sentinel_path: str) -> dict[str, dict[str, str]]:
    return {
        "python internals": cover("{{ ''.__class__.__mro__[1].__subclasses__() }}"),
        "a global's __globals__": cover(
            f"{{{{ cycler.__init__.__globals__.os.popen('cat {sentinel_path}').read() }}}}"),
        "lipsum's globals": cover("{{ lipsum.__globals__['os'].system('id') }}"),
        "str.format attribute": cover("{{ '{0.__class__.__base__}'.format(country) }}"),
        "format_map": cover("{{ '{x.__class__}'.format_map({'x': country}) }}"),
        "attr filter": cover("{{ (country|attr('__class__')).__subclasses__() }}"),
        "mutating the context": cover("{% set _ = domains.append(1) %}"),
        "self's module": cover("{{ self.__init__.__globals__ }}"),
        "a huge string": cover("{{ 'x' * 100000000 }}"),
        "a huge power": cover("{{ 10 ** 100000000 }}"),
    }


CODE_CASES = list(code_cases("/x"))


def write_layout(root, files: dict[str, str]):
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(data)
    return root


def build(capsys, tmp_path, layouts, content=None):
    content = content or make_tree(tmp_path)
    out = tmp_path / "out.pdf"
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content,
                    "--layouts", layouts, "-o", out)
    return code, err, out


@pytest.mark.parametrize("case", CODE_CASES)
def test_a_layout_cannot_run_code(case, tmp_path, capsys, sentinel, witnessed):
    path, _token = sentinel
    layouts = write_layout(tmp_path / "layouts", code_cases(str(path))[case])
    code, err, out = build(capsys, tmp_path, layouts)
    assert code == 3, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("mgi-report: error: ") and "parts/cover.html:2: " in last, err
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))


def test_a_template_linked_to_a_file_outside_is_refused(tmp_path, capsys, sentinel, witnessed):
    path, _token = sentinel
    layouts = tmp_path / "layouts"
    (layouts / "parts").mkdir(parents=True)
    (layouts / "parts" / "cover.html").symlink_to(path)
    code, err, out = build(capsys, tmp_path, layouts)
    assert code == 3, err
    assert "parts/cover.html is a link to " in err and str(path) in err
    assert not out.exists()


@pytest.fixture
def parts_outside(outside):
    """A folder of parts outside every allowed folder (made before the audit starts)."""
    elsewhere = outside / "theme-parts"
    elsewhere.mkdir(exist_ok=True)
    (elsewhere / "cover.html").write_text('<section class="cover" id="cover">x</section>\n')
    return elsewhere


def test_a_layout_folder_linked_outside_is_refused(tmp_path, capsys, parts_outside, witnessed):
    elsewhere = parts_outside
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "parts").symlink_to(elsewhere)
    code, err, out = build(capsys, tmp_path, layouts)
    assert code == 3, err
    assert "outside the layout folders" in err
    assert not out.exists()


def test_an_include_cannot_climb_out(tmp_path, capsys, witnessed):
    layouts = write_layout(tmp_path / "layouts", cover('{% include "../../../etc/passwd" %}'))
    code, err, out = build(capsys, tmp_path, layouts)
    assert code == 3 and "Traceback" not in err
    assert "parts/cover.html:2" in err and "etc/passwd" in err
    assert not out.exists()


def test_a_template_syntax_error_names_its_line(tmp_path, capsys, witnessed):
    layouts = write_layout(tmp_path / "layouts", cover("{% if %}"))
    code, err, out = build(capsys, tmp_path, layouts)
    assert code == 3
    assert "parts/cover.html:2: template syntax error" in err
    assert not out.exists()


def test_a_sandboxed_layout_still_renders_what_it_may(tmp_path, capsys, witnessed):
    """The sandbox is not simply closed: filters, loops, the context's values."""
    layouts = write_layout(tmp_path / "layouts", cover(
        "<p>{{ country|upper }} {% for d in domains %}{{ d.number }}{% endfor %} "
        "{{ '%s-%s'|format(iso3, year) }}</p>"))
    code, err, out = build(capsys, tmp_path, layouts)
    assert code == 0, err
    from pdfread import text
    assert "REPUBLIC OF TESTLAND 123456 XTS-2018" in text(out)


# ------------------------------------------------------------------ fonts


def test_fontconfig_knows_the_shipped_fonts_only():
    """The private configuration lists fonts/ and nothing else (fc-list reads it
    as Pango does)."""
    conf = isolate_fonts()
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    listed = subprocess.run(["fc-list", "--format", "%{file}\n"], env=env, check=True,
                            capture_output=True, text=True).stdout.split()
    assert listed, "no font at all"
    assert {os.path.dirname(os.path.realpath(f)) for f in listed} == {str(FONTS.resolve())}
    assert os.environ["FONTCONFIG_FILE"] == str(conf)


@pytest.mark.parametrize("css", [
    'body { font-family: "DejaVu Sans" }',
    '@font-face { font-family: X; src: local("DejaVu Sans") } body { font-family: X }',
    '@font-face { font-family: X; src: local("DejaVuSans") } body { font-family: X, serif }',
    "body { font-family: monospace }",
])
def test_a_layout_naming_a_system_font_gets_a_shipped_one(css, tmp_path, capsys, witnessed):
    layouts = write_layout(tmp_path / "layouts", {
        "profile.css": css + "\n", **cover(
            '<svg xmlns="http://www.w3.org/2000/svg" width="90" height="20">'
            '<text y="15" font-family="DejaVu Sans Mono">svg text</text></svg>')})
    code, err, out = build(capsys, tmp_path, layouts)
    assert code in (0, 3), err
    if code == 3:  # a refused or unloadable font is fine too; a system font never is
        assert ("refused to read" in err or "Font-face 'X' cannot be loaded" in err), err
        assert not out.exists()
        return
    used = fonts(out)
    assert used and all(embedded for embedded in used.values())
    names = {name.split("+")[-1].lstrip("/") for name in used}
    assert all(n.startswith("Noto-") for n in names) and not any("DejaVu" in n for n in names), \
        used


@pytest.mark.parametrize("char, name", [
    ("\u2603", "SNOWMAN"), ("\u2211", "N-ARY SUMMATION"), ("\U0001F600", "GRINNING FACE"),
    ("\u4e2d", "CJK UNIFIED IDEOGRAPH-4E2D"), ("\u0915", "DEVANAGARI LETTER KA"),
])
def test_a_character_no_shipped_font_covers_is_a_located_error(char, name, tmp_path, capsys,
                                                                witnessed):
    content = make_tree(tmp_path, {"en.yaml": lang_yaml(findings={
        "migrants_rights": ([f"Migrants {char} have access."], [])})})
    code, err, out = build(capsys, tmp_path, tmp_path, content)
    assert code == 1, err
    lines = located_lines(err)
    assert len(lines) == 1, err
    assert f"en.yaml:6:16: entry 1 of `migrants_rights.well_developed`: the character {char} " \
           f"(U+{ord(char):04X} {name}) is in no shipped font" in lines[0]
    assert not out.exists()
