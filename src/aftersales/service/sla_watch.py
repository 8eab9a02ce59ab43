"""The SLA sweep: warn before a breach, report the breach, once each, to the handler and the manager (a
complaint's: its designated handler, seed 003 二 5 由指定人员负责跟进).

A breach goes to the roles the pack's escalation names for it (``[escalation] targets.sla_breach``, the
manager by default); a critical ticket's warnings and breaches also reach its route's coordinator (the
department head, seed 003).

A host runs :meth:`SlaWatch.sweep` on a schedule (every few minutes). It looks only at open tickets
whose resolution is due within the horizon (an indexed ledger query, not a scan), computes each one's
SLA status from its event log, and for every target that is in warning or breached writes one
notification per recipient. An :class:`SlaAlert` document per (ticket, target, kind) makes the sweep
idempotent: running it twice, or from two processes, alerts once. A target whose clock restarted after its
announcement (a reopen, or another dealer's 24 hours) is announced again, once, for the new clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Annotated, ClassVar

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.classification import Priority, TicketKind
from aftersales.domain.contact import Contact
from aftersales.domain.instants import micros
from aftersales.domain.parties import CustomerTier
from aftersales.domain.sla_clock import SLA_EXTENSION_KEY, ClockPhase, TargetStatus
from aftersales.domain.sla_targets import WALL_BASES
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import AssigneeKind
from aftersales.errors import CalendarDataMissing, DuplicateError, NotFound
from aftersales.i18n.values import Term
from aftersales.policies.escalation import EscalationFacts, EscalationTrigger
from aftersales.policies.registry import PolicySet
from aftersales.policies.routing import RoutingFacts
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.queries import PAGE_BOUNDS, PageRequest, Sort, TicketFilter
from aftersales.ports.sla_candidates import SlaCandidate
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.serialization import DERIVED
from aftersales.service.access_log import utc_day
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.complaint_clock_audience import follow_up_messages
from aftersales.service.context import DeskContext
from aftersales.service.escalation_reach import reach_up
from aftersales.service.judged_instant import judged_at
from aftersales.service.notify import address_of
from aftersales.service.permissions import Workflow, permit
from aftersales.service.runner import CommandRunner
from aftersales.service.sweep_mark import SweepMark

__all__ = [
    "SlaAlert",
    "SlaWatch",
    "SweepMark",
    "SweepReport",
    "alert_moment",
    "announced_to",
    "restarted_at",
]

_RUNNING, _PAUSED = ClockPhase.RUNNING, ClockPhase.PAUSED  # read through the class, each costs a lookup
_FOREVER = 1 << 62
_SETTLED = 1 << 63
"""The instant remembered for a settled ticket: later than any, and told apart from a mere clock that
runs forever (a paused one), since a settled ticket lets the mark move past it."""
_QUIET_LIMIT = 1_000_000
"""Tickets whose next announcement instant a desk remembers (about 150 bytes each); past it, more are
not remembered (they are loaded on each sweep) rather than all forgotten."""


@attrs.define
class SlaAlert:
    """That a warning or a breach of one target of one ticket was announced, and when."""

    DOCUMENT_KIND: ClassVar[str] = "sla_alert"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("ticket_id", "day", "moment")

    id: str
    ticket_id: str
    target: str
    kind: str
    at: datetime
    due_at: datetime | None = None
    """The due time the announced warning or breach was of (``None`` in alerts stored before it was kept):
    a breach stays one when a new calendar moves that due later (:mod:`aftersales.domain.sla_held`)."""
    version: int = 0
    day: str = attrs.field(default=attrs.Factory(lambda self: utc_day(self.at), takes_self=True))
    """The UTC date of ``at`` (ISO), indexed: the retention purge walks the alerts oldest first
    (:mod:`aftersales.service.mark_retention`). Derived, never given; kept current when ``at`` moves."""
    withdrawn_at: datetime | None = None
    """When an announced response breach was withdrawn: a contact entered after the fact
    (``contact_customer(at=)``) shows the response was made in time
    (:mod:`aftersales.service.breach_withdrawal`).
    ``None`` while the announcement stands; a restarted clock's new announcement clears it."""
    moment: str = attrs.field(
        default=attrs.Factory(lambda self: alert_moment(self.at), takes_self=True), metadata={DERIVED: True}
    )
    """``at`` as fixed-width µs text (:func:`alert_moment`), indexed: the alert list reads a page newest
    first from this index, however many alerts a day holds (issue 21). Derived, never given; kept current
    when ``at`` moves; not stored in the document (an older release refuses unknown keys)."""


