"""What the complete profile's chapters show, ready for the templates: the list
of acronyms, the imprint's identifiers and required citation, and key data in
the language's number format.

Everything here is data for ``layouts/parts/*.html``; the wording comes from
the catalogs (``tr``), the numbers' format from Babel's locale data.
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path
from typing import Any

from babel.numbers import format_compact_decimal, format_decimal, get_minus_sign_symbol

from ..content.facts import LICENCE_TEXTS, KeyData
from . import figures, wheel

N_ = str  # marks a catalog string

#: The programme's own acronyms: in every list of acronyms, from the catalogs.
PROGRAMME_ACRONYMS = (
    (N_("MGI"), N_("Migration Governance Indicators")),
    (N_("IOM"), N_("International Organization for Migration")),
    (N_("MiGOF"), N_("Migration Governance Framework")),
    (N_("SDG"), N_("Sustainable Development Goal")),
)


def collation_key(text: str) -> tuple[str, str]:
    """Alphabetical order without regard to case or accents (É with E, Ä with A),
    Unicode order within a script. (Tailored per-language collation would need
    ICU, which this project does not build.)"""
    base = "".join(ch for ch in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(ch))
    return base.casefold(), text


def acronyms(content: dict[str, str], tr) -> list[tuple[str, str]]:
    """The programme's acronyms and the content's, sorted; the content's win."""
    merged = {tr.gettext(a): tr.gettext(e) for a, e in PROGRAMME_ACRONYMS}
    merged.update(content)
    return sorted(merged.items(), key=lambda item: collation_key(item[0]))


def imprint(profile, country: str, lang: str, tr, publisher: str) -> dict[str, Any]:
    """The imprint's identifiers and required citation (``publisher``: the
    publisher's name as this language prints it)."""
    _ = tr.gettext
    title = _("%(label)s: %(value)s") % {"label": _("Migration Governance Profile"),
                                          "value": country}
    iom = profile.publisher in (None, "International Organization for Migration (IOM)")
    place = _("Geneva") if iom else ""  # another publisher's place is not known
    citation = _("%(publisher)s (%(year)s). %(title)s. %(publisher)s, %(place)s.") % {
        "publisher": publisher, "year": profile.published.year, "title": title,
        "place": place}
    if not place:  # a publisher of its own: no place is known
        for cut in (", .", "، .", ",.", "،."):
            citation = citation.replace(cut, ".")
    pub = profile.publication
    return {
        "citation": citation,
        "copyright": _("© %(year)s %(publisher)s") % {"year": profile.published.year,
                                                       "publisher": publisher},
        "isbn": pub.isbn,
        "reference": pub.reference,
        "licence": pub.licence,
        "licence_text": _(LICENCE_TEXTS[pub.licence]),
    }


def minus_sign(lang: str) -> str:
    """The language's minus sign (Babel's number symbols, without the bidi mark
    CLDR puts in Arabic's: the layout isolates numbers itself, text/bidi.py);
    a true minus, U+2212, where the language's is the hyphen-minus."""
    sign = "".join(ch for ch in get_minus_sign_symbol(lang)
                   if unicodedata.category(ch) != "Cf")
    return "\u2212" if sign in ("", "-") else sign


def number(value: float, lang: str, millions: bool = False, share: bool = False) -> str:
    """A figure in the language's format: separators, decimals; "3.7 million";
    a percentage always with one decimal; a negative with the language's
    minus sign (``minus_sign``), never a hyphen."""
    if share:
        text = format_decimal(round(value, 1), format="#,##0.0", locale=lang)
    elif not millions and abs(value) >= 1_000_000:
        text = format_compact_decimal(value, format_type="long", locale=lang,
                                      fraction_digits=1)
    elif value == int(value):
        text = format_decimal(int(value), locale=lang)
    else:
        text = format_decimal(round(value, 1), format="#,##0.0", locale=lang)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return text.replace("-", minus_sign(lang), 1) if value < 0 else text


#: The bars' figures and years are set at 6.5 pt (layouts/profile.css, .bar-value),
#: in Noto Sans: a digit is 0.572 em wide, a separator or space at most 0.3; a
#: letter is taken as 0.8 em (most are narrower). A label keeps 1 mm clear of
#: the next.
LABEL_MM_PER_EM, LABEL_GAP_MM = 6.5 * 25.4 / 72, 1.0


def label_mm(text: str) -> float:
    """About how wide a bar's label is (never much narrower than it prints)."""
    return sum(0.6 if ch.isdigit() else 0.3 if ch in " ,.'\u00a0\u202f\u066b\u066c" else
               0.8 for ch in text) * LABEL_MM_PER_EM


def _box(bar: dict, text: str, width_mm: float) -> tuple[float, float]:
    """The box (left, width: percent of the image) a label is centred in: its
    bar's column, or wider, centred on it and inside the image, if it needs more."""
    need = (label_mm(text) + LABEL_GAP_MM) / width_mm * 100
    left, width = bar["column_left"], bar["column_width"]
    if need > width:
        width = min(100.0, need)
        left = min(max(0.0, left + bar["column_width"] / 2 - width / 2), 100.0 - width)
        left, width = round(left, 2), math.floor(width * 100) / 100
    return left, width


