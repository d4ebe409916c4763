"""Hostile outputs and hostile PDFs, round three (issue 29, points 5 and 6):

* no command writes onto its inputs: every ``-o`` (build, review, watch,
  proof) and ``build --out`` is a regular file or nothing, never one of the
  command's inputs, nor a link or hard link to one (exit 2, the file as it was);
* ``extract`` writes only what an archive edition embeds, under names checked
  as content text is, never over an existing file without ``--force``, all or
  nothing, within caps on the number and total size of the files, and prints
  every name from the PDF escaped;
* ``proof`` is bounded: page count, page shape and sheet size are refused
  before anything is drawn, and whatever PDFium needs to draw is bounded by a
  memory limit on the process that draws.

Every case whose input is hostile runs under the three witnesses of
``witness.py`` (the review case needs git, a subprocess, so it runs without).
"""

from __future__ import annotations

import errno
import os
import subprocess
import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from mgi_report.editions import attachments
from mgi_report.files.names import printable_name
from mgi_report.text.printable import BIDI_CONTROLS, SEPARATORS
from mgi_report.workbench import proof
from mgitree import PROFILE, make_tree, run
from witness import listener, outside, sentinel, witnessed  # noqa: F401

LOGO = (b'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">'
        b'<rect width="20" height="10" fill="#1f5fa0"/></svg>')


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under folder (links not followed): its kind, bytes or target."""
    seen = {}
    for path in sorted(folder.rglob("*")):
        st = os.lstat(path)
        if path.is_symlink():
            seen[str(path)] = ("link", os.readlink(path))
        elif path.is_file():
            seen[str(path)] = ("file", path.read_bytes(), st.st_ino)
        else:
            seen[str(path)] = ("other", st.st_mode, st.st_ino)
    return seen


def assert_escaped(err: str) -> None:
    """No bidi control, line separator or control character reaches the terminal."""
    assert not set(err) & (BIDI_CONTROLS | SEPARATORS | {"\x85", "\x1b", "\r", "\0"}), err
    assert "Traceback" not in err and "internal error" not in err


# ================================================================ the -o rule

def _tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path, {"profile.yaml": PROFILE + "logo: logo.svg\n",
                                "logo.svg": LOGO})


def _onto(kind: str, tmp_path: Path, content: Path) -> tuple[Path, list[str]]:
    """An -o target that is (or reaches) one of the build's inputs; extra options."""
    folder = content / "testland"
    if kind == "the language file":
        return folder / "en.yaml", []
    if kind == "profile.yaml":
        return folder / "profile.yaml", []
    if kind == "the logo":
        return folder / "logo.svg", []
    if kind == "a link to the language file":
        (tmp_path / "findings.pdf").symlink_to(folder / "en.yaml")
        return tmp_path / "findings.pdf", []
    if kind == "a hard link to the language file":
        os.link(folder / "en.yaml", tmp_path / "findings.pdf")
        return tmp_path / "findings.pdf", []
    if kind == "a hard link to another language's file":
        os.link(folder / "de.yaml", tmp_path / "findings.pdf")
        return tmp_path / "findings.pdf", []
    if kind == "a path through a linked folder":
        (tmp_path / "country").symlink_to(folder)
        return tmp_path / "country" / "en.yaml", []
    if kind == "a new file in the country folder":
        return folder / "testland-en.pdf", []
    if kind == "another country's file":
        (content / "otherland").mkdir()
        (content / "otherland" / "profile.yaml").write_text(PROFILE)
        return content / "otherland" / "profile.yaml", []
    if kind == "a layout file":
        layouts = tmp_path / "layouts"
        (layouts / "parts").mkdir(parents=True)
        (layouts / "parts" / "back.html").write_text("<section>back</section>\n")
        return layouts / "parts" / "back.html", ["--layouts", str(layouts)]
    raise AssertionError(kind)


