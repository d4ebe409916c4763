"""A paragraph's lines as a typesetter breaks them (text/hyphenate.py installs
this over WeasyPrint's line iterator).

WeasyPrint breaks lines first-fit: each line takes as many words as fit, and
a line whose next word neither fits nor may be broken is stretched, however
far. On a 116 mm measure that gave German and Russian lines three spaces wide.
Here every line is laid out before the line above it is handed on, and when a
line comes out loose (its word spaces over ``TARGET`` normal spaces), or a
paragraph would end on the stub of a word broken on the line before, the one
or two lines above it are set again in other ways:

* with a break earlier (the line's width narrowed by its own slack, so that
  its last word, or part of it, goes down to the next line);
* without hyphenation (the line after two hyphenated ones, the line before a
  paragraph's last);

and of the settings tried the one whose worst line is tightest wins (a
setting that ends a paragraph on a broken word, or hyphenates three lines in a
row, loses to any that does not). It is a total fit over a window of three
lines, not over the whole paragraph, which is enough: a loose line is nearly
always mended by taking a word from the line above.

A narrowed line is laid out in a paragraph made narrower for it and then spread back to the
full width (``_spread``), so it is justified like any other.
"""

from __future__ import annotations

import contextvars
import itertools

MAX_RUN = 2  # hyphenated lines in a row
SPACE_EM = 0.26  # Noto Sans's space, in ems
TARGET = 1.45  # a line looser than this is set again, if a setting is tighter
LIMIT = 2.0  # no line looser than this, if any setting avoids it
SHRINK = 0.2  # word spaces may be set this much narrower than normal
WINDOW = 3  # lines above a loose one that may be set again

HOLD: contextvars.ContextVar[bool] = contextvars.ContextVar("mgi_hyphenation_hold",
                                                           default=False)


def ended_hyphenated(line) -> bool:
    """Whether a laid-out line box ends with the hyphenation character the layout
    added (the last text on the line)."""
    last = None
    for box in line.descendants():
        if hasattr(box, "text") and box.text:
            last = box
    return last is not None and last.text.endswith(last.style["hyphenate_character"])


def spacing(line) -> float:
    """A justified line's word spaces, in normal spaces (1 when not stretched)."""
    for box in line.descendants():
        extra = getattr(box, "justification_spacing", 0)
        if extra and hasattr(box, "text"):
            return 1 + extra / (SPACE_EM * box.style["font_size"])
    return 1.0


def _spaces(box) -> int:
    from weasyprint.layout.inline import count_expandable_spaces

    return count_expandable_spaces(box)


def _slack(line) -> float:
    """How much wider than its words the line is set (its justification)."""
    for box in line.descendants():
        extra = getattr(box, "justification_spacing", 0)
        if extra and hasattr(box, "text"):
            return extra * _spaces(line)
    return 0.0


