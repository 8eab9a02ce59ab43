"""The holiday-data cliff (issue 18): provisional due times past the official data, announced, recomputed.

The State Council publishes next year's arrangement in November; until the data is added, the desk's calendar
runs on the statutory holidays alone (``BusinessCalendar.with_provisional``) and due times there are
*provisional*. The managers are warned once when the first provisional due is computed
(``provisional_notice``, after every derivation of due times); this module reports how long the official
data lasts (``desk.health()``) and, when the data is added or changed, recomputes every open ticket's due
times it moves, a page of open tickets per runner write, with an event per ticket.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.events import JsonValue
from aftersales.domain.sla_held import HELD_KEY
from aftersales.domain.ticket import Ticket
from aftersales.errors import CalendarDataMissing, NotFound, ValidationError
from aftersales.ports.queries import PAGE_BOUNDS, PageRequest, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.calendar_stamp import begin_move, callback_of, sla_of, stamp_calendar
from aftersales.service.callback_replan import callback_behind, replan_callback
from aftersales.service.context import DeskContext
from aftersales.service.held_breaches import announced_breaches
from aftersales.service.permissions import check_role
from aftersales.service.provisional_notice import CalendarNotice, has_provisional_dues, provisional_messages
from aftersales.service.runner import CommandRunner
from aftersales.service.sla import SlaService
from aftersales.service.sweep_mark import rewind_mark

__all__ = [
    "DEFAULT_PAGE",
    "CalendarHealth",
    "CalendarNotice",
    "RecomputeReport",
    "calendar_health",
    "provisional_messages",
    "recompute_dues",
]

DEFAULT_PAGE = 500
"""Open tickets recomputed per write when the caller names no page size (the jobs' default ``limit``)."""
_RECALCULATORS = frozenset({Role.SYSTEM, Role.MANAGER})
_OPEN_STATES = ("new", "triaged", "assigned", "in_progress", "awaiting_parts", "awaiting_customer", "rework",
                "resolved", "accepted")  # fmt: skip
Moved = tuple[tuple[datetime | None, datetime | None], dict[str, datetime], bool]
"""A ticket's due times before its recomputation (response, resolution), the breaches kept, and whether
the recalculation is recorded on it (not when only the steps its clocks stop at moved)."""
_COMPLAINT_OPEN = ("received", "investigating", "awaiting_decision", "solution_proposed", "implementing",
                   "feedback_given", "reviewed")  # fmt: skip


@attrs.frozen
class CalendarHealth:
    """The holiday-data cliff at a glance (``desk.health()``).

    ``official_until`` is the last day of official holiday data (``None``: the calendar's data never ends);
    ``days_left`` the days from today to it; ``provisional_until`` how far due times are computed on the
    provisional calendar; ``warning`` is set when 60 days or fewer are left.
    """

    official_until: date | None
    days_left: int | None
    provisional_until: date | None
    source: str | None
    warning: bool
    dues_stale: bool | None = None
    """Whether the due times stored with the tickets were computed on another calendar than the desk's
    (the desk was opened on a newer one): the ``sla_sweep`` job of ``desk.run_due_jobs()`` recomputes
    them before it sweeps. ``None``: no calendar, or the store has not recorded one yet (that job does)."""


def calendar_health(
    calendar: BusinessCalendar | None, now: datetime, dues_stale: bool | None = None
) -> CalendarHealth:
    """The health of ``calendar``'s holiday data at ``now`` (``dues_stale``: see :class:`CalendarHealth`)."""
    if calendar is None:
        return CalendarHealth(None, None, None, None, False)
    official = calendar.official_until or calendar.known_until
    if official is None:
        return CalendarHealth(None, None, None, calendar.source_name, False, dues_stale)
    days_left = (official - now.astimezone(calendar.zone).date()).days
    provisional = calendar.known_until if calendar.official_until is not None else None
    return CalendarHealth(official, days_left, provisional, calendar.source_name, days_left <= 60, dues_stale)


@attrs.frozen
class RecomputeReport:
    """What :meth:`ServiceDesk.recompute_provisional_dues` did: tickets looked at and recomputed."""

    checked: int
    recomputed: tuple[str, ...]
    official_until: date | None


def recompute_dues(
    context: DeskContext,
    runner: CommandRunner,
    actor: Actor,
    calendar: BusinessCalendar | None,
    *,
    page_size: int = DEFAULT_PAGE,
) -> RecomputeReport:
    """Switch the desk to ``calendar`` and recompute the due times of every open ticket they change.

    Provisional due times (and tickets left without one) are recomputed; so is every other open ticket
    whose due times the new calendar moves (a holiday announced after the data was loaded, a day off
    cancelled): the SLA status reads the desk's calendar, so a stored due left on the old one would
    disagree with it, and the ledger, the sweep and the reports read the stored one.

    Page by page: each page of ``page_size`` open tickets (their changes and ``recalculate_sla`` events)
    is one write through the runner, so writers wait for one page, not for every open ticket (the host
    call and the sweep job's catch-up alike). A store moved to another calendar or SLA policy is stamped
    with it first, marked incomplete (:func:`~aftersales.service.calendar_stamp.begin_move`: a desk left
    on the old one is refused from then on), and complete, with the managers told, in a last write after
    the last page. The desk uses the new calendar from the first page on, so a command between two
    pages derives its ticket's due times on the calendar the pages move them to; should a page fail, the
    stamp stays incomplete, ``desk.health().dues_stale`` says so and the next ``sla_sweep`` job finishes
    the recomputation on the desk's (new) calendar.
    """
    check_role(actor, "recalculate_sla", roles=_RECALCULATORS)
    if calendar is not None and not isinstance(calendar, BusinessCalendar):
        raise ValidationError("calendar must be a BusinessCalendar", field="calendar")
    PAGE_BOUNDS.check(page_size, "page_size")
    old = context.calendar
    if calendar is not None and old is not None and calendar.timezone != old.timezone:
        # The desk's zone (stamps, numbers, months) came with its calendar: working hours counted in
        # another zone would disagree with everything else the desk dates.
        raise ValidationError(
            f"the new calendar's time zone {calendar.timezone!r} is not the desk calendar's "
            f"{old.timezone!r}; open the desk with it instead",
            field="calendar",
        )
    new = calendar if calendar is not None else old
    service = SlaService(context.sla.policy, new, context.sla.days_zone, context.sla.callback)
    request = {"calendar": new.source_name if new is not None else None}
    callback = callback_of(context.policies.callback)  # the pending callbacks are planned again by it
    query = TicketFilter(states=_OPEN_STATES + _COMPLAINT_OPEN)

    def settle(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Moved | None:
        """Derive ``ticket``'s due times on the new calendar, in place: its old ones and the breaches
        kept when it is to be recomputed, ``None`` when it is left as it was."""
        undue = ticket.resolution_due_at is None and ticket.is_open
        provisional = has_provisional_dues(old, ticket)
        before = (ticket.response_due_at, ticket.resolution_due_at)
        steps = (ticket.response_steps, ticket.resolution_steps)
        tier = runner.tier(uow, ticket)
        try:
            service.derive(ticket, tier, now)
        except CalendarDataMissing:
            return None
        # A breach announced before the change is a fact (seeds 003/004 考核): its due stays.
        held = {}
        if ticket.can("recalculate_sla"):
            held = announced_breaches(uow, service, ticket, tier, before, now)
        if held:
            ticket.response_due_at = held.get("response", ticket.response_due_at)
            ticket.resolution_due_at = held.get("resolution", ticket.resolution_due_at)
            # an announced breach is late after the due it passed, whatever the basis
            if "response" in held:
                ticket.response_late_after = None
            if "resolution" in held:
                ticket.resolution_late_after = None
        after = (ticket.response_due_at, ticket.resolution_due_at)
        # Every open ticket whose due times the new calendar moves (a holiday announced or cancelled,
        # a make-up day added), not only the provisional ones: the stored due is the status's due.
        if not (provisional or undue or after != before or held):
            if steps == (ticket.response_steps, ticket.resolution_steps):
                return None
            # Only the steps the pack meets its clocks at moved (a pack swap of [sla] complaint_resolved_by
            # or service_resolved_by, session 36): saved, so the KPI, the breach report and the ledger read
            # what desk.sla() reads; no due time moved, no recalculation to record.
            return before, held, False
        return before, held, True

    def recompute(uow: UnitOfWork, tickets: Sequence[Ticket], now: datetime) -> list[str]:
        # The tickets to recompute are found on the page as read, then locked in id order and recomputed
        # as last committed, and the sweep's mark is rewound after them: a ticket command holds its
        # ticket, then rewinds the mark; the mark taken before a ticket's save deadlocked with it on
        # PostgreSQL.
        # A pending callback the pack plans otherwise now (a pack swap: [callback] service_from with [sla]
        # callback_from) is planned again with the due times, so the task agrees with desk.sla().
        moving = sorted(
            t.id for t in tickets if settle(uow, t, now) is not None or callback_behind(context, uow, t, now)
        )
        recomputed: list[str] = []
        behind: datetime | None = None
        for ticket_id in moving:
            try:
                ticket = runner.load(uow, ticket_id, lock=True)
            except NotFound:
                continue  # erased with its customer since the page was read
            if ticket.state not in query.states:
                continue  # closed since the page was read: its due times are history
            moved = settle(uow, ticket, now)
            replanned = replan_callback(context, uow, actor, ticket, now, redate=True)
            if moved is None:
                if replanned:
                    uow.tickets.save(ticket)
                    recomputed.append(ticket.id)
                continue  # else recomputed by a command since the page was read
            before, held, recorded = moved
            due = ticket.resolution_due_at
            if due is not None and (before[1] is None or due < before[1]):
                behind = due if behind is None else min(behind, due)
            if recorded and ticket.can("recalculate_sla"):  # a host's own workflow may have no such step
                payload: dict[str, JsonValue] = {
                    "old_response_due_at": _iso(before[0]),
                    "new_response_due_at": _iso(ticket.response_due_at),
                    "old_resolution_due_at": _iso(before[1]),
                    "new_resolution_due_at": _iso(due),
                }
                if held:
                    payload[HELD_KEY] = {name: at.isoformat() for name, at in held.items()}
                ticket.step("recalculate_sla", actor.ref, max(now, ticket.last_event_at), payload=payload)
            uow.tickets.save(ticket)
            recomputed.append(ticket.id)
        if behind is not None:
            rewind_mark(uow, behind, now)  # moved behind the sweep's mark: the next sweep reads it
        return recomputed

    def finish(uow: UnitOfWork, checked: int, recomputed: Sequence[str], now: datetime) -> RecomputeReport:
        if new is not None:
            # the stored due times are the new calendar's now, and the desk's SLA policy's
            stamp_calendar(uow, new, now, sla_of(service.policy), callback=callback)
        until = (new.official_until or new.known_until) if new is not None else None
        if recomputed and until is not None:
            values: dict[str, object] = {"tickets": len(recomputed), "official_until": until}
            key = f"calendar:recomputed:{until.isoformat()}:{now.isoformat()}"
            uow.outbox.put(
                context.notifications.staff_messages("sla_recomputed", (Role.MANAGER,), values, key, now)
            )
        return RecomputeReport(checked, tuple(recomputed), until)

    # From the first page on, the desk derives due times on the new calendar (see the docstring).
    context.calendar = new
    context.sla.calendar = new

    def one_page(at: str | None) -> Callable[[UnitOfWork, datetime], tuple[int, list[str], str | None]]:
        def apply(uow: UnitOfWork, now: datetime) -> tuple[int, list[str], str | None]:
            page = uow.tickets.query(query, PageRequest(page_size, at))
            return len(page.items), recompute(uow, page.items, now), page.next_cursor

        return apply

    if new is not None:  # old desks are refused before the first page (calendar_stamp.begin_move)
        sla = sla_of(service.policy)
        runner.write(
            actor, "stamp_calendar", None, request, lambda uow, now: begin_move(uow, new, now, sla, callback)
        )
    checked, recomputed, cursor = 0, [], None
    while True:
        seen, moved, cursor = runner.write(actor, "recalculate_sla", None, request, one_page(cursor))
        checked += seen
        recomputed += moved
        if cursor is None:
            break
    return runner.write(
        actor, "recalculate_sla", None, request, lambda uow, now: finish(uow, checked, recomputed, now)
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
