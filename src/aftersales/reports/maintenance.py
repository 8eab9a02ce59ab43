"""Maintenance figures a service manager reads: plan compliance, what is due, contracts, recurring faults.

- **Plan compliance** (保养计划完成率): of the visits due in the period (by the date the plan set, not a
  postponed one), how many were done on or before it — per dealer or region, and in total.
- **Due and overdue**: scheduled visits per dealer, due within the look-ahead or already overdue.
- **Contracts**: per contract, its price (the maintenance revenue), the visits done and the charges
  billed on tickets of its units during its term (what the contract did not cover).
- **Recurring faults despite maintenance**: units on a plan whose repair tickets after a completed
  visit reach a threshold — the maintenance is not working for them.

Pure over the ports: a store factory, no service. These functions judge nobody (a host's batch job);
people read the ``scoped_*`` ones, judged by the permission table's ``maintenance_report``
(``desk.reports.maintenance_scope``): the heads and the auditor every dealer's figures, dealer staff their
own dealer's plans, visits and contracts, anyone else ``PermissionDenied``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs

from aftersales.domain.classification import Category
from aftersales.domain.fee_slips import FeeSlip
from aftersales.domain.maintenance import MaintenancePlan, MaintenanceVisit, VisitState
from aftersales.domain.money import Money
from aftersales.domain.service_contracts import ServiceContract
from aftersales.domain.sold_visit import called_off_for_sale
from aftersales.domain.ticket import Ticket
from aftersales.domain.validation import check_id
from aftersales.errors import NotFound, ValidationError
from aftersales.ports.maintenance_due import scheduled_due_by
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.ports.unit_of_work import StoreFactory, UnitOfWork
from aftersales.reports.rounding import rate as share_of
from aftersales.reports.sources import ReportDesk, desk_zone, read_at

__all__ = [
    "ComplianceRow",
    "ContractFigures",
    "RecurringFault",
    "contract_figures",
    "due_visits",
    "plan_compliance",
    "recurring_faults",
    "scoped_contract_figures",
    "scoped_due_visits",
    "scoped_plan_compliance",
    "scoped_recurring_faults",
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
    (default ``end``); the last row is the total (group ``"total"``). ``by`` is ``"dealer_id"`` or
    ``"region"``, the dates are dates: anything else is a ``ValidationError`` naming it.
    """
    return _compliance(_visits(store), start, end, by, today)