def _spread(context, box, extra: float, x_advance: float = 0.0) -> float:
    """Widen every word space of a justified line by ``extra`` (WeasyPrint's
    add_word_spacing, adding to the spacing a line has rather than replacing it)."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.line_break import create_layout

    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        n = _spaces(box)
        if n:
            box.justification_spacing = getattr(box, "justification_spacing", 0) + extra
            layout = create_layout(box.text, box.style, context, max_width=None,
                                   justification_spacing=box.justification_spacing)
            layout.deactivate()
            box.pango_layout = layout
            box.width += extra * n
            x_advance += extra * n
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        children = box.children[::-1] if box.style["direction"] == "rtl" else box.children
        for child in children:
            if child.is_in_normal_flow():
                x_advance = _spread(context, child, extra, x_advance)
        box.width += x_advance - before
    else:
        box.translate(x_advance, 0)
    return x_advance


def _lines(original, block, run: int, narrow: float, hold_first: bool, args):
    """original(*args) as an iterator of ``(line, resume_at, run)``: hyphenation
    is held after ``MAX_RUN`` hyphenated lines (and for the first line if
    ``hold_first``), and the first line is set ``narrow`` points narrower,
    then spread to the full width (``block``, the paragraph, lends the
    width); ``run`` counts the hyphenated lines in a
    row that end with the line."""
    context = args[0]
    lines = original(*args)
    first = True
    while True:
        held = run >= MAX_RUN or (first and hold_first)
        token = HOLD.set(held)
        width = block.width
        if first and narrow:
            block.width = width - narrow
        try:
            line, resume_at = next(lines)
        except StopIteration:
            return
        finally:
            HOLD.reset(token)
            block.width = width
        if first and narrow and resume_at is not None and _spaces(line):
            _spread(context, line, narrow / _spaces(line))
        first = False
        run = run + 1 if ended_hyphenated(line) else 0
        yield line, resume_at, run


def _cost(lines: list) -> tuple:
    """What a setting of some lines costs: a paragraph's last line after a
    broken word, or too many hyphens in a row, before anything; then the
    loosest line; then all the stretch."""
    bad = sum(spacing(t[0]) > LIMIT for t in lines if t[1] is not None)
    for (line, resume_at, run), nxt in zip(lines, [*lines[1:], None]):
        if run > MAX_RUN:
            bad += 1
        if resume_at is None and run:
            bad += 1  # a paragraph ending hyphenated (only a forced break does)
        if run and nxt is not None and nxt[1] is None:
            bad += 2  # a paragraph ending on a stub is worse than a loose line
    loose = [spacing(t[0]) for t in lines if t[1] is not None]
    return bad, round(max(loose, default=1.0), 2), sum((s - 1) ** 2 for s in loose)


def _reset(lines_from, drop, first_skip, styles, window: list[tuple]):
    """The best other setting of the window's lines (the last is the one to
    mend), as ``(lines above the last replaced, the new lines, the iterator
    to go on with)``, or None when the lines as set are best. The lines
    replaced are dropped when a setting is found."""
    best, best_cost = None, _cost([t[:3] for t in window])
    for back in range(len(window)):
        start = window[-1 - back]
        if start[1] is None:
            continue
        slack = _slack(start[0]) + 0.5
        shrink = -SHRINK * SPACE_EM * start[0].style["font_size"] * _spaces(start[0])
        for narrow, hold in ((0.0, True), (slack, False), (slack, True), (shrink, False)):
            if narrow == 0.0 and not start[2]:
                continue  # not hyphenated: holding changes nothing
            first_styles = styles if start[3] == first_skip else (None, None)
            again = lines_from(start[4], start[3], start[5], narrow, hold, *first_styles)
            tried = list(itertools.islice(again, back + 1))
            cost = _cost(tried)
            overfull = narrow < 0 and (tried[0][1] is None or spacing(tried[0][0]) < 1 - SHRINK)
            if len(tried) == back + 1 and cost < best_cost and not overfull:
                if best is not None:
                    drop(best[1])
                best, best_cost = (back, tried, again), cost
            else:
                drop(tried)
    if best is not None:
        drop(window[-1 - best[0]:])
    return best


def install(block) -> None:
    """Hook WeasyPrint's paragraph line iterator (``block.iter_line_boxes``)."""
    original = block.iter_line_boxes
    if getattr(original, "mgi_lines", False):
        return

    def iter_line_boxes(context, box, position_y, bottom_space, skip_stack,
                        containing_block, absolute_boxes, fixed_boxes, *styles):
        rtl = containing_block.style["direction"] == "rtl"

        def lines_from(y, skip, run, narrow, hold, *first_styles):
            args = (context, box, y, bottom_space, skip, containing_block, absolute_boxes,
                    fixed_boxes, *first_styles)
            return _lines(original, containing_block, run, narrow, hold, args)

        def drop(lines):
            block.remove_placeholders(context, [t[0] for t in lines], absolute_boxes,
                                      fixed_boxes)

        lines = lines_from(position_y, skip_stack, 0, 0.0, False, *styles)
        # laid out, not handed on yet: (line, resume_at, run, skip, y, run before)
        pending: list[tuple] = []
        skip, y, run = skip_stack, position_y, 0
        while True:
            try:
                line, resume_at, line_run = next(lines)
            except StopIteration:
                break
            here = (line, resume_at, line_run, skip, y, run)
            loose = resume_at is not None and spacing(line) > TARGET
            stub = resume_at is None and pending and pending[-1][2]
            if not rtl and (loose or stub):
                window = [*pending[-WINDOW:], here]
                better = _reset(lines_from, drop, skip_stack, styles, window)
                if better is not None:
                    back, tried, lines = better
                    skip, y, run = window[-1 - back][3:6]
                    pending = pending[:len(pending) - back]
                    here = None
                    for t in tried:
                        pending.append((*t, skip, y, run))
                        skip, y, run = t[1], t[0].position_y + t[0].height, t[2]
            if here is not None:
                pending.append(here)
                skip, y, run = resume_at, line.position_y + line.height, line_run
            while len(pending) > WINDOW:
                yield pending.pop(0)[:2]
        for item in pending:
            yield item[:2]

    iter_line_boxes.mgi_lines = True  # type: ignore[attr-defined]
    block.iter_line_boxes = iter_line_boxes
