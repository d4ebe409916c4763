"""Hostile content, round two: nothing amplifies, what prints is what was written,
nothing is lost silently, output goes only where it may.

Every build here runs under the three witnesses of ``witness.py`` and is
checked for its exit code, its located message and that no PDF was written.
"""

from __future__ import annotations

import io
import os
import socket
import stat
import struct
import tracemalloc
import zlib

import pikepdf
import pytest
from PIL import Image

from mgi_report.editions import document as editions
from mgitree import (
    DE,
    LANG,
    PROFILE,
    assert_only_located,
    build,
    lang_yaml,
    located_lines,
    make_tree,
    run,
)
from witness import assert_sentinel_absent, listener, outside, sentinel, unwatched, witnessed  # noqa: F401


def line(n: int, text: str) -> str:
    """The test language file with its line n replaced."""
    lines = LANG.splitlines(keepends=True)
    lines[n - 1] = text
    return "".join(lines)



def refused(capsys, tmp_path, files: dict, *located: str) -> str:
    """Build: exit 1, only located problems, each expected one among them, no PDF."""
    code, err, out = build(capsys, tmp_path, files)
    assert code == 1, err
    assert_only_located(err)
    for fragment in located:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))
    # `check` finds the same problems without building anything
    code, check_err = run(capsys, "check", "--content", tmp_path / "content")
    assert code == 1
    for fragment in located:
        assert fragment in check_err
    return err


# ---------------------------------------------------------------- amplification


def laughs(levels: int = 9, width: int = 9) -> str:
    """The billion laughs: each level a list of `width` aliases of the one before."""
    out = ["country: Republic of Testland", "short_name: Testland",
           'l0: &l0 "' + "ha" * 50 + '"']
    for i in range(1, levels + 1):
        out.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(out) + "\n" + LANG.split("\n", 2)[2]


def test_aliases_count_each_time_they_are_used(tmp_path, capsys, witnessed):
    text = laughs()
    assert len(text) < 2000
    err = refused(capsys, tmp_path, {"en.yaml": text}, "en.yaml:8:10: ")
    assert "as expanded, exceeds 1,000,000 characters" in err and "the alias *l" in err


def test_an_alias_inside_its_own_value_is_refused(tmp_path, capsys, witnessed):
    refused(capsys, tmp_path, {"en.yaml": line(6, "      - &a [x, *a]\n")},
            "en.yaml:6:16: YAML syntax error: the alias *a is used inside the value it names")


def test_aliases_that_stay_small_still_work(tmp_path, capsys, witnessed):
    en = line(6, "      - &same Migrants have access to primary education.\n")
    en = en.replace("    potential:\n      - There is no *national* strategy yet.",
                    "    potential:\n      - *same")
    code, err, out = build(capsys, tmp_path, {"en.yaml": en})
    assert code == 0, err


def test_deeply_nested_emphasis_is_a_located_error_not_a_crash(tmp_path, capsys, witnessed):
    finding = "*a " * 300 + "x" + " b*" * 300
    err = refused(capsys, tmp_path, {"en.yaml": line(6, f'      - "{finding}"\n')},
                  "en.yaml:6:9: entry 1 of `migrants_rights.well_developed` nests emphasis or "
                  "links 300 deep; the limit is 6")
    assert "RecursionError" not in err


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a size in its header (no decoder ever runs on it here)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def test_a_huge_image_is_refused_before_it_is_decoded(tmp_path, capsys, witnessed):
    tracemalloc.start()
    try:
        refused(capsys, tmp_path, {"profile.yaml": PROFILE + "logo: logo.png\n",
                                   "logo.png": png_header_only(13_000, 13_000)},
                "profile.yaml:4:7: `logo` logo.png: the image is 13,000 x 13,000 pixels; "
                "the limit is 25,000,000 pixels")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000  # decoding it would take 169 MB at least


def _pdf_with_attachment(path, name: str, data_stream: bytes, filtered: bool = True) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    stream = pikepdf.Stream(pdf, data_stream)
    if filtered:
        stream.Filter = pikepdf.Name.FlateDecode
    stream.Type = pikepdf.Name.EmbeddedFile
    spec = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Filespec, F=pikepdf.String(name), UF=pikepdf.String(name),
        EF=pikepdf.Dictionary(F=pdf.make_indirect(stream))))
    pdf.Root.Names = pikepdf.Dictionary(EmbeddedFiles=pikepdf.Dictionary(
        Names=pikepdf.Array([pikepdf.String(name), spec])))
    pdf.save(path)