ONTO = ["the language file", "profile.yaml", "the logo", "a link to the language file",
        "a hard link to the language file", "a hard link to another language's file",
        "a path through a linked folder", "a new file in the country folder",
        "another country's file", "a layout file"]


@pytest.mark.parametrize("kind", ONTO)
def test_build_never_writes_onto_its_inputs(kind, tmp_path, capsys, witnessed):
    content = _tree(tmp_path)
    target, extra = _onto(kind, tmp_path, content)
    before = snapshot(tmp_path)
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content,
                    "-o", target, *extra)
    assert code == 2, err
    assert err.startswith(f"mgi-report: error: will not write {target}: it is "), err
    assert "choose another output with -o" in err
    assert snapshot(tmp_path) == before  # the input untouched, no PDF, no temporary file


def test_build_out_folder_onto_the_country_folder_is_refused(tmp_path, capsys, witnessed):
    content = _tree(tmp_path)
    before = snapshot(tmp_path)
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content,
                    "--edition", "screen,archive", "--out", content / "testland")
    assert code == 2, err
    for edition in ("screen", "archive"):
        assert f"the {edition} edition was not written" in err
    assert err.count("a folder of inputs") == 2
    assert snapshot(tmp_path) == before


def test_build_output_beside_the_inputs_is_still_written(tmp_path, capsys):
    """Outside the input folders, a hard link to a file that is not an input is
    an ordinary output (the link itself is replaced, the other file kept).
    Nothing hostile here, so no witnesses (a cold cache draws the wheels with
    matplotlib, which reads its font list in the home folder)."""
    content = _tree(tmp_path)
    elsewhere = tmp_path / "old.pdf"
    elsewhere.write_bytes(b"%PDF-old")
    target = tmp_path / "out.pdf"
    os.link(elsewhere, target)
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content,
                    "-o", target)
    assert code == 0, err
    assert target.read_bytes().startswith(b"%PDF-1.") and elsewhere.read_bytes() == b"%PDF-old"


def test_watch_refuses_an_input_as_output_before_it_watches(tmp_path, capsys, witnessed):
    content = _tree(tmp_path)
    en = content / "testland" / "en.yaml"
    before = en.read_bytes()
    code, err = run(capsys, "watch", "testland", "--lang", "en", "--content", content,
                    "-o", en)  # it would rebuild on every save of its own output
    assert code == 2, err
    assert "it is an input of this command" in err and en.read_bytes() == before
    fifo = tmp_path / "watched.pdf"
    os.mkfifo(fifo)
    code, err = run(capsys, "watch", "testland", "--lang", "en", "--content", content,
                    "-o", fifo)
    assert code == 2 and "it is a FIFO, not a regular file" in err, err


def test_review_refuses_an_input_as_output(tmp_path, capsys):
    """Not witnessed: the review reads git history (a subprocess)."""
    content = _tree(tmp_path)
    git = ["git", "-C", str(tmp_path), "-c", "user.name=Editor", "-c", "user.email=e@x"]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    profile = content / "testland" / "profile.yaml"
    link = tmp_path / "review.pdf"
    link.symlink_to(profile)
    for target in (profile, link):
        before = snapshot(content)
        code, err = run(capsys, "review", "testland", "--lang", "en", "--since", "HEAD",
                        "--content", content, "-o", target)
        assert code == 2, err
        assert f"will not write {target}: it is an input of this command" in err
        assert snapshot(content) == before and link.is_symlink()


# ----------------------------------------------------------------- proof -o

def _pages(path: Path, sizes: list[tuple[float, float]]) -> Path:
    pdf = pikepdf.new()
    for width, height in sizes:
        pdf.add_blank_page(page_size=(max(width, 3), max(height, 3)))
        pdf.pages[-1].MediaBox = pikepdf.Array([0, 0, width, height])
    pdf.save(path)
    return path


