"""SLA breaches by priority and week: how many tickets answered or solved after their due time.

Read through the ledger (:meth:`ServiceDesk.ledger`), so an actor sees the breaches of the tickets
they may see (a dealer its own and those dispatched to it; its handling alone, the seed-002 contract
of 24 hours, is ``filters=TicketFilter(engineer_id=<the dealer's id>)``: the tickets assigned to
it). A ticket belongs to the ISO week it was received in (in the report's time zone). Its response
is late when the first contact with the customer (the SLA's response,
:func:`~aftersales.domain.sla_reading.first_response`: not triage, which is internal) came after the
response due time, or when none came and the response clock ran past it — to the cancellation or the
work marked done, as the SLA stops it, else to ``as_of``; its resolution is late when it was resolved
after the resolution due time, or is still unresolved at ``as_of`` with the due time passed (counted
again as *still open, overdue*), or was cancelled (withdrawn) unresolved after the due time, as the SLA
stops the clock there and judges it breached (and the KPI counts it missed). A ticket reopened (a
callback found the problem back) is late when any of its cycles was: its response is the first cycle's
(a reopened cycle has no response target; a contact after the reopen answers none), judged against that
cycle's due kept in the reopen (as the KPI judges it, :func:`~aftersales.ports.reporting.judged_dues`);
the resolution of each cycle a reopen ended is read from the SLA status just before the reopen
(``desk.sla(actor, id, at=...)``, when the desk answers it). A ticket waiting in a state that pauses its
clocks (awaiting the customer; parts too when the desk's SLA policy says ``pause_on_parts``) is judged
where the wait began, as its live SLA status is (paused: late only if it ran out before). The breach
rate is over the resolutions judged (resolved, or late), as the KPI's on-time rate. A request handed over
as a complaint is judged as that complaint, not beside it
(:func:`~aftersales.ports.reporting.counts_as_call`). Tickets without a due time are not judged here (see
the KPI report's fallback targets).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from aftersales.domain.contact import zone
from aftersales.domain.instants import micros, require_aware
from aftersales.domain.sla_late import late_after
from aftersales.domain.sla_reading import answered_at, first_response, response_steps, response_stopped
from aftersales.domain.sla_solution import solution_given
from aftersales.domain.ticket import ended_cycles
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import ValidationError
from aftersales.ports.queries import TicketFilter
from aftersales.ports.reporting import Period, counts_as_call, judged_dues, pause_starts
from aftersales.reports.kpi import pauses_on_parts, rate
from aftersales.reports.ledger_export import iter_ledger
from aftersales.reports.sources import LedgerDesk, SlaDesk, desk_zone

__all__ = ["PRIORITY_ORDER", "SlaCell", "SlaReport", "sla_breaches"]

PRIORITY_ORDER = ("critical", "expedited", "normal", "")
"""Rows of the report, most urgent first; ``""`` is a ticket not triaged yet."""


@attrs.frozen
class SlaCell:
    """The tickets of one (week, priority) with a due time, and how many were late."""

    due: int = 0
    response_breached: int = 0
    resolution_breached: int = 0
    open_breached: int = 0
    resolution_judged: int = 0
    """Tickets whose resolution is judged: resolved (its due time known), or late. One still open before
    its due time, or cancelled before it, is neither on time nor late yet: the denominator of
    :attr:`breach_rate`, as the KPI's resolution on-time rate counts measured and missed ones only."""

    @property
    def breached(self) -> int:
        """Tickets late on response or resolution (counted once)."""
        return max(self.response_breached, self.resolution_breached)

    @property
    def breach_rate(self) -> Decimal | None:
        """Resolution breaches over the resolutions judged (:attr:`resolution_judged`): the KPI's
        late share (1 − its resolution on-time rate) over the same tickets."""
        return rate(self.resolution_breached, self.resolution_judged)


@attrs.frozen
class SlaReport:
    """Breach counts per ``(week, priority)``; weeks are ``"2026-W10"`` (ISO), in order."""

    period: Period
    as_of: datetime
    timezone: str
    weeks: tuple[str, ...]
    priorities: tuple[str, ...]
    cells: Mapping[tuple[str, str], SlaCell]

    def cell(self, week: str, priority: str) -> SlaCell:
        """The counts of ``week`` and ``priority`` (zeros when none)."""
        return self.cells.get((week, priority), SlaCell())

    def by_priority(self, priority: str) -> SlaCell:
        """The counts of ``priority`` over every week."""
        return _sum(c for (_, p), c in self.cells.items() if p == priority)

    @property
    def total(self) -> SlaCell:
        """The counts over every week and priority."""
        return _sum(self.cells.values())


def _sum(cells: object) -> SlaCell:
    due = resp = res = still = judged = 0
    for c in cells:  # type: ignore[attr-defined]
        due += c.due
        resp += c.response_breached
        res += c.resolution_breached
        still += c.open_breached
        judged += c.resolution_judged
    return SlaCell(due, resp, res, still, judged)


_JUST_BEFORE = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _earlier_cycles_late(desk: object, actor: object, ticket_id: str, events: Sequence[Any]) -> bool:
    """Whether a cycle a reopen ended was late: its SLA status just before the reopen (the contract's
    and the dealer's targets), when the desk answers SLA statuses. A reopen recorded in the same instant
    as the cycle's last steps (a hand-over, the result, the acceptance: an import, a manual clock) has no
    instant before it at which the log stood as the cycle ended; that cycle is judged from what the
    reopen kept of it (:func:`~aftersales.domain.ticket.ended_cycles`), as the KPI judges it."""
    if not isinstance(desk, SlaDesk):
        return False
    for index, event in enumerate(events):
        if event.action != "reopen":
            continue
        if index and events[index - 1].at >= event.at:
            kept = ended_cycles(events[index : index + 1])
            if kept:
                cycle = kept[0][1]
                until = late_after(cycle["resolution_due_at"], cycle["resolution_late_after"])
                done = cycle["resolved_at"]
                if until is not None and done is not None and done > until:
                    return True
                continue
        status = desk.sla(actor, ticket_id, at=event.at - _JUST_BEFORE)
        if _breached(status, "resolution") or _breached(status, "dealer_resolution"):
            return True
    return False


