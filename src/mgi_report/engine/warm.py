"""What a process loads once and keeps: hyphenation dictionaries, imports.

pyphen parses a ``hyph_*.dic`` file the first time a language is hyphenated
(German: about half a second) and keeps the result for the life of the
process. ``hyphenation()`` puts the parsed patterns in pyphen's own
per-process cache up front, read from a disk cache in the cache folder
(``.cache/hyphenation``; marshal, like Python's own ``__pycache__``) when
they were parsed before; the patterns are the same either way, so the PDF is
too. An entry is filed under a digest of the dictionary's bytes (and pyphen's
and marshal's versions) and used only if it passes cachefile's checks, so a
damaged or swapped one is parsed again, never another language's patterns.
``warm_worker()`` is the batch workers' initializer.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
from collections.abc import Iterable
from pathlib import Path

from ..files import cachefile
from ..files.writes import CACHE_WARNED
from ..resources import cache_folder

LOG = logging.getLogger("mgi_report")
FORMAT = 1
MAX_CACHED = 64 << 20  # the largest entry read back (German's patterns: about 3 MB)


def _dictionary_path(lang: str) -> Path | None:
    """The .dic file pyphen (and so WeasyPrint) uses for a language, if any."""
    import pyphen

    fallback = pyphen.language_fallback(lang)
    return pyphen.LANGUAGES.get(fallback) if fallback else None


def _cache_entry(path: Path) -> tuple[str, str]:
    """(file name, key) of a dictionary's entry: the key digests the
    dictionary's bytes and the versions of the code that parsed them."""
    from importlib.metadata import version

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    key = hashlib.sha256(repr((FORMAT, marshal.version, version("pyphen"), path.name,
                               digest)).encode()).hexdigest()[:32]
    return f"{path.stem}-{key[:16]}.marshal", key


def _dump(hd) -> bytes:
    """A parsed HyphDict as plain data: its attributes, DataInt values spelled out."""
    import pyphen

    plain: dict[str, tuple] = {}
    special: dict[str, tuple] = {}
    for key, (start, values) in hd.patterns.items():
        if any(isinstance(v, pyphen.DataInt) for v in values):
            special[key] = (start, tuple(
                (int(v), *v.data) if isinstance(v, pyphen.DataInt) and v.data else
                (int(v),) if isinstance(v, pyphen.DataInt) else v for v in values))
        else:
            plain[key] = (start, values)
    attrs = {k: v for k, v in vars(hd).items() if k not in ("patterns", "cache")}
    return marshal.dumps({"format": FORMAT, "attrs": attrs, "patterns": plain,
                          "special": special})


def _load(data: bytes):
    import pyphen

    obj = marshal.loads(data)
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise ValueError("not a hyphenation cache of this format")
    patterns = obj["patterns"]
    for key, (start, values) in obj["special"].items():
        patterns[key] = (start, tuple(
            pyphen.DataInt(v[0], tuple(v[1:]) if len(v) > 1 else None)
            if isinstance(v, tuple) else v for v in values))
    hd = object.__new__(pyphen.HyphDict)
    for name, value in obj["attrs"].items():
        setattr(hd, name, value)
    hd.patterns = patterns
    hd.cache = {}
    return hd


def hyphenation(langs: Iterable[str], cache: Path | None = None) -> None:
    """Load the hyphenation dictionaries of ``langs`` into pyphen's process cache.

    From the disk cache when it holds them, else parsed (and then stored);
    a language pyphen has no dictionary for is left alone.
    """
    import pyphen

    root = cache or cache_folder()
    for lang in dict.fromkeys(langs):
        path = _dictionary_path(lang)
        if path is None or path in pyphen.hdcache:
            continue
        try:
            name, key = _cache_entry(path)
        except OSError:
            continue  # pyphen reports a dictionary it cannot read, as it would without us
        data = cachefile.read(root, "hyphenation", name, key, MAX_CACHED)
        if data is not None:
            try:
                pyphen.hdcache[path] = _load(data)
                continue
            except Exception:  # noqa: BLE001  (our own bytes, whole: a bug, so parse)
                LOG.debug("the %s hyphenation cache could not be loaded", lang)
        hd = pyphen.HyphDict(path)
        pyphen.hdcache[path] = hd
        try:
            data = _dump(hd)
        except ValueError:
            LOG.debug("could not store the %s hyphenation cache", lang)
            continue
        cachefile.write(root, "hyphenation", name, key, data)


def warm_worker(langs: tuple[str, ...], cache: Path | None, cwd: str | None = None) -> None:
    """Initializer of a batch worker: import WeasyPrint, load what every PDF needs.

    ``cwd``: the parent's working folder, so that relative paths mean the same.
    matplotlib is deliberately not imported: workers read drawn wheels from
    the cache, which the parent fills before any PDF is rendered.
    """
    if cwd is not None:
        os.chdir(cwd)
    logging.basicConfig(format="mgi-report: %(message)s", level=logging.WARNING)
    # A cache folder that cannot be written is the batch's to warn of, once
    # (writes.cache_unwritable), not every worker's.
    root = str(cache or cache_folder())
    os.environ[CACHE_WARNED] = os.pathsep.join(
        [*filter(None, os.environ.get(CACHE_WARNED, "").split(os.pathsep)), root])
    import gc
    from multiprocessing import util

    # A worker ends with os._exit, so WeasyPrint's last font folders (removed
    # when their objects are collected) would stay in the temporary folder.
    util.Finalize(None, gc.collect, exitpriority=0)
    import weasyprint  # noqa: F401  (about half a second, once per worker)

    from ..text import i18n

    hyphenation(langs, cache)
    for lang in langs:
        try:
            i18n.translations(lang)
        except Exception:  # reported by the build of each profile  # noqa: BLE001
            pass
