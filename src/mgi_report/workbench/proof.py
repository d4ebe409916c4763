"""``mgi-report proof``: every page of a PDF on one contact sheet (PNG), for a
reviewer to see the whole profile at once; with ``--pair``, two language
editions side by side, chapter by chapter. Pages are drawn by PDFium (pypdfium2).

A pair is aligned by the two PDFs' outlines (their bookmarks, which every
edition carries), read to OUTLINE_DEPTH levels: the chapters and their
sections (the six domains of the key findings). The outlines must have the
same shape -- the same number of bookmarks at the same depths, matched by
position, not by title, since the titles are in two languages; where the
sections differ and the chapters do not, the pair is aligned by chapter alone;
where the chapters differ, the PDFs are not editions of one profile: refused,
exit 2. Each bookmark that starts a new page in both PDFs starts a new row
(a group), headed by its two titles; its pages sit side by side, and where
one edition runs longer the other's slots are left blank (an outline on the
background). A bookmark on the same page as the one before it, in either PDF,
stays in that one's group. The pages before the first bookmark form the first
group. The sheet records where it placed each page (``layout()``; the PNG's
``mgi-proof-layout`` text chunk, JSON).

Bounded for any input. A page is drawn PAGE_WIDTH pixels wide, one at a time
straight onto the sheet; before any is drawn, a PDF of more than MAX_PAGES
pages, a page whose sides differ by more than MAX_ASPECT, or a sheet of more
than MAX_SHEET_PIXELS is refused (exit 2, saying which). What PDFium itself
needs to draw a page (a stream that inflates to gigabytes, a huge image) is
bounded by drawing the sheet in a forked process limited to MAX_MEMORY bytes
more than it started with, and MAX_SECONDS of CPU: past either, it is refused
the same way, and nothing is written.
"""

from __future__ import annotations

import io
import math
import os
import signal
from pathlib import Path

from ..errors import MgiError, RenderError, UsageError
from ..files.names import printable_name
from ..files.outputs import check_output, input_pdf
from ..files.writes import write_atomic

PAGE_WIDTH = 180  # pixels per page on the sheet
GAP = 12
COLUMNS = 6  # pages per row (pairs: three pairs per row)
LABEL = 16  # room for the page number under a page
TITLE = 20  # room for a group's titles above its first row (pairs)
OUTLINE_DEPTH = 2  # bookmark levels a pair is aligned by: chapters, sections
#: Bookmarks read of one PDF (to OUTLINE_DEPTH); a profile has about 40.
MAX_BOOKMARKS = 1000
MAX_TITLE = 200  # characters of a bookmark's title set on the sheet
BACKGROUND = (0x8a, 0x93, 0x9c)

#: A profile has 30 to 60 pages; a proof sets at most this many of one PDF.
MAX_PAGES = 200
#: A page's longer side at most this many times its shorter (A4: 1.41).
MAX_ASPECT = 4.0
#: The sheet, in pixels (RGB: three bytes each); 200 pages of a pair at the
#: largest aspect make 55 million (more where a pair has many short groups).
MAX_SHEET_PIXELS = 60_000_000
#: What drawing the sheet may take, besides what the process had before (bytes,
#: RLIMIT_DATA), and its CPU time (seconds, RLIMIT_CPU).
MAX_MEMORY = 350_000_000
MAX_SECONDS = 120


def _refuse(shown: str, why: str) -> UsageError:
    return UsageError(f"{shown}: {why}; nothing was written")


