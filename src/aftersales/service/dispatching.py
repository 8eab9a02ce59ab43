"""Dispatch for one desk (派工): who gets a ticket, and what happens when nobody can take it.

The roster (engineers indexed by skill and region, dealers by territory) is built once per desk
from the store, with each engineer's load derived from the open tickets assigned to them, and kept
current as tickets are assigned and released. Several processes each keep their own roster: a load
seen by another process is picked up when the roster is rebuilt (after a register, or on restart).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from aftersales.domain.classification import Priority
from aftersales.domain.ids import EngineerId
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.domain.work import Assignee, AssigneeKind
from aftersales.policies.dispatch import DispatchRequest, Roster, calendar_on_duty
from aftersales.policies.engineer_index import DealerIndex, EngineerIndex
from aftersales.policies.escalation import EscalationFacts, EscalationTrigger
from aftersales.policies.routing import RoutingFacts
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.queries import CountField, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor

if TYPE_CHECKING:
    from aftersales.service.desk import ServiceDesk

__all__ = ["Choice", "Dispatching"]

_OPEN_STATES = tuple(s.value for s in TicketState if s not in (TicketState.CLOSED, TicketState.CANCELLED))


@attrs.frozen
class Choice:
    """The outcome of choosing: an assignee and why, or none and the escalation messages."""

    assignee: Assignee | None
    reasons: tuple[Reason, ...] = ()
    decisions: tuple[object, ...] = ()
    messages: tuple[OutboxMessage, ...] = ()


class Dispatching:
    """Routing and dispatch policies applied to the desk's roster."""

    def __init__(self, desk: ServiceDesk) -> None:
        self.desk = desk
        self._roster: Roster | None = None

    def forget(self) -> None:
        """Drop the roster (engineers or dealers changed); it is rebuilt on next use."""
        self._roster = None

    def roster(self, uow: UnitOfWork) -> Roster:
        """The indexed roster, loads derived from the open tickets."""
        if self._roster is None:
            engineers = EngineerIndex(uow.engineers.list())
            loads = uow.tickets.count_by(CountField.ASSIGNEE_ID, TicketFilter(states=_OPEN_STATES))
            for engineer_id, load in loads.items():
                if engineer_id in engineers:
                    engineers.set_load(EngineerId(engineer_id), load)
            self._roster = Roster(engineers, DealerIndex(uow.dealers.list()))
        return self._roster

    def choose(
        self,
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        now: datetime,
        engineer_id: str | None,
        dealer_id: str | None,
    ) -> Choice:
        """The named engineer or dealer, or the pack's routing and dispatch decision."""
        manual = (Reason("dispatch_manual", {"by": actor.role.value}),)
        if engineer_id is not None:
            engineer = uow.engineers.get(engineer_id)
            return Choice(Assignee(AssigneeKind.ENGINEER, engineer.id, engineer.name), manual)
        if dealer_id is not None:
            dealer = uow.dealers.get(dealer_id)
            return Choice(Assignee(AssigneeKind.DEALER, dealer.id, dealer.name), manual)
        policies = self.desk.policies
        assessment = ticket.assessment
        route = policies.routing.decide(
            RoutingFacts(ticket.priority or Priority.NORMAL, assessment.departments if assessment else 1)
        )
        request = DispatchRequest(
            at=now,
            region=ticket.region,
            skill=assessment.skill if assessment else None,
            route=route.outcome,
            dealer_id=ticket.dealer_id,
            exclude=frozenset({ticket.assignee.id} if ticket.assignee else ()),  # type: ignore[arg-type]
        )
        calendar = self.desk.calendar
        on_duty = calendar_on_duty(calendar) if calendar is not None else None
        decision = policies.dispatch.decide(request, self.roster(uow), on_duty)
        chosen = decision.outcome.assignee
        if chosen is not None:
            return Choice(chosen, decision.reasons, (route, decision))
        escalation = policies.escalation.decide(
            EscalationFacts(EscalationTrigger.NO_CANDIDATE, decision.reasons[-1])
        )
        values = {"ticket_id": ticket.id, "level": escalation.outcome.to[0], "reason": decision.reasons[-1]}
        key = f"{ticket.id}:{len(ticket.events)}:escalation:no_candidate"
        messages = self.desk.notifications.staff_messages(
            "escalation", escalation.outcome.to, values, key, now
        )
        return Choice(None, (), (route, decision, escalation), tuple(messages))

    def moved(self, previous: Assignee | None, current: Assignee | None) -> None:
        """Keep engineers' loads current when a ticket leaves ``previous`` for ``current``."""
        if self._roster is None:
            return
        engineers = self._roster.engineers
        for assignee, delta in ((previous, -1), (current, +1)):
            if assignee is not None and assignee.kind is AssigneeKind.ENGINEER and assignee.id in engineers:
                engineers.adjust_load(EngineerId(assignee.id), delta)
