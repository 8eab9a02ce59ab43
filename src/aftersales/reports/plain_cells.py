"""Table cells as the Markdown and text renderers write them: on one line, and Markdown taken literally.

A cell may hold what a person wrote: a customer's comment or grievance at a callback (the monthly
feedback's opinions), a dealer's or product's name a host registered. A line break in it ended the
Markdown table's row there (the rest of the cell fell out of the table as a paragraph) and broke the text
table's columns; markup in it (``<script>``, ``[link](javascript:…)``, ``*``) was Markdown or HTML to
whatever renders the Markdown. These functions make the cell one line and, for Markdown, text that
renders as typed (CommonMark and Python-Markdown alike: HTML's ``< > &`` as entities, the other marks
backslash-escaped).
"""

from __future__ import annotations

import re

__all__ = ["markdown_text", "one_line"]

_BREAKS = re.compile(r"\r\n|[\r\n\t\v\f\x85\u2028\u2029]")
_MARKS = re.compile(r"([\\`*_\[\]|~])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def one_line(text: str) -> str:
    """``text`` with each line break or tab a space: a table row is one line."""
    return _BREAKS.sub(" ", text)


def markdown_text(text: str) -> str:
    """``text`` on one line, written so that Markdown shows it as typed (no HTML, links or emphasis)."""
    escaped = _MARKS.sub(r"\\\1", one_line(text))
    return "".join(_ENTITIES.get(ch, ch) for ch in escaped)
