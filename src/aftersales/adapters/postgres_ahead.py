"""Reads a PostgreSQL read-ahead adds to those a command named: the unit's dealer's documents (issue 21).

A command opening a ticket on a unit names its reads ahead (:mod:`aftersales.ports.read_ahead`): the
customer, the unit, the contracts of the customer. Which contracts cover the unit also depends on
those of the unit's dealer (``ContractDesk.covering`` asks ``documents.query(ServiceContract,
dealer_id=<the unit's dealer>)``), and the dealer is known only once the unit is read: that query
was a round trip of its own (session 28: an intake on a unit sold by a dealer took three round trips,
four with an idempotency key). So wherever a read-ahead names a unit and a query of a document class
indexed by ``dealer_id``, the same query by the unit's dealer is read in the same round trip, and its
answer is kept under the very statement and parameters ``documents.query`` will run (a write ends it,
as every read made ahead). The subquery takes the dealer from the unit's row as that statement reads
it: the answer is the one a read a moment later in the same transaction could have had.

Likewise a document read ahead by id brings along the document one of its fields names
(:data:`FOLLOWED`): a batch's fault tally names the quality incident raised on the batch, which a fault
record on a unit of that batch reads next (its complaints join the incident, seed 004 第七条 5(2)): a
round trip of its own on every fault record in a batch with an incident (session 38). It is kept as
what the tally's read brought along (``Transaction.keep_along``): a write of another kind of document
(the unit's insert) leaves it, one naming incidents drops it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aftersales.serialization import decode_json

__all__ = ["DEALER_FIELD", "FOLLOWED", "by_unit_dealer", "dealer_rows", "followed_read", "followed_row"]

DEALER_FIELD = "dealer_id"
"""The index field a unit's dealer is matched on."""

_BY_UNIT_DEALER = (
    "SELECT a.data->>'dealer_id', (SELECT json_agg(json_build_array(d.version, d.data) ORDER BY d.id)::text"
    " FROM document_index l CROSS JOIN documents d WHERE l.kind = %s AND l.field = 'dealer_id'"
    " AND l.value = a.data->>'dealer_id' AND d.kind = l.kind AND d.id = l.id)"
    " FROM entities a WHERE a.kind = 'asset' AND a.id = %s"
)
"""The unit's dealer and the documents of a kind indexed under it (``[version, data]`` pairs by id)."""


def by_unit_dealer(kind: str, asset_id: str) -> tuple[str, tuple[str, str]]:
    """The read of the documents of ``kind`` indexed by the dealer of the unit ``asset_id``."""
    return _BY_UNIT_DEALER, (kind, asset_id)


def dealer_rows(found: Sequence[Any] | None) -> tuple[str, list[tuple[int, Any]]] | None:
    """From :func:`by_unit_dealer`'s row: the unit's dealer and the ``(version, data)`` rows of its
    documents, as ``documents.query`` reads them (``None``: no such unit, or a unit of no dealer)."""
    if found is None or found[0] is None:
        return None
    pairs = decode_json(found[1]) if found[1] is not None else []
    return str(found[0]), [(int(version), data) for version, data in pairs]


FOLLOWED = {"batch_fault_tally": ("incident_id", "quality_incident")}
"""Document kinds whose read ahead by id brings along the document a field of theirs names: kind ->
(field, the named document's kind) (``BatchFaultTally.incident_id``; a test holds them so)."""

_FOLLOWED = (
    "SELECT t.data->>%s, (SELECT d.version::text || ' ' || d.data::text FROM documents d"
    " WHERE d.kind = %s AND d.id = t.data->>%s) FROM documents t WHERE t.kind = %s AND t.id = %s"
)
"""The id a document's field names and that document's version and JSON (one text), or NULLs."""


def followed_read(kind: str, id_: str) -> tuple[str, tuple[str, ...]] | None:
    """The read of the document that document ``kind``/``id_``'s field names (``None``: a kind naming
    none, :data:`FOLLOWED`)."""
    followed = FOLLOWED.get(kind)
    if followed is None:
        return None
    field, named = followed
    return _FOLLOWED, (field, named, field, kind, id_)


def followed_row(found: Sequence[Any] | None) -> tuple[str, str | None] | None:
    """From :func:`followed_read`'s row: the id named and that document's version and JSON as one text
    (``None``: not stored), as ``documents.keep_along`` takes them; ``None``: no such document, or its
    field is empty."""
    if found is None or found[0] is None:
        return None
    return str(found[0]), None if found[1] is None else str(found[1])
