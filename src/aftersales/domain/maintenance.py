"""Preventive maintenance (保养): plans per unit and the visits they generate.

Seed 000 makes periodic maintenance one of the four after-sales services (定期為產品提供保養服務); seed
001 names regular maintenance plans for customers' equipment (定期維護計劃). A plan recurs by calendar
(every N months) and, where the host reports meter readings, by usage (every N cycles or hours),
whichever comes first. A configurable time ahead of the due date (``lead_days``) the plan generates a
visit; the visit is done with its checklist results and the parts used, and the next due date follows
from the day it was done. A visit may be postponed or missed, always with a reason.

Plans are indexed by the local date on which their next visit is to be generated, so a daily run reads
only the plans that became due since the last run, however many units have plans.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, ClassVar

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.bounds import Bounds
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.ids import AssetId, CustomerId, DealerId, ProductId, TicketId
from aftersales.domain.instants import require_day
from aftersales.domain.text import CODE_PATTERN, bounded, code, optional_bounded, required_text
from aftersales.domain.work import aware
from aftersales.errors import InvalidTransition, ValidationError, shown_repr

__all__ = [
    "ChecklistResult",
    "MaintenancePlan",
    "MaintenanceVisit",
    "PlanState",
    "UsageInterval",
    "VisitChange",
    "VisitState",
    "add_months",
    "checked_checklist",
    "contract_visits",
    "lead_refusal",
    "shortest_interval_days",
]


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months; the 31st becomes the month's last day when it has none."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@functools.cache
def shortest_interval_days(months: int) -> int:
    """The fewest days ``months`` calendar months can span (one month: 28, from 31 January)."""
    start = date(2001, 1, 1).toordinal()  # four years, a leap one among them: every case once
    return min(
        (add_months(day, months) - day).days
        for day in (date.fromordinal(start + offset) for offset in range(4 * 365 + 1))
    )


def lead_refusal(interval_months: int, lead_days: int) -> str | None:
    """Why a plan of ``interval_months`` cannot open its visits ``lead_days`` ahead, or ``None`` if it can.

    Why: the next visit is generated ``lead_days`` before it is due, and it falls due one interval after
    the last visit was done; a lead time as long as the interval (at its shortest) generates the next
    visit the day the last one is done, so the plan opens visits back to back and the lead time means
    nothing (seeds 000/001 plan periodic maintenance, 定期保养/定期維護計劃: one visit a period).
    """
    shortest = shortest_interval_days(interval_months)
    if lead_days < shortest:
        return None
    return (
        f"lead_days {lead_days} is not shorter than the plan's interval of {interval_months} month(s) "
        f"(at least {shortest} days): the next visit would be opened the day the last one is done"
    )


INTERVAL_MONTHS = Bounds(1, 120)
"""A plan's interval in calendar months; the service's ``create_plan``/``plan_contract`` annotate theirs."""
LEAD_DAYS = Bounds(0, 180)
"""How many days before its due a visit is opened."""
USAGE_EVERY = Bounds(1, 10**9)
"""Units of use between visits."""


def _whole(bounds: Bounds) -> Any:
    # An OutOfBounds carries rule "whole_number" and its figures: a refusal read in Chinese states its
    # range in Chinese (before, the English sentence was shown inside 输入有误：…, session 32 h).
    def check(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
        bounds.check(value, attribute.name)

    return check


def _a_date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not date or not 1900 <= value.year <= 2200:
        raise ValidationError(f"{attribute.name} is a date between 1900 and 2200", field=attribute.name)


def _optional_date(instance: object, attribute: attrs.Attribute[date | None], value: object) -> None:
    if value is not None:
        _a_date(instance, attribute, value)


@attrs.frozen
class UsageInterval:
    """Maintenance every ``every`` units of use (``unit``: a code such as ``cycles`` or ``hours``)."""

    every: int = attrs.field(validator=_whole(USAGE_EVERY))
    unit: str = attrs.field(validator=code)


_CHECKED: set[tuple[str, ...]] = set()
"""Checklists already found valid: a daily run builds thousands of plans and visits from a few lists."""
_CHECKED_MAX = 1024


def _checklist(values: object) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, tuple | list):
        raise ValidationError("checklist is a list of task codes", field="checklist")
    items = tuple(values)
    if all(type(item) is str for item in items) and items in _CHECKED:
        return items
    if not 1 <= len(items) <= 100:
        raise ValidationError("a checklist has 1 to 100 tasks", field="checklist")
    for item in items:
        # Each task is a code; the refusal names the checklist, the argument the caller gave (it named
        # ``unit``, the attribute whose check it borrowed, session 32 h).
        if not isinstance(item, str) or not CODE_PATTERN.fullmatch(item):
            raise ValidationError(
                f"a checklist task is a snake_case code (a-z, 0-9, _), got {shown_repr(item)}",
                field="checklist",
                rule="snake_code",
            )
    if len(set(items)) != len(items):
        raise ValidationError("a checklist names a task twice", field="checklist")
    if len(_CHECKED) < _CHECKED_MAX:
        _CHECKED.add(items)
    return items


def checked_checklist(values: object) -> tuple[str, ...]:
    """``values`` as a plan's checklist: 1 to 100 task codes, none twice; else ``ValidationError`` on
    ``checklist``. The rule a plan and a visit hold their checklist to, for a pack's to be held to it
    when it loads (not at the first plan made from it)."""
    return _checklist(values)


class PlanState(CodedEnum):
    """An active plan generates visits; an ended one (unit gone, contract over) does not."""

    ACTIVE = "active"
    ENDED = "ended"


@attrs.define
class MaintenancePlan:
    """A maintenance plan of one unit: interval, checklist, the next due date and the visit open for it."""

    DOCUMENT_KIND: ClassVar[str] = "maintenance_plan"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = (
        "asset_id",
        "customer_id",
        "contract_id",
        "dealer_id",
        "state",
        "generate_on",
    )

    id: str = attrs.field(validator=required_text(64))
    asset_id: AssetId = attrs.field(validator=required_text(64))
    customer_id: CustomerId = attrs.field(validator=required_text(64))
    product_id: ProductId = attrs.field(validator=required_text(64))
    interval_months: int = attrs.field(validator=_whole(INTERVAL_MONTHS))
    checklist: tuple[str, ...] = attrs.field(converter=_checklist)
    next_due: date = attrs.field(validator=_a_date)
    lead_days: int = attrs.field(default=14, validator=_whole(LEAD_DAYS))
    usage: UsageInterval | None = None
    contract_id: str | None = attrs.field(default=None, validator=optional_bounded(64))
    region: str | None = attrs.field(default=None, validator=optional_bounded(64))
    dealer_id: DealerId | None = attrs.field(default=None, validator=optional_bounded(64))
    state: PlanState = PlanState.ACTIVE
    last_done_on: date | None = attrs.field(default=None, validator=_optional_date)
    last_reading: int | None = None
    """The meter reading usage is counted from: the one at the last visit (or the first reported)."""
    latest_reading: int | None = None
    """The last meter reading reported (``None``: none since this field was kept)."""
    open_visit_id: str | None = None
    generate_on: str | None = None
    """The local date (ISO) on which the next visit is generated; ``None`` while a visit is open."""
    ended: VisitChange | None = None
    """Who ended the plan, when and why (``end_plan``'s reason, or the desk's: ``contract_cancelled``,
    ``contract_over``, ``unit_sold``, ``unit_gone``, ``customer_erased``); ``None`` while active."""
    version: int = 0

    def __attrs_post_init__(self) -> None:
        if self.generate_on is None and self.open_visit_id is None and self.state is PlanState.ACTIVE:
            self.generate_on = self._generate_day().isoformat()

    def _generate_day(self) -> date:
        return date.fromordinal(self.next_due.toordinal() - self.lead_days)

    def _schedule(self, today: date) -> None:
        # Never in the past: the daily job has already read the days before ``today``.
        if self.state is PlanState.ACTIVE and self.open_visit_id is None:
            self.generate_on = max(self._generate_day(), today).isoformat()
        else:
            self.generate_on = None

    def due_for_generation(self, today: date) -> bool:
        """Whether a visit should be generated on ``today`` (active, none open, within the lead time)."""
        require_day(today, "today")
        return self.state is PlanState.ACTIVE and self.open_visit_id is None and self._generate_day() <= today

    def opened(self, visit_id: str) -> None:
        """A visit was generated: the plan waits for it (nothing more is generated meanwhile)."""
        self.open_visit_id = visit_id
        self.generate_on = None

    def done(self, on: date, reading: int | None) -> None:
        """The open visit was done on ``on``: the next is due one interval later."""
        self.last_done_on = on
        if reading is not None:
            self.last_reading = self.latest_reading = reading
        elif self.latest_reading is not None:
            # Done without a reading: the use before the visit was serviced by it. Counted from the old
            # base, the next reading made the plan due again at once, a visit a day.
            self.last_reading = self.latest_reading
        self.next_due = add_months(on, self.interval_months)
        self.open_visit_id = None
        self._schedule(on)

    def closed_without_visit(self, today: date) -> None:
        """The open visit was missed: the plan is due again at once (it generates on the next run)."""
        self.open_visit_id = None
        self._schedule(today)

    def reading(self, value: int, on: date) -> bool:
        """Record a meter reading; returns whether usage made the plan due earlier (due on ``on``)."""
        if type(value) is not int or value < 0:
            raise ValidationError("a reading is a whole number, zero or more", field="reading")
        latest = self.latest_reading if self.latest_reading is not None else self.last_reading
        if latest is not None and value < latest:
            raise ValidationError(f"a reading cannot go back (last was {latest})", field="reading")
        if self.usage is None:
            raise ValidationError("this plan does not recur by usage", field="reading")
        base = self.last_reading or 0
        self.latest_reading = value
        if self.last_reading is None:
            self.last_reading = value
            return False
        if value - base >= self.usage.every and on < self.next_due:
            self.next_due = on
            self._schedule(on)
            return True
        return False

    def moved_to(self, customer_id: CustomerId, region: str | None, dealer_id: DealerId | None) -> None:
        """The unit has a new owner: the plan's visits are theirs, in their region, by their dealer.

        What was generated for the old owner stays theirs (a visit and its ticket name whom they were
        opened for); the next one is the new owner's."""
        self.customer_id = customer_id
        self.region = region
        self.dealer_id = dealer_id

    def end(self, why: VisitChange | None = None) -> None:
        """Stop generating visits (the contract ended or the unit is gone), recording who and why."""
        self.state = PlanState.ENDED
        self.generate_on = None
        if why is not None:
            self.ended = why