def _open(path: Path):
    """The PDF, checked; with each page's size on the sheet (width, height)."""
    import pypdfium2 as pdfium

    shown = input_pdf(path)
    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as exc:
        raise UsageError(f"cannot read {shown} as a PDF ({printable_name(exc)})") from None
    if len(pdf) > MAX_PAGES:
        raise _refuse(shown, f"it has {len(pdf):,} pages; a proof sets at most {MAX_PAGES}")
    if not len(pdf):
        raise UsageError(f"{shown} has no pages")
    sizes = []
    for index in range(len(pdf)):
        width, height = pdf.get_page_size(index)
        if not (math.isfinite(width) and math.isfinite(height) and width > 0 and height > 0):
            raise _refuse(shown, f"page {index + 1} has no size ({width} x {height} pt)")
        if max(width, height) > MAX_ASPECT * min(width, height):
            raise _refuse(shown, f"page {index + 1} is {width:g} x {height:g} pt, one side "
                          f"more than {MAX_ASPECT:g} times the other (a proof draws pages "
                          f"up to 1:{MAX_ASPECT:g})")
        sizes.append((PAGE_WIDTH, max(1, round(PAGE_WIDTH * height / width))))
    return pdf, sizes


def _draw(page):
    """One page, PAGE_WIDTH pixels wide, as an RGB image."""
    bitmap = page.render(scale=PAGE_WIDTH / page.get_width())
    try:
        return bitmap.to_pil().convert("RGB")
    finally:
        bitmap.close()


def _outline(pdf, shown: str) -> list[tuple[int, str, int | None]]:
    """The PDF's bookmarks to OUTLINE_DEPTH, in order: (depth, title, page
    index or None where it points nowhere in the PDF)."""
    import logging

    marks = []
    log = logging.getLogger("pypdfium2")
    level = log.level
    log.setLevel(logging.ERROR)  # deeper levels are skipped on purpose, not news
    try:
        for mark in pdf.get_toc(max_depth=OUTLINE_DEPTH):
            if len(marks) == MAX_BOOKMARKS:
                raise _refuse(shown, f"its outline has more than {MAX_BOOKMARKS:,} bookmarks")
            dest = mark.get_dest()
            page = dest.get_index() if dest is not None else None
            if page is not None and not 0 <= page < len(pdf):
                page = None
            marks.append((mark.level, mark.get_title()[:MAX_TITLE], page))
    finally:
        log.setLevel(level)
    return marks


def _groups(outlines, counts, shown: str):
    """The pair's groups: [(titles, pages of A, pages of B)], titles (A's, B's)
    or None for the pages before the first bookmark."""
    a, b = outlines
    if [d for d, _, _ in a] != [d for d, _, _ in b]:  # sections differ: chapters
        a, b = [m for m in a if m[0] == 0], [m for m in b if m[0] == 0]
        if len(a) != len(b):
            raise _refuse(shown, f"their outlines differ ({len(a)} against {len(b)} "
                          f"chapters): not two editions of one profile, so a pair "
                          f"cannot be set chapter by chapter")
    starts = [[None, 0, 0]]  # titles, first page of A, of B
    for (_, title_a, page_a), (_, title_b, page_b) in zip(a, b):
        last = starts[-1]
        if page_a is None or page_b is None:
            continue
        if page_a > last[1] and page_b > last[2]:
            starts.append([(title_a, title_b), page_a, page_b])
        elif last[0] is None and (page_a, page_b) == (0, 0):
            last[0] = (title_a, title_b)  # the outline starts on the first page
    ends = starts[1:] + [[None, counts[0], counts[1]]]
    return [(titles, list(range(fa, ea)), list(range(fb, eb)))
            for (titles, fa, fb), (_, ea, eb) in zip(starts, ends)]


