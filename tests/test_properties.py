"""Property-based tests: generated content, valid and invalid.

* Valid profiles (any printable text the shipped fonts cover, any list lengths
  within the limits) always give a PDF whose text holds every finding and source.
* Invalid ones always give located errors (``path:line:col: message``), exit 1,
  no PDF and no traceback; arbitrary bytes never crash the validator.

Generated text is limited to what the fonts in fonts/ cover: the Latin blocks
(Basic Latin to Latin Extended-B, Latin Extended Additional), Cyrillic and
Cyrillic Supplement, Arabic and Arabic Supplement, and General Punctuation;
printable characters only (no controls, format characters or line separators).
CJK, emoji and other scripts no shipped font covers are out of scope.

Examples per test: ``make test`` runs a fixed, derandomized set (no example
database, so CI is stable); ``make fuzz`` (HYPOTHESIS_PROFILE=fuzz) runs many
more, randomly. See EXAMPLES below.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
import unicodedata
from pathlib import Path

import pytest
import yaml
from fontTools.ttLib import TTFont
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from mgi_report.content import parse
from mgi_report.content import values
from mgi_report.content.domains import DOMAIN_KEYS
from mgi_report.resources import FONTS
from mgi_report.text import markup, printable
from mgitree import PROFILE, assert_only_located, lang_yaml, make_tree, run
from pdfread import text as pdf_text

# ------------------------------------------------------------------ profiles

_COMMON = dict(deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.large_base_example,
                                      HealthCheck.function_scoped_fixture])
settings.register_profile("mgi-default", derandomize=True, database=None, **_COMMON)
settings.register_profile("fuzz", derandomize=False, **_COMMON)
PROFILE_NAME = "fuzz" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else "mgi-default"
FUZZ = PROFILE_NAME == "fuzz"

#: Examples per test: (make test, make fuzz).
EXAMPLES = {"pdf": (5, 60), "invalid": (60, 1500), "bytes": (60, 1500)}


def examples(kind: str) -> settings:
    default, fuzz = EXAMPLES[kind]
    if FUZZ:
        return settings(settings.get_profile(PROFILE_NAME), max_examples=fuzz)
    phases = [Phase.explicit, Phase.reuse, Phase.generate]  # a PDF takes 1-2 s: no shrinking
    return settings(settings.get_profile(PROFILE_NAME), max_examples=default,
                    **({"phases": phases} if kind == "pdf" else {}))


# ------------------------------------------------------------------ alphabet

BLOCKS = [(0x0020, 0x024F), (0x1E00, 0x1EFF),  # Latin
          (0x0400, 0x052F),  # Cyrillic, Cyrillic Supplement
          (0x0600, 0x06FF), (0x0750, 0x077F),  # Arabic, Arabic Supplement
          (0x2000, 0x206F)]  # General Punctuation


def _alphabet() -> str:
    covered: set[int] = set()
    for name in ["NotoSans-Regular", "NotoSansArabic-Regular"]:
        covered |= set(TTFont(FONTS / f"{name}.ttf").getBestCmap())
    return "".join(chr(c) for lo, hi in BLOCKS for c in range(lo, hi + 1)
                   if chr(c).isprintable() and c in covered)


ALPHABET = _alphabet()
WORDY = st.one_of(st.sampled_from(ALPHABET), st.just(" "))  # spaces, so lines can break


def _prints_as_written(t: str) -> bool:
    """No run of combining marks, no markup nested too deep (see printable.py)."""
    return not printable.problems(t) and printable.markup_depth(t) <= printable.MAX_MARKUP_DEPTH


def text_within(limit: int) -> st.SearchStrategy[str]:
    return st.text(WORDY, min_size=1, max_size=limit).filter(
        lambda t: t.strip() and _prints_as_written(t))


#: A finding or source: no `[^…` in it, which would be a citation of a source
#: (a valid profile cites only sources it has; Hypothesis also draws strings
#: from the code's own literals, such as the regex `<[^>]*>`).
FINDING = text_within(parse.MAX_TEXT_CHARS).filter(lambda t: "[^" not in t)


def _on_the_cover(name: str) -> str:
    """The longest start of a name that fits the cover (a longer one is an error)."""
    while values.lines_needed(name, values.COVER_NAME.line_em, exact=True) > \
            values.COVER_NAME.lines:
        name = name[:len(name) * 3 // 4]
    return name


COUNTRY = text_within(200).map(_on_the_cover).filter(lambda t: t.strip() and
                                                     _prints_as_written(t))
FINDINGS = st.lists(FINDING, max_size=parse.MAX_FINDINGS)


@st.composite
def language_files(draw) -> dict:
    """A valid language file as Python data."""
    doc = {"country": draw(COUNTRY), "short_name": draw(text_within(60)),
           "domains": {key: {"well_developed": draw(FINDINGS), "potential": draw(FINDINGS)}
                       for key in DOMAIN_KEYS}}
    if draw(st.booleans()):
        doc["sources"] = draw(st.lists(FINDING, max_size=parse.MAX_SOURCES))
    return doc


# ----------------------------------------------------------------- comparing


def visible(finding: str, lang: str) -> str:
    """What a reader sees of a finding: its Markdown rendered, tags dropped."""
    return html.unescape(re.sub(r"<[^>]*>", "", str(markup.inline(finding.strip(), lang))))


def _words(s: str) -> list[str]:
    """Each word in NFKC, without hyphens or invisible characters. Words are
    normalized one by one, so that dropping white space never joins a mark to a
    letter across it."""
    return ["".join(ch for ch in unicodedata.normalize("NFKC", word)
                    if not ch.isspace() and ch not in "\u2010\u00ad"
                    and unicodedata.category(ch) not in ("Cf", "Cc"))
            for word in s.split()]


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Me")


def norm(s: str) -> str:
    """Text to compare: no white space, no hyphenation, no combining marks, and
    every mirrored character (brackets, guillemets) as one and the same.

    A PDF maps each glyph back to one text, whatever text it was drawn for. So
    marks are compared apart (see ``marks``): a mark with no letter before it is
    drawn on a dotted circle, one glyph for all such marks. And right-to-left
    text draws ``}`` with the glyph of ``{``, which then reads back as ``}``
    everywhere, even in left-to-right text."""
    return "".join("\u21c6" if unicodedata.mirrored(ch) else ch
                   for word in _words(s) for ch in word if not _is_mark(ch))


def marks(s: str, based_only: bool = False) -> set[str]:
    """The combining marks of a text (with ``based_only``: those on a letter)."""
    out = set()
    for word in _words(s):
        on_letter = False
        for ch in word:
            if _is_mark(ch):
                if on_letter or not based_only:
                    out.add(ch)
            else:
                on_letter = unicodedata.category(ch).startswith("L")
    return out


class Printed:
    """A PDF's extracted text, ready for comparisons."""

    def __init__(self, raw: str):
        self.text = norm(raw)
        self.marks = marks(raw)


