"""Dispatch for one desk (派工): who gets a ticket, and what happens when nobody can take it.

The roster of engineers and dealers (indexed by skill, region, territory) is kept per desk and
rebuilt when the store's roster stamp moved (an engineer or dealer was written, by any process;
checked on every dispatch, see :mod:`aftersales.service.roster_stamp`). Engineers' *loads* are not
cached: they change with every command of every process, so each dispatch counts its engineers' open
tickets in its own transaction (one ``GROUP BY`` on the open-assignee index, not over every dealer's
open ticket: :mod:`aftersales.service.assignee_loads`) and sets them on a copy of the
roster — a rejected, reopened, cancelled or conflicting command can never leave a load wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from aftersales.domain.call_shape import host_factories
from aftersales.domain.classification import Priority
from aftersales.domain.events import JsonValue
from aftersales.domain.ids import EngineerId
from aftersales.domain.parties import Engineer, EngineerLevel
from aftersales.domain.reasons import Reason
from aftersales.domain.teams import Team
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assignee, AssigneeKind
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.policies.decision import Decision
from aftersales.policies.dispatch import DispatchRequest, Roster, calendar_on_duty
from aftersales.policies.engineer_index import DealerIndex, EngineerIndex
from aftersales.policies.escalation import Escalation, EscalationFacts, EscalationTrigger
from aftersales.policies.routing import Route, RouteTarget, RoutingFacts
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.queries import CountField, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.assignee_loads import open_loads
from aftersales.service.context import DeskContext
from aftersales.service.coordination_told import coordination_already_told
from aftersales.service.dispatch_region import outside_region
from aftersales.service.engineer_loads import OPEN_STATES
from aftersales.service.escalation_reach import reach_up
from aftersales.service.permissions import PERMISSIONS, Workflow
from aftersales.service.policy_memo import DecisionMemo
from aftersales.service.roster_stamp import roster_version
from aftersales.service.scope import acts_as_dealer_staff
from aftersales.service.shared_values import assignee, manual_dispatch_reason
from aftersales.service.team_roster import TeamRoster

__all__ = [
    "Choice",
    "Dispatching",
    "check_available",
    "check_dealer_dispatch",
    "engineer_dealer",
    "failed_dispatch",
    "unavailable_members",
]

_COORDINATION_CODES = frozenset({"critical_coordination", "multi_department", "complex_problem"})
_GRADE_HELD = frozenset({"no_engineer_at_level", "no_emergency_member"})

# A load is work still to do, counted as desk.engineer_loads counts it: a resolved or accepted ticket
# waits for the customer (or the callback), not for the engineer.
_OPEN_STATES = OPEN_STATES


@attrs.frozen
class Choice:
    """The outcome of choosing: an assignee and why, or none and the escalation messages."""

    assignee: Assignee | None
    reasons: tuple[Reason, ...] = ()
    decisions: tuple[object, ...] = ()
    messages: tuple[OutboxMessage, ...] = ()


@host_factories
class Dispatching:
    """Routing and dispatch policies applied to the roster, with loads read from the store."""

    def __init__(self, context: DeskContext) -> None:
        self.context = context
        # (stamp, engineers, dealers) as read together, replaced in one assignment: a dispatch in another
        # thread reads the three of one reading, never a roster being rebuilt under another stamp.
        self._kept: tuple[int, tuple[Engineer, ...], DealerIndex] | None = None
        self._teams = TeamRoster()
        # Issue 21: the (pure) routing policy sees a handful of (priority, departments) pairs.
        self._routes: DecisionMemo[RoutingFacts, Decision[Route]] = DecisionMemo()

    def forget(self) -> None:
        """Drop the cached roster (engineers or dealers changed); it is rebuilt on next use."""
        self._kept = None

    def forget_if_roster(self, kind: str) -> None:
        """Master data changed: drop the roster when ``kind`` is an engineer or a dealer."""
        if kind in ("engineer", "dealer"):
            self.forget()

    def roster(self, uow: UnitOfWork) -> Roster:
        """The indexed roster with each engineer's load counted now, in ``uow``.

        The engineers and dealers kept from an earlier dispatch are used only while the store's roster
        stamp is the one they were read under (checked here, every time)."""
        stamp = roster_version(uow)
        kept = self._kept
        if kept is not None and stamp is not None and kept[0] == stamp:
            _, listed, dealers = kept
        else:
            listed, dealers = tuple(uow.engineers.list()), DealerIndex(uow.dealers.list())
            self._kept = None if stamp is None else (stamp, listed, dealers)
        engineers = EngineerIndex(listed)
        if not listed:
            return Roster(engineers, dealers)  # no engineer: no load to count
        # Issue 26: the roster's engineers' open tickets only, not every dealer's (index ranges).
        loads = open_loads(uow, [e.id for e in listed], _OPEN_STATES)
        # Issue 20: tickets an engineer was added to (a critical ticket's team) are its work too.
        for member, load in uow.tickets.count_by(
            CountField.MEMBER, TicketFilter(states=_OPEN_STATES)
        ).items():
            loads[member] = loads.get(member, 0) + load
        # Every engineer's load is the count: one with no open ticket has none, whatever active_load its
        # record was registered with (a figure typed once would keep it out of dispatch for good).
        for engineer in listed:
            load = loads.get(engineer.id, 0)
            if engineers.load(engineer.id) != load:
                engineers.set_load(engineer.id, load)
        return Roster(engineers, dealers)

    def choose(
        self,
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        now: datetime,
        engineer_id: str | None,
        dealer_id: str | None,
        roster: Roster | None = None,
    ) -> Choice:
        """The named engineer or dealer, or the pack's routing and dispatch decision.

        ``roster``: one read in this transaction and kept current by the caller (a batch that dispatches
        many tickets in one transaction counts the loads once, then adjusts them as it assigns).

        Whoever decides, the route's coordinator and notify list (the department head for a critical
        ticket, the manager for a multi-department problem) are notified, and the coordination reasons
        join the assignment's reasons in the history.
        """
        policies = self.context.policies
        assessment = ticket.assessment
        route = self._routes.decide(
            policies.routing,
            RoutingFacts(
                ticket.priority or Priority.NORMAL,
                assessment.departments if assessment else 1,
                assessment is not None and assessment.complex_problem,
            ),
        )
        coordination, told = self._coordination(ticket, route.outcome, route.reasons, now)
        manual = (manual_dispatch_reason(actor.role._value_), *coordination)
        teams = _TeamsRead(self._teams, uow)
        if engineer_id is not None:
            engineer = uow.engineers.get(engineer_id)
            check_available(engineer, now, "engineer_id")
            priority = ticket.priority or Priority.NORMAL
            overrides = (
                _below_level(engineer, route.outcome, priority),
                self._outside_emergency_team(teams, engineer, route.outcome, priority),
                _without_skill(engineer, assessment.skill if assessment else None),
                None
                if route.outcome.emergency_team
                else outside_region(policies.dispatch, engineer, ticket.region),
            )
            manual = (manual[0], *(o for o in overrides if o is not None), *manual[1:])
            named = assignee(AssigneeKind.ENGINEER, engineer.id, engineer.name)
            if route.outcome.emergency_team:
                # 特急问题则启动应急小组 (seed 003 二 3): the team is called out whoever names its member,
                # as the desk's own choice and desk.teams.dispatch_critical call it out.
                told = (*told, *self._team_told(teams, uow, ticket, named, now))
            return Choice(named, manual, (), told)
        if dealer_id is not None:
            dealer = uow.dealers.get(dealer_id)
            return Choice(assignee(AssigneeKind.DEALER, dealer.id, dealer.name), manual, (), told)
        members = self._emergency_members(teams) if route.outcome.emergency_team else frozenset[str]()
        request = DispatchRequest(
            at=now,
            region=ticket.region,
            skill=assessment.skill if assessment else None,
            preferred_skills=_service_type(uow, ticket),
            route=route.outcome,
            dealer_id=ticket.dealer_id,
            exclude=frozenset({ticket.assignee.id} if ticket.assignee else ()),
            emergency_members=members,
        )
        calendar = self.context.calendar
        on_call = self._on_call(
            uow, teams, route.outcome.emergency_team, now, request.exclude, ticket.dealer_id
        )
        if on_call is not None:
            team = self._team_told(teams, uow, ticket, on_call.assignee, now)
            return attrs.evolve(on_call, reasons=(*on_call.reasons, *coordination), messages=(*told, *team))
        on_duty = calendar_on_duty(calendar) if calendar is not None else None
        waits: tuple[Reason, ...] = ()
        if calendar is not None and not route.outcome.emergency_team and not calendar.is_working_time(now):
            # Issue 20: outside working hours a ticket that is not critical waits for the next working
            # period (its clocks already do): it goes to whoever is on duty then, nobody is woken up.
            start = calendar.next_working_time(now)
            request = attrs.evolve(request, at=start)
            waits = (Reason("next_working_period", {"starts": start.isoformat(timespec="minutes")}),)
        decision = policies.dispatch.decide(request, roster or self.roster(uow), on_duty)
        chosen = decision.outcome.assignee
        if chosen is not None:
            if route.outcome.emergency_team:
                told = (*told, *self._team_told(teams, uow, ticket, chosen, now))
            return Choice(chosen, (*decision.reasons, *waits, *coordination), (route, decision), told)
        # Who hears of it is the escalation table's (escalation.targets.no_candidate), and the dispatch
        # decision says so: one figure, not a dispatch parameter beside it that nothing obeyed.
        to = policies.escalation.decide(EscalationFacts(EscalationTrigger.NO_CANDIDATE)).outcome.to
        escalated = Reason("escalated", {"to": to[0].value})
        decision = attrs.evolve(
            decision,
            outcome=attrs.evolve(decision.outcome, escalate_to=to[0]),
            reasons=(*decision.reasons, escalated),
        )
        escalation = policies.escalation.decide(EscalationFacts(EscalationTrigger.NO_CANDIDATE, escalated))
        # The notice says why when the grade held the free engineers back (seed 003 二 3: the level of 加急
        # work, the emergency team of 特急 work): the manager decides whether one goes by hand, with a reason.
        why = next((r for r in decision.reasons if r.code in _GRADE_HELD), decision.reasons[-1])
        values = {"ticket_id": ticket.id, "level": escalation.outcome.to[0], "reason": why}
        key = f"{ticket.id}:{len(ticket.events)}:escalation:no_candidate"
        notices = self.context.notifications
        messages = reach_up(notices, "escalation", escalation.outcome.to, values, key, now).messages
        return Choice(None, (), (route, decision, escalation), (*told, *messages))

    def _coordination(
        self, ticket: Ticket, route: Route, reasons: Sequence[Reason], now: datetime
    ) -> tuple[tuple[Reason, ...], tuple[OutboxMessage, ...]]:
        """The route's coordination reasons, and the notices to its coordinator and notify list."""
        if route.coordinator is None and not route.notify:
            return (), ()
        why = tuple(r for r in reasons if r.code in _COORDINATION_CODES)
        if coordination_already_told(ticket, why):
            return why, ()  # a reassignment in the same cycle: the coordinator heard of it at the dispatch
        # The role itself, not its code: the template renders it as the role's label in the reader's locale.
        level = route.coordinator if route.coordinator is not None else route.notify[0]
        detail = why[-1] if why else Reason("coordinator_notified", {"coordinator": level.value})
        roles = route.told
        # The role itself, not its code: the message names it in the reader's language (经理, not manager).
        values = {"ticket_id": ticket.id, "level": level, "reason": detail}
        key = f"{ticket.id}:{len(ticket.events)}:coordination"
        messages = self.context.notifications.staff_messages("escalation", roles, values, key, now)
        return why, tuple(messages)

    def _outside_emergency_team(
        self, teams: _TeamsRead, engineer: Engineer, route: Route, priority: Priority
    ) -> Reason | None:
        """The override a manual dispatch makes when the route calls for the emergency team (seed 003:
        特急问题则启动应急小组) and the engineer named is on none: neither marked for it (as the automatic
        dispatch picks) nor a member of an emergency team. Accepted, like a dispatch below the level, but
        recorded on the assignment so the history shows it."""
        if not route.emergency_team or engineer.emergency_team:
            return None
        if any(engineer.id in team.members for team in teams.emergency()):
            return None
        return Reason("dispatch_outside_emergency_team", {"priority": priority.value})

    def _emergency_members(self, teams: _TeamsRead) -> frozenset[str]:
        """The members of every registered emergency team: on the emergency team for dispatch in working
        hours, as they are for the night's on-call and the manual dispatch's override check."""
        return frozenset(m for team in teams.emergency() for m in team.members)

    def _team_told(
        self, teams: _TeamsRead, uow: UnitOfWork, ticket: Ticket, chosen: Assignee | None, now: datetime
    ) -> tuple[OutboxMessage, ...]:
        """The notices to the other members of the registered emergency team ``chosen`` is on (seed 003
        特急问题则启动应急小组: the team is called out), as ``desk.teams.dispatch_critical`` sends them; the
        one chosen gets the assignment's own notice."""
        if chosen is None or chosen.kind is not AssigneeKind.ENGINEER:
            return ()
        on = [t for t in teams.emergency() if chosen.id in t.members]
        others = sorted({m for t in on for m in t.members} - {chosen.id})
        if not others:
            return ()
        notifications = self.context.notifications
        values = {
            "ticket_id": ticket.id,
            "level": RouteTarget.EMERGENCY_TEAM,
            "reason": Reason("emergency_team", {"team": on[0].name}),
        }
        key = f"{ticket.id}:{len(ticket.events)}:emergency_team"
        messages: list[OutboxMessage] = []
        for engineer in uow.engineers.find(others).values():
            if engineer.contact is not None:
                messages += notifications.contact_messages(
                    "escalation", "engineer", engineer.contact, values, key, now
                )
        return tuple(messages)

    def _on_call(
        self,
        uow: UnitOfWork,
        teams: _TeamsRead,
        emergency: bool,
        now: datetime,
        exclude: frozenset[str] = frozenset(),
        dealer_id: str | None = None,
    ) -> Choice | None:
        """Outside working hours a critical ticket goes to the emergency team's on-call engineer; never
        back to one ``exclude`` names (the engineer a re-dispatch takes it from, as the policy obeys),
        nor to one who left or is away, nor to another dealer's engineer on ``dealer_id``'s ticket (the
        policy's rules): the next covering shift's engineer is on call instead."""
        calendar = self.context.calendar
        if not emergency or calendar is None or calendar.is_working_time(now):
            return None
        for team in teams.emergency():
            skip = exclude | unavailable_members(uow, team.members, now, dealer_id)
            engineer_id = team.on_call(now, skip)
            if engineer_id is not None:
                engineer = uow.engineers.get(engineer_id)
                reasons = (
                    Reason("emergency_team", {"team": team.name}),
                    Reason("on_call", {"engineer": engineer.id}),
                )
                return Choice(Assignee(AssigneeKind.ENGINEER, engineer.id, engineer.name), reasons)
        return None


