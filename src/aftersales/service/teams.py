"""Teams and critical dispatch (应急小组, seed 003: critical problems start the emergency team).

A critical ticket goes to the team, not to one engineer picked by score: inside working hours the
team's lead is assigned; outside them (nights, weekends, holidays of the desk's calendar) whoever the
roster has on call. Every member and the coordinators the pack's routing names (the department head by
default) are notified, and the assignment's reasons — the team, lead or on-call, the VIP tier — are in
the ticket's history. When nobody can take it, a ``dispatch_failed`` event records the reasons and the
escalation's addressees.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable
from datetime import datetime

from aftersales.domain.actors import Role
from aftersales.domain.availability import overlapping
from aftersales.domain.classification import Priority
from aftersales.domain.events import JsonValue
from aftersales.domain.parties import CustomerTier
from aftersales.domain.reasons import Reason
from aftersales.domain.teams import OnCallShift, Team, added_members
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assignee, AssigneeKind
from aftersales.errors import NotFound, ValidationError
from aftersales.i18n.stored_reasons import EMERGENCY_TEAM
from aftersales.policies.escalation import EscalationFacts, EscalationTrigger
from aftersales.policies.routing import RouteTarget, RoutingFacts
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.context import DeskContext
from aftersales.service.dispatching import check_available, check_dealer_dispatch, unavailable_members
from aftersales.service.master_data import record_change
from aftersales.service.permissions import PERMISSIONS, Workflow, check_role
from aftersales.service.runner import Applied, CommandRunner
from aftersales.service.scope import acts_as_dealer_staff
from aftersales.service.team_joining import check_team_grade, joining_level
from aftersales.service.team_roster import TeamRoster
from aftersales.service.views import CommandResult

__all__ = ["TeamDesk", "ticket_team"]


def _roles(command: str) -> frozenset[Role]:
    return PERMISSIONS[Workflow.DOCUMENTS][command]


@validated_commands
class TeamDesk:
    """Register teams and rosters; dispatch critical tickets to a team."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner
        self.roster = TeamRoster()  # parsed teams, checked against the stored version on every read

    # -- master data ----------------------------------------------------------------------------------

    def save_team(self, actor: Actor, team: Team, *, idempotency_key: str | None = None) -> Team:
        """Create or replace a team; every member (and the lead) must be a registered engineer, the lead
        an active one, and every on-call shift a member's, outside the member's recorded absences.

        Each change leaves a :class:`~aftersales.domain.master_data.MasterDataChange` (record kind
        ``team``: who, when, before → after; read with ``desk.master_data_history``), as the other
        reference data the heads keep do: who is on the emergency team decides who is called at night.
        Saving a team as stored records nothing. With ``idempotency_key`` a retried call returns the
        team instead of saving it again over a later change."""
        check_role(actor, "manage_teams", getattr(team, "id", None), _roles("manage_teams"))
        if not isinstance(team, Team):
            raise ValidationError("team must be a Team", field="team")
        team = copy.deepcopy(team)  # the caller's value is not changed (its lead added, its version set)
        if team.lead not in team.members:
            # A lead changed on a team read back (``team.lead = ...``) is a member, as a new team's is:
            # its registration is checked with the others, and the roster's shifts may name it.
            team.members.insert(0, team.lead)
        if not isinstance(team.shifts, list) or not all(isinstance(s, OnCallShift) for s in team.shifts):
            raise ValidationError("shifts are OnCallShift values", field="shifts")
        _members_only(team.shifts, team.members, team.id)

        def apply(uow: UnitOfWork, now: datetime) -> Team:
            known = uow.engineers.find(team.members)
            missing = [m for m in team.members if m not in known]
            if missing:
                raise NotFound("engineer", missing[0])
            if known[team.lead].gone_at(now):  # it would be asked first for every critical call
                raise ValidationError(f"lead {team.lead} is no longer active: name another", field="lead")
            _check_shifts(uow, team.shifts)
            try:
                current = uow.documents.get(Team, team.id)
            except NotFound:
                uow.documents.add(team)
                record_change(uow, actor, "save_team", now, None, team)
                return team
            team.version = current.version
            if team == current:
                return current  # nothing changes, nothing to audit
            saved = uow.documents.save(team)
            record_change(uow, actor, "save_team", now, current, saved)
            return saved

        # What the team is, not the store's version of it: a retry repeats the team it saved.
        request = [team.id, team.name, team.kind, team.lead, team.members, team.shifts]
        return self.runner.write(
            actor, "manage_teams", idempotency_key, request, apply, remember=_team_id, reload=_stored_team
        )

    def set_roster(
        self,
        actor: Actor,
        team_id: str,
        shifts: Iterable[OnCallShift],
        *,
        idempotency_key: str | None = None,
    ) -> Team:
        """Replace the team's on-call shifts; each shift's engineer must be a member. The change is
        audited as :meth:`save_team`'s (record kind ``team``); a roster as stored records nothing. With
        ``idempotency_key`` a retried call returns the team instead of planning the old shifts again
        over a later correction."""
        check_role(actor, "manage_teams", team_id, _roles("manage_teams"))
        wanted = list(shifts)
        if not all(isinstance(s, OnCallShift) for s in wanted):
            raise ValidationError("shifts are OnCallShift values", field="shifts")

        def apply(uow: UnitOfWork, now: datetime) -> Team:
            team = uow.documents.get(Team, team_id)
            _members_only(wanted, team.members, team_id)
            _check_shifts(uow, wanted)
            before = copy.deepcopy(team)
            team.shifts = sorted(wanted, key=lambda s: s.starts_at)
            if team == before:
                return team
            saved = uow.documents.save(team)
            record_change(uow, actor, "set_roster", now, before, saved)
            return saved

        request = [team_id, wanted]
        return self.runner.write(
            actor, "manage_teams", idempotency_key, request, apply, remember=_team_id, reload=_stored_team
        )

    def team(self, actor: Actor, team_id: str) -> Team:
        """One team (staff only; dealer staff their own dealer's teams, another is ``NotFound``)."""
        check_role(actor, "read_teams", team_id, _roles("read_teams"))
        with self.context.store() as uow:
            return self._readable(uow, actor, team_id)

    def on_call(self, actor: Actor, team_id: str, at: datetime) -> str | None:
        """The engineer of ``team_id`` on call at ``at``, or ``None``: as a dispatch at ``at`` would find
        them, so an engineer who left or is away then is passed over for the next covering shift."""
        check_role(actor, "read_teams", team_id, _roles("read_teams"))
        with self.context.store() as uow:
            team = self._readable(uow, actor, team_id)
            return team.on_call(at, unavailable_members(uow, team.members, at))

    @staticmethod
    def _readable(uow: UnitOfWork, actor: Actor, team_id: str) -> Team:
        """``team_id`` as stored, if ``actor`` may read it. Dealer staff (acting as such) read their own
        dealer's teams only (seed 002 separates 甲方 and 乙方: the maker's teams and another dealer's staff
        and on-call nights are not theirs to know); any other team answers as an unknown id."""
        team = uow.documents.get(Team, team_id)
        if acts_as_dealer_staff(actor, _roles("read_teams")) and (
            team.dealer_id is None or team.dealer_id != actor.dealer_id
        ):
            raise NotFound("team", team_id)
        return team

    # -- critical dispatch ----------------------------------------------------------------------------

    def dispatch_critical(
        self, actor: Actor, ticket_id: str, *, team_id: str | None = None, idempotency_key: str | None = None
    ) -> CommandResult:
        """Dispatch a critical ticket to ``team_id`` (default: the emergency team).

        Working hours: the lead. Outside them: the engineer on call. The members and the coordinator
        are notified. Nobody available: a ``dispatch_failed`` event and an escalation.
        """

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            return self._to_team(uow, actor, ticket, team_id, now)

        return self.runner.execute(
            actor, "dispatch", ticket_id, apply, idempotency_key, request=["critical", team_id]
        )

    def _to_team(
        self, uow: UnitOfWork, actor: Actor, ticket: Ticket, team_id: str | None, now: datetime
    ) -> Applied:
        """The work of :meth:`dispatch_critical` inside its transaction (the runner checks and commits)."""
        if ticket.priority is not Priority.CRITICAL:
            raise ValidationError(f"ticket {ticket.id} is not critical", field="priority")
        team = self._team(uow, team_id)
        reasons = [Reason("emergency_team", {"team": team.name})]
        try:
            if uow.customers.get(ticket.customer_id).tier is CustomerTier.VIP:
                reasons.append(Reason("vip_customer", {"customer": ticket.customer_id}))
        except NotFound:
            pass
        calendar = self.context.calendar
        working = calendar.is_working_time(now) if calendar is not None else True
        away = unavailable_members(uow, team.members, now)  # left, or away now (请假): never chosen
        chosen: str | None
        if working and team.lead in away:
            # The lead left or is away: whoever the roster has on call now stands in; else nobody, and
            # the department head, who coordinates the team (seed 003), is told why.
            reasons.append(Reason("lead_unavailable", {"engineer": team.lead}))
            chosen = team.on_call(now, away)
            if chosen is not None:
                reasons.append(Reason("lead_stand_in", {"engineer": chosen}))
        else:
            chosen = team.lead if working else team.on_call(now, away)
            reasons.append(Reason("team_lead" if working else "on_call", {"engineer": chosen or "-"}))
        if chosen is None:
            return self._failed(uow, actor, ticket, team, reasons, now)
        engineer = uow.engineers.get(chosen)
        assignee = Assignee(AssigneeKind.ENGINEER, engineer.id, engineer.name)
        # Dealer staff pass a job inside their dealer only, as on desk.dispatch (seed 002: 乙方负责所售产品的
        # 全过程服务): the maker's emergency team is the office's to send, a dealer's own team its staff's.
        check_dealer_dispatch(uow, actor, assignee)
        ticket.assign(
            actor.ref, now, assignee,
            reason=EMERGENCY_TEAM, reasons=reasons, dealer=engineer.dealer_id,
        )  # fmt: skip
        return Applied(messages=self._notify(uow, ticket, team, reasons[-1], now))

    def add_members(
        self,
        actor: Actor,
        ticket_id: str,
        engineer_ids: Iterable[str],
        *,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """The coordinator adds engineers to a critical ticket's team (seed 003: the department head
        coordinates the emergency team), or a senior engineer to an expedited one's, who steps in beside
        the engineer sent (加急问题由资深工程师介入; :mod:`~aftersales.service.team_joining`). Each one
        added is notified; the history names them.

        Engineers already working on the ticket are left out; an unknown engineer is ``NotFound``; a
        normal ticket is a ``ValidationError`` naming ``priority``, a junior added to an expedited one
        one naming ``engineer_ids``.
        """
        wanted = [engineer_ids] if isinstance(engineer_ids, str) else list(engineer_ids)
        if not wanted or not all(isinstance(e, str) and e for e in wanted):
            raise ValidationError("name at least one engineer id", field="engineer_ids")
        if not isinstance(note, str) or len(note) > 2000:
            raise ValidationError(
                "a note is text of at most 2000 characters",
                field="note",
                rule="too_long" if isinstance(note, str) else "text",
                rule_params={"most": 2000},
            )

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            check_team_grade(ticket)  # a normal ticket has no team, whoever is named
            found = uow.engineers.find(wanted)
            missing = [e for e in wanted if e not in found]
            if missing:
                raise NotFound("engineer", missing[0])
            for engineer_id in wanted:
                check_available(found[engineer_id], now, "engineer_ids")
            present = set(ticket_team(ticket))
            added = [e for e in dict.fromkeys(wanted) if e not in present]
            if not added:
                raise ValidationError(
                    f"every engineer named already works on ticket {ticket.id}", field="engineer_ids"
                )
            level = joining_level(ticket, {e: found[e] for e in added})
            ticket.step("add_team_member", actor.ref, now, reason=note or None, payload={"members": added})
            key = f"{ticket.id}:{len(ticket.events)}:team_member"
            messages: list[OutboxMessage] = []
            for engineer_id in added:
                engineer = found[engineer_id]
                if engineer.contact is not None:
                    reason = Reason("team_member_added", {"engineer": engineer.name or engineer.id})
                    values = {"ticket_id": ticket.id, "level": level, "reason": reason}
                    messages += self.context.notifications.contact_messages(
                        "escalation", "engineer", engineer.contact, values, key, now
                    )
            return Applied(messages=messages)

        return self.runner.execute(
            actor, "add_team_member", ticket_id, apply, idempotency_key, request=[wanted, note]
        )

    def ticket_team(self, actor: Actor, ticket_id: str) -> tuple[str, ...]:
        """The engineers working on a ticket ``actor`` may see: the assignee, then those added."""
        with self.context.store() as uow:
            return ticket_team(self.runner.visible(uow, actor, ticket_id))

    def _team(self, uow: UnitOfWork, team_id: str | None) -> Team:
        if team_id is not None:
            return self.roster.team(uow, team_id)
        return self.roster.emergency_team(uow)

    def _notify(
        self, uow: UnitOfWork, ticket: Ticket, team: Team, reason: Reason, now: datetime
    ) -> list[OutboxMessage]:
        notifications = self.context.notifications
        values = {"ticket_id": ticket.id, "level": RouteTarget.EMERGENCY_TEAM, "reason": reason}
        key = f"{ticket.id}:{len(ticket.events)}:emergency_team"
        messages: list[OutboxMessage] = []
        for engineer in uow.engineers.find(team.members).values():
            # The assignee already gets the assignment notice; everyone else hears of it here.
            if engineer.contact is not None and engineer.id != getattr(ticket.assignee, "id", None):
                messages += notifications.contact_messages(
                    "escalation", "engineer", engineer.contact, values, key, now
                )
        messages += notifications.staff_messages(
            "escalation", self._coordinators(ticket), values, key, now, uow
        )
        return messages

    def _coordinators(self, ticket: Ticket) -> tuple[Role, ...]:
        """Who coordinates a critical ticket's team and is told of its dispatch: the roles the pack's
        routing names for it (seed 003: 部门负责人协调资源, ``routing.critical_coordinator`` and
        ``critical_notify``; the manager too when several departments are involved, seed 001), as
        ``desk.dispatch`` tells them."""
        assessment = ticket.assessment
        facts = RoutingFacts(
            Priority.CRITICAL,
            assessment.departments if assessment else 1,
            assessment is not None and assessment.complex_problem,
        )
        return self.context.policies.routing.decide(facts).outcome.told

    def _failed(
        self, uow: UnitOfWork, actor: Actor, ticket: Ticket, team: Team, reasons: list[Reason], now: datetime
    ) -> Applied:
        escalation = self.context.policies.escalation.decide(
            EscalationFacts(EscalationTrigger.NO_CANDIDATE, reasons[-1])
        )
        to = tuple(dict.fromkeys((*escalation.outcome.to, *self._coordinators(ticket))))
        facts: list[JsonValue] = [{"code": r.code, "params": dict(r.params)} for r in reasons]
        payload: dict[str, JsonValue] = {"team": team.id, "to": [r.value for r in to], "reasons": facts}
        ticket.step("dispatch_failed", actor.ref, now, payload=payload)
        values = {"ticket_id": ticket.id, "level": to[0], "reason": reasons[-1]}
        key = f"{ticket.id}:{len(ticket.events)}:escalation:no_candidate"
        messages = self.context.notifications.staff_messages("escalation", to, values, key, now, uow)
        return Applied(messages=messages, decisions=(escalation,))


def _team_id(team: Team) -> str:
    return team.id


def _stored_team(uow: UnitOfWork, team_id: str) -> Team:
    return uow.documents.get(Team, team_id)


def _members_only(shifts: Iterable[OnCallShift], members: Collection[str], team_id: str) -> None:
    """The roster is the members': a shift of anyone else is a ``ValidationError`` naming ``shifts``."""
    outsiders = [s.engineer_id for s in shifts if s.engineer_id not in members]
    if outsiders:
        raise ValidationError(f"{outsiders[0]} is not a member of team {team_id}", field="shifts")


def _check_shifts(uow: UnitOfWork, shifts: Iterable[OnCallShift]) -> None:
    """Refuse an on-call shift (值班) of an engineer who left, or one inside a recorded absence: the
    roster would name somebody who cannot come (``ValidationError`` naming ``shifts``)."""
    planned = list(shifts)
    found = uow.engineers.find([s.engineer_id for s in planned])
    for shift in planned:
        engineer = found.get(shift.engineer_id)
        if engineer is None:
            continue  # not a member: refused as such, or skipped by on_call
        if not engineer.active:
            raise ValidationError(f"{engineer.id} is no longer active: no shift for them", field="shifts")
        if engineer.departs_at is not None and shift.ends_at > engineer.departs_at:
            raise ValidationError(
                f"{engineer.id} left the company (gone from {engineer.departs_at.isoformat()}): no shift "
                f"from {shift.starts_at.isoformat()}",
                field="shifts",
            )
        absence = overlapping(engineer.absences, shift.starts_at, shift.ends_at)
        if absence is not None:
            raise ValidationError(
                f"{engineer.id} is away from {absence.starts_at.isoformat()} to "
                f"{absence.ends_at.isoformat()}: the shift from {shift.starts_at.isoformat()} falls in it",
                field="shifts",
            )


def ticket_team(ticket: Ticket) -> tuple[str, ...]:
    """The engineers on ``ticket``: its assigned engineer, then every member added, each once."""
    out: list[str] = []
    assignee = ticket.assignee
    if assignee is not None and assignee.kind is AssigneeKind.ENGINEER:
        out.append(assignee.id)
    out += (member for member in added_members(ticket.events) if member not in out)
    return tuple(out)