def test_extract_stops_at_a_size_cap_bounded_in_memory(tmp_path, capsys, witnessed):
    bomb = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    packed = b"".join(bomb.compress(chunk) for _ in range(256)) + bomb.flush()  # 256 MiB
    pdf = tmp_path / "bomb.pdf"
    _pdf_with_attachment(pdf, "en.yaml", packed)
    assert pdf.stat().st_size < 2_000_000
    tracemalloc.start()
    try:
        code, err = run(capsys, "extract", pdf, tmp_path / "out")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 3, err
    assert "embedded en.yaml is larger than 1,000,000 bytes" in err and "Traceback" not in err
    assert peak < 20_000_000
    assert not (tmp_path / "out" / "en.yaml").exists()


@pytest.mark.parametrize("name", ["a\0b.yaml", "a\nb.yaml", "tab\there.yaml"])
def test_extract_with_a_control_character_in_a_name_is_a_clear_error(name, tmp_path, capsys,
                                                                     witnessed):
    pdf = tmp_path / "odd.pdf"
    _pdf_with_attachment(pdf, name, b"x: 1\n", filtered=False)
    code, err = run(capsys, "extract", pdf, tmp_path / "out")
    assert code == 3
    assert "an embedded file has an unusable name" in err and "internal error" not in err


# ------------------------------------------------------------ printed as written


def test_a_word_longer_than_the_line_breaks_inside_the_text_block(tmp_path, capsys, witnessed):
    import subprocess
    from xml.etree import ElementTree

    word = "Supercalifragilistic" * 75  # 1,500 characters (8 lines), no break opportunity
    code, err, out = build(capsys, tmp_path, {"en.yaml": line(6, f"      - {word}\n")})
    assert code == 0, err
    with unwatched():
        xml = subprocess.run(["pdftotext", "-bbox", str(out), "-"], capture_output=True,
                             text=True, check=True).stdout
    root = ElementTree.fromstring(xml.replace('xmlns="http://www.w3.org/1999/xhtml"', ""))
    seen = 0
    for page in root.iter("page"):
        width = float(page.get("width"))
        for w in page.iter("word"):
            if "Supercalifragilistic" in (w.text or ""):
                seen += len(w.text)
                assert 0 < float(w.get("xMin")) and float(w.get("xMax")) < width - 40, \
                    (w.get("xMin"), w.get("xMax"), width)
    assert seen >= len(word) * 0.95  # all of it is printed, none cut off


@pytest.mark.parametrize("finding, col, message", [
    ("Access for all\u202e.sredrob", 23, "the invisible bidi control (U+202E RIGHT-TO-LEFT "
     "OVERRIDE) would show the text in another order than it is written"),
    ("Access \u2066isolated\u2069 text", 16, "the invisible bidi control (U+2066 LEFT-TO-RIGHT "
     "ISOLATE)"),
    ("Access \u200fwith a mark", 16, "the invisible bidi control (U+200F RIGHT-TO-LEFT MARK)"),
    ("Zalgo a\u0300\u0301\u0302\u0303\u0304 text", 19, "more than 3 combining marks on one "
     "character"),
])
def test_what_would_print_otherwise_than_written_is_located(finding, col, message, tmp_path,
                                                            capsys, witnessed):
    refused(capsys, tmp_path, {"en.yaml": line(6, f"      - {finding}\n")},
            f"en.yaml:6:{col}: entry 1 of `migrants_rights.well_developed`: {message}")


def test_a_few_combining_marks_are_fine(tmp_path, capsys, witnessed):
    en = line(6, "      - Cafe\u0301 a\u0300\u0301\n")
    code, err, out = build(capsys, tmp_path, {"en.yaml": en})
    assert code == 0, err


def test_a_line_separator_is_reported_at_its_real_line(tmp_path, capsys, witnessed):
    """PyYAML counts U+2028 as a line break; an editor does not. Every problem after
    it is reported at the line the editor shows."""
    en = line(6, "      - Migrants\u2028have access.\n")
    en = en.replace("  whole_of_government:\n", "  whole_of_government:\n    bogus: 1\n")
    err = refused(capsys, tmp_path, {"en.yaml": en},
                  "en.yaml:6:17: the invisible (U+2028 LINE SEPARATOR) is not a line break "
                  "everywhere",
                  "en.yaml:10:5: unknown key `bogus`")
    assert len(located_lines(err)) == 2


