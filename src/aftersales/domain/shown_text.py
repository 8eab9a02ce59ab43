"""Text a person typed, shown without what would drive or reorder the page or terminal it is shown on.

Why one module: the CLI's error lines (``cli/terminal_text``), the rule a rendered refusal quotes
(:func:`aftersales.i18n.render_error`), the cells of text, Markdown and HTML pages
(``reports.document``) and the identifiers an actor may carry (``service.actors``) each met the same
characters — an escape sequence (``\\x1b[2J`` clears a screen) or a bidi override (``\\u202e`` reorders
what follows, so a page shows what was not written) — and had grown their own copy of the same escape.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["BIDI_CONTROLS", "bidi_shown", "controls_shown"]

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
"""Bidi embedding, override and isolate controls (U+202A-202E, U+2066-2069)."""

_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Controls, format characters (bidi overrides), surrogates, private and unassigned code points, line and
paragraph separators. Spaces stay: Babel writes times with a narrow no-break space."""


def controls_shown(text: str) -> str:
    """``text`` with each control or format character (``\\x1b``, ``\\n``, ``\\u202e``…) written as its
    Python escape; Chinese text and spaces unchanged (for one line of a terminal or a sentence)."""
    if text.isprintable():
        return text
    return "".join(
        c.encode("unicode_escape", "backslashreplace").decode("ascii")
        if unicodedata.category(c) in _CONTROL_CATEGORIES
        else c
        for c in text
    )


def bidi_shown(text: str) -> str:
    """``text`` with each bidi control written as its escape (``\\u202e``), line breaks kept (for a page's
    cell, which may hold several lines)."""
    return (
        BIDI_CONTROLS.sub(lambda found: f"\\u{ord(found.group()):04x}", text) if not text.isascii() else text
    )
