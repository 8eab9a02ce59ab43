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
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aftersales.serialization import decode_json

__all__ = ["DEALER_FIELD", "by_unit_dealer", "dealer_rows"]

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