@pytest.mark.parametrize("value", ['!!bool "maybe"', "!!str yes", "!custom x", "! x"])
def test_an_explicit_yaml_tag_is_located_never_coerced(value, tmp_path, capsys, witnessed):
    en = LANG.replace("short_name: Testland\n", f"short_name: Testland\ndraft: {value}\n")
    refused(capsys, tmp_path, {"en.yaml": en}, "en.yaml:3:8: the YAML tag `")


# ------------------------------------------------------------------ no silent loss


def _png(size=(600, 600)) -> bytes:
    buf = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(buf, "PNG")  # rows that do not repeat
    return buf.getvalue()


def _truncated_png() -> bytes:
    data = _png()
    return data[:len(data) // 2]  # half of the rows are missing


@pytest.mark.parametrize("name, data, message", [
    ("logo.png", _truncated_png(), "not a PNG image, or not a complete one"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 -5 x"></svg>',
     "it cannot be drawn (ValueError"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0"></svg>',
     "it has no size"),
])
def test_a_logo_that_cannot_be_drawn_is_located_at_its_key(name, data, message, tmp_path,
                                                            capsys, witnessed):
    refused(capsys, tmp_path, {"profile.yaml": PROFILE + f"logo: {name}\n", name: data},
            f"profile.yaml:4:7: `logo` {name}: {message}")


def test_a_drawable_logo_is_drawn(tmp_path, capsys, witnessed):
    code, err, out = build(capsys, tmp_path, {"profile.yaml": PROFILE + "logo: logo.png\n",
                                              "logo.png": _png()})
    assert code == 0, err
    with pikepdf.open(out) as pdf:
        images = list(pdf.pages[0].get_images().values())
    assert images


# ------------------------------------------------------------------ output


def _specials(tmp_path):
    fifo = tmp_path / "fifo.pdf"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock.pdf"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    # A device of the test's own (a copy of /dev/null's numbers), so that a broken
    # rule replaces that node, never the machine's /dev/null.
    device = tmp_path / "null.pdf"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    link = tmp_path / "link.pdf"
    link.symlink_to(device)
    return {"device": (device, None), "FIFO": (fifo, None), "socket": (sock_path, sock),
            "link to a device": (link, None)}


@pytest.mark.parametrize("kind", ["device", "FIFO", "socket", "link to a device"])
def test_output_onto_something_that_is_not_a_file_is_refused(kind, tmp_path, capsys):
    target, keep = _specials(tmp_path)[kind]
    before = os.lstat(target)
    content = make_tree(tmp_path)
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content,
                    "-o", target)
    assert code == 2, err
    assert err.strip().startswith(f"mgi-report: error: will not write {target}: it is a")
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino, after.st_rdev) == \
        (before.st_mode, before.st_ino, before.st_rdev)
    if keep is not None:
        keep.close()


# ------------------------------------------------------------------ small ones


def test_stamp_keeps_line_endings_and_bom(tmp_path, capsys):
    raw = b"\xef\xbb\xbf" + DE.replace("\n", "\r\n").encode()
    content = make_tree(tmp_path, {"de.yaml": raw})
    code, err = run(capsys, "stamp", "testland", "--lang", "de", "--content", content)
    assert code == 0, err
    after = (content / "testland" / "de.yaml").read_bytes()
    assert after.startswith(b"\xef\xbb\xbfcountry: Republic of Testland\r\n")
    assert b"\r\nsource_hash: " in after
    assert after.count(b"\n") == after.count(b"\r\n") == raw.count(b"\n") + 1
    code, err = run(capsys, "check", "--content", content, "--strict")
    assert code == 0, err


def test_an_invalid_utf8_column_counts_characters(tmp_path, capsys):
    raw = LANG.encode().replace(b"Migrants have", b"M\xc3\xafgr\xc3\xa0nts \xff have", 1)
    refused(capsys, tmp_path, {"en.yaml": raw}, "en.yaml:6:18: not UTF-8 text (byte 0xff)")