class _TeamsRead:
    """The registered emergency teams as one dispatch reads them: once, on first use. Read again for each
    of its questions (is the engineer named on a team, who is on call, whom to tell), a team saved on
    another desk between two reads (PostgreSQL, read committed) was half seen: a member just removed was
    dispatched with no override recorded and no team told (seed 003 二 3 特急问题则启动应急小组)."""

    def __init__(self, roster: TeamRoster, uow: UnitOfWork) -> None:
        self._roster, self._uow = roster, uow
        self._read: list[Team] | None = None

    def emergency(self) -> list[Team]:
        """Every team of kind ``emergency``, by id, as this dispatch first read them."""
        if self._read is None:
            self._read = self._roster.emergency_teams(self._uow)
        return self._read


_RANK = {EngineerLevel.JUNIOR: 0, EngineerLevel.SENIOR: 1}


def _service_type(uow: UnitOfWork, ticket: Ticket) -> frozenset[str]:
    """The skills dispatch prefers for ``ticket`` (scored by ``dispatch.weights.skill``): its service
    type — the category, installation or repair (seed 003: 根据服务类型、工程师技能特长…进行合理派工) — and
    its product line (the product's category; seed 003 系统培训: 产品知识), as engineers list them among
    their skills. The skill the triage requires stays a filter; these only rank."""
    preferred = {ticket.category.code}
    if ticket.product_id is not None:
        found = uow.products.find([ticket.product_id])
        if ticket.product_id in found:
            preferred.add(found[ticket.product_id].category)
    return frozenset(preferred)


