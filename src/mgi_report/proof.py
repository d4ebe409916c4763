"""``mgi-report proof``: every page of a PDF on one contact sheet (PNG), for a
reviewer to see the whole profile at once; with ``--pair``, two language
editions side by side, page by page. Pages are drawn by PDFium (pypdfium2)."""

from __future__ import annotations

import io
from pathlib import Path

from .errors import UsageError
from .render import write_atomic

PAGE_WIDTH = 180  # pixels per page on the sheet
GAP = 12
COLUMNS = 6  # pages per row (pairs: three pairs per row)
LABEL = 16  # room for the page number under a page


def _pages(path: Path) -> list:
    import pypdfium2 as pdfium

    if not path.is_file():
        raise UsageError(f"{path}: no such PDF file")
    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as exc:
        raise UsageError(f"cannot read {path} as a PDF ({exc})") from None
    out = []
    for page in pdf:
        scale = PAGE_WIDTH / page.get_width()
        out.append(page.render(scale=scale).to_pil().convert("RGB"))
    return out


def sheet(pdf: Path, pair: Path | None = None) -> bytes:
    """The contact sheet as PNG bytes."""
    from PIL import Image, ImageDraw

    first = _pages(pdf)
    second = _pages(pair) if pair is not None else None
    if second is not None:  # page by page: [a1 b1] [a2 b2] ...
        count = max(len(first), len(second))
        cells = []
        for i in range(count):
            cells += [first[i] if i < len(first) else None,
                      second[i] if i < len(second) else None]
    else:
        cells = list(first)
    height = max(im.height for im in cells if im is not None)
    rows = (len(cells) + COLUMNS - 1) // COLUMNS
    out = Image.new("RGB", (GAP + COLUMNS * (PAGE_WIDTH + GAP),
                            GAP + rows * (height + LABEL + GAP)), "#8a939c")
    draw = ImageDraw.Draw(out)
    for n, im in enumerate(cells):
        x = GAP + (n % COLUMNS) * (PAGE_WIDTH + GAP)
        y = GAP + (n // COLUMNS) * (height + LABEL + GAP)
        if second is not None and n % 2:
            x -= GAP // 2  # a pair's two pages close together
        elif second is not None:
            x += GAP // 2
        if im is None:
            draw.rectangle((x, y, x + PAGE_WIDTH - 1, y + height - 1), outline="white")
            continue
        out.paste(im, (x, y))
        page = n // 2 + 1 if second is not None else n + 1
        draw.text((x + PAGE_WIDTH // 2, y + height + 3), str(page), fill="white", anchor="mt")
    buf = io.BytesIO()
    out.save(buf, format="PNG")
    return buf.getvalue()


def command(pdf: Path, output: Path | None, pair: Path | None) -> Path:
    target = output or pdf.with_name(pdf.stem + "-proof.png")
    data = sheet(pdf, pair)
    write_atomic(target, lambda fh: fh.write(data))
    return target
