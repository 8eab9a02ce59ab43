"""An identifier as people type it without its separators: ``SN-1`` found by ``sn1`` (issue 23).

A dealer reads a serial off a unit's plate and types it as it comes, often without its dashes, slashes,
dots or spaces (``SN-2026/0001`` → ``sn20260001``). Search matches a term against the start or the end
of each identifier, so the search document also holds each code's *compact* form: its letters and
digits only. Only codes mixing letters and digits get one (a serial, a batch): a phone is indexed as its
digits already, and a ticket number typed without its dashes is read as written by the query
(:func:`~aftersales.ports.ticket_number_terms.spelt_number`). Derived from what a search row stores, so
a row written before is re-keyed from itself (:mod:`aftersales.adapters.search_fold_step`), no ticket read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aftersales.ports.ticket_number_terms import spelt_number

__all__ = ["compact_form", "compact_keys", "document_identifiers", "with_compact_forms"]


def compact_form(identifier: str) -> str | None:
    """``identifier`` (normalised) without its separators, when that is another code mixing letters and
    digits and not a ticket number the query reads as written; else ``None``."""
    compact = "".join(ch for ch in identifier if ch.isalnum())
    if compact == identifier or not any(ch.isdigit() for ch in compact):
        return None
    if not any(ch.isalpha() for ch in compact) or spelt_number(compact) == identifier:
        return None
    return compact


def with_compact_forms(identifiers: Sequence[str]) -> tuple[str, ...]:
    """``identifiers`` then the compact forms they lack, each once, in order."""
    compacts = (compact_form(i) for i in identifiers)
    return tuple(dict.fromkeys([*identifiers, *(c for c in compacts if c)]))


def compact_keys(keys: Iterable[str], identifiers: Iterable[str]) -> set[str]:
    """The compact forms of the exact keys that are identifiers (a serial ranks first typed either way;
    a customer's name, a key kept in the text, gets none)."""
    idents = set(identifiers)
    return {c for k in keys if k in idents and (c := compact_form(k)) is not None}


def document_identifiers(
    identifiers: Iterable[str], keys: Iterable[str]
) -> tuple[tuple[str, ...], frozenset[str]]:
    """A search document's identifiers and exact keys as stored (blanks dropped, each once, in order),
    with their compact forms: one derivation for a single write and a bulk import alike."""
    idents = with_compact_forms(tuple(dict.fromkeys(i for i in identifiers if i)))
    kept = {k for k in keys if k}
    return idents, frozenset(kept | compact_keys(kept, idents))
