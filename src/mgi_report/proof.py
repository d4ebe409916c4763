"""``mgi-report proof``: every page of a PDF on one contact sheet (PNG), for a
reviewer to see the whole profile at once; with ``--pair``, two language
editions side by side, page by page. Pages are drawn by PDFium (pypdfium2).

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

from .errors import MgiError, RenderError, UsageError
from .outputs import check_output
from .printable import printable_name
from .render import write_atomic

PAGE_WIDTH = 180  # pixels per page on the sheet
GAP = 12
COLUMNS = 6  # pages per row (pairs: three pairs per row)
LABEL = 16  # room for the page number under a page

#: A profile has 30 to 60 pages; a proof sets at most this many of one PDF.
MAX_PAGES = 200
#: A page's longer side at most this many times its shorter (A4: 1.41).
MAX_ASPECT = 4.0
#: The sheet, in pixels (RGB: three bytes each); 200 pages of a pair at the
#: largest aspect make 55 million.
MAX_SHEET_PIXELS = 60_000_000
#: What drawing the sheet may take, besides what the process had before (bytes,
#: RLIMIT_DATA), and its CPU time (seconds, RLIMIT_CPU).
MAX_MEMORY = 350_000_000
MAX_SECONDS = 120


def _refuse(shown: str, why: str) -> UsageError:
    return UsageError(f"{shown}: {why}; nothing was written")


def _open(path: Path):
    """The PDF, checked; with each page's size on the sheet (width, height)."""
    import stat

    import pypdfium2 as pdfium

    shown = printable_name(path)
    try:
        st = os.stat(path)
    except OSError:
        raise UsageError(f"{shown}: no such PDF file") from None
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{shown}: not a PDF file (not a regular file)")
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


def sheet(pdf: Path, pair: Path | None = None) -> bytes:
    """The contact sheet as PNG bytes."""
    from PIL import Image, ImageDraw

    docs = [_open(pdf)] + ([_open(pair)] if pair is not None else [])
    if pair is not None:  # page by page: [a1 b1] [a2 b2] ...
        count = max(len(sizes) for _, sizes in docs)
        cells = [(d, i) if i < len(docs[d][1]) else None for i in range(count) for d in (0, 1)]
    else:
        cells = [(0, i) for i in range(len(docs[0][1]))]
    height = max(docs[d][1][i][1] for d, i in filter(None, cells))
    rows = (len(cells) + COLUMNS - 1) // COLUMNS
    size = (GAP + COLUMNS * (PAGE_WIDTH + GAP), GAP + rows * (height + LABEL + GAP))
    if size[0] * size[1] > MAX_SHEET_PIXELS:
        raise _refuse(printable_name(pdf), f"its sheet would be {size[0]:,} x {size[1]:,} "
                      f"pixels (at most {MAX_SHEET_PIXELS:,})")
    out = Image.new("RGB", size, "#8a939c")
    draw = ImageDraw.Draw(out)
    for n, cell in enumerate(cells):
        x = GAP + (n % COLUMNS) * (PAGE_WIDTH + GAP)
        y = GAP + (n // COLUMNS) * (height + LABEL + GAP)
        if pair is not None and n % 2:
            x -= GAP // 2  # a pair's two pages close together
        elif pair is not None:
            x += GAP // 2
        if cell is None:
            draw.rectangle((x, y, x + PAGE_WIDTH - 1, y + height - 1), outline="white")
            continue
        page = docs[cell[0]][0][cell[1]]
        try:
            im = _draw(page)
        finally:
            page.close()
        out.paste(im.crop((0, 0, min(im.width, PAGE_WIDTH), min(im.height, height))), (x, y))
        number = n // 2 + 1 if pair is not None else n + 1
        draw.text((x + PAGE_WIDTH // 2, y + height + 3), str(number), fill="white", anchor="mt")
    for doc, _ in docs:
        doc.close()
    buf = io.BytesIO()
    out.save(buf, format="PNG")
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