def _without_skill(engineer: Engineer, skill: str | None) -> Reason | None:
    """The override a manual dispatch makes when it names an engineer without the skill the triage asked
    for (seed 003: 根据服务类型、工程师技能特长…进行合理派工; the pack's dispatch picks only engineers
    with it): accepted, like a dispatch below the level, but recorded on the assignment for the history."""
    if skill is None or skill in engineer.skills:
        return None
    return Reason("dispatch_without_skill", {"skill": skill})


def check_dealer_dispatch(uow: UnitOfWork, actor: Actor, chosen: Assignee) -> None:
    """Dealer staff (acting as such: no office role that may dispatch) pass a job only inside their
    dealer — to the dealer itself or one of its own engineers. Seed 002: 乙方负责所售产品的全过程服务 and
    must solve the call within 24 hours (特殊情况不得超过48小时); handing it to another dealer's people or to
    the maker's engineers would move another party's staff and stop its own contract clock. The
    office moves a ticket between dealers and to the maker's engineers. Otherwise ``PermissionDenied``."""
    roles = PERMISSIONS[Workflow.SERVICE_TICKET]["dispatch"]
    if not acts_as_dealer_staff(actor, roles):
        return
    mine = actor.dealer_id
    if chosen.kind is AssigneeKind.DEALER:
        ours = mine is not None and chosen.id == mine
    else:
        ours = mine is not None and engineer_dealer(uow, chosen) == mine
    if not ours:
        raise PermissionDenied(str(actor), "dispatch", chosen.id, rule="beyond_own_dealer")