def _plan(sizes, groups):
    """Where each page goes: (sheet size, slots, headings). A slot is a dict
    group, doc, page (None: blank), x, y, width, height; a heading is group,
    titles, x, y."""
    docs = len(sizes)
    height = max(h for doc in sizes for _, h in doc)
    per_row = COLUMNS // docs
    slots, headings = [], []
    y = GAP
    for g, (titles, *pages) in enumerate(groups):
        cells = max(len(p) for p in pages)
        if titles is not None:
            headings.append({"group": g, "titles": list(titles), "x": GAP, "y": y})
            y += TITLE
        for n in range(cells):
            column, row = n % per_row, n // per_row
            top = y + row * (height + LABEL + GAP)
            for d in range(docs):
                x = GAP + (column * docs + d) * (PAGE_WIDTH + GAP)
                if docs == 2:  # a pair's two pages close together
                    x += GAP // 2 if d == 0 else -(GAP // 2)
                page = pages[d][n] if n < len(pages[d]) else None
                slots.append({"group": g, "doc": d, "page": page, "x": x, "y": top,
                              "width": PAGE_WIDTH, "height": height})
        y += max(1, (cells + per_row - 1) // per_row) * (height + LABEL + GAP)
    return (GAP + COLUMNS * (PAGE_WIDTH + GAP), y), slots, headings


def _read(pdf: Path, pair: Path | None):
    docs = [_open(pdf)] + ([_open(pair)] if pair is not None else [])
    counts = [len(sizes) for _, sizes in docs]
    if pair is None:
        groups = [(None, list(range(counts[0])))]
    else:
        shown = f"{printable_name(pdf)} and {printable_name(pair)}"
        groups = _groups([_outline(doc, shown) for doc, _ in docs], counts, shown)
    size, slots, headings = _plan([sizes for _, sizes in docs], groups)
    if size[0] * size[1] > MAX_SHEET_PIXELS:
        for doc, _ in docs:
            doc.close()
        raise _refuse(printable_name(pdf), f"its sheet would be {size[0]:,} x {size[1]:,} "
                      f"pixels (at most {MAX_SHEET_PIXELS:,})")
    return docs, size, slots, headings


def layout(pdf: Path, pair: Path | None = None) -> dict:
    """Where sheet() places each page, without drawing: {"size", "slots",
    "headings"} (see _plan). What the sheet's PNG records, titles aside."""
    docs, size, slots, headings = _read(pdf, pair)
    for doc, _ in docs:
        doc.close()
    return {"size": list(size), "slots": slots, "headings": headings}


def _shown_title(title: str) -> str:
    """A bookmark's title as set on the sheet: no control, format (bidi) or
    separator character."""
    import unicodedata

    return "".join(c for c in title if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))


def _fonts():
    from PIL import ImageFont

    from ..resources import FONTS

    try:
        return (ImageFont.truetype(str(FONTS / "NotoSans-Bold.ttf"), 12),
                ImageFont.truetype(str(FONTS / "NotoSansArabic-Bold.ttf"), 12))
    except OSError:  # pragma: no cover (the fonts ship with the project)
        default = ImageFont.load_default()
        return default, default


def _heading(draw, fonts, titles, x: int, y: int, room: int) -> None:
    """A group's titles, A's then B's (once where they are the same)."""
    parts = list(dict.fromkeys(_shown_title(t) for t in titles))
    each = room // len(parts)
    for title in parts:
        font = fonts[1] if any("\u0600" <= c <= "\u06ff" for c in title) else fonts[0]
        while title and draw.textlength(title, font=font) > each - GAP:
            title = title[:-2] + "…" if len(title) > 1 else ""
        draw.text((x, y + 3), title, fill="white", font=font)
        x += each


