"""The service-ticket capability: intake, triage, dispatch, work, resolution, callbacks, the ledger.

:class:`Tickets` holds the ticket commands and queries of :class:`~aftersales.service.desk.ServiceDesk`
(which is a ``Tickets`` built by the composition root). One method per workflow step, each taking the
actor first; each runs through the command runner (one unit of work: permission from the one table,
the step and the policies, SLA due times, optimistic save, outbox, idempotency record, commit).
Anything that raises changes nothing. Queries are scoped the same way: a ticket the actor may not see
does not exist for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.classification import (
    Category,
    Channel,
    ImpactScope,
    Plan,
    Severity,
    TicketKind,
)
from aftersales.domain.instants import require_aware
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import (
    Assessment,
    CustomerNote,
    FaultRecord,
    Visit,
    VisitKind,
)
from aftersales.errors import ValidationError
from aftersales.policies.triage import TriageFacts
from aftersales.ports.queries import Page, PageRequest, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.callback_plan import callback_plan, complete_tasks, schedule_in
from aftersales.service.context import DeskContext
from aftersales.service.dispatching import Dispatching
from aftersales.service.intake import open_ticket_in, received_time
from aftersales.service.runner import Applied, CommandRunner, check_actor
from aftersales.service.views import CommandResult, Progress, TicketView

__all__ = ["Tickets"]

_NOT_REQUEST = frozenset({"self", "actor", "idempotency_key", "apply", "run"})


def _args(scope: Mapping[str, Any]) -> dict[str, Any]:
    """A command's arguments (for the idempotency fingerprint), from its ``locals()``."""
    return {k: v for k, v in scope.items() if k not in _NOT_REQUEST and not callable(v)}


