"""Error lines the command line writes, with the caller's control characters shown, not sent.

Why: a usage error quotes what was typed (``--period``, ``--amount``, the ``--db`` file name), and a
value holding an escape sequence (``\\x1b[2J`` clears the screen, others retitle the window or fake
earlier output) reached the terminal as is — a script passing a file name it did not choose could
drive the operator's terminal. Each control or format character is written as its Python escape.
"""

from __future__ import annotations

import unicodedata

__all__ = ["printable"]

_SHOWN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Controls, format characters (bidi overrides reorder what follows), surrogates, private and unassigned
code points, line and paragraph separators. Spaces stay: Babel writes times with a narrow no-break space."""


def printable(text: str) -> str:
    """``text`` with each control or format character (``\x1b``, ``\n``, ``\u202e``…) escaped."""
    if text.isprintable():
        return text
    return "".join(
        c.encode("unicode_escape", "backslashreplace").decode("ascii")
        if unicodedata.category(c) in _SHOWN
        else c
        for c in text
    )
