"""Maintenance figures a service manager reads: plan compliance, what is due, contracts, recurring faults.

- **Plan compliance** (保养计划完成率): of the visits due in the period (by the date the plan set, not a
  postponed one), how many were done on or before it — per dealer or region, and in total.
- **Due and overdue**: scheduled visits per dealer, due within the look-ahead or already overdue.
- **Contracts**: per contract, its price (the maintenance revenue), the visits done and the charges
  billed on tickets of its units during its term (what the contract did not cover).
- **Recurring faults despite maintenance**: units on a plan whose repair tickets after a completed
  visit reach a threshold — the maintenance is not working for them.

Pure over the ports: a store factory, no service.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs

from aftersales.domain.classification import Category
from aftersales.domain.fee_slips import FeeSlip
from aftersales.domain.maintenance import MaintenancePlan, MaintenanceVisit, VisitState
from aftersales.domain.money import Money
from aftersales.domain.service_contracts import ServiceContract
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound
from aftersales.ports.maintenance_due import scheduled_due_by
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.ports.unit_of_work import StoreFactory, UnitOfWork
from aftersales.reports.rounding import rate as share_of

__all__ = [
    "ComplianceRow",
    "ContractFigures",
    "RecurringFault",
    "contract_figures",
    "due_visits",
    "plan_compliance",
    "recurring_faults",
]


@attrs.frozen
class ComplianceRow:
    """One group's visits due in the period and how many were done on time."""

    group: str
    due: int
    on_time: int
    late: int
    missed: int
    open: int

    @property
    def rate(self) -> Decimal | None:
        """Done on time over due, to four decimals (``None`` when nothing was due)."""
        if not self.due:
            return None
        return share_of(self.on_time, self.due)


def _first_due(visit: MaintenanceVisit) -> date:
    for change in visit.changes:
        if change.kind == "postponed" and change.from_due is not None:
            return change.from_due
    return visit.due_on


def _visits(store: StoreFactory) -> list[MaintenanceVisit]:
    with store() as uow:
        out: list[MaintenanceVisit] = []
        for state in VisitState:
            out += uow.documents.query(MaintenanceVisit, state=state.value)
        return out


def plan_compliance(
    store: StoreFactory, start: date, end: date, *, by: str = "dealer_id", today: date | None = None
) -> tuple[ComplianceRow, ...]:
    """Compliance of the visits first due in ``[start, end]``, grouped ``by`` dealer or region.

    A visit still scheduled counts as due and not done on time once its due date is before ``today``
    (default ``end``); the last row is the total (group ``"total"``).
    """
    if by not in ("dealer_id", "region"):
        raise ValueError("by is dealer_id or region")
    cut = today or end
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for visit in _visits(store):
        due = _first_due(visit)
        if not start <= due <= end:
            continue
        key = getattr(visit, by) or ""
        row = groups[key]
        row["due"] += 1
        if visit.state is VisitState.DONE:
            row["on_time" if visit.on_time() else "late"] += 1
        elif visit.state is VisitState.MISSED:
            row["missed"] += 1
        elif due >= cut:
            row["due"] -= 1  # not yet due: neither met nor missed
            row["open"] += 1
        else:
            row["open"] += 1
    rows = [
        ComplianceRow(g, c["due"], c["on_time"], c["late"], c["missed"], c["open"])
        for g, c in sorted(groups.items())
    ]
    total = Counter[str]()
    for counts in groups.values():
        total.update(counts)
    rows.append(
        ComplianceRow("total", total["due"], total["on_time"], total["late"], total["missed"], total["open"])
    )
    return tuple(rows)


def due_visits(
    store: StoreFactory, today: date, *, within_days: int = 14, dealer_id: str | None = None
) -> tuple[list[MaintenanceVisit], list[MaintenanceVisit]]:
    """Scheduled visits due within ``within_days`` of ``today``, and those already overdue.

    One range of the visits' due-day index, up to the end of the look-ahead (issue 26): the visits
    due later, and every done or missed one, are not read.
    """
    last = today + timedelta(days=max(within_days, -1))  # the overdue ones at least
    with store() as uow:
        scheduled = scheduled_due_by(uow, last)  # by due day, then id
    if dealer_id is not None:
        scheduled = [v for v in scheduled if v.dealer_id == dealer_id]
    soon = [v for v in scheduled if 0 <= (v.due_on - today).days <= within_days]
    late = [v for v in scheduled if v.due_on < today]
    return soon, late


@attrs.frozen
class ContractFigures:
    """A contract's revenue (its price), its visits, and what was billed on its units in its term."""

    contract_id: str
    revenue: Money
    visits_done: int
    visits_missed: int
    parts_used: int
    billed: Money


