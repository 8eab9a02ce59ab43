"""The spellings a folded search term has in text not folded yet, for a search during a pending fold.

An upgrade's fold (:mod:`.search_fold_step`) re-keys the search rows stored before traditional Chinese was
folded, in batches; until it reaches a row, the row holds the term in one of its unfolded spellings. A
search reads those rows for every spelling (both stores), so it is right while the fold runs and need not
wait for it (session 36 PostgreSQL, session 38 SQLite). Text the fold has reached, or written since, holds
no character the fold maps (folding twice is folding once), so looking for a spelling there finds nothing
wrong.
"""

from __future__ import annotations

import functools
import itertools
import math
import sqlite3

from aftersales.ports.script_folding import folding_table

__all__ = ["UNFOLDED_FORMS", "pending_fold_sqlite", "term_translation", "unfolded_forms", "window_forms"]


def pending_fold_sqlite(conn: sqlite3.Connection) -> int | None:
    """The last search position folded while a SQLite file's fold is pending (rows after it may hold
    traditional characters), else None (done, or a file without the fold's table)."""
    try:
        row = conn.execute("SELECT after_pos, done FROM search_fold_backfill WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # no such table: a file the step has not reached
        return None
    return None if row is None or row[1] else int(row[0])


UNFOLDED_FORMS = 32
"""The most spellings of a query term a search looks for in rows a pending fold has not reached (a
term of four characters with two spellings each has 16); beyond, those rows are read folded."""


@functools.cache
def _spellings() -> dict[str, tuple[str, ...]]:
    """Each character the fold gives, and the characters folded to it."""
    found: dict[str, list[str]] = {}
    for source, to in folding_table().items():
        found.setdefault(to, []).append(chr(source))
    return {to: tuple(sorted(sources)) for to, sources in found.items()}


def unfolded_forms(term: str) -> tuple[str, ...] | None:
    """Every text that folds to ``term`` (a folded query term), ``term`` first; None when there are
    more than :data:`UNFOLDED_FORMS`. A row not folded yet holds the term as one of them."""
    spellings = _spellings()
    choices = [(ch, *spellings.get(ch, ())) for ch in term]
    if math.prod(len(choice) for choice in choices) > UNFOLDED_FORMS:
        return None
    return tuple("".join(chars) for chars in itertools.product(*choices))


def window_forms(term: str) -> tuple[str, ...]:
    """The spellings of the longest part of ``term`` that has at most :data:`UNFOLDED_FORMS` (a row
    not folded yet that holds ``term`` holds one of them): what narrows the rows a search reads through
    ``translate()`` to the few that may match."""
    for size in range(len(term), 0, -1):
        for start in range(len(term) - size + 1):
            forms = unfolded_forms(term[start : start + size])
            if forms is not None:
                return forms
    return (term,)  # an empty term: nothing narrows it


def term_translation(term: str) -> tuple[str, str]:
    """The fold of the characters that fold to one of ``term``'s, as the two strings of SQL's
    ``translate(text, from, to)``: a text holds ``term`` folded exactly where it holds it translated so
    (the term's own characters fold to themselves). A search reads the rows a pending fold has not
    reached through it for a term of more spellings than :data:`UNFOLDED_FORMS`, on the rows holding
    a spelling of a part of it (:func:`window_forms`). The whole table (3,000 characters, scanned per
    character of the text) made it some 3 ms a row; the term's few, microseconds."""
    spellings = _spellings()
    pairs = [(source, ch) for ch in dict.fromkeys(term) for source in spellings.get(ch, ())]
    return "".join(source for source, _ in pairs), "".join(ch for _, ch in pairs)