@pytest.mark.parametrize("kind", ["itself", "a link to it", "a hard link to it", "the pair"])
def test_proof_never_writes_onto_the_pdfs_it_reads(kind, tmp_path, capsys, witnessed):
    a4 = (595, 842)
    first = _pages(tmp_path / "first.pdf", [a4] * 2)
    pair = _pages(tmp_path / "second.pdf", [a4] * 3)
    target = {"itself": first, "a link to it": tmp_path / "sheet.png",
              "a hard link to it": tmp_path / "sheet.png", "the pair": pair}[kind]
    if kind == "a link to it":
        target.symlink_to(first.name)
    elif kind == "a hard link to it":
        os.link(first, target)
    before = snapshot(tmp_path)
    code, err = run(capsys, "proof", first, "--pair", pair, "-o", target)
    assert code == 2, err
    assert f"will not write {target}: it is an input of this command" in err
    assert snapshot(tmp_path) == before
    # the default output, beside the PDF, is not an input: written
    assert run(capsys, "proof", first, "--pair", pair)[0] == 0
    assert (tmp_path / "first-proof.png").is_file()


@pytest.mark.parametrize("special", ["FIFO", "link to a FIFO", "link to a device"])
def test_proof_never_writes_into_a_fifo_or_device(special, tmp_path, capsys, witnessed):
    """The device is reached through a link: were the rule broken, the rename
    would replace the link, never /dev/null itself (the tests may run as root)."""
    first = _pages(tmp_path / "first.pdf", [(595, 842)])
    fifo = tmp_path / "sheet.png"
    os.mkfifo(fifo)
    target = {"FIFO": fifo, "link to a FIFO": tmp_path / "link.png",
              "link to a device": tmp_path / "null.png"}[special]
    if special == "link to a FIFO":
        target.symlink_to(fifo)
    elif special == "link to a device":
        target.symlink_to("/dev/null")
    before = os.lstat(target)
    code, err = run(capsys, "proof", first, "-o", target)  # would block for ever if opened
    assert code == 2, err
    assert f"will not write {target}: it is a" in err and "not a regular file" in err
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino, after.st_rdev) == \
        (before.st_mode, before.st_ino, before.st_rdev)


def test_proof_refuses_an_input_that_is_not_a_file(tmp_path, capsys, witnessed):
    fifo = tmp_path / "in.pdf"
    os.mkfifo(fifo)  # opening it would wait for a writer for ever
    code, err = run(capsys, "proof", fifo, "-o", tmp_path / "sheet.png")
    assert code == 2 and "not a PDF file (not a regular file)" in err, err
    assert not (tmp_path / "sheet.png").exists()


# ============================================================ extract

def _archive(path: Path, files: list[tuple[str, bytes]], md5: bool = False) -> Path:
    """A PDF carrying ``files`` as embedded files, named as given (any bytes)."""
    import hashlib

    pdf = pikepdf.new()
    pdf.add_blank_page()
    names = []
    for i, (name, data) in enumerate(files):
        stream = pikepdf.Stream(pdf, zlib.compress(data, 1))
        stream.Filter = pikepdf.Name.FlateDecode
        stream.Type = pikepdf.Name.EmbeddedFile
        if md5:
            stream.Params = pikepdf.Dictionary(CheckSum=pikepdf.String(
                hashlib.md5(data).digest()), Size=len(data))
        spec = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Filespec, F=pikepdf.String(name), UF=pikepdf.String(name),
            EF=pikepdf.Dictionary(F=pdf.make_indirect(stream))))
        names += [pikepdf.String(f"{i:06d}"), spec]  # keys in order, names in UF
    pdf.Root.Names = pikepdf.Dictionary(EmbeddedFiles=pikepdf.Dictionary(
        Names=pikepdf.Array(names)))
    pdf.save(path)
    return path


GOOD = [("profile.yaml", PROFILE.encode()), ("en.yaml", b"country: X\n"), ("logo.svg", LOGO)]