def sheet(pdf: Path, pair: Path | None = None) -> bytes:
    """The contact sheet as PNG bytes."""
    import json

    from PIL import Image, ImageDraw
    from PIL.PngImagePlugin import PngInfo

    docs, size, slots, headings = _read(pdf, pair)
    out = Image.new("RGB", size, BACKGROUND)
    draw = ImageDraw.Draw(out)
    fonts = _fonts() if headings else None
    for heading in headings:
        _heading(draw, fonts, heading["titles"], heading["x"], heading["y"],
                 size[0] - 2 * GAP)
    for slot in slots:
        x, y, height = slot["x"], slot["y"], slot["height"]
        if slot["page"] is None:
            draw.rectangle((x, y, x + PAGE_WIDTH - 1, y + height - 1), outline="white")
            continue
        page = docs[slot["doc"]][0][slot["page"]]
        try:
            im = _draw(page)
        finally:
            page.close()
        out.paste(im.crop((0, 0, min(im.width, PAGE_WIDTH), min(im.height, height))), (x, y))
        draw.text((x + PAGE_WIDTH // 2, y + height + 3), str(slot["page"] + 1),
                  fill="white", anchor="mt")
    for doc, _ in docs:
        doc.close()
    info = PngInfo()
    info.add_text("mgi-proof-layout", json.dumps({"size": list(size), "slots": slots}))
    buf = io.BytesIO()
    out.save(buf, format="PNG", pnginfo=info)
    return buf.getvalue()


def command(pdf: Path, output: Path | None, pair: Path | None) -> Path:
    """Write the sheet: to ``output``, else beside the PDF. The output follows
    the rule of every output (outputs.py): never one of the PDFs it is made from."""
    target = output or pdf.with_name(pdf.stem + "-proof.png")
    check_output(target, [pdf] + ([pair] if pair is not None else []),
                 what="sheet with -o")
    data = bounded_sheet(pdf, pair)
    write_atomic(target, lambda fh: fh.write(data))
    return target


def _data_size() -> int:
    """This process's data segment now (VmData), in bytes."""
    with open("/proc/self/status", "rb") as fh:
        for line in fh:
            if line.startswith(b"VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def _quiet() -> None:
    """The drawing process prints nothing: PDFium's messages may quote the PDF,
    and a crash report is the parent's to give."""
    import faulthandler

    faulthandler.disable()
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)


def _limit_self() -> None:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    for kind, soft in ((resource.RLIMIT_DATA, _data_size() + MAX_MEMORY),
                       (resource.RLIMIT_CPU, int(usage.ru_utime + usage.ru_stime) + MAX_SECONDS)):
        hard = resource.getrlimit(kind)[1]
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(kind, (soft, hard))


def bounded_sheet(pdf: Path, pair: Path | None = None) -> bytes:
    """sheet(), drawn in a forked process under MAX_MEMORY and MAX_SECONDS, so
    that no PDF can make a proof take more (where there is no fork: here)."""
    if not hasattr(os, "fork") or not os.path.exists("/proc/self/status"):
        return sheet(pdf, pair)
    shown = printable_name(pdf) + (f" and {printable_name(pair)}" if pair is not None else "")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child: reported through the pipe)
        os.close(read_end)
        try:
            try:
                _quiet()
                _limit_self()
                payload = b"P" + sheet(pdf, pair)
            except MgiError as exc:
                payload = f"E{exc.exit_code} {exc}".encode("utf-8", "backslashreplace")
            except MemoryError:
                payload = b"M"
            except BaseException as exc:  # noqa: BLE001 (a bug: reported as one line)
                payload = f"X{type(exc).__name__}: {exc}".encode("utf-8", "backslashreplace")
            with os.fdopen(write_end, "wb") as fh:
                fh.write(payload)
        finally:
            os._exit(0)
    os.close(write_end)
    chunks, size = [], 0
    try:
        with os.fdopen(read_end, "rb") as fh:
            while chunk := fh.read(1 << 20):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_SHEET_PIXELS * 3 + 1024:  # more than a sheet: not ours
                    raise RenderError(f"proof of {shown}: the drawing process sent too much")
        _, status = os.waitpid(pid, 0)
        pid = 0
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    payload = b"".join(chunks)
    code = os.waitstatus_to_exitcode(status)
    if code != 0 or not payload or payload[:1] == b"M":
        why = "out of memory" if code >= 0 else f"stopped by signal {-code}"
        raise _refuse(shown, f"drawing it needs more than {MAX_MEMORY // 1_000_000:,} MB of "
                      f"memory or {MAX_SECONDS} s of CPU ({why})")
    kind, body = payload[:1], payload[1:]
    if kind == b"P":
        return body
    text = body.decode("utf-8", "replace")
    if kind == b"E":
        exit_code, _, message = text.partition(" ")
        raise (UsageError if exit_code == "2" else RenderError)(message)
    raise RenderError(f"internal error while drawing {shown}: {text}")
