"""The layouts' templates: one sandboxed Jinja environment per layout search path and language.

Templates are found through one loader with an ordered search path (user
layout folders first, then the built-in ``layouts/``), so a single template
can be overridden without copying the rest. A layout may come from anyone, so
it runs in Jinja's immutable sandbox, reads only inside its folders, and may
not make huge values; its compiled form is kept in ``.cache/jinja``. Whatever
goes wrong while rendering is a LayoutError naming the template and line
(``layout_errors``). Apart from ``profile`` (what the templates are given).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from pathlib import Path

import jinja2
import jinja2.sandbox
from markupsafe import Markup

from ..errors import RenderError
from ..files import cachefile
from ..resources import LAYOUTS, cache_folder
from ..text import bidi, i18n


class BytecodeCache(jinja2.BytecodeCache):
    """Compiled templates on disk (``.cache/jinja``), one entry per template,
    filed under its name and a digest of its source (Jinja's bucket key and
    checksum): a fresh process skips compiling them; an edited template is
    compiled again. Entries pass cachefile's checks before Jinja reads them
    (Jinja's own file cache unpickles whatever it finds), and a cache that
    cannot be written is skipped with cachefile's one warning."""

    MAX = 8 << 20  # the largest compiled template read back (they are a few KB)

    def __init__(self, root: Path):
        self.root = root

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = cachefile.read(self.root, "jinja", f"{bucket.key}.bc",
                              f"{bucket.key}-{bucket.checksum}", self.MAX)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        cachefile.write(self.root, "jinja", f"{bucket.key}.bc",
                        f"{bucket.key}-{bucket.checksum}", bucket.bytecode_to_string())


class LayoutError(RenderError):
    """A layout that cannot be rendered: a syntax error, or something refused."""


class ConfinedLoader(jinja2.FileSystemLoader):
    """Templates from the search path only: a template (or a folder on the way to
    it) that is a link to anywhere outside its layout folder is refused."""

    def get_source(self, environment: jinja2.Environment, template: str):
        from jinja2.loaders import split_template_path

        pieces = split_template_path(template)  # refuses `..`
        for root in self.searchpath:  # the one Jinja would read, checked before it is read
            candidate = Path(root, *pieces)
            if candidate.is_file():
                real = candidate.resolve()
                if not real.is_relative_to(Path(root).resolve()):
                    raise jinja2.sandbox.SecurityError(
                        f"the template {template} is a link to {real}, outside the layout "
                        "folders")
                break
        return super().get_source(environment, template)


#: The longest text or list a layout expression may make (``"x" * n``, ``[0] * n``).
MAX_LAYOUT_VALUE = 1_000_000


class Sandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox: no Python internals, no mutation of what the
    template is given, no unsafe string formatting; and no operator that makes
    a huge value (a layout may come from anyone)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise jinja2.sandbox.SecurityError(f"the power ** {right} is too large")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and \
                        len(seq) * n > MAX_LAYOUT_VALUE:
                    raise jinja2.sandbox.SecurityError(
                        f"a value of {len(seq) * n:,} items is too large "
                        f"(the limit is {MAX_LAYOUT_VALUE:,})")
        return super().call_binop(context, operator, left, right)


@functools.lru_cache(maxsize=16)
def environment(layouts: tuple[Path, ...], lang: str,
                cache: Path | None = None) -> jinja2.Environment:
    env = Sandbox(
        loader=ConfinedLoader([*map(str, layouts), str(LAYOUTS)]),
        bytecode_cache=BytecodeCache(cache or cache_folder()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["css_string"] = css_string
    env.filters["ltr"] = lambda text: bidi.isolate(str(text), lang)  # runs as written
    return env


def css_string(text: str) -> Markup:
    """A CSS string literal (safe inside <style>: no quote, backslash or '<' left raw)."""
    out = []
    text = text.unescape() if isinstance(text, Markup) else str(text)
    for ch in text:
        if ch in '"\\<>&' or ord(ch) < 32:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return Markup('"' + "".join(out) + '"')


@contextlib.contextmanager
def layout_errors() -> Iterator[None]:
    """Rendering a layout: any error it makes becomes a LayoutError that names
    the template and line."""
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name}:{exc.lineno}"
        raise LayoutError(f"{where}: template syntax error: {exc.message}") from exc
    except jinja2.sandbox.SecurityError as exc:
        raise LayoutError(f"{_template_line(exc)}: the layout tried something the sandbox "
                          f"does not allow: {exc}") from exc
    except jinja2.TemplateError as exc:
        raise LayoutError(f"{_template_line(exc)}: {type(exc).__name__}: {exc}") from exc
    except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
        raise LayoutError(f"{_template_line(exc)}: the layout failed: "
                          f"{type(exc).__name__}: {exc}") from exc


def _template_line(exc: BaseException) -> str:
    """``template:line`` of the innermost template frame of an error raised while
    rendering (Jinja rewrites the traceback so that its frames are the templates')."""
    where = "the layout"
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".html", ".css", ".htm", ".xml", ".svg", ".txt")) or \
                name == "<template>":
            where = f"{shown_template(name)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def shown_template(filename: str) -> str:
    """A template's path as a message shows it (relative to the working folder)."""
    try:
        return str(Path(filename).relative_to(Path.cwd()))
    except ValueError:
        return filename