def _kind(ch: str) -> str | None:
    """A letter's direction, "num" for a digit, None for anything else."""
    category = unicodedata.category(ch)
    if category.startswith("N"):
        return "num"
    if category.startswith("L"):
        return {"R": "rtl", "AL": "rtl", "L": "ltr"}.get(unicodedata.bidirectional(ch))
    return None


def runs(s: str) -> list[tuple[str, str]]:
    """Maximal runs of letters of one direction, or of digits; anything else
    (punctuation, symbols, marks, spaces) splits them."""
    out: list[tuple[str, str]] = []
    kind: str | None = None
    for ch in s:
        new = _kind(ch)
        if new is None or new != kind:
            kind = new
            if new is not None:
                out.append((new, ""))
        if new is not None:
            out[-1] = (new, out[-1][1] + ch)
    return out


def missing_from(printed: Printed, shown: str) -> str | None:
    """The part of ``shown`` not found in the printed text, or None.

    Text without right-to-left characters must appear as one piece. Where a text
    mixes directions (or scripts with Arabic marks: a new font run), the PDF holds
    it in visual order and text extraction reorders the pieces by guesswork (the
    pages themselves are right); then each run of letters or digits must appear
    (digits in either order), not necessarily side by side, and every other
    character somewhere. Every mark on a letter must appear somewhere.
    """
    if not any(unicodedata.bidirectional(ch) in ("R", "AL", "AN") or
               "\u0600" <= ch <= "\u077f" for ch in shown):
        whole = norm(shown)
        if whole not in printed.text:
            return whole
    else:
        for kind, piece in runs(shown):
            piece = norm(piece)
            if piece and piece not in printed.text and not (
                    kind == "num" and piece[::-1] in printed.text):
                return piece
        for ch in norm(shown):
            if ch not in printed.text:
                return ch
    lost = marks(shown, based_only=True) - printed.marks
    return "".join(sorted(lost)) or None


# --------------------------------------------------------------- properties