def _years(chart: dict) -> bool:
    """Set each bar's year under the axis (``year_label``; its box ``year_left``,
    ``year_width`` and ``year_top``: percent of the image): on one row while
    the years fit their columns; where a year would touch one set before (from
    the newest), on the chart's second row when it has one (``year_rows``),
    staggered. Returns whether every year is set; a year that finds no room is
    not (the table beside the chart has every year)."""
    bars, width_mm = chart["bars"], chart["size"][0]
    rows: list[list[tuple[float, float]]] = [[] for _ in range(max(1, chart["year_rows"]))]
    every = True
    for bar in reversed(bars):
        left, width = _box(bar, str(bar["year"]), width_mm)
        right = left + width
        row = next((n for n, taken in enumerate(rows)
                    if all(right <= a + 0.01 or left >= b - 0.01 for a, b in taken)), None)
        bar["year_label"] = row is not None
        bar["year_left"], bar["year_width"] = left, width
        bar["year_top"] = round(chart["baseline"] + 2 + (row or 0) * chart["year_row"], 2)
        if row is None:
            every = False
        else:
            rows[row].append((left, right))
    return every


#: A figure's line over a bar (6.5 pt, line-height 1), and how far a figure
#: above a positive bar stands from the top of the bars its box reaches over
#: (below a negative one: from their bottom), in percent of the chart's height.
VALUE_H_MM, VALUE_ABOVE, VALUE_BELOW = LABEL_MM_PER_EM, 15.0, 1.0
#: The most rows of figures a chart makes room for (figures.VALUE_ROW each),
#: and of years under its axis (figures.YEAR_ROW each).
MAX_VALUE_ROWS, YEAR_ROWS = 3, 2


def _values(chart: dict, texts: list[str]) -> int:
    """Place each bar's figure (``label``; its box ``label_left``, ``label_width``
    and ``value_top``, percent of the image): centred on its bar, just above the
    bars its box reaches over (below, for a negative bar); where it would touch a
    figure set before (from the newest), one row further out, staggered, while
    that stays inside the image (above the top; below: above the years' row).
    A figure that finds no room is not set (``label`` False). Returns how many
    are set."""
    bars, (width_mm, height_mm) = chart["bars"], chart["size"]
    h = VALUE_H_MM / height_mm * 100
    step = h + 2.0  # a row: a figure's line (its digits' ink inside) and 0.64 mm
    placed: list[tuple[float, float, float, float]] = []  # left, right, top, bottom
    for bar, text in reversed(list(zip(bars, texts))):
        left, width = _box(bar, text, width_mm)
        right, down = left + width, bar["negative"]
        under = [b for b in bars if b["negative"] == down and b["left"] < right
                 and left < b["left"] + b["width"]] or [bar]
        top = max(b["top"] + b["height"] for b in under) + VALUE_BELOW if down else \
            max(0.0, min(b["top"] for b in under) - VALUE_ABOVE)
        while hit := [p for p in placed if left < p[1] - 0.01 and p[0] < right - 0.01
                      and top < p[3] and p[2] < top + h]:
            top = max(p[3] for p in hit) + step - h if down else min(p[2] for p in hit) - step
        bar["label"] = top + h <= chart["baseline"] if down else top >= 0
        bar["label_left"], bar["label_width"], bar["value_top"] = left, width, round(top, 2)
        if bar["label"]:
            placed.append((left, right, top, top + h))
    return len(placed)


def _chart(years: list[int], values: list[float], texts: list[str], color: str,
           cache: Path | None, rtl: bool) -> dict:
    """A bar chart with every figure set over its bar: on one row while they fit,
    staggered on two or three when neighbours' figures would touch (the chart
    keeps room above its bars for them); only where three rows cannot hold them
    all (many years of long figures) are some left out, the newest always set
    (the table beside the chart has every figure). Years likewise take a second
    row, staggered, where neighbours (2023, 2024) are too close for one."""
    best, most = 1, -1
    for rows in range(1, MAX_VALUE_ROWS + 1):
        count = _values(figures.chart(years, values, color, rtl=rtl, rows=rows, draw=False),
                        texts)
        if count > most:
            best, most = rows, count
        if count == len(years):
            break
    # a second row of years only where one row cannot hold them all
    year_rows = 1 if _years(figures.chart(years, values, color, rtl=rtl, rows=best,
                                          draw=False)) else YEAR_ROWS
    drawn = figures.chart(years, values, color, cache, rtl, rows=best, year_rows=year_rows)
    _values(drawn, texts)
    _years(drawn)
    for bar, text in zip(drawn["bars"], texts):
        bar["text"] = text
    return drawn