def check_available(engineer: Engineer, at: datetime, field: str) -> None:
    """Refuse work for an engineer who left (离职/停用) or is away at ``at`` (请假): a
    ``ValidationError`` naming ``field``. A dispatch by hand may override a level or a team, not this:
    nobody would go."""
    if not engineer.active:
        raise ValidationError(
            f"engineer {engineer.id} is no longer active (left or deactivated): choose another", field=field
        )
    departs_at = engineer.departs_at
    if departs_at is not None and at >= departs_at:  # a recorded departure, not deactivated yet
        raise ValidationError(
            f"engineer {engineer.id} left the company (departure recorded, gone from "
            f"{departs_at.isoformat()}): choose another",
            field=field,
        )
    absence = engineer.absence_at(at)
    if absence is not None:
        raise ValidationError(
            f"engineer {engineer.id} is away until {absence.ends_at.isoformat()}: choose another",
            field=field,
        )


def unavailable_members(
    uow: UnitOfWork, members: Sequence[str], at: datetime, dealer_id: str | None = None
) -> frozenset[str]:
    """Of ``members``, the engineers who may not be given work at ``at``: gone, away, or (on a ticket
    of ``dealer_id``) another dealer's staff (seed 002: 乙方负责所售产品的全过程服务)."""
    found = uow.engineers.find(members)
    return frozenset(
        engineer.id
        for engineer in found.values()
        if not engineer.available_at(at) or not engineer.may_work_for(dealer_id)
    )