class VisitState(CodedEnum):
    """A maintenance visit is scheduled until done or missed; postponing keeps it scheduled."""

    SCHEDULED = "scheduled"
    DONE = "done"
    MISSED = "missed"


@attrs.frozen
class ChecklistResult:
    """One checklist task's outcome on a visit."""

    task: str = attrs.field(validator=code)
    done: bool = attrs.field(validator=attrs.validators.instance_of(bool))
    note: str = attrs.field(default="", validator=bounded(500))


@attrs.frozen
class VisitChange:
    """A postponement or a miss: who, when, why (and the due dates before and after)."""

    kind: str
    at: datetime = attrs.field(validator=aware)
    by: ActorRef
    reason: str = attrs.field(validator=required_text(500))
    from_due: date | None = None
    to_due: date | None = None


@attrs.define
class MaintenanceVisit:
    """One generated maintenance visit, carried out through its ticket (dispatched like any ticket)."""

    DOCUMENT_KIND: ClassVar[str] = "maintenance_visit"
    # What visits are looked up by: their plan (a unit's or a customer's visits go through its plans) and
    # their state (the compliance lists), and the due day while scheduled (the overdue reminder reads
    # the range before today, not every open visit). Each indexed field is more B-tree writes per
    # generated visit, 5,500 a day at 1 M units; the unit, customer and ticket are not keys.
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("plan_id", "state", "open_due")

    id: str = attrs.field(validator=required_text(64))
    plan_id: str
    asset_id: AssetId
    customer_id: CustomerId
    due_on: date = attrs.field(validator=_a_date)
    generated_at: datetime = attrs.field(validator=aware)
    checklist: tuple[str, ...] = attrs.field(converter=_checklist)
    ticket_id: TicketId | None = None
    contract_id: str | None = None
    region: str | None = None
    dealer_id: DealerId | None = None
    state: VisitState = VisitState.SCHEDULED
    done_on: date | None = None
    results: tuple[ChecklistResult, ...] = ()
    parts: tuple[tuple[str, int], ...] = ()
    reading: int | None = None
    changes: tuple[VisitChange, ...] = ()
    beyond_contract: str | None = None
    """The contract covering the unit whose visits of the year were all used when this visit was made
    (``contract_id`` is then ``None``: the visit is charged as one without a contract)."""
    open_due: str | None = None
    """The due day (ISO) while the visit is scheduled, ``None`` once done or missed; always derived from
    the state and due day (an indexed copy, so overdue visits are one index range)."""
    version: int = 0

    def __attrs_post_init__(self) -> None:
        self._index_due()

    def _index_due(self) -> None:
        self.open_due = self.due_on.isoformat() if self.state is VisitState.SCHEDULED else None

    def _scheduled(self, command: str) -> None:
        if self.state is not VisitState.SCHEDULED:
            raise InvalidTransition("maintenance_visit", self.state.value, command, record_id=self.id)

    def complete(
        self,
        on: date,
        results: tuple[ChecklistResult, ...],
        parts: tuple[tuple[str, int], ...],
        reading: int | None,
    ) -> None:
        """Done on ``on``: every checklist task has a result, parts are (part number, quantity) pairs."""
        self._scheduled("complete_visit")
        tasks = [r.task for r in results]
        missing = [t for t in self.checklist if t not in tasks]
        unknown = [t for t in tasks if t not in self.checklist]
        if missing:
            raise ValidationError(f"no result for checklist task(s) {', '.join(missing)}", field="results")
        if unknown or len(set(tasks)) != len(tasks):
            raise ValidationError("results name a task twice or one not on the checklist", field="results")
        for part, quantity in parts:
            if type(part) is not str or not part or len(part) > 64:
                raise ValidationError("a part is named by its part number", field="parts")
            if type(quantity) is not int or not 1 <= quantity <= 10_000:
                raise ValidationError("a part's quantity is a whole number from 1 to 10,000", field="parts")
        if reading is not None and (type(reading) is not int or reading < 0):
            raise ValidationError("a reading is a whole number, zero or more", field="reading")
        self.state = VisitState.DONE
        self.done_on = on
        self.results = results
        self.parts = parts
        self.reading = reading
        self._index_due()

    def postpone(self, to: date, at: datetime, by: ActorRef, reason: str) -> None:
        """Move the visit to ``to`` (the customer asked, the site was closed), with the reason."""
        self._scheduled("postpone_visit")
        if type(to) is not date or to <= self.due_on:
            raise ValidationError("a visit is postponed to a later date than it was due", field="to")
        self.changes += (VisitChange("postponed", at, by, reason, self.due_on, to),)
        self.due_on = to
        self._index_due()

    def miss(self, at: datetime, by: ActorRef, reason: str) -> None:
        """The visit did not take place (customer refused, unit unreachable), with the reason."""
        self._scheduled("miss_visit")
        self.changes += (VisitChange("missed", at, by, reason, self.due_on, None),)
        self.state = VisitState.MISSED
        self._index_due()

    def on_time(self) -> bool | None:
        """Done on or before its (original or postponed) due date; ``None`` while scheduled."""
        if self.state is VisitState.SCHEDULED:
            return None
        return (
            self.state is VisitState.DONE and self.done_on is not None and self.done_on <= self._first_due()
        )

    def planned_due(self) -> date:
        """The due date the plan set (a postponement does not move it): what compliance and a
        contract's visits of the year count by."""
        return self._first_due()

    def _first_due(self) -> date:
        # Compliance counts against the due date the plan set, not one moved by a postponement.
        for change in self.changes:
            if change.kind == "postponed" and change.from_due is not None:
                return change.from_due
        return self.due_on


def contract_visits(visits: Iterable[MaintenanceVisit], contract_id: str, start: date, end: date) -> int:
    """How many of ``visits`` the contract paid for between ``start`` and ``end`` (by the due date the
    plan set; a missed visit took place nowhere and counts for nothing)."""
    return sum(
        1
        for v in visits
        if v.contract_id == contract_id
        and v.state is not VisitState.MISSED
        and start <= v.planned_due() <= end
    )
