"""Text cells a spreadsheet opens as text, never as a formula (CSV and formula injection).

A ledger's text comes from customers and staff: a fault description that starts with ``=`` (or ``+``,
``-``, ``@``, a tab or a carriage return, which spreadsheet programs also read as the start of a formula)
would run when a manager opens the export in Excel or WPS, e.g. ``=HYPERLINK("http://…", "点击")``
leaking the sheet or fetching a URL. CSV has no cell types, so such a text is written with a leading
apostrophe (the spreadsheet's own mark for "this is text"), which a reader sees and a program may
strip; numbers (amounts, rates, hours) are not text cells and are written as they are, negative
amounts included. XLSX cells are typed: a text cell is written as a string, whatever it starts with.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["FORMULA_STARTS", "spreadsheet_column", "spreadsheet_text"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a cell as a formula."""


def spreadsheet_text(text: str) -> str:
    """``text`` for a CSV cell: with a leading apostrophe when it would start a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def spreadsheet_column(values: Iterable[object]) -> list[object]:
    """A column of a CSV page with its text cells made safe (other values kept as they are)."""
    return ["'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v for v in values]
