"""The SLA in the service layer: targets from the pack's SLA policy, status from the event log.

After every command the desk re-derives the ticket's due times from its events (never from a
counter) and stores them on the ticket, so the ledger can filter on "due before" and "breached".
The stored due time is the status's due instant itself (exact: a window may end at 12:00 or 18:00).
Beyond the official holiday data the desk's calendar (``china_mainland``) is provisional: due times are
computed on the statutory holidays alone and marked provisional (``TargetStatus.provisional``). Only when
even provisional data is missing are due times left as they were, and :meth:`SlaService.status` raises
``CalendarDataMissing`` to say why.
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

import attrs

from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.call_shape import host_factories
from aftersales.domain.classification import Plan, Priority
from aftersales.domain.customer_feedback import owes_response
from aftersales.domain.events import TicketEvent
from aftersales.domain.parties import CustomerTier
from aftersales.domain.reasons import Reason
from aftersales.domain.sla_clock import SlaStatus, SlaTargets, SlaTimeline, sla_timeline
from aftersales.domain.sla_held import HeldDue, held_dues, still_held, with_held
from aftersales.domain.sla_late import working_late_after
from aftersales.domain.sla_reading import GRADING_STEPS, dealer_of, held_dealer, last_grade, steps_of
from aftersales.domain.sla_retarget import retarget
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import AssigneeKind
from aftersales.errors import CalendarDataMissing, ConfigurationError
from aftersales.policies.callback import CallbackFacts
from aftersales.policies.decision import Decision
from aftersales.policies.protocols import CallbackPolicy
from aftersales.policies.sla import SlaFacts, SlaParams, SlaPolicy, SlaTarget, urgent_contact_applies
from aftersales.policies.sla_terms import SlaTerms, apply_terms, terms_in
from aftersales.ports.erasure import keeps_personal_copies
from aftersales.service.sla_feedback import without_response

__all__ = ["SlaService"]


def _priority_at(ticket: Ticket, at: datetime | None) -> Priority:
    """The priority in force at ``at`` (the ticket's current one when ``at`` is ``None`` or after every
    change): the last ``opened``/``triage`` event at or before ``at`` that set one."""
    current = ticket.priority or Priority.NORMAL
    if at is None or ticket.events[-1].at <= at:
        return current
    graded = last_grade(ticket.events, at)
    return Priority(graded) if graded is not None else Priority.NORMAL


_PRIORITY_STEPS = frozenset({"opened", *GRADING_STEPS, "reopen"})


def _priority_changes(events: Sequence[TicketEvent]) -> tuple[Priority, tuple[tuple[int, Priority], ...]]:
    """The priority in force when the current cycle began, and each later change (event index, the
    priority it set): an ``opened`` event sets one (normal until one does), a ``triage`` or a
    ``reclassify`` (:data:`~aftersales.domain.sla_reading.GRADING_STEPS`) may change it. No change is
    the one empty tuple: kept per ticket, an empty list each was one more object for every full
    collection of the garbage collector to visit (issue 21)."""
    in_force = first = Priority.NORMAL
    changes: list[tuple[int, Priority]] = []
    for index, event in enumerate(events):
        action = event.action
        if action == "reopen":
            first, changes = in_force, []
            continue
        if action != "opened" and action not in GRADING_STEPS:
            continue
        raw = event.payload.get("priority") if event.payload else None
        priority = Priority(raw) if isinstance(raw, str) else None
        if action == "opened":
            in_force = first = priority or Priority.NORMAL
            changes = []
        elif priority is not None and priority is not in_force:
            changes.append((index, priority))
            in_force = priority
    return (first, tuple(changes)) if changes else _UNCHANGED[first]


_UNCHANGED = {priority: (priority, ()) for priority in Priority}
"""A log without priority changes, one shared value per priority in force: a tuple holding an enum member
stays tracked by the garbage collector, and every ticket kept one of its own (issue 21)."""


def _past_facts(ticket: Ticket, at: datetime) -> tuple[bool, Plan | None, bool] | None:
    """Whether ``ticket`` had been reopened at ``at``, the plan its last triage then set, and whether it
    was then with a dealer, read from the events up to ``at``; ``None`` when ``at`` is not before the last
    event (the current facts hold)."""
    events = ticket.events
    if not events or events[-1].at <= at:
        return None
    reopened, plan, dealer = False, None, False
    for event in events:
        if event.at > at:
            break
        action, payload = event.action, event.payload
        if action == "reopen":
            reopened = True
        elif action == "triage" and payload and isinstance(payload.get("plan"), str):
            plan = Plan(payload["plan"])
        elif action in ("assign", "reassign") and payload:
            dealer = dealer_of(payload) is not None
    return reopened, plan, dealer


_KEPT = 8192
"""Tickets whose timeline a desk keeps (a few KB each), least recently used forgotten first: a full
cache that forgot all at once measured every ticket again, hot ones too (issue 21, as the ticket memo)."""


class _Kept:
    """What a ticket's event log gave: whether it was reopened, and its clocks measured for some targets
    on some calendar (an immutable :class:`SlaTimeline`), for the log of ``count`` events ending ``last``."""

    __slots__ = (
        "before",
        "changes",
        "count",
        "decided",
        "held",
        "last",
        "late",
        "measured",
        "reopened",
        "retargeted",
    )

    def __init__(self, count: int, last: object, reopened: bool) -> None:
        self.count = count
        self.last = last
        self.reopened = reopened
        # The clocks measured: a timeline knows the targets and calendar it measured (by identity), so it
        # is kept alone, not in a tuple with them (one tracked object less per ticket, issue 21).
        self.measured: SlaTimeline | None = None
        # The last log's clocks when they could not be carried on to this one as they were (a dispatch
        # brings other targets): :meth:`SlaService._timeline` carries them over the dispatch, then drops them.
        self.before: SlaTimeline | None = None
        # The policy's decision for this log's current facts, for one customer tier: every fact it reads
        # (priority, category, plan, assignee, urgency, reopening, agreed terms) changes only by an event,
        # and a new event makes a new _Kept.
        self.decided: tuple[CustomerTier, tuple[Decision[SlaTargets], SlaTargets]] | None = None
        # The late-after instants last derived for this ticket, with everything they were derived from
        # (see SlaService._late): valid for any log, so carried over to the next one.
        self.late: _LateKept | None = None
        self.changes: tuple[Priority, tuple[tuple[int, Priority], ...]] | None = None
        # The decision re-counted for the priority changes of this log (made only when there are some).
        self.retargeted: tuple[CustomerTier, tuple[Decision[SlaTargets], SlaTargets]] | None = None
        # The breached due times a recalculation held for this log's clocks (domain.sla_held).
        self.held: dict[str, HeldDue] | None = None


_STORED = frozenset({"response", "resolution", "dealer_resolution"})
# The callback target is measured with them when asked for the full status; stored due times are the exact
# instants the status shows (no rounding to the next working start).
"""The targets whose due times a ticket stores (the ledger filters and sorts on them)."""


def _with_stored(decision: Decision[SlaTargets]) -> tuple[Decision[SlaTargets], SlaTargets]:
    """The decision, and the part of its targets whose due times a ticket stores."""
    targets = decision.outcome
    return decision, attrs.evolve(targets, targets=[t for t in targets.targets if t.name in _STORED])


@host_factories
class SlaService:
    """Derives a ticket's due times (stored for the ledger) and its full SLA status."""

    def __init__(
        self,
        policy: SlaPolicy | None,
        calendar: BusinessCalendar | None,
        days_zone: tzinfo | None = None,
        callback: CallbackPolicy | None = None,
    ) -> None:
        self.policy = policy
        # The pack's callback policy: no callback target where it owes no callback (see _owed_callback).
        self.callback = callback
        self.calendar = calendar
        # Where a target in whole local days (the callback's 七天内) counts its days: the desk's zone, the
        # zone the callback task and the stored callback due use (the calendar's when None).
        self.days_zone = days_zone
        # Policies are pure functions of their facts, and tickets share a handful of fact sets. Each
        # decision is kept with the part of its targets whose due times a ticket stores.
        self._decisions: dict[tuple[object, ...], tuple[Decision[SlaTargets], SlaTargets]] = {}
        self._agreed: dict[tuple[tuple[object, ...], SlaTerms], tuple[Decision[SlaTargets], SlaTargets]] = {}
        # Per ticket id, what its event log gave last time (see _Kept): read again only when it grew.
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        # One object per distinct set of stored targets (immutable values): a step that moves a ticket to
        # other facts with equal targets (a dispatch, most triages) keeps its timeline, found by identity.
        self._same: dict[SlaTargets, SlaTargets] = {}
        # Per (ticket, last priority change, calendar, tier): the decisions the re-counting read and
        # its result (see _decide).
        self._recounted: dict[
            tuple[str, int, BusinessCalendar, CustomerTier],
            tuple[tuple[Decision[SlaTargets], ...], tuple[Decision[SlaTargets], SlaTargets]],
        ] = {}
        keeps_personal_copies(self)  # an erasure through any desk of this process reaches these logs

    def forget_erased(self, customer_id: str, ticket_ids: Sequence[str], needles: Sequence[str]) -> int:
        """Drop what was kept of these tickets' event logs (an erasure: the kept last event quotes the
        old text; the next read derives it again from the erased log)."""
        ids = set(ticket_ids)
        dropped = sum(self._kept.pop(id, None) is not None for id in ids)
        for key in [k for k in list(self._recounted) if k[0] in ids]:
            dropped += self._recounted.pop(key, None) is not None
        return dropped

    def targets(self, ticket: Ticket, tier: CustomerTier) -> Decision[SlaTargets] | None:
        """The targets the policy sets for ``ticket`` now (``None`` without an SLA policy)."""
        found = self._decide(ticket, tier)
        return found[0] if found is not None else None

    def _decide(
        self, ticket: Ticket, tier: CustomerTier, at: datetime | None = None, known: _Kept | None = None
    ) -> tuple[Decision[SlaTargets], SlaTargets] | None:
        """The decision for ``ticket``'s facts at ``at`` (now when ``None``), with the targets a priority
        changed during the current cycle re-counted from the change (see ``domain.sla_retarget``);
        ``known``: what :meth:`_log` just gave for this very log (not looked up again)."""
        if self.policy is None:
            return None
        events = ticket.events
        log = events if at is None or not events or events[-1].at <= at else [e for e in events if e.at <= at]
        kept = (known or self._log(ticket)) if log is events and events else None
        if kept is None:
            first, changes = _priority_changes(log)
        else:  # read once per log: every command derives its ticket's due times
            if kept.changes is None:
                kept.changes = _priority_changes(events)
            first, changes = kept.changes
        if not changes or self.calendar is None:
            return self._decide_for(ticket, tier, at, None, kept)
        if kept is not None and kept.retargeted is not None and kept.retargeted[0] is tier:
            return kept.retargeted[1]
        previous = self._decide_for(ticket, tier, at, first, kept)
        assert previous is not None
        decisions = [previous[0]]
        for _, priority in changes:
            after = self._decide_for(ticket, tier, at, priority, kept)
            assert after is not None
            decisions.append(after[0])
        # The re-counted targets depend only on the log up to the last change, the decisions (memoised:
        # the same objects while the facts stay) and the calendar: kept per ticket, checked by identity,
        # so a later note or visit neither measures the log again nor makes a new targets object.
        key = (ticket.id, changes[-1][0], self.calendar, tier)
        memo = self._recounted.get(key)
        if memo is not None and len(memo[0]) == len(decisions) and all(map(operator.is_, memo[0], decisions)):
            found = memo[1]
        else:
            found = self._recount(log, changes, decisions, self.calendar, ticket.urgent)
            if len(self._recounted) >= 4096:
                self._recounted.clear()
            self._recounted[key] = (tuple(decisions), found)
        if kept is not None:
            kept.retargeted = (tier, found)
        return found

    def _recount(
        self,
        log: Sequence[TicketEvent],
        changes: Sequence[tuple[int, Priority]],
        decisions: list[Decision[SlaTargets]],
        calendar: BusinessCalendar,
        flagged: bool = False,
    ) -> tuple[Decision[SlaTargets], SlaTargets]:
        """The decision with its targets re-counted for each priority change (``decisions[i + 1]`` is
        the policy's for the priority set by ``changes[i]``, ``decisions[0]`` the one before them;
        ``flagged``: the ticket is flagged urgent)."""
        in_force = decisions[0].outcome
        notes: list[Reason] = []
        for (index, priority), before, after in zip(changes, decisions[:-1], decisions[1:], strict=True):
            # The urgent contact counts from the call (seed 001 立即响应, 在[X]分钟内与客户取得联系).
            named = any(r.code == "sla_urgent_contact" for r in after.reasons)
            urgent = ("response",) if named or self._urgent_contact(after, priority, flagged) else ()
            args = (log[: index + 1], in_force, before.outcome, after.outcome, calendar, log[index].at)
            in_force, recounted = retarget(*args, urgent)
            if urgent and not named and retarget(*args)[0] != in_force:
                # The grade's own response is the contact's minutes (no reason from the policy), but
                # counted from the call it is another due than the grade's counted from the change:
                # the urgent contact changed it, so its reason is given here (session 35).
                notes.append(Reason("sla_urgent_contact", {"target": "response", "minutes": self._minutes()}))
            notes.extend(
                Reason("sla_priority_changed", {"sla_target": name, "priority": priority.value})
                for name in recounted
            )
        last = decisions[-1]
        return self._shared(_with_stored(Decision(in_force, [*last.reasons, *notes], last.policy)))

    def _minutes(self) -> int:
        params = getattr(self.policy, "params", None)
        return (params.urgent_contact_minutes or 0) if isinstance(params, SlaParams) else 0

    def _urgent_contact(self, after: Decision[SlaTargets], priority: Priority, flagged: bool) -> bool:
        """Whether the pack's urgent contact binds the grade ``priority`` set (seed 001 五(一)2), so its
        response counts from the call: told by the pack's parameters, not by the decision's reason, which
        the policy gives only where the contact changed the grade's own response."""
        params = getattr(self.policy, "params", None)
        if not isinstance(params, SlaParams) or not urgent_contact_applies(params, priority, flagged):
            return False
        minutes = timedelta(minutes=params.urgent_contact_minutes or 0)
        return after.outcome.get("response") == SlaTarget("response", minutes, "calendar")

    def _decide_for(
        self,
        ticket: Ticket,
        tier: CustomerTier,
        at: datetime | None,
        priority: Priority | None,
        known: _Kept | None = None,
    ) -> tuple[Decision[SlaTargets], SlaTargets] | None:
        """The policy's decision for ``ticket``'s facts at ``at`` (now when ``None``), with ``priority`` in
        place of the one in force when given (``known``: as for :meth:`_decide`)."""
        if self.policy is None:
            return None
        assessment = ticket.assessment
        assignee = ticket.assignee
        # The memo's key is a plain tuple of the facts: building SlaFacts (converters, a category check)
        # costs more than the lookup it serves, so it is built only for a decision not seen before.
        past = _past_facts(ticket, at) if at is not None else None
        if past is None:
            reopened = (known or self._log(ticket)).reopened
            plan = assessment.plan if assessment else None
            # With a dealer, or with a dealer's own engineer (seed 002: the dealer's 24 hours either way).
            dealer = assignee is not None and (
                assignee.kind is AssigneeKind.DEALER or held_dealer(ticket.events) is not None
            )
        else:  # asked about the past: the facts as they were then (before a reopen, a triage, a dispatch)
            reopened, plan, dealer = past
        key = (
            _priority_at(ticket, at) if priority is None else priority,
            ticket.category.code,
            tier,
            ticket.kind,
            reopened,
            plan,
            assessment is not None and (assessment.departments > 1 or assessment.complex_problem),
            ticket.urgent,
            dealer,
            owes_response(ticket),
        )
        found = self._decisions.get(key)
        if found is None:
            priority, category, tier, kind, reopened, plan, complex_, urgent, dealer, owed = key
            facts = SlaFacts(
                priority,
                category,
                tier,
                kind,
                reopened=reopened,
                plan=plan,
                complex=complex_,
                urgent=urgent,
                dealer=dealer,
            )
            decision = self._owed_callback(self.policy.decide(facts), facts)
            if not owed:  # a planned visit: no customer's feedback to answer (service.sla_feedback)
                decision = without_response(decision)
            found = self._shared(_with_stored(decision))
            if len(self._decisions) < 4096:
                self._decisions[key] = found
        terms = terms_in(ticket.events[0].payload) if ticket.events else None
        if terms is None:
            return found
        # Issue 26: the agreement's targets override the pack's. Agreements are many (one per contract,
        # one per maintenance day): kept apart, and forgotten all at once when there are too many.
        agreed = self._agreed.get((key, terms))
        if agreed is None:
            if len(self._agreed) >= 4096:
                self._agreed.clear()
            agreed = self._agreed[(key, terms)] = self._shared(_with_stored(apply_terms(found[0], terms)))
        return agreed

    def _owed_callback(self, decision: Decision[SlaTargets], facts: SlaFacts) -> Decision[SlaTargets]:
        """``decision`` without its callback target when the callback policy owes the ticket no callback
        (``[callback] required = false``, ``not_needed_for``): a clock for a call nobody makes showed in
        ``desk.sla()`` and breached at the sweep. A VIP customer is called back whatever the policy says
        (the desk's rule, ``service.callback_plan``), so its target stays."""
        policy = self.callback
        outcome = decision.outcome
        if policy is None or facts.tier is CustomerTier.VIP or outcome.get("callback") is None:
            return decision
        asked = CallbackFacts(facts.kind, facts.priority, facts.tier, facts.category)
        if policy.decide(asked).outcome.required:
            return decision
        targets = tuple(t for t in outcome.targets if t.name != "callback")
        reasons = [r for r in decision.reasons if r.code != "sla_service_callback"]
        reasons.append(Reason("callback_not_required"))
        return Decision(attrs.evolve(outcome, targets=targets), reasons, decision.policy)

    def _shared(
        self, found: tuple[Decision[SlaTargets], SlaTargets]
    ) -> tuple[Decision[SlaTargets], SlaTargets]:
        """``found`` with its stored targets replaced by the equal object seen first, if any."""
        decision, stored = found
        same = self._same.get(stored)
        if same is None:
            if len(self._same) >= 4096:
                self._same.clear()
            self._same[stored] = same = stored
        return found if same is stored else (decision, same)

    def status(self, ticket: Ticket, tier: CustomerTier, now: datetime) -> SlaStatus:
        """The SLA status of ``ticket`` at ``now``: each target's due time, remaining, warning, breach.

        The targets are those of the priority in force at ``now`` (asking about the past before a triage
        changed the priority gives the targets the ticket then had).
        """
        if self.policy is None:
            raise ConfigurationError("the pack configures no SLA policy", key="sla")
        calendar = self.calendar
        if calendar is None:
            raise ConfigurationError("the desk has no working calendar; pass calendar=", key="calendar")
        events = ticket.events
        if not events or now < events[-1].at:  # the past: the targets and the log as they were then
            found = self._decide(ticket, tier, now)
            assert found is not None
            past = self._timeline(ticket, found[0].outcome, calendar, now).status(now)
            return with_held(past, held_dues(e for e in events if e.at <= now), calendar)
        # The common read (now, or any instant after the last event): the decision and the timeline kept
        # with the log, each checked by identity; nothing is looked up by the facts again.
        kept = self._log(ticket)
        decided = kept.decided
        if decided is None or decided[0] is not tier:
            found = self._decide(ticket, tier, None, kept)
            assert found is not None
            decided = kept.decided = (tier, found)
        targets = decided[1][0].outcome
        measured = kept.measured
        if measured is None or not measured.measures(targets, calendar):
            timeline = sla_timeline(events, targets, calendar, days_zone=self.days_zone)
            measured = kept.measured = timeline.without_events()
        return with_held(measured.status(now), self._held(kept, events), calendar)

    @staticmethod
    def _held(kept: _Kept, events: Sequence[TicketEvent]) -> dict[str, HeldDue]:
        """The breached due times held for the log's clocks, read once per log."""
        held = kept.held
        if held is None:
            held = kept.held = held_dues(events)
        return held

    def _log(self, ticket: Ticket) -> _Kept:
        """What was kept for ``ticket``'s event log, checked against it: the same number of events and an
        equal last event (the log only grows), else read afresh."""
        events = ticket.events
        count = len(events)
        last = events[-1] if count else None
        cache = self._kept
        kept = cache.get(ticket.id)
        if kept is not None and kept.count == count and (kept.last is last or kept.last == last):
            # Made the most recent; pop and put back never raise, even if another thread forgot it.
            cache[ticket.id] = cache.pop(ticket.id, kept)
            return kept
        # The log only grows: when the kept one is its beginning, only the new events can add a reopening.
        grown = kept is not None and 0 < kept.count < count and events[kept.count - 1] is kept.last
        if grown:
            assert kept is not None
            reopened = kept.reopened or any(e.action == "reopen" for e in events[kept.count :])
        else:
            reopened = "reopen" in [e.action for e in events]
        fresh = _Kept(count, last, reopened)
        if kept is not None:
            fresh.late = kept.late  # keyed by all its inputs: right for any log of this ticket
        # Only an intake, a triage or a reopen sets or resets a priority change: else carried over.
        if (
            grown
            and kept is not None
            and kept.changes is not None
            and not any(e.action in _PRIORITY_STEPS for e in events[kept.count :])
        ):
            fresh.changes = kept.changes
        # A step that changes no clock input (a note, a part reserved) keeps the timeline; the first
        # answer to the customer stops the response clock on it, without measuring the log again.
        measured = kept.measured if kept is not None and kept.count < count else None
        if measured is not None:
            fresh.measured = measured.advanced_by(events)
            if fresh.measured is None:
                fresh.before = measured
        # Put at the recent end by popping first: a key stored again keeps its old place, and moving
        # it there afterwards raised KeyError when another thread had evicted it in between.
        cache.pop(ticket.id, None)
        cache[ticket.id] = fresh
        while len(cache) > _KEPT:
            try:
                cache.popitem(last=False)
            except KeyError:  # emptied by another thread
                break
        return fresh

    def _timeline(
        self,
        ticket: Ticket,
        targets: SlaTargets,
        calendar: BusinessCalendar,
        at: datetime,
        known: _Kept | None = None,
    ) -> SlaTimeline:
        """The ticket's timeline, measured again only when its log, targets or the calendar changed.

        A kept timeline holds no events (no second copy of every log); an instant before the last event
        is measured afresh from the ticket's own log. ``known``: as for :meth:`_decide`.
        """
        events = ticket.events
        if events and at < events[-1].at:
            return sla_timeline(events, targets, calendar, days_zone=self.days_zone)
        kept = known or self._log(ticket)
        measured = kept.measured
        if measured is not None and measured.measures(targets, calendar):
            return measured
        # A dispatch: the clocks measured before it carried on with the targets it brings (the dealer's
        # clock starts at it), when they can be exactly (domain.sla_dispatch); else measured again.
        before = measured if measured is not None else kept.before
        kept.before = None
        carried = before.dispatched(events, targets, calendar) if before is not None else None
        if carried is not None:
            kept.measured = carried
            return carried
        timeline = sla_timeline(events, targets, calendar, days_zone=self.days_zone).without_events()
        kept.measured = timeline  # one assignment: the timeline holds its targets and calendar
        return timeline

    def derive(self, ticket: Ticket, tier: CustomerTier, now: datetime) -> None:
        """Set ``ticket``'s ``*_due_at`` from its event log and the policy (a closed ticket keeps its own).

        Only the stored targets (response, resolution) are measured: this runs after every command.
        """
        if self.policy is None or self.calendar is None:
            return
        # What was kept of the log, looked up once: the decision, the timeline and the held breaches all
        # read it, and each lookup checked it against the log and moved it to the recent end again.
        events = ticket.events
        log = self._log(ticket) if events else None
        try:
            found = self._decide(ticket, tier, None, log)
            if found is None:
                return
            ticket.response_steps = steps_of(found[1].response_actions)
            ticket.resolution_steps = tuple(sorted(found[1].resolution_actions))
            timeline = self._timeline(ticket, found[1], self.calendar, now, log)
            dues = timeline.due_instants(now)
            # A breach a recalculation held (announced before the calendar gained a day off) stays one,
            # on the clock it was held for (a dealer's clock started since is another: seed 002).
            held = self._held(log, events) if log is not None else {}
            kept = still_held(held, timeline.status(now)) if held else {}
        except CalendarDataMissing:
            return  # no guessing: the ledger shows no due time, desk.sla() explains why
        # The callback is a task the callback policy schedules (schedule_callback), not a derived time.
        ticket.response_due_at = dues.get("response")
        resolution, dealer = dues.get("resolution"), dues.get("dealer_resolution")
        # A contract's resolution and the dealer's 24 hours both bind: the ledger holds the earlier due.
        ticket.resolution_due_at = (
            resolution if dealer is None or (resolution and resolution <= dealer) else dealer
        )
        ticket.response_late_after, ticket.resolution_late_after = _late(
            log, found[1], self.calendar, dues, ticket.response_due_at, ticket.resolution_due_at
        )
        for name, due in kept.items():
            stored = ticket.response_due_at if name == "response" else ticket.resolution_due_at
            if stored is not None and due < stored:
                # announced: late after the due it passed, whatever the basis
                if name == "response":
                    ticket.response_due_at, ticket.response_late_after = due, None
                else:
                    ticket.resolution_due_at, ticket.resolution_late_after = due, None

    def stored_late_afters(
        self, ticket: Ticket, tier: CustomerTier, now: datetime
    ) -> tuple[datetime | None, datetime | None]:
        """The late-after instants of ``ticket``'s stored due times, as :meth:`derive` sets them, for a
        ticket stored without them (by a release before they existed, or closed since: a closed ticket's
        dues are never derived again). The dues are not moved: a stored due the log does not give (a
        breach held at the due it passed, a policy or calendar changed since) keeps ``None`` (the due
        itself), as does every due without a policy, a calendar, or calendar data there."""
        if self.policy is None or self.calendar is None:
            return None, None
        try:
            found = self._decide(ticket, tier)
            if found is None:
                return None, None
            dues = self._timeline(ticket, found[1], self.calendar, now).due_instants(now)
        except CalendarDataMissing:
            return None, None
        resolution, dealer = dues.get("resolution"), dues.get("dealer_resolution")
        binding = resolution if dealer is None or (resolution and resolution <= dealer) else dealer
        response_due = ticket.response_due_at if dues.get("response") == ticket.response_due_at else None
        resolution_due = ticket.resolution_due_at if binding == ticket.resolution_due_at else None
        return _late_afters(found[1], self.calendar, dues, response_due, resolution_due)