_MOMENT_SHIFT = 10**17
"""Added to an instant's µs since 1970 so that every datetime's (back to year 1) is positive."""


def alert_moment(at: datetime) -> str:
    """The index value of an alert announced at ``at``: its µs, shifted positive and zero-padded to 18
    digits, so text order is time order on every store and collation."""
    return f"{micros(at) + _MOMENT_SHIFT:018d}"


class _Sweep:
    """What one sweep has gathered so far across its pages (their transactions committed)."""

    def __init__(self) -> None:
        self.now: datetime | None = None
        self.now_us = 0
        self.given = False  # judged at an instant the caller gave (``at``), not the clock's
        self.first = True
        self.cursor: str | None = None
        self.settled = True  # every ticket read so far is settled: the mark may follow
        self.rewinds = 0  # the mark's rewinds as the first page read them
        self.checked = 0
        self.warnings: list[str] = []
        self.breaches: list[str] = []


_Quiet = tuple[int, CustomerTier, int]
"""A ticket's version and tier, and the instant (µs) before which it has nothing new to announce."""


class _Found:
    """What one page's transaction found, taken into the sweep and the desk's memo only once it has
    committed (:meth:`SlaWatch._take`). A page that did not commit (the store busy at the commit: the
    runner runs it again; a lost connection: the sweep fails) announced nothing: had its findings been
    taken at once, its tickets would be remembered as settled and their rolled-back breaches never
    announced again, and the report would list announcements no store holds."""

    def __init__(self, settled: bool) -> None:
        self.checked = 0
        self.warnings: list[str] = []
        self.breaches: list[str] = []
        self.quiet: dict[str, _Quiet | None] = {}  # None: forget what the memo holds for the ticket
        self.settled = settled
        self.cursor: str | None = None


@attrs.frozen
class SweepReport:
    """What one sweep found: tickets looked at, warnings and breaches newly announced."""

    checked: int
    warnings: tuple[str, ...]
    breaches: tuple[str, ...]


_RESTARTS = frozenset({"reopen", "assign", "reassign", "extend_sla"})
"""The steps that can restart a target's clock or move its limit (see :func:`restarted_at`)."""


def _reopened_clock(ticket: Ticket, target: TargetStatus) -> str:
    """The suffix of a first announcement: ``""``, or ``"@<start µs>"`` on a reopened ticket.

    The retention purge drops a closed ticket's alerts (:mod:`aftersales.service.mark_retention`). Once
    reopened, its clocks restart and the earlier cycle's messages keep their keys: this clock's announcement
    is keyed by its start, as it is when the earlier alert is still stored, so it never takes the earlier
    message's key (a duplicate outbox id that failed every sweep)."""
    if not any(event.action == "reopen" for event in ticket.events):
        return ""
    since = restarted_at(ticket, target)
    return "" if since is None else f"@{micros(since)}"


def restarted_at(ticket: Ticket, target: TargetStatus) -> datetime | None:
    """Since when ``target``'s announcements hold: its clock's start, or the latest extension of its limit
    (seed 002: a special case approved up to 48 h; a breach of the new limit is announced again)."""
    since = target.started_at
    if target.extended and since is not None:
        name = target.name
        for event in reversed(ticket.events):
            if event.at <= since:
                break
            if event.action != "extend_sla":
                continue
            named = event.payload.get(SLA_EXTENSION_KEY) if event.payload else None
            if named == name or (isinstance(named, list | tuple) and name in named):
                return event.at
    return since