def contract_figures(store: StoreFactory, contracts: Iterable[str]) -> tuple[ContractFigures, ...]:
    """Per contract id: revenue, visits done and missed, parts used, and fee slips on its units' tickets."""
    out = []
    days = _UnitDays()
    with store() as uow:
        for contract_id in contracts:
            contract = uow.documents.get(ServiceContract, contract_id)
            plans = _plans_of(uow, contract)
            visits = [
                v
                for p in plans
                for v in uow.documents.query(MaintenanceVisit, plan_id=p.id)
                if v.contract_id == contract.id
            ]
            done = [v for v in visits if v.state is VisitState.DONE]
            billed = Money.zero(contract.price.currency)
            assets = set(contract.assets) | {p.asset_id for p in plans}
            holder = (
                TicketFilter(customer_id=contract.customer_id)
                if contract.customer_id is not None
                else TicketFilter(dealer_id=contract.dealer_id)
            )
            for ticket in _all(uow, holder):
                if ticket.asset_id not in assets:
                    continue
                if not contract.starts_on <= days.of(uow, ticket) <= contract.ends_on:
                    continue
                for slip in uow.documents.query(FeeSlip, ticket_id=ticket.id):
                    if slip.currency == contract.price.currency and slip.state.value != "cancelled":
                        billed = billed + slip.total
            out.append(
                ContractFigures(
                    contract.id,
                    contract.price,
                    len(done),
                    sum(v.state is VisitState.MISSED for v in visits),
                    sum(q for v in done for _, q in v.parts),
                    billed,
                )
            )
    return tuple(out)


def _plans_of(uow: UnitOfWork, contract: ServiceContract) -> list[MaintenancePlan]:
    """The plans that may hold ``contract``'s visits: those naming it or a renewal of it (a renewed
    contract's plans name the renewal from then on; its earlier visits still name the contract). Before,
    the renewed contract's figures lost its visits, and its renewal's counted them."""
    ids, following = [contract.id], contract.renewed_as
    while following is not None and following not in ids:
        ids.append(following)
        try:
            following = uow.documents.get(ServiceContract, following).renewed_as
        except NotFound:
            following = None
    found = {p.id: p for cid in ids for p in uow.documents.query(MaintenancePlan, contract_id=cid)}
    return [found[pid] for pid in sorted(found)]


class _UnitDays:
    """The local date a call came in on, where its unit is (``Asset.market_timezone``, as a contract's
    cover is decided): not the offset the ticket was stored with, which an import may give in UTC."""

    def __init__(self) -> None:
        self._zones: dict[str, ZoneInfo | None] = {}

    def of(self, uow: UnitOfWork, ticket: Ticket) -> date:
        asset_id = ticket.asset_id
        zone = None
        if asset_id is not None:
            if asset_id not in self._zones:
                try:
                    self._zones[asset_id] = ZoneInfo(uow.assets.get(asset_id).market_timezone)
                except NotFound:
                    self._zones[asset_id] = None
            zone = self._zones[asset_id]
        at = ticket.received_at
        return (at.astimezone(zone) if zone is not None else at).date()


def _all(uow: UnitOfWork, query: TicketFilter) -> Iterator[Ticket]:
    cursor: str | None = None
    while True:
        page = uow.tickets.query(query, PageRequest(limit=1000, cursor=cursor))
        yield from page.items
        cursor = page.next_cursor
        if cursor is None:
            return


@attrs.frozen
class RecurringFault:
    """A unit on a plan with ``repairs`` repair tickets since its last completed visit."""

    asset_id: str
    plan_id: str
    last_done_on: date
    repairs: int
    symptoms: tuple[str, ...]


def recurring_faults(store: StoreFactory, *, threshold: int = 2) -> tuple[RecurringFault, ...]:
    """Units whose repairs since their last maintenance reach ``threshold`` (most repairs first)."""
    found = []
    days = _UnitDays()
    with store() as uow:
        plans = [
            p for p in uow.documents.query(MaintenancePlan, state="active") if p.last_done_on is not None
        ]
        for plan in plans:
            assert plan.last_done_on is not None
            query = TicketFilter(customer_id=plan.customer_id, categories=(Category.REPAIR,))
            repairs = [
                t
                for t in _all(uow, query)
                if t.asset_id == plan.asset_id and days.of(uow, t) >= plan.last_done_on
            ]
            if len(repairs) >= threshold:
                symptoms = tuple(sorted({f.symptom for t in repairs for f in t.fault_records}))
                found.append(
                    RecurringFault(plan.asset_id, plan.id, plan.last_done_on, len(repairs), symptoms)
                )
    return tuple(sorted(found, key=lambda r: (-r.repairs, r.asset_id)))