def key_data(items: list[KeyData], lang: str, tr, color: str,
             cache: Path | None = None, rtl: bool = False,
             sources: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Each indicator: its name and unit, source (translated where ``sources``,
    the language file's ``key_data_sources``, has it), (year, figure) rows, and
    a bar chart whose bars carry the same figures, set as page text, its time
    axis in the reading direction (``rtl``). Each has an anchor of its own (an
    indicator may come from two sources)."""
    _ = tr.gettext
    out = []
    anchors: set[str] = set()
    for item in items:
        ind = item.indicator
        years = list(item.values)
        texts = [number(v, lang, ind.millions, ind.share) for v in item.values.values()]
        # the bars as the figures print (to a tenth): 1e-320 is a bar of nothing
        drawn = _chart(years, [round(v, 1) for v in item.values.values()], texts, color,
                       cache, rtl)
        anchor, n = f"indicator-{ind.key}", 1
        while anchor in anchors:
            n += 1
            anchor = f"indicator-{ind.key}-{n}"
        anchors.add(anchor)
        out.append({
            "key": ind.key,
            "anchor": anchor,
            "name": _(ind.name),
            "unit": _(ind.unit),
            "source": (sources or {}).get(item.source, item.source),
            "rows": [(str(y), t) for y, t in zip(years, texts)],
            "chart": drawn,
            "alt": _("%(indicator)s, %(first)s to %(last)s: a chart; the figures are in the "
                     "table beside it.") % {"indicator": _(ind.name), "first": years[0],
                                             "last": years[-1]},
        })
    return out


#: The MiGOF diagram's words (catalog msgids): each principle and objective.
FRAMEWORK_LABELS = {
    "principle-1": (N_("Principle %(n)s"), 1, N_("International standards and migrants' rights")),
    "principle-2": (N_("Principle %(n)s"), 2, N_("Evidence and whole-of-government approach")),
    "principle-3": (N_("Principle %(n)s"), 3, N_("Partnerships")),
    "objective-1": (N_("Objective %(n)s"), 1, N_("Socioeconomic well-being")),
    "objective-2": (N_("Objective %(n)s"), 2, N_("Mobility dimensions of crises")),
    "objective-3": (N_("Objective %(n)s"), 3, N_("Safe, orderly and dignified migration")),
}
PROCESS_LABELS = (N_("Launch"), N_("Data collection"), N_("Inter-ministerial consultation"),
                  N_("Validation"), N_("Publication"))


#: About how many characters a line of a diagram's label holds: the framework's
#: boxes (36 mm at 8 pt bold; Cyrillic letters run wider), the process's columns
#: (27 mm at 7.5 pt).
FRAMEWORK_LINE, FRAMEWORK_LINE_RU, PROCESS_LINE = 22, 20, 17


def _lines(name: str, lang: str, width: int) -> str:
    """A label broken as the wheel's names are (wheel.label_lines): no line ends
    on a preposition, no short word alone, never inside a word ("well-being")."""
    return "\n".join(wheel.label_lines(name, lang, width))


def framework_figure(tr, rtl: bool, colors: list[str], cache: Path | None = None,
                     lang: str = "en") -> dict:
    """MiGOF's principles and objectives, each in its domain's colour."""
    _ = tr.gettext
    labels = {key: _(head) % {"n": n} + "\n" + _lines(
        _(name), lang, FRAMEWORK_LINE_RU if lang == "ru" else FRAMEWORK_LINE)
              for key, (head, n, name) in FRAMEWORK_LABELS.items()}
    labels["domains"] = _("The six domains of the Migration Governance Indicators")
    fig = figures.framework(labels, rtl, colors, cache)
    fig["alt"] = _("; ").join(" ".join(lab["text"].replace("\n", ": ", 1).split("\n"))
                              for lab in fig["labels"])
    fig["kind"] = "framework"
    fig["size"] = (144.0, 72.0)  # shown a little smaller: the chapter fits its page
    return fig


def process_figure(tr, rtl: bool, color: str, cache: Path | None = None,
                   lang: str = "en") -> dict:
    """The assessment's five steps."""
    _ = tr.gettext
    labels = {f"step-{n}": _lines(_(name), lang, PROCESS_LINE)
              for n, name in enumerate(PROCESS_LABELS, 1)}
    fig = figures.process(labels, rtl, color, cache)
    fig["alt"] = _("; ").join(f"{lab['number']}. {' '.join(lab['text'].split())}"
                              for lab in fig["labels"])
    fig["kind"] = "process"
    return fig


#: The sections a link may lead to (their ids in the layout) and their titles.
SECTION_TITLES = {
    "objectives": N_("Objectives"), "introduction": N_("Introduction"),
    "framework": N_("Conceptual framework"),
    "process": N_("How the MGI assessment is conducted"), "context": N_("Context"),
    "key-data": N_("Key migration data"), "key-findings": N_("Key findings"),
    "sources": N_("Key sources"), "acronyms": N_("List of acronyms"),
}


def link_titles(tr) -> dict[str, str]:
    """Section id -> its title in the document's language: what a link to it is
    called for a screen reader (``Domain 1: Migrants' rights``)."""
    from ..content.domains import DOMAINS

    _ = tr.gettext
    titles = {key: _(msgid) for key, msgid in SECTION_TITLES.items()}
    for d in DOMAINS:
        titles[f"domain-{d.number}"] = _("%(label)s: %(value)s") % {
            "label": _("Domain %(n)s") % {"n": d.number}, "value": _(d.short_name)}
    return titles