_Instants = tuple[datetime | None, ...]
_LateKept = tuple[SlaTargets, BusinessCalendar, _Instants, tuple[datetime | None, datetime | None]]
"""The stored targets and calendar late-afters were derived with, the dues they read (response,
resolution, dealer's resolution, then the stored response and resolution dues), and what they gave."""


def _late(
    log: _Kept | None,
    targets: SlaTargets,
    calendar: BusinessCalendar,
    dues: dict[str, datetime | None],
    response: datetime | None,
    resolution: datetime | None,
) -> tuple[datetime | None, datetime | None]:
    """:func:`_late_afters`, kept with the ticket's log (``log``) and given again while the targets and the
    calendar (immutable, by identity) and every due it reads are the same: most commands change none of
    them, and finding the next working instant of two dues was half of a derivation that measured nothing.
    """
    asked = (
        dues.get("response"),
        dues.get("resolution"),
        dues.get("dealer_resolution"),
        response,
        resolution,
    )
    kept = log.late if log is not None else None
    if kept is not None and kept[0] is targets and kept[1] is calendar and _same_instants(kept[2], asked):
        return kept[3]
    found = _late_afters(targets, calendar, dues, response, resolution)
    if log is not None:
        log.late = (targets, calendar, asked, found)  # one assignment: readers see all of it or none
    return found


