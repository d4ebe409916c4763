"""A cache is a hint, never a source of truth (issue 29).

Every kind of entry in the cache folder (drawn wheels and figures, parsed
hyphenation patterns, compiled templates, page counts, fontconfig's
configuration and its own cache) is poisoned in every way we know (cut short,
garbage, swapped with another entry, a link to a file outside, a FIFO): the
build must give the PDF a clean cache gives, byte for byte, and make the entry
again. A cache that cannot be written costs one warning naming it. Whatever
WeasyPrint could not load (an image, a font) fails the build, single or batch,
and no byte of it is printed. ``serve`` stays up, takes ``-v build``, and
``watch`` follows a country folder deleted and made again.

The poisoned builds run under the three witnesses (tests/witness.py): the
links point at the sentinel, whose bytes must reach neither a PDF nor stderr.
"""

from __future__ import annotations

import base64
import errno
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pyphen
import pytest

from mgi_report import pipeline as builder
from mgi_report.engine import warm
from mgi_report.files import cachefile, names
from mgi_report.files.writes import CACHE_WARNED
from mgi_report.resident import server, watch
from mgitree import make_tree, run
from witness import listener, outside, sentinel, witnessed  # noqa: F401

PROFILE = ("testland", "de")
MGI = str(Path(sys.executable).with_name("mgi-report"))


def _build(capsys, content: Path, out: Path, *extra) -> tuple[int, str]:
    return run(capsys, "build", PROFILE[0], "--lang", PROFILE[1], "--content", content,
               "-o", out, *extra)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """testland's German PDF built with an empty cache, and that cache, kept as it
    was (with the English hyphenation patterns and page count beside it, to swap)."""
    root = tmp_path_factory.mktemp("clean")
    content = make_tree(root)
    cache = root / "cache"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MGI_REPORT_CACHE", str(cache))
        mp.delenv(CACHE_WARNED, raising=False)
        mp.setattr(pyphen, "hdcache", {})  # so that the patterns go through the cache
        builder.build(builder.Request(*PROFILE, content, root / "clean.pdf"))
        warm.hyphenation(["en"])
        pages = builder.last_page_count(builder.Request(*PROFILE, content))
        assert pages
        en = builder.Request(PROFILE[0], "en", content)
        builder._remember_pages(en, pages + 3)  # another profile's count, to swap with ours
    return SimpleNamespace(content=content, cache=cache, pdf=(root / "clean.pdf").read_bytes(),
                           pages=pages)


# ------------------------------------------------------------- poisoned entries

def entries(cache: Path, content: Path) -> dict[str, tuple[Path, Path]]:
    """Per kind of entry: (an entry the German build reads, another to swap it with)."""
    wheels = sorted((cache / "wheels").glob("*.svg"))
    figures = sorted((cache / "figures").glob("*.svg"))
    jinja = sorted((cache / "jinja").glob("*.bc"))
    hyph = sorted((cache / "hyphenation").glob("*.marshal"))
    de = [p for p in hyph if p.name.startswith("hyph_de")]
    en = [p for p in hyph if p.name.startswith("hyph_en")]
    pages = cache / "pages" / builder._pages_entry(builder.Request(*PROFILE, content))[1]
    other = cache / "pages" / builder._pages_entry(builder.Request(PROFILE[0], "en",
                                                                   content))[1]
    conf = cache / "fontconfig" / "fonts.conf"
    (fc,) = (cache / "fontconfig").glob("*.cache-*")
    assert len(wheels) >= 2 and len(figures) >= 2 and len(jinja) >= 2 and de and en
    return {"wheel": (wheels[0], wheels[1]), "figure": (figures[0], figures[1]),
            "template": (jinja[0], jinja[1]), "hyphenation": (de[0], en[0]),
            "pages": (pages, other), "fonts.conf": (conf, fc), "fontconfig cache": (fc, conf)}