def test_extract_writes_what_an_archive_edition_embeds(tmp_path, capsys, witnessed):
    pdf = _archive(tmp_path / "archive.pdf", GOOD, md5=True)
    dest = tmp_path / "deep" / "out"
    code, err = run(capsys, "extract", pdf, dest)
    assert code == 0, err
    assert sorted(p.name for p in dest.iterdir()) == ["en.yaml", "logo.svg", "profile.yaml"]
    for name, data in GOOD:
        assert (dest / name).read_bytes() == data
    assert sorted(p.name for p in (tmp_path / "deep").iterdir()) == ["out"]  # no leftover
    # into a folder that exists, beside other files: written, nothing else touched
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert run(capsys, "extract", pdf, other)[0] == 0
    assert sorted(p.name for p in other.iterdir()) == \
        ["en.yaml", "logo.svg", "notes.txt", "profile.yaml"]


HOSTILE_NAMES = ["../Makefile", "../../en.yaml", "sub/en.yaml", "C:\\x\\de.yaml", "Makefile",
                 "conftest.py", ".bashrc", ".hidden.svg", "en.yaml\n", "a\nb.yaml",
                 "logo\u202egvs.png", "\u2067logo.svg", "en\u2028.yaml", "logo\x1b[2J.svg",
                 "logo\u200f.svg", "profile.yml", "EN.yaml", "eng.yaml", ".svg", "x" * 300 + ".svg"]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[printable_name(n)[:24] for n in HOSTILE_NAMES])
def test_extract_refuses_names_an_archive_edition_never_embeds(name, tmp_path, capsys,
                                                               witnessed):
    pdf = _archive(tmp_path / "hostile.pdf", [*GOOD[:2], (name, b"all: pwned\n")])
    (tmp_path / "Makefile").write_text("test:\n\tpytest\n")
    before = snapshot(tmp_path)
    code, err = run(capsys, "extract", pdf, tmp_path / "out")
    assert code == 3, err
    assert_escaped(err)
    assert printable_name(name) in err and "nothing was written" in err
    assert len(err.strip().splitlines()) == 1  # one line: the name cannot break it
    assert snapshot(tmp_path) == before  # not even profile.yaml and en.yaml


def test_extract_never_replaces_an_existing_file_unless_forced(tmp_path, capsys, witnessed):
    pdf = _archive(tmp_path / "archive.pdf", GOOD[:2])
    dest = tmp_path / "work"
    dest.mkdir()
    (dest / "en.yaml").write_text("the editor's findings\n")
    (tmp_path / "elsewhere").mkdir()
    kept = tmp_path / "elsewhere" / "kept.yaml"
    kept.write_text("outside\n")
    (dest / "profile.yaml").symlink_to(kept)
    before = snapshot(tmp_path)
    code, err = run(capsys, "extract", pdf, dest)
    assert code == 2, err
    assert "will not replace" in err and "--force replaces them" in err
    assert snapshot(tmp_path) == before
    code, err = run(capsys, "extract", pdf, dest, "--force")
    assert code == 0, err
    assert (dest / "en.yaml").read_bytes() == b"country: X\n"
    assert not (dest / "profile.yaml").is_symlink()  # the link replaced, not followed
    assert kept.read_text() == "outside\n"
    # --force never replaces the PDF it reads, nor a folder
    own = _archive(dest / "en.yaml", GOOD[:2])
    code, err = run(capsys, "extract", own, dest, "--force")
    assert code == 2 and "it is an input of this command" in err, err
    (tmp_path / "w2").mkdir()
    (tmp_path / "w2" / "en.yaml").mkdir()
    code, err = run(capsys, "extract", pdf, tmp_path / "w2", "--force")
    assert code == 2 and "it is a folder" in err, err
    assert not (tmp_path / "w2" / "profile.yaml").exists()