@validated_commands
class SlaWatch:
    """The SLA sweep of one desk (``desk.sla_watch``)."""

    def __init__(
        self, context: DeskContext, runner: CommandRunner, horizon: timedelta = timedelta(days=30)
    ) -> None:
        self.context = context
        self.runner = runner
        self.horizon = horizon
        # Tickets with nothing to announce before a known instant: id -> (version, tier, instant µs). A
        # running clock reaches its warning, then its due, at instants its status names; only a new
        # event (a new version), another customer tier or another calendar can bring them earlier, and
        # each is checked on every hit. A settled ticket (every target met, breached and announced, or
        # not started) has nothing to announce until one of them changes (instant _SETTLED). A repeat
        # sweep, a full one too, then loads only the tickets that changed or reached an instant.
        self._quiet: dict[str, _Quiet] = {}
        self._quiet_calendar: object = None

    def sweep(
        self,
        actor: Actor,
        *,
        limit: Annotated[int, PAGE_BOUNDS] = 500,
        full: bool = False,
        at: datetime | None = None,
    ) -> SweepReport:
        """Announce new SLA warnings and breaches of unresolved tickets due within the horizon.

        The sweep reads every unresolved ticket due before ``now + horizon`` in (due, id) order, ``limit``
        tickets per transaction (so writers wait for one page at most, not the whole sweep). It starts
        past a stored mark: the (due, id) up to which every ticket is settled (each target met, breached
        and announced, or not started), so a repeat sweep does not re-read the breaches it announced and
        every later breach is reached however many came before it. ``full=True`` starts from the
        earliest due ticket (for a ticket whose due time moved before the mark, e.g. after a rework).

        ``at`` is the instant every ticket is judged at (the ``sla_sweep`` job's ``now``: a host catching up
        passes it), not ahead of the clock (``ValidationError`` naming ``at``); without it, the clock as
        the first page's transaction begins. A ticket with steps after ``at`` is left to a later sweep.
        """
        permit(actor, Workflow.DOCUMENTS, "sla_sweep")
        PAGE_BOUNDS.check(limit, "limit")
        fill = getattr(self.context.store, "fill_sweep_tables", None)
        if fill is not None:  # a SQLite file from before the sweep's own tables: filled once, first
            fill()
        state = _Sweep()
        if at is not None:  # not ahead of the clock: breaches that have not happened are announced once
            at = judged_at(at, self.context.now())
            state.now, state.now_us, state.given = at, micros(at), True
        self._pages(actor, state, (limit, full), lambda uow, now: self._page(uow, now, state, limit, full))
        # Then the resolved tickets not yet closed (awaiting acceptance or the callback): few, read whole.
        state.cursor = None
        self._pages(actor, state, (limit, full), lambda uow, now: self._resolved_page(uow, state, limit))
        return SweepReport(state.checked, tuple(state.warnings), tuple(state.breaches))

    def _pages(
        self, actor: Actor, state: _Sweep, request: object, page: Callable[[UnitOfWork, datetime], _Found]
    ) -> None:
        """Run ``page`` until no page follows: one page per transaction through the runner (the clock is
        read in the first one); what a page found is taken once its transaction has committed
        (``runner.write`` returns after the commit), so a page rolled back announces nothing."""
        while self._take(state, self.runner.write(actor, "sla_sweep", None, request, page)):
            pass

    def _take(self, state: _Sweep, found: _Found) -> bool:
        """Take a committed page's findings into the sweep and the memo; True when a page follows."""
        state.first = False
        state.cursor, state.settled = found.cursor, found.settled
        state.checked += found.checked
        state.warnings += found.warnings
        state.breaches += found.breaches
        quiet = self._quiet
        for ticket_id, until in found.quiet.items():
            if until is not None and (ticket_id in quiet or len(quiet) < _QUIET_LIMIT):
                quiet[ticket_id] = until
            else:
                quiet.pop(ticket_id, None)
        return found.cursor is not None

    def _resolved_page(self, uow: UnitOfWork, state: _Sweep, limit: int) -> _Found:
        assert state.now is not None
        query = TicketFilter(is_open=True, unresolved=False)
        page = uow.tickets.sla_candidates(query, PageRequest(limit, state.cursor, Sort.RECEIVED_ASC))
        found = _Found(state.settled)
        self._check_page(uow, page.items, state, found)
        found.cursor = page.next_cursor
        return found

    def _page(self, uow: UnitOfWork, now: datetime, state: _Sweep, limit: int, full: bool) -> _Found:
        """Sweep one page in ``uow``: what it found (its ``cursor`` is ``None`` when it was the last)."""
        if state.now is None:
            state.now, state.now_us = now, micros(now)
        now = state.now
        stored = self._mark(uow)
        mark = stored or SweepMark(SweepMark.ID)
        cursor = (None if full else mark.cursor) if state.first else state.cursor
        query = TicketFilter(unresolved=True, due_before=now + self.horizon)
        # The page's rows alone (id, version, tier, due): a ticket is loaded only when it is measured.
        page = uow.tickets.sla_candidates(query, PageRequest(limit, cursor, Sort.DUE))
        found = _Found(state.settled)
        if state.first:
            state.rewinds = mark.rewinds
        elif mark.rewinds != state.rewinds:
            # Moved back since this sweep's first page, behind pages it read before: the next sweep
            # reads from there (moving it forward now would step over the ticket it was moved back for).
            found.settled = False
        reached: tuple[int, str] | None = None
        if found.settled:  # the mark follows the settled tickets from the first on
            checked = self._check_page(uow, page.items, state, found)
            for candidate, done in zip(page.items, checked, strict=True):
                if not done:
                    found.settled = False
                    break
                if candidate.due_us is not None:
                    reached = (candidate.due_us, candidate.id)
        else:
            self._check_page(uow, page.items, state, found)
        # The mark only moves forward (a full sweep, or a slower concurrent one, never rewinds it).
        if reached is not None and (mark.due_us is None or reached > (mark.due_us, mark.ticket_id or "")):
            mark.due_us, mark.ticket_id = reached
            if stored is None:
                uow.documents.add(mark)
            else:
                uow.documents.save(mark)
        found.cursor = page.next_cursor
        return found

    @staticmethod
    def _mark(uow: UnitOfWork) -> SweepMark | None:
        try:
            return uow.documents.get(SweepMark, SweepMark.ID)
        except NotFound:
            return None

    def _check_page(
        self, uow: UnitOfWork, candidates: Sequence[SlaCandidate], state: _Sweep, found: _Found
    ) -> list[bool]:
        """Announce what is new for each of a page's ``candidates``; whether each is settled (nothing
        more to announce). A ticket known to be quiet at its version and tier is not loaded: its
        memo is read here, in one loop per page (a sweep reads 200k candidates at 1 M tickets)."""
        calendar = self.context.sla.calendar
        if self._quiet_calendar is not calendar:  # provisional dues recomputed on a new calendar
            self._quiet.clear()
            self._quiet_calendar = calendar
        found.checked += len(candidates)
        known, now_us, check = self._quiet.get, state.now_us, self._check
        settled: list[bool] = []
        to_lock: list[int] = []  # breaches to announce: measured again locked, once the page is read
        for candidate in candidates:
            quiet = known(candidate.id)
            if (
                quiet is not None
                and quiet[0] == candidate.version
                and quiet[1] is candidate.tier
                and now_us < quiet[2]
            ):
                settled.append(quiet[2] == _SETTLED)  # or a clock runs, but nothing new before quiet[2]
                continue
            done = check(uow, candidate, state, found)
            if done is None:
                to_lock.append(len(settled))
            settled.append(bool(done))
        # In ascending id order, the order every command takes several tickets in
        # (:func:`~aftersales.service.row_locks.lock_in_order`): locked in the page's due order, a command
        # holding a lower id and waiting for a higher one deadlocked with the sweep on PostgreSQL.
        for n in sorted(to_lock, key=lambda n: candidates[n].id):
            settled[n] = bool(check(uow, candidates[n], state, found, locked=True))
        return settled

    def _check(
        self, uow: UnitOfWork, candidate: SlaCandidate, state: _Sweep, found: _Found, locked: bool = False
    ) -> bool | None:
        """Measure the ``candidate`` ticket and announce what is new (into ``found``); True when it is
        settled; ``None``, having announced nothing, when it is to be measured again read locked
        (``locked``: a breach to announce, see :func:`_breach_alerts`)."""
        assert state.now is not None
        now, warnings, breaches = state.now, found.warnings, found.breaches
        tier = candidate.tier
        now_us = state.now_us
        try:
            ticket = uow.tickets.get_for_update(candidate.id) if locked else uow.tickets.get(candidate.id)
        except NotFound:  # erased since the page was read
            return True
        events = ticket.events
        if state.given and events and events[-1].at > now:
            # Judged before its latest step (a host catching up): what is stored is not the ticket as it
            # was then, and its clocks may not have started; settled or memoised here, no later sweep
            # read it again and its breach went unannounced. A sweep at or after that step judges it.
            found.quiet[ticket.id] = None
            return False
        if ticket.version != candidate.version:  # changed since the page was read: as it is now
            tier = self.runner.tier(uow, ticket)
        try:
            status = self.context.sla.status(ticket, tier, now)
        except CalendarDataMissing:
            return False
        alerts = _breach_alerts(uow, ticket, status.targets)
        if not locked and _to_announce(ticket, status.targets, alerts):
            return None
        settled = True
        until: int | None = None  # the earliest instant something new may be announced
        for target in status.targets:
            kind = "sla_breach" if target.breached else "sla_warning" if target.warning else None
            # A target that has not started (a callback) starts only after the resolution, outside
            # this sweep's query: only a running or paused one that is not breached is unsettled.
            phase = target.phase
            if not target.breached and (phase is _RUNNING or phase is _PAUSED):
                settled = False
                if phase is _RUNNING:  # a paused clock changes only with an event
                    next_at = target.due_at if target.warning else target.warning_at
                    if next_at is not None:
                        next_us = micros(next_at)
                        if next_us <= now_us:
                            next_us = self._resumes(target, now, now_us)
                        until = next_us if until is None or next_us < until else until
            if kind is None:
                continue
            clock = self._first(uow, ticket, target, kind, now, alerts)
            if clock is None:
                continue
            uow.outbox.put(self._messages(uow, ticket, target, kind, now, clock))
            (breaches if kind == "sla_breach" else warnings).append(f"{ticket.id}:{target.name}")
        quiet_until = _SETTLED if settled else _FOREVER if until is None else until
        found.quiet[ticket.id] = (ticket.version, tier, quiet_until) if quiet_until > now_us else None
        return settled

    def _resumes(self, target: TargetStatus, now: datetime, now_us: int) -> int:
        """When a running ``target`` whose next instant (warning or due) is ``now`` can next announce.

        A working-time clock stands still out of working hours, so its due instant reached at 18:00 is
        breached only once working time resumes. A wall-clock target (seed 001's 30 minutes to contact an
        urgent caller, a dealer's 24 hours) runs on: due at 22:35 on a holiday night, it is breached at
        22:35 plus any instant, and the next sweep must look (it waited for 09:00 before)."""
        calendar = self.context.sla.calendar
        if target.target.basis in WALL_BASES or calendar is None:
            return now_us + 1
        return micros(calendar.next_working_time(now))

    @staticmethod
    def _first(
        uow: UnitOfWork,
        ticket: Ticket,
        target: TargetStatus,
        kind: str,
        now: datetime,
        read: Mapping[str, SlaAlert | None],
    ) -> str | None:
        """Record that ``kind`` of ``target`` is announced now; ``None`` when it already was for this clock.

        Returns the suffix that tells this clock's messages apart: ``""`` for the first announcement,
        ``"@<start µs>"`` when an earlier one was made before this clock started (the target restarted:
        a reopen, or another dealer's 24 hours), so that clock's warning and breach are announced too.
        """
        alert = SlaAlert(
            f"{ticket.id}:{target.name}:{kind}", ticket.id, target.name, kind, now, target.due_at
        )
        try:
            # a breach's alert was read already (_breach_alerts), a warning's is read here
            found = read[alert.id] if alert.id in read else uow.documents.get(SlaAlert, alert.id)
            if found is None:
                raise NotFound(SlaAlert.DOCUMENT_KIND, alert.id)
        except NotFound:
            try:
                uow.documents.add(alert)
            except DuplicateError:
                return None
            return _reopened_clock(ticket, target)
        since = _again_since(ticket, target, found)
        if since is None:
            return None
        found.at, found.due_at, found.day, found.withdrawn_at = now, target.due_at, utc_day(now), None
        found.moment = alert_moment(now)
        uow.documents.save(found)
        return f"@{micros(since)}"

    def _messages(
        self, uow: UnitOfWork, ticket: Ticket, target: TargetStatus, kind: str, now: datetime, clock: str
    ) -> list[OutboxMessage]:
        due = target.due_at or now
        values: dict[str, object] = {
            "ticket_id": ticket.id,
            "target": Term(f"sla_target.{target.name}"),
            "due_at": due,
        }
        if kind == "sla_breach":
            values["overdue"] = target.breach
        else:
            values["remaining"] = max(target.remaining, timedelta(0))
        key = f"{ticket.id}:sla:{target.name}:{kind}{clock}"
        notifications = self.context.notifications
        roles = self._staff(ticket, kind)
        # A complaint's clock is announced in a complaint's words; the key keeps the kind it always had.
        words = f"complaint_{kind}" if ticket.kind is TicketKind.COMPLAINT else kind
        if kind == "sla_breach":  # an escalation: up the ladder when the roles named reach nobody
            messages = list(reach_up(notifications, words, roles, values, key, now, uow).messages)
        else:
            messages = notifications.staff_messages(words, roles, values, key, now, uow)
        handler = self._handler(uow, ticket)
        if handler is not None:
            messages += notifications.contact_messages(words, "handler", handler, values, key, now)
        # seed 003 二 5 由指定人员负责跟进: the handler answers for the time limit; 二 1 轮班制: the agents at
        # the desk cover for a handler off shift (they may call the customer)
        messages += follow_up_messages(notifications, uow, ticket, words, values, key, now, announced_at=now)
        return messages

    def _staff(self, ticket: Ticket, kind: str) -> tuple[Role, ...]:
        return announced_to(self.context.policies, ticket, kind)

    @staticmethod
    def _handler(uow: UnitOfWork, ticket: Ticket) -> Contact | None:
        assignee = ticket.assignee
        if assignee is None:
            return None
        try:
            if assignee.kind is AssigneeKind.ENGINEER:
                contact = uow.engineers.get(assignee.id).contact
            elif assignee.kind is AssigneeKind.DEALER:
                contact = uow.dealers.get(assignee.id).contact
            else:
                return None
        except NotFound:
            return None
        return contact if contact is not None and address_of(contact) is not None else None


