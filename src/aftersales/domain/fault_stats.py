"""Fault statistics learnt from the ledger: per product and symptom, which cause and action fixed it.

Seed 002 records every fault as 故障描述 → 故障原因 → 处理措施 and asks for their statistics to improve
products and service. Here the fault records of *closed* tickets are tallied per ``(product, symptom)``
into one small :class:`FaultStats` document, incrementally: suggesting causes for a new ticket reads
one document, however many records the ledger holds. Each tally counts the tickets where the
``(cause, action)`` pair was recorded and, of those, the first-time fixes — tickets closed without
a reject or reopen. Ranking weighs a first-time fix double (``score = count + first_time_fixes``): a
fix that held is worth more than one that needed rework, but frequent causes still surface.

A ticket's contribution is remembered (:class:`TicketLearning`) so learning is idempotent and a
ticket reopened and closed again replaces its old contribution instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import ClassVar

import attrs

from aftersales.domain.text import code, required_text
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.domain.work import aware
from aftersales.errors import ValidationError

__all__ = [
    "ALL_PRODUCTS",
    "REWORK_ACTIONS",
    "FaultContribution",
    "FaultStats",
    "FaultTally",
    "TicketLearning",
    "contributions_of",
    "first_time_fix",
    "stats_id",
]

ALL_PRODUCTS = "*"
"""The product key of the tallies over every product (for tickets without a known product)."""
REWORK_ACTIONS = frozenset({"reject", "reopen"})
"""Ticket events that mean the first fix did not hold."""


def stats_id(product_id: str, symptom: str) -> str:
    """The document id of the tallies of ``symptom`` on ``product_id``."""
    return f"{product_id}|{symptom}"


def _count(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(
            f"{attribute.name} must be a non-negative integer", field=attribute.name, rule="non_negative"
        )


@attrs.frozen
class FaultTally:
    """How many closed tickets had ``symptom`` fixed by ``cause`` → ``action``, and how many first time."""

    cause: str = attrs.field(validator=code)
    action: str = attrs.field(validator=code)
    count: int = attrs.field(default=0, validator=_count)
    first_time_fixes: int = attrs.field(default=0, validator=_count)

    def __attrs_post_init__(self) -> None:
        if self.first_time_fixes > self.count:
            raise ValidationError("first-time fixes cannot exceed the count", field="first_time_fixes")

    @property
    def score(self) -> int:
        """The ranking weight: every fix counts once, a first-time fix twice."""
        return self.count + self.first_time_fixes

    @property
    def first_time_rate(self) -> float:
        """Share of first-time fixes (a display figure, not money)."""
        return self.first_time_fixes / self.count if self.count else 0.0


@attrs.define
class FaultStats:
    """The tallies of one ``(product, symptom)``: a document, updated as tickets close."""

    DOCUMENT_KIND: ClassVar[str] = "fault_stats"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("product_id",)

    id: str
    product_id: str = attrs.field(validator=required_text(64))
    symptom: str = attrs.field(validator=code)
    tallies: list[FaultTally] = attrs.field(factory=list)
    version: int = 0

    @classmethod
    def empty(cls, product_id: str, symptom: str) -> FaultStats:
        """No tallies yet for ``symptom`` on ``product_id``."""
        return cls(stats_id(product_id, symptom), product_id, symptom)

    @property
    def tickets(self) -> int:
        """Fault records counted (one per ticket and cause/action pair)."""
        return sum(t.count for t in self.tallies)

    def add(self, cause: str, action: str, *, first_time: bool, times: int = 1) -> None:
        """Count ``times`` more tickets fixed by ``cause`` → ``action`` (negative ``times`` un-counts)."""
        for index, tally in enumerate(self.tallies):
            if tally.cause == cause and tally.action == action:
                updated = FaultTally(
                    cause, action, tally.count + times, tally.first_time_fixes + (times if first_time else 0)
                )
                if updated.count:
                    self.tallies[index] = updated
                else:
                    del self.tallies[index]
                return
        if times < 0:
            raise ValidationError(f"no tally of {cause}/{action} to remove", field="times")
        self.tallies.append(FaultTally(cause, action, times, times if first_time else 0))

    def ranked(self, limit: int | None = None) -> list[FaultTally]:
        """Tallies best first: score, then count, then codes (so equal scores order the same everywhere)."""
        ordered = sorted(self.tallies, key=lambda t: (-t.score, -t.count, t.cause, t.action))
        return ordered if limit is None else ordered[:limit]


@attrs.frozen
class FaultContribution:
    """One ticket's part in the statistics: this symptom, on this product, fixed by this cause/action."""

    product_id: str
    symptom: str
    cause: str
    action: str


def first_time_fix(ticket: Ticket) -> bool:
    """True when ``ticket`` was never rejected or reopened: its first fix held."""
    return not any(e.action in REWORK_ACTIONS for e in ticket.events)


def contributions_of(ticket: Ticket) -> tuple[FaultContribution, ...]:
    """What a *closed* ticket adds to the statistics (nothing for any other state).

    Each distinct ``(symptom, cause, action)`` counts once per ticket, under the ticket's product and
    under :data:`ALL_PRODUCTS`.
    """
    if ticket.state != TicketState.CLOSED:
        return ()
    products = (ticket.product_id, ALL_PRODUCTS) if ticket.product_id else (ALL_PRODUCTS,)
    seen: dict[FaultContribution, None] = {}
    for record in ticket.fault_records:
        for product in products:
            seen[FaultContribution(product, record.symptom, record.cause, record.action)] = None
    return tuple(seen)


def _contributions(value: Iterable[FaultContribution]) -> tuple[FaultContribution, ...]:
    return tuple(value)


@attrs.define
class TicketLearning:
    """What one ticket last contributed to the statistics (so it is never counted twice)."""

    DOCUMENT_KIND: ClassVar[str] = "fault_learning"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str = attrs.field(validator=required_text(64))
    learned_at: datetime = attrs.field(validator=aware)
    first_time: bool = True
    contributions: tuple[FaultContribution, ...] = attrs.field(default=(), converter=_contributions)
    version: int = 0