def poison(how: str, path: Path, other: Path, sentinel_path: Path) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[:len(data) // 2])
    elif how == "garbage":
        path.write_bytes(b"\x00\xffgarbage<svg" * (len(data) // 13 + 1))
    elif how == "swapped":
        theirs = other.read_bytes()
        other.write_bytes(data)
        path.write_bytes(theirs)
    elif how == "link":
        path.unlink()
        path.symlink_to(sentinel_path)
    elif how == "fifo":
        path.unlink()
        os.mkfifo(path)


POISONS = ("truncated", "garbage", "swapped", "link", "fifo")


@pytest.mark.parametrize("how", POISONS)
def test_a_poisoned_cache_gives_the_clean_pdf_and_is_made_again(
        how, clean, tmp_path, capsys, monkeypatch, sentinel, listener, witnessed):
    path, token = sentinel
    cache = tmp_path / "cache"
    shutil.copytree(clean.cache, cache)
    monkeypatch.setenv("MGI_REPORT_CACHE", str(cache))
    monkeypatch.delenv(CACHE_WARNED, raising=False)
    monkeypatch.setattr(pyphen, "hdcache", {})  # the patterns come from the cache
    targets = entries(cache, clean.content)
    done: set[Path] = set()
    for kind, (entry, other) in targets.items():
        if entry in done:  # swapped already, as the other of an earlier pair
            continue
        poison(how, entry, other, path)
        done |= {entry, other} if how == "swapped" else {entry}
    req = builder.Request(*PROFILE, clean.content)
    assert builder.last_page_count(req) is None  # never another profile's, nor garbage

    out = tmp_path / "poisoned.pdf"
    code, err = _build(capsys, clean.content, out)
    assert code == 0, err
    assert out.read_bytes() == clean.pdf  # the right wheels, figures, hyphenation, fonts
    assert "warning" not in err and "Traceback" not in err and "error" not in err, err
    assert token.decode() not in err
    assert base64.b64encode(token).decode()[:16] not in err
    # Each entry was made again: a regular file that passes the checks.
    assert builder.last_page_count(req) == clean.pages
    wheel, _ = targets["wheel"]
    assert cachefile.read(cache, "wheels", wheel.name, wheel.stem, 1 << 22) is not None
    figure, _ = targets["figure"]
    assert cachefile.read(cache, "figures", figure.name, figure.stem, 1 << 22) is not None
    hyph, _ = targets["hyphenation"]
    name, key = warm._cache_entry(warm._dictionary_path("de"))
    assert name == hyph.name and cachefile.read(cache, "hyphenation", name, key, 1 << 26)
    conf, _ = targets["fonts.conf"]
    assert not conf.is_symlink() and conf.read_text() == (clean.cache / "fontconfig" /
                                                          "fonts.conf").read_text().replace(
        str(clean.cache.resolve()), str(cache.resolve()))
    for p in cache.rglob("*"):  # no link, no FIFO left in the cache
        assert p.is_dir() or (p.is_file() and not p.is_symlink()), p


def test_a_poisoned_template_entry_is_compiled_again(clean, tmp_path, capsys, monkeypatch):
    """Every compiled template cut short: each is compiled again, the PDF is the same."""
    cache = tmp_path / "cache"
    shutil.copytree(clean.cache, cache)
    monkeypatch.setenv("MGI_REPORT_CACHE", str(cache))
    for entry in (cache / "jinja").glob("*.bc"):
        entry.write_bytes(entry.read_bytes()[:-7])
    out = tmp_path / "out.pdf"
    code, err = _build(capsys, clean.content, out)
    assert code == 0, err
    assert out.read_bytes() == clean.pdf
    for entry in (cache / "jinja").glob("*.bc"):
        key = entry.read_bytes().split(b"\n", 1)[0].split(b" ")[2].decode()
        assert cachefile.read(cache, "jinja", entry.name, key, 1 << 23) is not None


def test_cache_folders_that_are_links_are_not_written_through(clean, tmp_path, capsys,
                                                               monkeypatch, outside):
    """``.cache/wheels`` a link to a folder outside: nothing is read from it or
    written into it; the folder is made again in the cache."""
    cache = tmp_path / "cache"
    shutil.copytree(clean.cache, cache)
    elsewhere = outside / "elsewhere"
    shutil.copytree(cache / "figures", elsewhere)
    before = sorted(p.name for p in elsewhere.iterdir())
    shutil.rmtree(cache / "figures")
    (cache / "figures").symlink_to(elsewhere, target_is_directory=True)
    monkeypatch.setenv("MGI_REPORT_CACHE", str(cache))
    out = tmp_path / "out.pdf"
    code, err = _build(capsys, clean.content, out)
    assert code == 0, err
    assert out.read_bytes() == clean.pdf
    assert not (cache / "figures").is_symlink() and (cache / "figures").is_dir()
    assert sorted(p.name for p in elsewhere.iterdir()) == before


# ------------------------------------------------------ a cache that cannot be written

def _under(path, root: Path) -> bool:
    try:
        return os.path.abspath(os.fsdecode(path)).startswith(str(root) + os.sep)
    except TypeError:
        return False


def read_only(monkeypatch, root: Path) -> None:
    """The cache folder as on a read-only file system: reading works, nothing is made."""
    real_open, real_mkdir = os.open, os.mkdir

    def guarded_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and _under(path, root):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), path)
        return real_open(path, flags, *args, **kwargs)

    def guarded_mkdir(path, *args, **kwargs):
        if _under(path, root) or os.path.abspath(path) == str(root):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), path)
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(os, "mkdir", guarded_mkdir)
    for name in ("unlink", "replace", "rename", "rmdir"):
        real = getattr(os, name)

        def guarded(path, *args, _real=real, **kwargs):
            if _under(path, root):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), path)
            return _real(path, *args, **kwargs)

        monkeypatch.setattr(os, name, guarded)


