"""A ticket number typed as people type it: ``SR2026000001`` is ``SR-2026-000001``.

The desk numbers tickets ``<PREFIX>-<year>-<n>`` (:mod:`aftersales.service.numbering`) and the search
index keeps a number written (``sr-2026-000001``) and as its digits (``2026000001``). A number read off a
phone call or a slip is often typed without its dashes, or with only one: that spelling occurs in
neither form, so the search found nothing (session 34). A query term of that shape (two or three letters,
a year, six digits or more; full-width already made ASCII by NFKC) is read as the number written.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["spelt_number"]

_DASH = "[-\u2010-\u2015]?"  # a hyphen, or the en or em dash a word processor made of it (NFKC keeps them)
_UNDASHED: Final = re.compile(rf"([a-z]{{2,3}}){_DASH}((?:19|20)[0-9]{{2}}){_DASH}([0-9]{{6,}})", re.ASCII)


def spelt_number(term: str) -> str:
    """``term`` (normalised: NFKC, case-folded) as the desk writes a ticket number, if it is one typed
    without some of its dashes or with other dashes (``sr2026000001``, ``sr-2026000001``, ``sr–2026–000001``
    → ``sr-2026-000001``); else ``term``."""
    found = _UNDASHED.fullmatch(term)
    return f"{found[1]}-{found[2]}-{found[3]}" if found else term
