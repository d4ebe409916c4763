"""The figures beside the wheel: text-free deterministic SVG, boxes for page text."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest

from mgi_report.compose import figures
from mgi_report.content.domains import DOMAINS

COLOURS = [d.rgb for d in DOMAINS]
FRAMEWORK = {k: k.upper() for k in figures.FRAMEWORK_KEYS}
PROCESS = {k: k.upper() for k in figures.PROCESS_KEYS}


def svg_of(fig: dict) -> bytes:
    prefix = "data:image/svg+xml;base64,"
    assert fig["src"].startswith(prefix)
    return base64.b64decode(fig["src"][len(prefix):])


def all_three(cache, rtl=False) -> dict:
    return {
        "chart": figures.chart([2000, 2010, 2020], [120000, -5000.5, 180000], "#1f5fa8", cache),
        "framework": figures.framework(FRAMEWORK, rtl, COLOURS, cache),
        "process": figures.process(PROCESS, rtl, "#0d2f4f", cache),
    }


def inside(box: dict) -> bool:
    return (0 <= box["left"] and box["left"] + box["width"] <= 100
            and 0 <= box["top"] and box["top"] + box["height"] <= 100
            and box["width"] >= 0 and box["height"] >= 0)


def test_svg_is_identical_on_a_second_draw_and_in_a_fresh_process(tmp_path):
    first = {k: svg_of(v) for k, v in all_three(tmp_path / "a").items()}
    again = {k: svg_of(v) for k, v in all_three(tmp_path / "b").items()}  # drawn anew
    assert first == again
    code = (
        "import base64, json, pathlib, sys\n"
        "sys.path[:0] = json.loads(sys.argv[2])\n"
        "import test_figures as t\n"
        "figs = t.all_three(pathlib.Path(sys.argv[1]))\n"
        "print(json.dumps({k: base64.b64encode(t.svg_of(v)).decode() for k, v in figs.items()}))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "c"),
                          json.dumps([os.path.dirname(__file__)])],
                         capture_output=True, text=True, check=True, env=env)
    fresh = {k: base64.b64decode(v) for k, v in json.loads(out.stdout).items()}
    assert fresh == first
    for data in first.values():
        assert b"<dc:date>" not in data


def test_no_text_in_the_drawings_and_plain_data_out(tmp_path):
    figs = {**all_three(tmp_path), "rtl": figures.process(PROCESS, True, "#0d2f4f", tmp_path)}
    for fig in figs.values():
        assert b"<text" not in svg_of(fig)
        assert json.loads(json.dumps(fig))["src"] == fig["src"]  # JSON-serialisable
    assert figs["chart"]["size"] == (70.0, 32.0)
    assert figs["framework"]["size"] == (160.0, 80.0)
    svg = svg_of(figs["framework"]).decode()
    for colour in COLOURS:
        assert f"fill: {colour}" in svg
    for fig in (figs["framework"], figs["process"]):
        for label in fig["labels"]:
            assert inside(label), label
            assert label["text"] == label["key"].upper()
        for label in fig["labels"]:
            if "number_box" in label:
                assert inside(label["number_box"])


def test_bars_in_year_order_inside_the_image_by_value(tmp_path):
    fig = figures.chart([2020, 2000, 2010, 2015], [180000, 120000, 150000, 0], "#2F8F5B",
                        tmp_path)
    bars = fig["bars"]
    assert [b["year"] for b in bars] == [2000, 2010, 2015, 2020]
    assert [b["value"] for b in bars] == [120000, 150000, 0, 180000]
    assert all(inside(b) for b in bars)
    lefts = [b["left"] for b in bars]
    assert lefts == sorted(lefts) and len(set(lefts)) == 4
    assert bars[1]["height"] > bars[0]["height"] > bars[2]["height"] == 0
    assert bars[3]["height"] > bars[1]["height"]
    # all bars stand on the baseline, which is also the zero line
    for b in bars:
        assert b["top"] + b["height"] == pytest.approx(fig["baseline"], abs=0.02)
    assert fig["zero"] == fig["baseline"]
    assert "fill: #2f8f5b" in svg_of(fig).decode()
    for b in bars:
        assert b["column_left"] <= b["left"]
        assert b["left"] + b["width"] <= b["column_left"] + b["column_width"] + 0.01


def test_a_negative_value_hangs_below_the_zero_line(tmp_path):
    fig = figures.chart([2000, 2010, 2020], [3000, -1500, 6000], "#c0392b", tmp_path)
    up, down, up2 = fig["bars"]
    zero = fig["zero"]
    assert zero < fig["baseline"]  # room for the negative bar and its value under it
    assert not up["negative"] and down["negative"]
    assert up["top"] + up["height"] == pytest.approx(zero, abs=0.02)
    assert down["top"] == pytest.approx(zero, abs=0.02)
    assert down["top"] + down["height"] < fig["baseline"]
    assert up2["height"] == pytest.approx(2 * up["height"], abs=0.02)
    assert down["height"] == pytest.approx(up["height"] / 2, abs=0.02)
    assert svg_of(fig).count(b"stroke: #5b6670") == 2  # baseline and zero line


def test_rtl_mirrors_the_order(tmp_path):
    ltr = figures.process(PROCESS, False, "#0d2f4f", tmp_path)
    rtl = figures.process(PROCESS, True, "#0d2f4f", tmp_path)
    assert [l["key"] for l in rtl["labels"]] == list(figures.PROCESS_KEYS)
    assert [l["number"] for l in rtl["labels"]] == [1, 2, 3, 4, 5]
    lefts = [l["left"] for l in ltr["labels"]]
    assert lefts == sorted(lefts)  # step 1 leftmost
    mirrored = [l["left"] for l in rtl["labels"]]
    assert mirrored == sorted(mirrored, reverse=True)  # step 1 rightmost
    for a, b in zip(ltr["labels"], rtl["labels"]):
        assert a["left"] + a["width"] / 2 == pytest.approx(100 - b["left"] - b["width"] / 2,
                                                           abs=0.02)
        assert b["left"] < b["number_box"]["left"] + b["number_box"]["width"]
    assert svg_of(ltr) != svg_of(rtl)
    fw = {l["key"]: l for l in figures.framework(FRAMEWORK, True, COLOURS, tmp_path)["labels"]}
    assert fw["principle-1"]["left"] > fw["principle-2"]["left"] > fw["principle-3"]["left"]
    assert fw["objective-1"]["left"] > fw["objective-3"]["left"]
    assert fw["principle-1"]["top"] < fw["domains"]["top"] < fw["objective-1"]["top"]


def test_the_cache_is_used_and_words_are_not_part_of_the_drawing(tmp_path, monkeypatch):
    all_three(tmp_path)
    files = sorted((tmp_path / "figures").glob("*.svg"))
    assert len(files) == 3

    def no_drawing(*args):
        raise AssertionError("drawn again")

    monkeypatch.setattr(figures, "draw", no_drawing)
    again = all_three(tmp_path)
    # each file: its cachefile header line, then the drawing
    assert {svg_of(v) for v in again.values()} == {p.read_bytes().split(b"\n", 1)[1]
                                                   for p in files}
    # Translated words change the labels, not the drawing.
    other = figures.framework({k: "word" for k in figures.FRAMEWORK_KEYS}, False, COLOURS,
                              tmp_path)
    assert other["src"] == again["framework"]["src"]
    assert {l["text"] for l in other["labels"]} == {"word"}
    assert len(list((tmp_path / "figures").glob("*.svg"))) == 3


def test_matplotlib_is_not_imported_when_figures_are_cached(tmp_path):
    all_three(tmp_path)
    code = (
        "import json, pathlib, sys\n"
        "sys.path[:0] = json.loads(sys.argv[2])\n"
        "import test_figures as t\n"
        "t.all_three(pathlib.Path(sys.argv[1]))\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path),
                          json.dumps([os.path.dirname(__file__)])],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        figures.chart([2000, 2010], [1.0], "#1f5fa8")
    with pytest.raises(ValueError):
        figures.chart([], [], "#1f5fa8")
    with pytest.raises(ValueError):
        figures.chart([2000], [float("nan")], "#1f5fa8")
    with pytest.raises(ValueError):
        figures.chart([2000], [1.0], "blue")
    with pytest.raises(ValueError):
        figures.framework(FRAMEWORK, False, COLOURS[:5])
    with pytest.raises(KeyError, match="step-5"):
        figures.process({k: k for k in figures.PROCESS_KEYS[:4]}, False, "#0d2f4f")