def full_disk(monkeypatch, root: Path) -> None:
    """The cache folder's disk full: files are made, but their bytes never land."""
    real_fsync = os.fsync

    def fsync(fd):
        if _under(os.readlink(f"/proc/self/fd/{fd}"), root):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def _one_warning(err: str, cache: Path) -> None:
    lines = [line for line in err.splitlines() if "warning" in line]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"mgi-report: warning: cannot write the cache folder {cache} (")
    assert "internal error" not in err and "Traceback" not in err


@pytest.mark.parametrize("fault", ["read-only", "full disk"])
def test_a_cache_that_cannot_be_written_costs_one_warning(fault, clean, tmp_path, capsys,
                                                          monkeypatch):
    cache = tmp_path / "cache"
    shutil.copytree(clean.cache, cache)
    # Every kind of entry must be made again: a wheel, a figure, the patterns,
    # the templates, the page count, the font configuration.
    for kind in ("wheels", "figures", "hyphenation", "jinja", "pages", "fontconfig"):
        for entry in sorted((cache / kind).iterdir())[:3]:
            entry.unlink()
    monkeypatch.setenv("MGI_REPORT_CACHE", str(cache))
    monkeypatch.delenv(CACHE_WARNED, raising=False)
    monkeypatch.setattr(pyphen, "hdcache", {})
    (read_only if fault == "read-only" else full_disk)(monkeypatch, cache)
    out = tmp_path / "out.pdf"
    code, err = _build(capsys, clean.content, out)
    assert code == 0, err
    _one_warning(err, cache)
    assert ("Read-only" in err) if fault == "read-only" else ("No space left" in err)
    monkeypatch.undo()
    assert out.read_bytes() == clean.pdf


def test_a_batch_warns_once_of_a_cache_it_cannot_write(tmp_path):
    """Every process of `build --all` (the main one, its workers) finds the cache
    folder unusable (its parent is a file): one warning in all."""
    content = make_tree(tmp_path)
    (tmp_path / "file").write_text("not a folder")
    cache = tmp_path / "file" / "cache"
    env = dict(os.environ, MGI_REPORT_CACHE=str(cache), MGI_REPORT_SERVER="off")
    env.pop(CACHE_WARNED, None)
    done = subprocess.run([MGI, "build", "--all", "--content", str(content), "--lang", "en",
                           "--edition", "screen", "--out", str(tmp_path / "out"), "-j", "1"],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    _one_warning(done.stderr, cache)
    assert "Not a directory" in done.stderr
    assert (tmp_path / "out" / "testland-en.pdf").read_bytes()[:5] == b"%PDF-"


# ------------------------------------------------ what WeasyPrint could not load

BROKEN_PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"SECRETPAYLOAD" * 8).decode()


def broken_layout(root: Path, what: str) -> Path:
    """A layout folder whose back cover asks for something WeasyPrint cannot load."""
    parts = root / "layouts" / "parts"
    parts.mkdir(parents=True)
    body = {
        "image": f'<img alt="" src="data:image/png;base64,{BROKEN_PNG}">',
        "svg": '<img alt="" src="data:image/svg+xml,%3Csvg%20xmlns%3D%27http%3A//www.w3.org'
               '/2000/svg%27%3E%3Crect">',
        "font": "<style>@font-face { font-family: Broken; src: url(data:font/ttf;base64,"
                "AAAAAAAA) }</style><p style='font-family: Broken'>Back</p>",
    }[what]
    (parts / "back.html").write_text(f'<section class="back" id="back-cover">{body}</section>',
                                     encoding="utf-8")
    return root / "layouts"


@pytest.mark.parametrize("what", ["image", "svg", "font"])
def test_what_weasyprint_cannot_load_fails_the_build(what, tmp_path, capsys, witnessed):
    content = make_tree(tmp_path)
    layouts = broken_layout(tmp_path, what)
    out = tmp_path / "out.pdf"
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content,
                    "--layouts", layouts, "-o", out)
    assert code == 3, err
    assert not out.exists()
    assert "could not be loaded" in err
    assert {"image": "Failed to load image at 'data:image/png (",
            "svg": "Failed to load image at 'data:image/svg+xml (",
            "font": "Font-face 'Broken' cannot be loaded"}[what] in err
    assert BROKEN_PNG[:24] not in err and "SECRETPAYLOAD" not in err and "%3Crect" not in err
    assert "Traceback" not in err