def _again_since(ticket: Ticket, target: TargetStatus, found: SlaAlert) -> datetime | None:
    """The start of ``target``'s clock when it restarted since ``found`` was announced (a reopen, another
    dealer's 24 hours, an extension): it is announced again for that clock; ``None`` while it holds."""
    # Only a step after the announcement can have restarted the clock (most tickets have none: no
    # start instant is computed for them).
    for event in reversed(ticket.events):
        if event.at < found.at:
            return None
        if event.action in _RESTARTS:
            break
    else:
        return None
    since = restarted_at(ticket, target)
    # This clock's own warning or breach comes after some of it ran, so strictly after its start.
    return None if since is None or found.at > since else since


def _to_announce(
    ticket: Ticket, targets: Sequence[TargetStatus], alerts: Mapping[str, SlaAlert | None]
) -> bool:
    """Whether a breach of ``ticket`` is to be announced: one without an alert, or one whose alert was made
    for an earlier clock (announced again: before session 29 that was written from the unlocked read, and a
    contact entered meanwhile left it standing on a response met in time). The sweep measures it again
    locked (:func:`_breach_alerts`)."""
    for target in targets:
        if not target.breached:
            continue
        found = alerts[f"{ticket.id}:{target.name}:sla_breach"]
        if found is None or _again_since(ticket, target, found) is not None:
            return True
    return False