@examples("pdf")
@given(doc=language_files(), lang=st.sampled_from(["en", "de"]))
def test_a_valid_profile_gives_a_pdf_with_every_finding(doc, lang, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
        content = make_tree(root, {"en.yaml": text, "de.yaml": text})
        out = root / "out.pdf"
        code, err = run(capsys, "build", "testland", "--lang", lang, "--content", content,
                        "-o", out)
        assert code == 0, err
        printed = Printed(pdf_text(out))
    texts = [doc["country"]] + doc.get("sources", []) + [
        f for d in doc["domains"].values() for f in d["well_developed"] + d["potential"]]
    for t in texts:
        gone = missing_from(printed, visible(t, lang))
        assert gone is None, f"{gone!r} (from {t!r}) is not in the PDF"


def test_the_longest_lists_and_findings_are_printed_whole(tmp_path, capsys):
    """The limits themselves, rendered: 100 findings, one of them 4,000 characters."""
    longest = " ".join(["Grenzwert"] * 400)[: parse.MAX_TEXT_CHARS]
    many = [f"Finding number {i} of the longest list." for i in range(parse.MAX_FINDINGS)]
    many[50] = longest
    content = make_tree(tmp_path, {"en.yaml": lang_yaml(
        findings={"partnerships": (many, [])}, sources=[longest])})
    out = tmp_path / "out.pdf"
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content, "-o", out)
    assert code == 0, err
    printed = norm(pdf_text(out))
    for finding in many:
        assert norm(finding) in printed
    # the source whole; the finding too, though a page break (its running
    # head, its folio) may fall inside it, now that chapters run on
    assert norm(longest) in printed
    assert printed.count("Grenzwert") == 2 * longest.count("Grenzwert")


# ------------------------------------------------------------ invalid content

WRONG_VALUES = st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(),
                         st.lists(st.integers(), min_size=1, max_size=3),
                         st.dictionaries(st.sampled_from(["a", "b"]), st.integers(),
                                         min_size=1))
KEY_NAMES = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=20)


@st.composite
def invalid_language_files(draw) -> tuple[str, str]:
    """(YAML text, what was broken): a valid file with one thing made wrong."""
    doc = draw(language_files())
    domain = draw(st.sampled_from(DOMAIN_KEYS))
    which = draw(st.sampled_from(["well_developed", "potential"]))
    how = draw(st.sampled_from([
        "finding type", "list type", "domain type", "text type", "unknown key",
        "unknown domain key", "missing key", "missing domain", "empty text", "too long",
        "too many", "control character", "duplicate key", "tab", "not utf-8", "bad draft",
        "translation_of", "nesting", "combining marks", "bidi control", "line separator",
        "uncovered character", "alias graph", "explicit tag"]))
    findings = doc["domains"][domain][which]
    if how == "finding type":
        findings.insert(draw(st.integers(0, len(findings))), draw(WRONG_VALUES))
    elif how == "list type":
        doc["domains"][domain][which] = draw(st.one_of(st.integers(), st.booleans(),
                                                       st.dictionaries(KEY_NAMES, FINDING,
                                                                       min_size=1),
                                                       FINDING))
    elif how == "domain type":
        doc["domains"][domain] = draw(st.one_of(st.none(), st.integers(),
                                                st.lists(FINDING, max_size=2)))
    elif how == "text type":
        doc[draw(st.sampled_from(["country", "short_name"]))] = draw(
            st.one_of(st.none(), WRONG_VALUES))
    elif how == "unknown key":
        key = draw(KEY_NAMES.filter(lambda k: k not in parse.LANG_KEYS))
        doc[key] = draw(FINDING)
    elif how == "unknown domain key":
        key = draw(KEY_NAMES.filter(lambda k: k not in parse.FINDINGS_KEYS))
        doc["domains"][domain][key] = []
    elif how == "missing key":
        del doc[draw(st.sampled_from(["country", "short_name", "domains"]))]
    elif how == "missing domain":
        del doc["domains"][domain]
    elif how == "empty text":
        doc["country"] = draw(st.sampled_from(["", " ", "\t", "\u00a0\u2003"]))
    elif how == "too long":
        findings.append("x" * (parse.MAX_TEXT_CHARS + draw(st.integers(1, 50))))
    elif how == "too many":
        doc["domains"][domain][which] = ["x"] * (parse.MAX_FINDINGS + draw(st.integers(1, 9)))
    elif how == "control character":
        bad = draw(st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\ud800"]))
        findings.append(f"before{bad}after")
    elif how == "bad draft":
        doc["draft"] = draw(st.one_of(st.integers(), FINDING))
    elif how == "translation_of":
        doc["translation_of"] = draw(st.sampled_from(["de", "fr", "english", "EN", ""]))
    elif how == "nesting":
        n = draw(st.integers(printable.MAX_MARKUP_DEPTH + 1, 80))
        opener, closer = draw(st.sampled_from([("*a ", " b*"), ("**a ", " b**"),
                                               ("_a ", " b_"), ("*[a ", "](https://x.org)*")]))
        findings.append(opener * n + "x" + closer * n)
    elif how == "combining marks":
        marks = st.sampled_from("\u0300\u0301\u0302\u0308\u0327\u064b\u0651\u0483")
        findings.append("a" + "".join(draw(st.lists(marks, min_size=printable.MAX_COMBINING + 1,
                                                    max_size=30))) + " b")
    elif how == "bidi control":
        findings.insert(draw(st.integers(0, len(findings))),
                        "before" + draw(st.sampled_from(sorted(printable.BIDI_CONTROLS))) + "after")
    elif how == "line separator":
        findings.append("before" + draw(st.sampled_from(["\u2028", "\u2029", "\x85"])) + "after")
    elif how == "uncovered character":
        findings.append("x " + draw(st.sampled_from(["\u2603", "\U0001F600", "\u4e2d",
                                                     "\u0915", "\u2211", "\u0e01"])))
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    lines = text.splitlines(keepends=True)
    if how == "duplicate key":
        text = text + draw(st.sampled_from(["country: x\n", "short_name: y\n", "domains: {}\n"]))
    elif how == "tab":
        n = draw(st.integers(1, len(lines) - 1))
        lines[n] = "\t" + lines[n]
        text = "".join(lines)
    elif how == "alias graph":  # a small file whose aliases expand past the limit
        width = draw(st.integers(4, 30))
        base = draw(st.integers(20, 200))
        levels = 1
        while base * width ** levels <= 2_000_000:
            levels += 1
        graph = [f'l0: &l0 "{"h" * base}"'] + [
            f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]"
            for i in range(1, levels + 1)]
        at = draw(st.integers(0, len(lines)))
        at = next(i for i in range(at, len(lines) + 1)
                  if i == len(lines) or not lines[i].startswith((" ", "-")))
        text = "".join(lines[:at]) + "\n".join(graph) + "\n" + "".join(lines[at:])
    elif how == "explicit tag":
        text += draw(st.sampled_from(["draft: !!bool 'maybe'\n", "draft: !!str true\n",
                                      "draft: !x yes\n", "draft: ! no\n"]))
    return text, how


