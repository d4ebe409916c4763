"""Names and texts from outside, as a terminal or a log may show them: never a
control character or a byte of a ``data:`` URI."""

from __future__ import annotations

import re
import unicodedata

_DATA_URI = re.compile(r"\bdata:([\w.+/-]*)[^\s'\")]*")


def shorten(text: str, limit: int = 300) -> str:
    """A message fit to print: a ``data:`` URI as its type and size (never its
    bytes), control characters escaped, at most ``limit`` characters."""
    text = _DATA_URI.sub(lambda m: f"data:{m[1] or 'text/plain'} ({len(m[0]):,} bytes)", text)
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else
                   f"\\u{ord(c):04x}" for c in text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


#: Unicode categories never shown raw on a terminal: controls (C0, C1), format
#: characters (bidi controls, zero-width ones), surrogates (undecodable bytes of
#: a file name), unassigned code points, line and paragraph separators.
_UNSHOWN = frozenset(("Cc", "Cf", "Cs", "Cn", "Zl", "Zp"))


def printable_name(name: object) -> str:
    """A name from outside (a file name, a manifest's entry) as a terminal or log
    may show it: every control, format or bidi character and separator escaped
    as Python writes it (``\\x1b``, ``\\u202e``, ``\\n``), and backslashes doubled,
    so the escapes are unambiguous; anything else as it is."""
    out = []
    for ch in str(name):
        if ch == "\\":
            out.append("\\\\")
        elif unicodedata.category(ch) in _UNSHOWN:
            out.append(ascii(ch)[1:-1])
        else:
            out.append(ch)
    return "".join(out)
