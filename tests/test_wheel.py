"""The domain wheel: deterministic SVG, six coloured segments, localized labels."""

from __future__ import annotations

import re
import subprocess
import sys

from mgi_report import wheel
from mgi_report.domains import DOMAINS

SEGMENTS = tuple(wheel.Segment(d.number, d.short_name, d.rgb) for d in DOMAINS)


def test_same_input_gives_identical_svg():
    w = wheel.Wheel(SEGMENTS, highlight=3)
    first, second = wheel.draw(w), wheel.draw(w)
    assert first == second
    assert b"<dc:date>" not in first  # no clock in the file


def test_six_segments_in_six_distinct_colours_with_numbers_and_names():
    svg = wheel.draw(wheel.Wheel(SEGMENTS)).decode()
    colours = {d.rgb for d in DOMAINS}
    assert len(colours) == 6
    for colour in colours:
        assert re.search(f"fill: ?{colour}", svg, re.I), colour
    texts = re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)
    joined = " ".join(t.strip() for t in texts).replace("- ", "-")
    for d in DOMAINS:
        assert str(d.number) in texts or str(d.number) in joined
        for word in d.short_name.split()[:1]:
            assert word in joined
    assert "MGI" in joined


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
    assert len(files) == 1 and files[0].read_bytes() == first
    assert files[0].stem == w.key()
    other = wheel.Wheel(SEGMENTS, highlight=2)
    assert other.key() != w.key()


def test_matplotlib_is_not_imported_when_wheels_are_cached(tmp_path):
    w = wheel.Wheel(SEGMENTS, highlight=4)
    wheel.svg(w, tmp_path)
    code = (
        "import sys\n"
        "from mgi_report import wheel\n"
        "from mgi_report.domains import DOMAINS\n"
        "segs = tuple(wheel.Segment(d.number, d.short_name, d.rgb) for d in DOMAINS)\n"
        f"wheel.svg(wheel.Wheel(segs, highlight=4), __import__('pathlib').Path({str(tmp_path)!r}))\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
