"""The content files an archive edition carries, and ``extract``, which gives them back.

An archive edition (specs: ``sources``) embeds the files its profile is made
from (``profile.yaml``, the language file, a logo, a cover photo, the content
root's ``publisher.yaml``) as PDF/A-3 associated files
with the relationship Source. ``mgi-report extract`` writes them out again,
trusting nothing in the PDF: names, sizes, checksums and counts are checked,
and the files are placed all or nothing. Apart from ``document`` (what an
edition changes in the layout) because reading a PDF back is another matter.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..content.publication import SERIES_FILE
from ..content.yamlsource import MAX_FILE_BYTES
from ..errors import MgiError, RenderError, UsageError
from ..files import reads

if TYPE_CHECKING:
    from ..compose.job import Job

#: MIME types of the files an archive edition carries (not guessed: reproducible).
MIME_TYPES = {".yaml": "application/yaml", ".yml": "application/yaml",
              ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
              ".jpeg": "image/jpeg"}


class DamagedAttachment(MgiError):
    """An embedded file whose checksum or size does not match its bytes."""


# ------------------------------------------------------------------ embedding


def source_files(job: Job) -> list[Path]:
    """The content files a profile is made from: profile.yaml, findings, logo,
    cover photo, and the series' publisher.yaml (its content root's)."""
    files = [job.profile.path, job.doc.path]
    if job.profile.logo is not None:
        files.append(job.profile.logo)
    facts = job.profile.facts
    if facts.cover_photo is not None:
        files.append(facts.cover_photo.file)
    if facts.series_file is not None:
        files.append(facts.series_file)
    return files


def source_payloads(job: Job) -> list[tuple[str, str, bytes, str, datetime]]:
    """What the archive edition embeds (``derive``): for each source file, its
    name, MIME type, bytes (one read per build), description and date (the
    publication's, never the clock)."""
    published = job.profile.published
    when = datetime(published.year, published.month, published.day)
    out = []
    for path in source_files(job):
        mime = MIME_TYPES.get(path.suffix.lower(), "application/octet-stream")
        data = reads.read(path, MAX_FILE_BYTES)
        shown = f"{job.profile.slug}/{path.name}" if path.parent == job.profile.path.parent \
            else f"{path.name} (the series' facts, in the content root)"
        out.append((path.name, mime, data, f"Source: {shown}", when))
    return out


# ------------------------------------------------------------------ reading back


#: What an archive edition embeds, and so all that extract writes: profile.yaml,
#: language files (``xx.yaml``), a logo, a cover photo and the series'
#: publisher.yaml. An archive edition carries five at most; a PDF that carries more than MAX_ATTACHMENTS, or more than
#: MAX_EXTRACT_BYTES in all, is refused before anything is written.
MAX_ATTACHMENTS = 8
MAX_EXTRACT_BYTES = 3 * MAX_FILE_BYTES
_LOGO_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg")  # a logo, a cover photo
MAX_IMAGES = 2


def extract(pdf_path: Path, dest: Path, force: bool = False) -> list[Path]:
    """Write the content files embedded in an archive edition into ``dest``;
    returns their paths.

    Only what an archive edition embeds is written (``profile.yaml``, language
    files, a logo, a cover photo, publisher.yaml), under names checked as content text is; each file's
    checksum and size are checked against what the PDF records, and there are
    caps on their number and their total size. No existing file is replaced
    unless ``force``. All or nothing: the files are written into a temporary
    folder beside ``dest`` and renamed into place at the end.
    """
    return _place(Path(pdf_path), Path(dest), embedded(pdf_path), force)


def embedded(pdf_path: Path) -> dict[str, bytes]:
    """The content files embedded in an archive edition, name -> bytes, read
    and checked as ``extract`` reads them (names, checksums, sizes, their
    number and total size); nothing is written. Raises UsageError (not a
    readable PDF, no embedded files) or DamagedAttachment."""
    import pikepdf

    from ..files.names import printable_name
    from ..files.outputs import input_pdf

    shown = input_pdf(pdf_path)
    try:
        pdf = pikepdf.open(pdf_path)
    except pikepdf.PdfError as exc:
        raise UsageError(f"{shown} is not a readable PDF ({printable_name(exc)})") from None
    files: dict[str, bytes] = {}
    with pdf:
        try:
            keys = list(pdf.attachments)
        except (pikepdf.PdfError, TypeError, ValueError) as exc:
            raise DamagedAttachment(f"{shown}: its list of embedded files is damaged "
                                    f"({printable_name(exc)})") from None
        if not keys:
            raise UsageError(f"{shown} carries no embedded files (only the archive "
                             "edition carries its sources)")
        if len(keys) > MAX_ATTACHMENTS:
            raise DamagedAttachment(f"{shown} carries {len(keys):,} embedded files; an "
                                    f"archive edition carries at most {MAX_ATTACHMENTS} "
                                    "(profile.yaml, its language file, a logo): "
                                    "nothing was written")
        specs = []
        for key in keys:
            try:
                spec = pdf.attachments[key]
                specs.append((_checked_name(shown, spec.filename or key), spec))
            except (KeyError, pikepdf.PdfError, TypeError, ValueError) as exc:
                # a name pikepdf cannot look up again (a NUL in it), a spec without a file
                raise DamagedAttachment(f"{shown}: an embedded file has an unusable name "
                                        f"or no file (`{printable_name(key)}`: "
                                        f"{printable_name(exc)})") from None
        logos = [name for name, _ in specs if name.lower().endswith(_LOGO_SUFFIXES)]
        if len(logos) > MAX_IMAGES:
            raise DamagedAttachment(f"{shown} carries {len(logos)} images "
                                    f"({', '.join(logos)}); an archive edition carries a "
                                    "logo and a cover photo at most")
        total = 0
        for name, spec in specs:
            if name in files:
                raise DamagedAttachment(f"{shown}: two embedded files are named {name}")
            try:
                attached = spec.get_file()
            except (KeyError, pikepdf.PdfError, TypeError, ValueError) as exc:
                raise DamagedAttachment(f"{shown}: embedded {name} has no readable file "
                                        f"({printable_name(exc)})") from None
            files[name] = _checked_bytes(shown, name, attached)
            total += len(files[name])
            if total > MAX_EXTRACT_BYTES:
                raise DamagedAttachment(f"{shown}: its embedded files are larger than "
                                        f"{MAX_EXTRACT_BYTES:,} bytes together; the files "
                                        "of one archive edition are not")
    return files


def _checked_name(shown: str, name: object) -> str:
    """An embedded file's name, if it is one an archive edition embeds and passes
    the content's character rules; else DamagedAttachment, the name escaped."""
    import re

    from ..files.names import printable_name
    from ..text.printable import problems

    text = str(name)
    escaped = printable_name(text)
    unusable = (not text or text.startswith(".") or "/" in text or "\\" in text
                or len(text.encode("utf-8", "surrogatepass")) > 255
                or any(not ch.isprintable() for ch in text) or bool(problems(text)))
    if unusable:
        raise DamagedAttachment(f"{shown}: an embedded file has an unusable name: "
                                f"`{escaped}` (a path, a dot-file, or characters content "
                                "may not hold); nothing was written")
    if text in ("profile.yaml", SERIES_FILE) or re.fullmatch(r"[a-z]{2}\.yaml", text) or \
            text.lower().endswith(_LOGO_SUFFIXES) and len(text) > 4:
        return text
    raise DamagedAttachment(f"{shown}: an embedded file is named `{escaped}`; an archive "
                            "edition embeds only profile.yaml, language files (xx.yaml), "
                            "publisher.yaml, a logo and a cover photo (.svg, .png, .jpg), and "
                            "extract writes nothing else; "
                            "nothing was written")


def _place(pdf_path: Path, dest: Path, files: dict[str, bytes], force: bool) -> list[Path]:
    """Write ``files`` into ``dest``, all or nothing: first into a new folder
    beside ``dest`` (inside it, if it is on another file system), then renamed
    into place. An existing file is replaced only with ``force``."""
    import os
    import secrets
    import shutil
    import stat

    from ..files.outputs import check_output

    dest = Path(os.path.abspath(dest))
    try:
        st = os.stat(dest)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise RenderError(f"cannot write into {dest}: {exc.strerror or exc}") from exc
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise RenderError(f"cannot write into {dest}: it is not a folder")
    if st is not None:
        there = [name for name in files if os.path.lexists(dest / name)]
        if there and not force:
            raise UsageError(f"will not replace {', '.join(str(dest / n) for n in there)} "
                             "(--force replaces them); nothing was written")
        for name in there:
            check_output(dest / name, [pdf_path], what="folder")
    made: list[Path] = []  # missing parent folders this call makes
    parent = dest.parent
    while not parent.exists() and parent != parent.parent:
        made.append(parent)
        parent = parent.parent
    tmp: Path | None = None
    placed: list[Path] = []
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        beside = dest.parent if st is None or os.stat(dest.parent).st_dev == st.st_dev else dest
        while tmp is None:
            candidate = beside / f".{dest.name}.{secrets.token_hex(4)}.tmp"
            try:
                os.mkdir(candidate)
                tmp = candidate
            except FileExistsError:
                continue
        for name, data in files.items():
            fd = os.open(tmp / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                         0o644)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        if st is None:
            os.rename(tmp, dest)
            tmp = None
        else:
            for name in files:
                if force:
                    os.replace(tmp / name, dest / name)
                else:  # a file that appeared since the check above is kept
                    os.link(tmp / name, dest / name)
                placed.append(dest / name)
    except OSError as exc:
        for path in placed if not force else []:
            try:
                os.unlink(path)
            except OSError:
                pass
        raise RenderError(f"cannot write into {dest}: {exc.strerror or exc}; nothing was "
                          "written") from exc
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if not (dest.exists()):
            for folder in made:
                try:
                    folder.rmdir()
                except OSError:
                    break
    return [dest / name for name in files]


#: The largest embedded file extract writes: content files are at most this big.
MAX_ATTACHMENT_BYTES = MAX_FILE_BYTES


def _read_capped(pdf_path: Path | str, name: str, stream) -> bytes:
    """An embedded file's bytes, decompressed a piece at a time and never beyond
    MAX_ATTACHMENT_BYTES (a small PDF can hold a stream that inflates to gigabytes)."""
    import zlib

    import pikepdf

    too_big = DamagedAttachment(f"{pdf_path}: embedded {name} is larger than "
                                f"{MAX_ATTACHMENT_BYTES:,} bytes; no content file is")
    filters = stream.get("/Filter")
    filters = [] if filters is None else \
        list(filters) if isinstance(filters, pikepdf.Array) else [filters]
    if stream.get("/DecodeParms") is not None or \
            [str(f) for f in filters] not in ([], ["/FlateDecode"]):
        raise DamagedAttachment(f"{pdf_path}: embedded {name} is encoded in a way extract "
                                f"does not read ({', '.join(map(str, filters))})")
    raw = stream.read_raw_bytes()
    if not filters:
        if len(raw) > MAX_ATTACHMENT_BYTES:
            raise too_big
        return raw
    inflate = zlib.decompressobj()
    try:
        data = inflate.decompress(raw, MAX_ATTACHMENT_BYTES + 1)
    except zlib.error as exc:
        raise DamagedAttachment(f"{pdf_path}: embedded {name} is damaged ({exc})") from exc
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise too_big
    return data


def _checked_bytes(pdf_path: Path | str, name: str, attached) -> bytes:
    data = _read_capped(pdf_path, name, attached.obj)
    if attached.md5 and attached.md5 != hashlib.md5(data, usedforsecurity=False).digest():
        raise DamagedAttachment(f"{pdf_path}: embedded {name} does not match its checksum")
    if attached.size and attached.size != len(data):
        raise DamagedAttachment(f"{pdf_path}: embedded {name} does not have its recorded size")
    return data