def test_extract_is_all_or_nothing_when_writing_fails(tmp_path, capsys, monkeypatch,
                                                      witnessed):
    pdf = _archive(tmp_path / "archive.pdf", GOOD)
    real = os.fsync
    calls = []

    def full_disk(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(os, "fsync", full_disk)
    for dest in (tmp_path / "new" / "out", tmp_path / "existing"):
        if dest.name == "existing":
            dest.mkdir()
        calls.clear()
        before = snapshot(tmp_path)
        code, err = run(capsys, "extract", pdf, dest)
        assert code == 3, err
        assert "No space left on device" in err and "nothing was written" in err
        assert snapshot(tmp_path) == before  # no file, no temporary folder, no parent


def test_extract_refuses_thousands_of_attachments_before_writing(tmp_path, capsys, witnessed):
    """3,000 attachments of just under the 1 MB cap once made 3 GB from 400 KB."""
    chunk = b"\n" * 999_000
    packed = zlib.compress(chunk, 9)
    pdf = pikepdf.new()
    pdf.add_blank_page()
    stream = pdf.make_indirect(pikepdf.Stream(pdf, packed))
    stream.Filter = pikepdf.Name.FlateDecode
    stream.Type = pikepdf.Name.EmbeddedFile
    names = []
    for i in range(3000):
        name = f"{chr(97 + i // 26 % 26)}{chr(97 + i % 26)}.yaml" if i < 676 else f"f{i}.svg"
        names += [pikepdf.String(f"{i:06d}"), pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Filespec, UF=pikepdf.String(name),
            EF=pikepdf.Dictionary(F=stream)))]
    pdf.Root.Names = pikepdf.Dictionary(EmbeddedFiles=pikepdf.Dictionary(
        Names=pikepdf.Array(names)))
    path = tmp_path / "many.pdf"
    pdf.save(path)
    assert path.stat().st_size < 500_000
    before = snapshot(tmp_path)
    code, err = run(capsys, "extract", path, tmp_path / "out")
    assert code == 3, err
    assert "carries 3,000 embedded files" in err and f"at most {attachments.MAX_ATTACHMENTS}" in err
    assert snapshot(tmp_path) == before


def test_extract_caps_the_total_size(tmp_path, capsys, witnessed):
    big = b"#" * 990_000 + b"\n"  # each under the 1 MB cap of one file
    files = [("profile.yaml", big), ("en.yaml", big), ("de.yaml", big), ("fr.yaml", big)]
    pdf = _archive(tmp_path / "fat.pdf", files)
    before = snapshot(tmp_path)
    code, err = run(capsys, "extract", pdf, tmp_path / "out")
    assert code == 3, err
    assert f"larger than {attachments.MAX_EXTRACT_BYTES:,} bytes together" in err
    assert snapshot(tmp_path) == before


def test_extract_refuses_three_images_and_an_input_that_is_not_a_file(tmp_path, capsys,
                                                                     witnessed):
    """A logo and a cover photo at most (GOOD has a logo)."""
    pdf = _archive(tmp_path / "three.pdf", [*GOOD, ("other.png", b"\x89PNG"),
                                            ("photo.jpg", b"\xff\xd8")])
    code, err = run(capsys, "extract", pdf, tmp_path / "out")
    assert code == 3 and "a logo and a cover photo at most" in err, err
    fifo = tmp_path / "fifo.pdf"
    os.mkfifo(fifo)  # pikepdf would wait on it for ever
    code, err = run(capsys, "extract", fifo, tmp_path / "out")
    assert code == 2 and "not a regular file" in err, err
    assert not (tmp_path / "out").exists()


def test_printable_name_escapes_what_would_mislead_a_terminal():
    assert printable_name("logo\u202egvs.png") == "logo\\u202egvs.png"
    assert printable_name("a\nb\u2028c\x1b[2Jd\\e") == "a\\nb\\u2028c\\x1b[2Jd\\\\e"
    assert printable_name("Ünïcödé déjà vu.yaml") == "Ünïcödé déjà vu.yaml"


# ============================================================== proof bounded