def _below_level(engineer: Engineer, route: Route, priority: Priority) -> Reason | None:
    """The override a manual dispatch makes when it names an engineer below the route's level (seed 003:
    加急问题由资深工程师介入): accepted — the office may know the junior engineer is the one nearby — but
    recorded on the assignment, beside who dispatched it and the reason they gave, so the history shows it."""
    required = route.min_level
    if required is None or _RANK[engineer.level] >= _RANK[required]:
        return None
    return Reason(
        "dispatch_below_level",
        {
            "priority": priority.value,
            "engineer_level": engineer.level.value,
            "required_level": required.value,
        },
    )


def engineer_dealer(uow: UnitOfWork, chosen: Assignee, roster: Roster | None = None) -> str | None:
    """The dealer an assignment to ``chosen`` puts the ticket in the hands of when ``chosen`` is a dealer's
    own engineer (seed 002: 乙方负责所售产品的全过程服务 — its contract clock, charges and parts follow),
    for ``Ticket.assign(dealer=...)``; ``None`` for a dealer assignee (named already) or the maker's people.

    Every path that assigns an engineer (the dispatch command, the maintenance job, the emergency team)
    records it alike. ``roster``: the one a batch already read, so a batch reads no engineer again."""
    if chosen.kind is not AssigneeKind.ENGINEER:
        return None
    if roster is not None and chosen.id in roster.engineers:
        return roster.engineers.get(EngineerId(chosen.id)).dealer_id
    return uow.engineers.get(chosen.id).dealer_id


def failed_dispatch(choice: Choice) -> dict[str, JsonValue]:
    """The ``dispatch_failed`` event's payload for a choice that found nobody: every reason of the
    decisions taken (route, dispatch, escalation) and the escalation's addressees."""
    reasons: list[JsonValue] = []
    to: list[JsonValue] = []
    for decision in choice.decisions:
        for reason in getattr(decision, "reasons", ()):
            # The parameters as they are (str, int, bool or None: JSON already), so the history renders
            # them like any reason: no skill asked reads "none", not the text "None".
            reasons.append({"code": reason.code, "params": dict(reason.params)})
        outcome = getattr(decision, "outcome", None)
        if isinstance(outcome, Escalation):
            to += [role.value for role in outcome.to if role.value not in to]
    return {"to": to, "reasons": reasons}