def test_a_batch_never_writes_an_edition_with_a_missing_picture(tmp_path, capsys):
    content = make_tree(tmp_path)
    layouts = broken_layout(tmp_path, "image")
    out = tmp_path / "out"
    code, err = run(capsys, "build", "--all", "--content", content, "--lang", "en",
                    "--edition", "screen", "--layouts", layouts, "--out", out, "-j", "1")
    assert code == 3, err
    assert "Failed to load image" in err and BROKEN_PNG[:24] not in err
    assert not list(out.glob("*.pdf"))


def test_log_messages_never_carry_a_data_uri():
    payload = base64.b64encode(b"<svg>" + b"private bytes " * 20).decode()
    text = names.shorten(f"Failed to load image at 'data:image/svg+xml;base64,{payload}': x"
                           "\x1b[2J\u202e")
    assert payload[:10] not in text and "\x1b" not in text and "\u202e" not in text
    assert text.startswith("Failed to load image at 'data:image/svg+xml (")
    assert names.shorten("the metadata: kept") == "the metadata: kept"


# ------------------------------------------------------------------ serve


def test_serve_stays_up_and_takes_v_before_the_command(tmp_path):
    """Up past the point where it used to stop itself (its own FONTCONFIG_FILE
    taken for a change), with a damaged fonts.conf; `-v build` goes to it."""
    runtime = Path(tempfile.mkdtemp(prefix="mgi-t-"))
    (tmp_path / "tmp").mkdir()
    env = dict(os.environ, MGI_REPORT_CACHE=str(tmp_path / "cache"),
               XDG_RUNTIME_DIR=str(runtime), TMPDIR=str(tmp_path / "tmp"))
    for name in ("MGI_REPORT_SERVER", "FONTCONFIG_FILE", "FONTCONFIG_PATH", CACHE_WARNED):
        env.pop(name, None)
    content = make_tree(tmp_path)
    log = tmp_path / "server.log"
    proc = subprocess.Popen([MGI, "serve", "--idle", "300"], env=env,
                            stdout=subprocess.DEVNULL, stderr=log.open("w"))
    try:
        deadline = time.monotonic() + 120
        while "ready" not in log.read_text():
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        conf = tmp_path / "cache" / "fontconfig" / "fonts.conf"
        conf.write_bytes(b"\xff\xfe not a configuration")
        time.sleep(3 * server.CHECK_EVERY + 1)  # it stopped at the first check
        assert proc.poll() is None, log.read_text()
        assert "stopped" not in log.read_text()
        done = subprocess.run([MGI, "-v", "build", "testland", "--lang", "en", "--content",
                               str(content), "-o", "served.pdf"], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "built by the resident renderer" in done.stderr
        assert "-v build testland --lang en" in log.read_text()
        assert (tmp_path / "served.pdf").read_bytes()[:5] == b"%PDF-"
        assert proc.poll() is None and "stopped" not in log.read_text()
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(runtime, ignore_errors=True)


# ------------------------------------------------------------------ watch

def test_watch_follows_a_country_folder_deleted_and_made_again(tmp_path, capsys):
    content = make_tree(tmp_path)
    out = tmp_path / "watched.pdf"
    req = builder.Request("testland", "en", content, out)
    stop = threading.Event()
    builds: list[bool] = []

    def counted():
        try:
            path = builder.build(req)
            builds.append(True)
            return path
        except BaseException:
            builds.append(False)
            raise

    def wait_for(n):
        deadline = time.monotonic() + 120
        while len(builds) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(builds) >= n, builds

    paths = watch.sources(content, "testland", "en")
    thread = threading.Thread(target=watch.watch, args=(counted, paths, out, stop, 100))
    thread.start()
    try:
        wait_for(1)
        folder = content / "testland"
        shutil.rmtree(folder)
        wait_for(2)  # the country is gone: the build says so, the PDF stays
        assert builds[1] is False and out.exists()
        first = out.stat().st_mtime_ns
        make_tree(tmp_path)  # made again
        wait_for(3)
        assert builds[2] is True and out.stat().st_mtime_ns != first
        second = out.stat().st_mtime_ns
        en = folder / "en.yaml"
        en.write_text(en.read_text().replace("Testland", "Testlandia"))  # a save in it
        wait_for(4)
        assert builds[3] is True and out.stat().st_mtime_ns != second
    finally:
        stop.set()
        thread.join(60)
    assert not thread.is_alive()
    assert "stopped watching" in capsys.readouterr().err
    assert len(builds) <= 6  # one build per batch of changes, none for the PDF itself