def test_proof_refuses_a_page_a_bitmap_could_not_hold(tmp_path, capsys, witnessed):
    """537 bytes: one page 1 pt wide and 14,400 pt tall once took 13.7 GB."""
    tall = _pages(tmp_path / "tall.pdf", [(1, 14400)])
    assert tall.stat().st_size < 1000
    for argv in ([tall], [_pages(tmp_path / "ok.pdf", [(595, 842)]), "--pair", tall]):
        code, err = run(capsys, "proof", *argv, "-o", tmp_path / "sheet.png")
        assert code == 2, err
        assert "tall.pdf: page 1 is 1 x 14400 pt, one side more than 4 times the other" in err
        assert not (tmp_path / "sheet.png").exists()


def test_proof_refuses_ten_thousand_pages(tmp_path, capsys, witnessed):
    """10,000 blank pages once took 4 GB."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.Pages.Kids = pikepdf.Array([pdf.pages[0].obj] * 10_000)  # one page, 10,000 times
    pdf.Root.Pages.Count = 10_000
    pdf.save(tmp_path / "many.pdf")
    code, err = run(capsys, "proof", tmp_path / "many.pdf", "-o", tmp_path / "sheet.png")
    assert code == 2, err
    assert f"it has 10,000 pages; a proof sets at most {proof.MAX_PAGES}" in err
    assert not (tmp_path / "sheet.png").exists()


def test_proof_bounds_what_pdfium_needs_to_draw(tmp_path, capsys, witnessed):
    """A 66 KB PDF whose page content inflates to 1 GiB (one 64 MiB stream, 16
    times): drawing it would need more than the bound; refused, nothing written."""
    packed = zlib.compress(b"\0" * (64 << 20), 1)
    pdf = pikepdf.new()
    pdf.add_blank_page()
    stream = pdf.make_indirect(pikepdf.Stream(pdf, packed))
    stream.Filter = pikepdf.Name.FlateDecode
    pdf.pages[0].Contents = pikepdf.Array([stream] * 16)
    pdf.save(tmp_path / "bomb.pdf")
    code, err = run(capsys, "proof", tmp_path / "bomb.pdf", "-o", tmp_path / "sheet.png")
    assert code == 2, err
    assert f"drawing it needs more than {proof.MAX_MEMORY // 1_000_000} MB of memory" in err
    assert not (tmp_path / "sheet.png").exists() and not list(tmp_path.glob(".*.tmp"))


def test_proof_draws_the_largest_sheet_it_accepts(tmp_path, capsys, witnessed):
    """MAX_PAGES pages of the most elongated shape, paired: every page drawn,
    within the memory bound of the drawing process (past it, the proof would
    have been refused). Pages of other shapes and counts share the sheet."""
    n = proof.MAX_PAGES
    first = _pages(tmp_path / "a.pdf", [(100, 400)] * n)
    code, err = run(capsys, "proof", first, "--pair", first, "-o", tmp_path / "big.png")
    assert code == 0, err
    cell = proof.PAGE_WIDTH * 4 + proof.LABEL + proof.GAP
    rows = (2 * n + proof.COLUMNS - 1) // proof.COLUMNS
    with Image.open(tmp_path / "big.png") as im:
        assert im.size == (proof.GAP + proof.COLUMNS * (proof.PAGE_WIDTH + proof.GAP),
                           proof.GAP + rows * cell)
        assert im.size[0] * im.size[1] <= proof.MAX_SHEET_PIXELS
    mixed = _pages(tmp_path / "b.pdf", [(595, 842), (842, 595), (400, 100)])
    tall = _pages(tmp_path / "c.pdf", [(100, 400)])
    code, err = run(capsys, "proof", mixed, "--pair", tall, "-o", tmp_path / "mixed.png")
    assert code == 0, err
    with Image.open(tmp_path / "mixed.png") as im:  # one row: three pairs, one page missing
        assert im.size[1] == proof.GAP + cell
