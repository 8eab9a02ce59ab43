"""Reporting queries for any store, by reading tickets page by page and evaluating the reference facts.

This is what the memory store uses (its tickets are in memory anyway), and the fallback for stores
without SQL aggregates of their own: correct everywhere, but it reads every ticket of the period.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterator
from datetime import datetime

from aftersales.domain.instants import micros, require_aware
from aftersales.domain.ticket import Ticket
from aftersales.ports.no_fault_counts import resolved_without_fault
from aftersales.ports.queries import UNSET, TicketFilter
from aftersales.ports.reporting import (
    FaultDimension,
    GroupBy,
    Period,
    TicketCounts,
    TicketFacts,
    TicketTiming,
    TimingColumns,
    batch_dimension,
    completion_facts,
    count_facts,
    count_faults,
    counts_as_call,
    fault_evidence,
    group_key,
    reported_in_service,
    ticket_facts,
    ticket_timing,
    timing_columns,
)
from aftersales.ports.repositories import every_ticket
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["ScanningReportingQueries"]


class ScanningReportingQueries:
    """:class:`~aftersales.ports.reporting.ReportingQueries` over a store factory, in Python."""

    def __init__(self, store: Callable[[], UnitOfWork]) -> None:
        self._store = store

    def _tickets(self, filter: TicketFilter) -> Iterator[Ticket]:
        with self._store() as uow:
            yield from every_ticket(uow.tickets, filter)

    def _calls(self, period: Period) -> Iterator[Ticket]:
        """The tickets received in ``period`` the KPI counts (:func:`counts_as_call`)."""
        for ticket in self._tickets(TicketFilter(received_from=period.start, received_to=period.end)):
            if counts_as_call(ticket):
                yield ticket

    def _facts(self, period: Period) -> Iterator[TicketFacts]:
        for ticket in self._calls(period):
            yield ticket_facts(ticket)

    def ticket_counts(
        self, period: Period, group: GroupBy, *, satisfied_at: int = 4, as_of: datetime | None = None
    ) -> dict[str, TicketCounts]:
        until = period.end_us if as_of is None else micros(require_aware(as_of, "as_of"))
        return count_facts(self._facts(period), GroupBy(group), satisfied_at, until)

    def timings(self, period: Period, group: GroupBy) -> Iterator[TicketTiming]:
        group = GroupBy(group)
        for ticket in self._calls(period):
            f = ticket_facts(ticket)
            yield ticket_timing(group_key(f, group), ticket, f)

    def timing_columns(self, period: Period, group: GroupBy) -> TimingColumns:
        return timing_columns(self.timings(period, group))

    def category_counts(self, period: Period, group: GroupBy) -> dict[tuple[str, str], int]:
        group = GroupBy(group)
        return dict(
            Counter((group_key(f, group), f.category) for f in self._facts(period) if not f.cancelled)
        )

    def completed_category_counts(self, period: Period, group: GroupBy) -> dict[tuple[str, str], int]:
        group = GroupBy(group)
        start, end = period.start_us, period.end_us
        # Completed in the period: received before its end, whenever (a call of March repaired in April);
        # each completion counts, for the dealer who did it (an acceptance before a reopen stays in its
        # month and with its dealer, whatever became of the rework).
        counted: Counter[tuple[str, str]] = Counter()
        by_dealer = group is GroupBy.SERVING_DEALER
        # Each under the category it was completed under (a later reclassification leaves it there).
        for ticket in self._tickets(TicketFilter(received_to=period.end)):
            done = [(dealer, cat) for at, dealer, cat in completion_facts(ticket) if start <= at < end]
            if done:
                facts = ticket_facts(ticket)
                for dealer, category in done:
                    if by_dealer:
                        key = dealer or UNSET
                    elif group is GroupBy.CATEGORY:
                        key = category
                    else:
                        key = group_key(facts, group)
                    counted[(key, category)] += 1
        return dict(counted)

    def resolved_no_fault_counts(self, period: Period, group: GroupBy) -> dict[str, int]:
        """Per group key, the tickets received in ``period``, resolved, whose finding was no fault
        (:mod:`aftersales.ports.no_fault_counts`)."""
        group = GroupBy(group)
        tickets = self._tickets(TicketFilter(received_from=period.start, received_to=period.end))
        return dict(Counter(group_key(ticket_facts(t), group) for t in tickets if resolved_without_fault(t)))

    def fault_counts(self, period: Period, dimension: FaultDimension) -> dict[str, int]:
        tickets = self._tickets(TicketFilter(received_from=period.start, received_to=period.end))
        facts = (f for ticket in tickets for f in fault_evidence(ticket))
        return count_faults(facts, FaultDimension(dimension))

    def batch_symptom_units(self, until: datetime) -> dict[tuple[str, str, str], int]:
        units: dict[tuple[str, str, str], set[str]] = {}
        for ticket in self._tickets(TicketFilter(received_to=until)):
            for fault in fault_evidence(ticket):
                if fault.product_id and fault.batch:
                    key = (fault.product_id, fault.batch, fault.symptom)
                    units.setdefault(key, set()).add(fault.asset_id or f"ticket:{fault.ticket_id}")
        return {key: len(found) for key, found in units.items()}

    def batch_fault_units(
        self, until: datetime, dimension: str, excluded_causes: Collection[str] = ()
    ) -> dict[tuple[str, str, str], int]:
        column = batch_dimension(dimension)
        excluded = frozenset(excluded_causes)
        with self._store() as uow:  # the units whose installation's completion is known (第七条 5(2))
            installed = {str(a.id): a for a in uow.assets.list() if a.installation_accepted_on is not None}
        units: dict[tuple[str, str, str], set[str]] = {}
        for ticket in self._tickets(TicketFilter(received_to=until)):
            if not reported_in_service(ticket, installed.get(ticket.asset_id or "")):
                continue  # reported before the installation was completed: as the desk's detector
            for fault in fault_evidence(ticket):
                if fault.product_id and fault.batch and fault.asset_id and fault.cause not in excluded:
                    key = (fault.product_id, fault.batch, getattr(fault, column))
                    units.setdefault(key, set()).add(fault.asset_id)
        return {key: len(found) for key, found in units.items()}

    def batch_sizes(self) -> dict[tuple[str, str], int]:
        with self._store() as uow:
            assets = uow.assets.list()
        return dict(Counter((a.product_id, a.batch) for a in assets if a.batch))