def _breached(status: Any, name: str) -> bool:
    target = status.get(name)
    return target is not None and bool(target.breached)


def _met_at(ticket: Any) -> datetime | None:
    """Where ``ticket``'s resolution target was met: its solution given where its SLA times it so (seed
    003 二 5, ``resolution_steps``), else its resolution (``resolved_at``), as the live SLA and the KPI
    meet it."""
    steps = getattr(ticket, "resolution_steps", ())
    if steps:
        given = solution_given(ticket.events, steps)
        return given.at if given is not None else None
    found: datetime | None = ticket.resolved_at
    return found


def _ended_late(ticket: Any, due: datetime, met: datetime | None) -> bool:
    """Whether the resolution clock of ``ticket`` ended past ``due``: met (``met``) after it, or
    cancelled (withdrawn) unresolved after it. The SLA stops the clock at a cancellation and judges it
    breached when it ran past the due time; the KPI counts it missed (``resolution_missed``) alike."""
    if met is not None:
        return bool(met > due)
    ended = ticket.closed_at
    cancelled = ticket.state == TicketState.CANCELLED.value
    return cancelled and ended is not None and ended > due


def _standing(events: Sequence[Any], parts: bool, as_of: datetime) -> datetime:
    """Where an unmet clock of a ticket stands at ``as_of``: where its current pause began when that is
    earlier (:func:`~aftersales.ports.reporting.pause_starts`), else ``as_of``."""
    paused = pause_starts(events)[1 if parts else 0]
    if paused is None or paused >= micros(as_of):
        return as_of
    return _EPOCH + timedelta(microseconds=paused)


def sla_breaches(
    desk: LedgerDesk,
    actor: object,
    period: Period,
    *,
    as_of: datetime,
    timezone: str | None = None,
    filters: TicketFilter | None = None,
) -> SlaReport:
    """Count the response and resolution breaches of tickets received in ``period``, seen by ``actor``,
    per ISO week of ``timezone`` (default the desk's zone, ``desk.zone``: session 38, it was
    ``Asia/Shanghai`` whatever the desk's settings said)."""
    require_aware(as_of, "as_of")
    if not isinstance(period, Period):
        raise ValidationError("period must be a Period", field="period")
    if filters is not None and not isinstance(filters, TicketFilter):
        raise ValidationError("filters must be a TicketFilter", field="filters")
    tz = desk_zone(desk) if timezone is None else zone(timezone)
    timezone = str(tz)  # the zone's IANA name (a ZoneInfo's key)
    base = filters or TicketFilter()
    query = attrs.evolve(base, received_from=period.start, received_to=period.end)
    counts: dict[tuple[str, str], list[int]] = {}
    parts = pauses_on_parts(getattr(getattr(desk, "policies", None), "sla", None))
    for t in iter_ledger(desk, actor, query):
        if t.response_due_at is None and t.resolution_due_at is None:
            continue
        if not counts_as_call(t):  # a request handed over as a complaint: judged as that complaint
            continue
        year, week, _ = t.received_at.astimezone(tz).isocalendar()
        key = (f"{year}-W{week:02d}", t.priority.value if t.priority is not None else "")
        row = counts.setdefault(key, [0, 0, 0, 0, 0])
        row[0] += 1
        events = t.events
        # A ticket waiting in a pausing state has its clocks standing since the wait began (the live SLA
        # shows it paused): judged there, not at as_of, as the KPI judges it.
        standing = _standing(events, parts, as_of)
        steps = response_steps(t)  # the ticket's own SLA's response steps
        answered = first_response(events, steps)  # the first cycle's: a reopened cycle has no response target
        # Judged against the due of the cycle it belongs to and past the last instant still on time (a
        # working-time due at a window's end: the next working instant), from the stored facts the KPI
        # reads (ports.reporting.judged_dues), so the two never disagree about one ticket.
        answer_at = answered_at(answered) if answered is not None else None
        respond_by_us = judged_dues(t, micros(answer_at) if answer_at is not None else None)[0]
        if respond_by_us is not None:
            # late: answered after the due time, or not answered and its clock ran past the due time
            stopped = response_stopped(events, steps) if answered is None else None
            end = answer_at if answer_at is not None else stopped.at if stopped is not None else standing
            if micros(end) > respond_by_us:
                row[1] += 1
        due = late_after(t.resolution_due_at, t.resolution_late_after)
        late = row[2]
        met = _met_at(t)
        overdue = due is not None and met is None and standing > due and t.closed_at is None
        if overdue:
            row[2] += 1
            row[3] += 1
        elif (due is not None and _ended_late(t, due, met)) or _earlier_cycles_late(
            desk, actor, t.id, events
        ):  # late now, or late in a cycle a reopen ended (the dealer's 24 hours beside a contract too)
            row[2] += 1
        if row[2] > late or (due is not None and met is not None):
            row[4] += 1  # late, or resolved against a known due time: judged
    cells = {k: SlaCell(*v) for k, v in counts.items()}
    weeks = tuple(sorted({w for w, _ in cells}))
    present = {p for _, p in cells}
    priorities = tuple(p for p in PRIORITY_ORDER if p in present)
    return SlaReport(period, as_of, timezone, weeks, priorities, cells)