def _breach_alerts(
    uow: UnitOfWork, ticket: Ticket, targets: Sequence[TargetStatus]
) -> dict[str, SlaAlert | None]:
    """The stored alert of each breached target of ``ticket`` by its id, ``None`` where there is none yet.

    A breach with no alert is announced now; the sweep then reads the ticket again locked
    (``get_for_update``: a row lock on PostgreSQL) and judges that. A command on the ticket meanwhile — a
    contact entered after the fact, which withdraws an announced response breach
    (:mod:`aftersales.service.breach_withdrawal`) — either commits first and is judged, or waits for the
    sweep and reads its alert. Read unlocked, both committed: a breach announced on a response met, never
    withdrawn. Breaches are announced once: few tickets are locked."""
    alerts: dict[str, SlaAlert | None] = {}
    for target in targets:
        if target.breached:
            alert_id = f"{ticket.id}:{target.name}:sla_breach"
            try:
                alerts[alert_id] = uow.documents.get(SlaAlert, alert_id)
            except NotFound:
                alerts[alert_id] = None
    return alerts


def announced_to(policies: PolicySet, ticket: Ticket, kind: str) -> tuple[Role, ...]:
    """The staff roles told of ``kind``: the manager of a warning; the pack's escalation of a breach
    (``[escalation] targets.sla_breach``, the manager by default); and, for a critical ticket, the
    coordinator its route names (seed 003: 特急问题…由部门负责人协调资源优先处理)."""
    roles: tuple[Role, ...] = (Role.MANAGER,)
    if kind == "sla_breach":
        roles = policies.escalation.decide(EscalationFacts(EscalationTrigger.SLA_BREACH)).outcome.to
    if ticket.priority is Priority.CRITICAL:
        assessment = ticket.assessment
        route = policies.routing.decide(
            RoutingFacts(
                Priority.CRITICAL,
                assessment.departments if assessment else 1,
                assessment is not None and assessment.complex_problem,
            )
        ).outcome
        coordinators = (*route.notify, *((route.coordinator,) if route.coordinator else ()))
        roles = tuple(dict.fromkeys((*roles, *coordinators)))
    return roles
