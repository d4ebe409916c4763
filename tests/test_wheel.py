"""The domain wheel: deterministic SVG, six coloured segments, localized labels."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys

from mgi_report.compose import wheel
from mgi_report.content.domains import DOMAINS

SEGMENTS = tuple(wheel.Segment(d.number, d.short_name, d.rgb) for d in DOMAINS)


def test_same_input_gives_identical_svg():
    w = wheel.Wheel(SEGMENTS, highlight=3)
    first, second = wheel.draw(w), wheel.draw(w)
    assert first == second
    assert b"<dc:date>" not in first  # no clock in the file


def test_six_segments_in_six_distinct_colours_with_numbers_and_names():
    w = wheel.Wheel(SEGMENTS)
    data = wheel.draw(w)
    svg = data.decode()
    colours = {d.rgb for d in DOMAINS}
    assert len(colours) == 6
    for colour in colours:
        assert re.search(f"fill: ?{colour}", svg, re.I), colour
    # Numbers and the centre are drawn; the names are set as page text over
    # the image (WeasyPrint would draw SVG text letter by letter, unkerned).
    texts = [t.strip() for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)]
    assert sorted(texts) == sorted([str(d.number) for d in DOMAINS] + ["MGI"])
    labels = wheel.label_overlays(w, data, (150.0, 100.0))
    assert [l["number"] for l in labels] == [d.number for d in DOMAINS]
    for label, d in zip(labels, DOMAINS):
        assert "".join(label["lines"]).replace(" ", "") == d.short_name.replace(" ", "")


def test_label_blocks_sit_beside_their_segment_inside_the_image():
    w = wheel.Wheel(SEGMENTS, highlight=2, label_pt=16)
    data = wheel.draw(w)
    labels = {l["number"]: l for l in wheel.label_overlays(w, data, (86.0, 62.0))}
    for label in labels.values():
        # the edge facing the ring lies inside the image (the other may reach past it)
        if label["align"] == "left":
            assert 50 < label["left"] < 100
        elif label["align"] == "right":
            assert 0 < label["left"] + label["width"] < 50
        assert 0 <= label["top"] <= 100
        assert 0 < label["line_mm"] <= 1.3 * label["font_mm"] + 1e-3
    # right of the ring: left-aligned from the ring outwards; left: the reverse
    assert labels[2]["align"] == "left" and labels[2]["left"] > 50
    assert labels[5]["align"] == "right" and labels[5]["left"] + labels[5]["width"] < 50
    assert labels[1]["top"] < labels[2]["top"] < labels[3]["top"]  # clockwise from the top
    assert labels[2]["bold"] and not labels[1]["bold"]
    assert labels[2]["on"] and not labels[1]["on"]
    rtl = wheel.Wheel(SEGMENTS, highlight=2, rtl=True, label_pt=16)
    mirrored = {l["number"]: l for l in wheel.label_overlays(rtl, wheel.draw(rtl), (86.0, 62.0))}
    assert mirrored[2]["align"] == "right" and mirrored[2]["left"] < 50


def test_highlight_greys_out_the_other_segments():
    svg = wheel.draw(wheel.Wheel(SEGMENTS, highlight=2)).decode()
    assert DOMAINS[1].rgb in svg
    for d in DOMAINS:
        if d.number != 2:
            assert not re.search(f"fill: ?{d.rgb}", svg, re.I)


def test_labels_are_text_and_fit_inside_the_drawing():
    w = wheel.Wheel(SEGMENTS)
    data = wheel.draw(w)
    box = wheel.drawn_box(data)
    for x0, y0, x1, y1 in box["labels"].values():
        assert -box["x"] <= x0 < x1 <= box["x"]
        assert -box["y"] <= y0 < y1 <= box["y"]
    for number, left, top, width, height in wheel.link_boxes(w, data):
        assert 0 <= left and left + width <= 100.01
        assert 0 <= top and top + height <= 100.01


def test_cache_is_content_addressed(tmp_path):
    w = wheel.Wheel(SEGMENTS, highlight=1)
    first = wheel.svg(w, tmp_path)
    files = list((tmp_path / "wheels").glob("*.svg"))
    assert len(files) == 1 and files[0].stem == w.key()
    # filed under its key, with the digest of its bytes (cachefile)
    assert files[0].read_bytes().split(b"\n", 1) == [
        f"mgi-cache 1 {w.key()} {hashlib.sha256(first).hexdigest()}".encode(), first]
    other = wheel.Wheel(SEGMENTS, highlight=2)
    assert other.key() != w.key()


def test_matplotlib_is_not_imported_when_wheels_are_cached(tmp_path):
    w = wheel.Wheel(SEGMENTS, highlight=4)
    wheel.svg(w, tmp_path)
    code = (
        "import sys\n"
        "from mgi_report.compose import wheel\n"
        "from mgi_report.content.domains import DOMAINS\n"
        "segs = tuple(wheel.Segment(d.number, d.short_name, d.rgb) for d in DOMAINS)\n"
        f"wheel.svg(wheel.Wheel(segs, highlight=4), __import__('pathlib').Path({str(tmp_path)!r}))\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