def _same_instants(a: _Instants, b: _Instants) -> bool:
    """Whether ``a`` and ``b`` hold the same datetimes: the same instant in the same zone object with the
    same fold (a late-after that is a due itself is that very datetime, stored with its zone)."""
    for x, y in zip(a, b, strict=True):
        if x is y:
            continue
        if x is None or y is None or x != y or x.tzinfo is not y.tzinfo or x.fold != y.fold:
            return False
    return True


def _late_afters(
    targets: SlaTargets,
    calendar: BusinessCalendar,
    dues: dict[str, datetime | None],
    response: datetime | None,
    resolution: datetime | None,
) -> tuple[datetime | None, datetime | None]:
    """The ticket's ``response_late_after`` and ``resolution_late_after`` for its stored dues
    (:mod:`~aftersales.domain.sla_late`): the earliest instant one of the binding targets turns late (the
    resolution's: the contract's resolution and the dealer's hours), when later than the stored due."""

    def later(names: tuple[str, ...], stored: datetime | None) -> datetime | None:
        ends = [
            working_late_after(due, target.basis, calendar) or due
            for name in names
            if (target := targets.get(name)) is not None and (due := dues.get(name)) is not None
        ]
        end = min(ends, default=None)
        return end if end is not None and stored is not None and end > stored else None

    return later(("response",), response), later(("resolution", "dealer_resolution"), resolution)