def _checked_day(value: object, field: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError(f"{field} is a date (YYYY-MM-DD), got {value!r:.40}", field=field)
    return value


def _compliance(
    visits: Iterable[MaintenanceVisit], start: date, end: date, by: str, today: date | None
) -> tuple[ComplianceRow, ...]:
    if by not in ("dealer_id", "region"):
        raise ValidationError(f"by is dealer_id or region, got {by!r:.40}", field="by")
    start, end = _checked_day(start, "start"), _checked_day(end, "end")
    if today is not None:
        _checked_day(today, "today")
    cut = today or end
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for visit in visits:
        due = _first_due(visit)
        if not start <= due <= end or called_off_for_sale(visit):
            continue  # a visit called off by the unit's sale was owed by nobody (domain.sold_visit)
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


def look_ahead_end(today: date, within_days: int) -> date:
    """The last due day a due list reads: ``within_days`` after ``today`` (below 0: yesterday, the
    overdue only), ``date.max``/``date.min`` past the calendar's ends."""
    ahead = max(within_days, -1)  # the overdue ones at least
    try:
        return today + timedelta(days=ahead)
    except OverflowError:  # a look-ahead past the calendar's ends: every visit that far is due
        return date.max if ahead > 0 else date.min


def due_visits(
    store: StoreFactory, today: date, *, within_days: int = 14, dealer_id: str | None = None
) -> tuple[list[MaintenanceVisit], list[MaintenanceVisit]]:
    """Scheduled visits due within ``within_days`` of ``today``, and those already overdue (the plans'
    visits; with the complaints' remedy visits: :func:`aftersales.reports.due_unit_visits.due_unit_visits`).

    One range of the visits' due-day index, up to the end of the look-ahead (issue 26): the visits
    due later, and every done or missed one, are not read.
    """
    today = _checked_day(today, "today")
    if dealer_id is not None and (not isinstance(dealer_id, str) or not dealer_id.strip()):
        raise ValidationError("dealer_id is a dealer's id (text) or left out", field="dealer_id")
    if isinstance(within_days, bool) or not isinstance(within_days, int) or abs(within_days) > 3660:
        raise ValidationError(
            f"within_days is a whole number of days (at most 3660; below 0: the overdue only), "
            f"got {within_days!r:.40}",
            field="within_days",
        )
    last = look_ahead_end(today, within_days)
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
    return _recurring(store, threshold, None)


def _recurring(store: StoreFactory, threshold: int, dealer_id: str | None) -> tuple[RecurringFault, ...]:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValidationError(
            f"threshold is a whole number of repairs of at least 1, got {threshold!r:.40}", field="threshold"
        )
    found = []
    days = _UnitDays()
    with store() as uow:
        plans = [
            p
            for p in uow.documents.query(MaintenancePlan, state="active")
            if p.last_done_on is not None and (dealer_id is None or p.dealer_id == dealer_id)
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


def scoped_plan_compliance(
    desk: ReportDesk,
    actor: object,
    start: date,
    end: date,
    *,
    by: str = "dealer_id",
    today: date | None = None,
) -> tuple[ComplianceRow, ...]:
    """:func:`plan_compliance` as ``actor`` may read it through ``desk`` (``maintenance_report``): dealer
    staff read their own dealer's visits only, one row and the total, so ``by`` other than
    ``"dealer_id"`` is a ``ValidationError`` naming ``by`` for them (a region's row holds other dealers').

    ``today`` defaults to the desk's today (its clock, in its zone), as every KPI read through a desk is
    judged now (:func:`~aftersales.reports.sources.read_at`): judged at the period's end, this month's
    compliance counted a visit not yet due as due and not done (session 39)."""
    dealer = desk.reports.maintenance_scope(actor)
    if today is None:
        today = read_at(desk, None).astimezone(desk_zone(desk)).date()
    if dealer is None:
        return plan_compliance(desk.store, start, end, by=by, today=today)
    if by != "dealer_id":
        raise ValidationError(
            f"dealer staff read their own dealer's compliance: by must be 'dealer_id', not {by!r:.40}",
            field="by",
        )
    return _compliance([v for v in _visits(desk.store) if v.dealer_id == dealer], start, end, by, today)


def scoped_due_visits(
    desk: ReportDesk, actor: object, today: date, *, within_days: int = 14, dealer_id: str | None = None
) -> tuple[list[MaintenanceVisit], list[MaintenanceVisit]]:
    """:func:`due_visits` as ``actor`` may read it through ``desk`` (``maintenance_report``): dealer staff
    read their own dealer's visits; asking for another dealer's (``dealer_id``) is a ``ValidationError``
    naming ``dealer_id``."""
    dealer_id = visit_scope(desk, actor, dealer_id)
    return due_visits(desk.store, today, within_days=within_days, dealer_id=dealer_id)


def visit_scope(desk: ReportDesk, actor: object, dealer_id: str | None) -> str | None:
    """The dealer whose visits ``actor`` reads (``maintenance_report``): dealer staff their own dealer's,
    asking for another's a ``ValidationError`` naming ``dealer_id``; other readers the one asked, or all."""
    dealer = desk.reports.maintenance_scope(actor)
    if dealer is None:
        return dealer_id
    if dealer_id is not None and dealer_id != dealer:
        raise ValidationError(
            "dealer staff read their own dealer's visits: dealer_id is theirs or left out",
            field="dealer_id",
        )
    return dealer


def scoped_contract_figures(
    desk: ReportDesk, actor: object, contracts: Iterable[str]
) -> tuple[ContractFigures, ...]:
    """:func:`contract_figures` as ``actor`` may read it through ``desk`` (``maintenance_report``): dealer
    staff read their own dealer's contracts (held by it, or by a customer of its); another's, or an unknown
    id, is ``NotFound`` (nobody learns
    that another dealer's contract exists)."""
    dealer = desk.reports.maintenance_scope(actor)
    if isinstance(contracts, str | bytes) or not isinstance(contracts, Iterable):
        raise ValidationError("contracts is a collection of contract ids", field="contracts")
    ids = list(contracts)
    if not all(isinstance(c, str) for c in ids):
        raise ValidationError("contracts holds contract ids (text)", field="contracts")
    for contract_id in ids:  # an id no store can hold (a lone surrogate, a NUL) is refused before any reads
        check_id(contract_id, "contracts")
    if dealer is not None:
        with desk.store() as uow:
            for contract_id in ids:
                if _contract_dealer(uow, uow.documents.get(ServiceContract, contract_id)) != dealer:
                    raise NotFound("service_contract", contract_id)
    return contract_figures(desk.store, ids)


def _contract_dealer(uow: UnitOfWork, contract: ServiceContract) -> str | None:
    """The dealer a contract is of: the dealer holding it, else its holder customer's own dealer (who
    signs and renews it, seed 002: 乙方负责所售产品的全过程服务)."""
    if contract.dealer_id is not None or contract.customer_id is None:
        return contract.dealer_id
    try:
        return uow.customers.get(contract.customer_id).dealer_id
    except NotFound:
        return None


def scoped_recurring_faults(
    desk: ReportDesk, actor: object, *, threshold: int = 2
) -> tuple[RecurringFault, ...]:
    """:func:`recurring_faults` as ``actor`` may read it through ``desk`` (``maintenance_report``): dealer
    staff read the units of their own dealer's plans."""
    return _recurring(desk.store, threshold, desk.reports.maintenance_scope(actor))