class Tickets:
    """Ticket commands and queries over one context and runner."""

    def __init__(self, context: DeskContext, runner: CommandRunner, dispatching: Dispatching) -> None:
        self.context = context
        self.runner = runner
        self.dispatching = dispatching

    def _step(
        self, actor: Actor, command: str, ticket_id: str, trigger: str, reason: str | None, key: str | None
    ) -> CommandResult:
        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.step(trigger, actor.ref, now, reason=reason)

        return self.runner.execute(actor, command, ticket_id, apply, key, request={"reason": reason})

    # -- intake ---------------------------------------------------------------------------------------

    def open_ticket(
        self,
        actor: Actor,
        *,
        customer_id: str,
        description: str,
        category: Category = Category.REPAIR,
        channel: Channel = Channel.PHONE,
        asset_id: str | None = None,
        expected_by: datetime | None = None,
        urgent: bool = False,
        received_at: datetime | None = None,
        kind: TicketKind = TicketKind.SERVICE,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Register a request (报修登记): who, what, which unit, by which channel, when.

        ``received_at`` defaults to now (a call logged later may give the real time; the future is
        refused). The customer (and the asset, if given) must be registered; the ticket copies the
        asset's product and batch and the customer's region and dealer, for the ledger's filters.
        """
        request = _args(locals())

        def run(uow: UnitOfWork, now: datetime) -> tuple[Ticket, Applied]:
            return open_ticket_in(
                self.context, uow, actor, now, customer_id=customer_id, description=description,
                category=category, channel=channel, asset_id=asset_id, expected_by=expected_by,
                urgent=urgent, received_at=received_time(now, received_at), kind=kind,
            )  # fmt: skip

        return self.runner.intake(actor, "open_ticket", idempotency_key, request, run)

    def triage(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        nature: str,
        severity: Severity,
        impact_scope: ImpactScope = ImpactScope.SINGLE_UNIT,
        plan: Plan | None = None,
        units_affected: int = 1,
        production_stopped: bool = False,
        departments: int = 1,
        skill: str | None = None,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Assess the problem (问题评估); the pack's priority policy decides priority and plan, with reasons.

        ``plan`` given by the handler wins over the policy's suggestion (recorded either way).
        """

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            draft = Assessment(
                nature, severity, impact_scope, plan or Plan.ON_SITE, units_affected, production_stopped,
                departments, skill, note,
            )  # fmt: skip
            facts = TriageFacts.from_assessment(
                draft, category=ticket.category, tier=self.runner.tier(uow, ticket), urgent=ticket.urgent
            )
            if plan is None:
                facts = attrs.evolve(facts, plan=None)
            decision = self.context.policies.priority.decide(facts)
            chosen = plan or decision.outcome.plan
            assessment = attrs.evolve(draft, plan=chosen)
            ticket.triage(actor.ref, now, assessment, decision.outcome.priority, decision.reasons)
            return Applied(decisions=(decision,))

        return self.runner.execute(
            actor, "triage", ticket_id, apply, idempotency_key, request=_args(locals())
        )

    # -- dispatch -------------------------------------------------------------------------------------

    def dispatch(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        engineer_id: str | None = None,
        dealer_id: str | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Dispatch (派工) to ``engineer_id`` or ``dealer_id``, or let the pack's routing and dispatch decide.

        Reassigning needs a ``reason``; history is kept in the event log. When no candidate exists the
        ticket stays where it is and is escalated to the manager, with the reason, and the result's
        ``decisions`` say why.
        """
        if engineer_id is not None and dealer_id is not None:
            raise ValidationError("dispatch to an engineer or a dealer, not both", field="engineer_id")

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            choice = self.dispatching.choose(uow, actor, ticket, now, engineer_id, dealer_id)
            if choice.assignee is not None:
                ticket.assign(actor.ref, now, choice.assignee, reason=reason, reasons=choice.reasons)
            return Applied(messages=choice.messages, decisions=choice.decisions)

        return self.runner.execute(
            actor, "dispatch", ticket_id, apply, idempotency_key, request=_args(locals())
        )

    # -- work -------------------------------------------------------------------------------------------

    def start_work(
        self, actor: Actor, ticket_id: str, *, idempotency_key: str | None = None
    ) -> CommandResult:
        """The engineer starts (or, after a rejection, restarts) the work."""
        return self._step(actor, "start_work", ticket_id, "start_work", None, idempotency_key)

    def await_parts(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        reason: str | None = None,
        expected_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Work waits for spare parts (the SLA clock pauses if the pack says so)."""
        payload = (
            {"expected_at": require_aware(expected_at, "expected_at").isoformat()} if expected_at else None
        )

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.step("await_parts", actor.ref, now, reason=reason, payload=payload)

        return self.runner.execute(
            actor, "await_parts", ticket_id, apply, idempotency_key, request=_args(locals())
        )

    def await_customer(
        self, actor: Actor, ticket_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Work waits for the customer (not at home, must decide): the SLA clock pauses."""
        return self._step(actor, "await_customer", ticket_id, "await_customer", reason, idempotency_key)

    def resume(
        self, actor: Actor, ticket_id: str, *, reason: str | None = None, idempotency_key: str | None = None
    ) -> CommandResult:
        """Work resumes after waiting for parts or for the customer."""
        return self._step(actor, "resume", ticket_id, "resume", reason, idempotency_key)

    def add_fault_record(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        symptom: str,
        cause: str,
        action: str,
        part: str | None = None,
        component: str | None = None,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Record a coded fault (故障描述 → 故障原因 → 处理措施)."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            record = FaultRecord(symptom, cause, action, now, actor.ref, part, component, note)
            ticket.record_fault(actor.ref, now, record)

        return self.runner.execute(
            actor, "add_fault_record", ticket_id, apply, idempotency_key, request=_args(locals())
        )

    def add_visit(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        planned_at: datetime,
        engineer_id: str,
        kind: VisitKind = VisitKind.SERVICE,
        arrived_at: datetime | None = None,
        left_at: datetime | None = None,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Plan an on-site visit (the customer is told), or record one that took place."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.add_visit(actor.ref, now, Visit(planned_at, engineer_id, kind, arrived_at, left_at, note))

        return self.runner.execute(
            actor, "add_visit", ticket_id, apply, idempotency_key, request=_args(locals())
        )

    def note_to_customer(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        text: str,
        visible: bool = True,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """A progress note (及时反馈处理进度); ``visible=False`` keeps it internal."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.note_to_customer(actor.ref, now, CustomerNote(text, visible))

        return self.runner.execute(
            actor, "note_to_customer", ticket_id, apply, idempotency_key, request=_args(locals())
        )

    def resolve(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        summary: str | None = None,
        remote: bool = False,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """The problem is solved (on site, at the depot, or by remote guidance): please confirm."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.resolve(actor.ref, now, summary=summary, remote=remote)

        return self.runner.execute(
            actor, "resolve", ticket_id, apply, idempotency_key, request=_args(locals())
        )

    def confirm(
        self, actor: Actor, ticket_id: str, *, note: str | None = None, idempotency_key: str | None = None
    ) -> CommandResult:
        """The customer accepts the work (验收确认 / 服务单签字); the ticket closes."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.confirm(actor.ref, now, note=note)

        return self.runner.execute(
            actor, "confirm", ticket_id, apply, idempotency_key, request=_args(locals())
        )

    def reject(
        self, actor: Actor, ticket_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """The customer does not accept the work: it is redone (the resolution clock resumes)."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.reject(actor.ref, now, reason)

        return self.runner.execute(
            actor, "reject", ticket_id, apply, idempotency_key, request=_args(locals())
        )

    def close(
        self, actor: Actor, ticket_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Close a resolved ticket without the customer's confirmation, with a reason."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.close(actor.ref, now, reason)

        return self.runner.execute(actor, "close", ticket_id, apply, idempotency_key, request=_args(locals()))

    def cancel(
        self, actor: Actor, ticket_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Cancel an open ticket, with a reason."""

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.cancel(actor.ref, now, reason)

        return self.runner.execute(
            actor, "cancel", ticket_id, apply, idempotency_key, request=_args(locals())
        )

    def reopen(
        self, actor: Actor, ticket_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Reopen a closed ticket whose problem is back (it goes to rework)."""
        return self._step(actor, "reopen", ticket_id, "reopen", reason, idempotency_key)

    # -- callbacks --------------------------------------------------------------------------------------

    def schedule_callback(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        due_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Plan the callback (回访); ``due_at`` defaults to the pack's callback policy after resolution.

        The callback policy's decision (required or not, survey or not) comes back in ``decisions``;
        the desk schedules what it is asked to — :class:`CallbackDesk` applies the policy's "required".
        """

        if due_at is not None:
            require_aware(due_at, "due_at")

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            plan = callback_plan(self.context.policies.callback, ticket, self.runner.tier(uow, ticket))
            due = due_at or (ticket.resolved_at or now) + plan.outcome.within
            schedule_in(uow, self.context.policies.callback, actor, ticket, now, due)
            return Applied(decisions=(plan,))

        return self.runner.execute(
            actor, "schedule_callback", ticket_id, apply, idempotency_key, request=_args(locals())
        )

    def record_callback(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        problem_back: bool,
        satisfaction: int | None = None,
        answers: Mapping[str, bool] | None = None,
        comment: str = "",
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Record the callback: satisfaction (1–5), the checklist answers, and whether the problem is back.

        A problem that is back reopens a closed ticket (or rejects a resolved one): rework.
        """
        if satisfaction is not None and (
            not isinstance(satisfaction, int) or isinstance(satisfaction, bool) or not 1 <= satisfaction <= 5
        ):
            raise ValidationError("satisfaction is a score from 1 to 5", field="satisfaction")
        if len(comment) > 2000:
            raise ValidationError("comment is at most 2000 characters", field="comment")
        facts: dict[str, object] = {"satisfaction": satisfaction, "comment": comment}
        for question, answer in (answers or {}).items():
            if not isinstance(answer, bool):
                raise ValidationError(f"answer to {question!r} must be yes or no", field="answers")
            facts[f"answer.{question}"] = answer

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            ticket.record_callback(
                actor.ref, now, problem_back=problem_back, facts=facts, why=comment or None
            )
            complete_tasks(uow, ticket, now)

        return self.runner.execute(
            actor, "record_callback", ticket_id, apply, idempotency_key, request=_args(locals())
        )

    # -- queries ------------------------------------------------------------------------------------------

    def ticket(self, actor: Actor, ticket_id: str) -> TicketView:
        """The ticket, if ``actor`` may see it (otherwise ``NotFound``, as for an unknown id)."""
        with self.context.store() as uow:
            return TicketView(self.runner.visible(uow, actor, ticket_id))

    def progress(self, actor: Actor, ticket_id: str) -> Progress:
        """What the customer may see (服务进度): state, next step, due times, engineer, visible notes."""
        with self.context.store() as uow:
            return Progress.of(self.runner.visible(uow, actor, ticket_id))

    def sla(self, actor: Actor, ticket_id: str) -> Any:
        """The SLA status of the ticket now: each target's due time, remaining, warning, breach."""
        now = self.context.now()
        with self.context.store() as uow:
            ticket = self.runner.visible(uow, actor, ticket_id)
            return self.context.sla.status(ticket, self.runner.tier(uow, ticket), now)

    def ledger(
        self, actor: Actor, filters: TicketFilter | None = None, page: PageRequest | None = None
    ) -> Page[TicketView]:
        """The searchable ledger (售后问题台账), narrowed to what ``actor`` may see, one keyset page."""
        check_actor(actor)
        query = _scoped_filter(actor, filters or TicketFilter())
        with self.context.store() as uow:
            result = uow.tickets.query(query, page or PageRequest())
        return Page(tuple(TicketView(t) for t in result.items), result.next_cursor)

    def count(self, actor: Actor, filters: TicketFilter | None = None) -> int:
        """How many tickets of the ledger match, within ``actor``'s scope."""
        check_actor(actor)
        with self.context.store() as uow:
            return uow.tickets.count(_scoped_filter(actor, filters or TicketFilter()))


def _scoped_filter(actor: Actor, filters: TicketFilter) -> TicketFilter:
    role = actor.role
    if role is Role.CUSTOMER:
        return attrs.evolve(filters, customer_id=actor.customer_id or "\x00")
    if role is Role.DEALER_STAFF:
        # The ledger lists the dealer's own tickets (its customers' and units'); single tickets of its
        # regions stay readable by id (see permissions.can_read).
        return attrs.evolve(filters, dealer_id=actor.dealer_id or "\x00")
    if role is Role.ENGINEER:
        return attrs.evolve(filters, engineer_id=actor.engineer_id or actor.id)
    return filters
