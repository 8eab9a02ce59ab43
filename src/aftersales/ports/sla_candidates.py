"""What the SLA sweep reads of each candidate ticket: enough to skip it without loading the ticket.

A sweep run every few minutes reads thousands of unresolved tickets whose clocks run; for most of them
nothing is new since the last run (the same version, the same customer tier, no warning or due instant
reached). Parsing each of them was three quarters of a repeat sweep. The stores answer the sweep's page
from the row and its indexes instead (:meth:`~aftersales.ports.repositories.TicketRepository.sla_candidates`),
and the sweep loads a ticket only when it must measure it.
"""

from __future__ import annotations

from typing import NamedTuple

from aftersales.domain.parties import CustomerTier

__all__ = ["TIERS", "SlaCandidate", "tier_named"]


class SlaCandidate(NamedTuple):
    """One ticket of an SLA sweep's page: its id and version, its customer's tier now (regular when the
    customer is not registered), and its stored resolution due instant in µs since the epoch (``None``
    when it has none yet).

    A named tuple, not an attrs class: a sweep over 1 M tickets builds some 200k of them per run, and
    a frozen attrs instance cost about 1 µs more each (a third of reading the rows).
    """

    id: str
    version: int
    tier: CustomerTier
    due_us: int | None


TIERS: dict[object, CustomerTier] = {tier.value: tier for tier in CustomerTier}
"""Each tier by its stored text: ``TIERS.get(value, CustomerTier.REGULAR)`` is :func:`tier_named` for
any hashable ``value`` (what a database returns), without a call per row."""


def tier_named(value: object) -> CustomerTier:
    """The tier stored as ``value`` (a customer document's ``tier``); regular when absent or unknown,
    as for a customer that is not registered."""
    found = TIERS.get(value) if isinstance(value, str) else None
    return found if found is not None else CustomerTier.REGULAR