@examples("invalid")
@given(case=invalid_language_files())
def test_invalid_content_is_always_located_and_never_a_pdf(case, capsys):
    text, how = case
    data = text.encode("utf-8", "surrogatepass")
    if how == "not utf-8":
        data = data.replace(b"country", b"co\xffuntry", 1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        content = make_tree(root, {"en.yaml": data})
        out = root / "out.pdf"
        code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content,
                        "-o", out)
        assert code == 1, f"{how}: exit {code}\n{err}"
        assert_only_located(err)
        assert "testland/en.yaml:" in err
        for line in err.splitlines()[:-1]:
            number = int(line.split(".yaml:", 1)[1].split(":", 1)[0])
            assert 1 <= number <= data.count(b"\n") + 1, line
        assert not out.exists()


@examples("bytes")
@given(data=st.one_of(st.binary(max_size=2000),
                      st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
                      st.builds(lambda a, b: a + b,
                                st.sampled_from([lang_yaml().encode(), PROFILE.encode()]),
                                st.binary(max_size=200))),
       name=st.sampled_from(["en.yaml", "profile.yaml"]))
def test_any_bytes_give_a_verdict_never_a_traceback(data, name, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        content = make_tree(Path(tmp), {name: data})
        code, err = run(capsys, "check", "--content", content)
    assert "Traceback" not in err and "internal error" not in err
    assert code in (0, 1), err
    if code == 1:
        assert_only_located(err)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_visible_and_missing_from_agree_on_plain_text(lang):
    """The comparison itself: finds what is there, misses what is not."""
    shown = visible("Plain *text* with `code` and [a link](https://example.org).", lang)
    assert shown == "Plain text with code and a link."
    assert missing_from(Printed("xx Plain text with co\u2010\nde and a link. yy"), shown) is None
    assert missing_from(Printed("Plain text with code"), shown) is not None
    mixed = "مرحبا 123 عالم"
    assert missing_from(Printed(" عالم123 مرحبا"), mixed) is None
    assert missing_from(Printed(" عالم123"), mixed) == "مرحبا"
    assert missing_from(Printed("Cafe"), "Café") == "Café"
    assert missing_from(Printed("ab"), "a\u0483b") == "\u0483"
    assert missing_from(Printed("a\u0483b"), "\u0483ab") is None  # no letter to sit on
    assert norm("x \u00b8y") == "xy"  # ¸ is NFKC " ̧": it must not join x across the space
    assert missing_from(Printed("a}b"), "a{b") is None  # a mirrored glyph's one text
    assert missing_from(Printed("x٭ژ"), "xژ٭") is None  # Arabic punctuation may move
    assert missing_from(Printed("xژ"), "xژ٭") == "٭"
    assert missing_from(Printed("Gcîٔ/,ā"), "Gcîٔ,/ā") is None  # pages right, extraction not
