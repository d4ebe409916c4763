"""The composed HTML, compared with golden files (dates and locale pinned by content).

After an intended layout change: `make golden`, then review `git diff tests/golden`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from mgi_report import Request, prepare
from mgi_report.compose.profile import compose
from mgi_report.resources import DEFAULT_CONTENT

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("MGI_UPDATE_GOLDEN") == "1"


def normalized(html: str) -> str:
    """Stable across machines: no absolute paths, images by their size only."""
    html = re.sub(r"file://[^\"')]*/fonts/", "FONTS/", html)
    return re.sub(r"data:([\w/+.-]+);base64,[A-Za-z0-9+/=]+",
                  lambda m: f"data:{m[1]};base64,<{len(m[0])} bytes>", html)


def composed(lang: str, content: Path = DEFAULT_CONTENT, cache=None) -> str:
    return compose(prepare(Request("kazakhstan", lang, content, cache=cache)))


@pytest.mark.parametrize("lang", ["de", "en"])
def test_html_matches_golden(lang, cache_dir):
    html = re.sub(r"base64,<\d+ bytes>", "base64,<…>", normalized(composed(lang, cache=cache_dir)))
    path = GOLDEN / f"kazakhstan-{lang}.html"
    if UPDATE:
        path.write_text(html)
    expected = path.read_text()
    assert html == expected, f"{path} differs; if intended, run `make golden` and review"


def test_raw_html_in_a_finding_is_shown_as_text(content_copy, cache_dir):
    en = content_copy / "kazakhstan" / "en.yaml"
    en.write_text(en.read_text().replace(
        "      - There is a favourable framework for achieving long-term residency.",
        "      - 'There is <b>bold</b> & <script>x()</script> text.'"))
    html = composed("en", content_copy, cache_dir)
    assert "There is &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;x()&lt;/script&gt; text." in html
    assert "<script>" not in html


def test_markdown_emphasis_and_safe_links(content_copy, cache_dir):
    en = content_copy / "kazakhstan" / "en.yaml"
    en.write_text(en.read_text().replace(
        "      - There is a favourable framework for achieving long-term residency.",
        "      - 'A *favourable* [framework](https://example.org/x) and [no](file:///etc/passwd)"
        " and ![img](https://example.org/i.png).'"))
    html = composed("en", content_copy, cache_dir)
    assert "<em>favourable</em>" in html
    assert '<a href="https://example.org/x">framework</a>' in html
    assert "[no](file:///etc/passwd)" in html
    assert "<img src=\"https://example.org" not in html


def test_typographic_quotes_per_language(cache_dir):
    assert "\u201eÜber die obligatorische Sozialversicherung\u201c" in composed("de", cache=cache_dir)
    assert "\u201cOn the Mandatory Social Insurance\u201d" in composed("en", cache=cache_dir)
