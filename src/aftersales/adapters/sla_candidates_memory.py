"""The SLA sweep's candidates in the memory store: the ledger page's rows, with each customer's tier."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from aftersales.domain.parties import Customer, CustomerTier
from aftersales.errors import NotFound
from aftersales.ports.sla_candidates import SlaCandidate
from aftersales.ports.ticket_index import TicketRow

__all__ = ["candidates"]


class _Customers(Protocol):
    def get(self, id: str) -> Customer: ...


def candidates(customers: _Customers, rows: Iterable[TicketRow]) -> list[SlaCandidate]:
    """One candidate per row, its tier read from ``customers`` (regular when not registered)."""
    tiers: dict[str, CustomerTier] = {}
    found: list[SlaCandidate] = []
    for row in rows:
        tier = tiers.get(row.customer_id)
        if tier is None:
            try:
                tier = customers.get(row.customer_id).tier
            except NotFound:
                tier = CustomerTier.REGULAR
            tiers[row.customer_id] = tier
        found.append(SlaCandidate(row.id, row.version, tier, row.resolution_due_us))
    return found
