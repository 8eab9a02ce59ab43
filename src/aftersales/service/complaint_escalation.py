"""Escalating a complaint (seed 004 第八条 2(5): 立即通知客户服务中心 … 向总经理报告).

An escalation is a record with its own due time, a ticket event and ``complaint_escalated`` notices to
the roles the pack's escalation policy names — by default the service-centre head (``Role.MANAGER``)
and ``Role.GENERAL_MANAGER``; when the named reach nobody, a level above is told (or the escalation is
marked unreached). Escalated by classification, by hand, or by referring a hard case to the general
manager (请示处理方法), whose decision becomes the proposed solution. The office lists escalations not
taken up in time and those no one heard of.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NoReturn

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.complaint_workflow import ComplaintState
from aftersales.domain.complaints import (
    ComplaintFile,
    ComplaintSeverity,
    EscalationRecord,
    GeneralManagerReferral,
)
from aftersales.domain.ids import TicketId
from aftersales.domain.instants import require_aware
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.policies.decision import Decision
from aftersales.policies.escalation import EscalationFacts, EscalationTrigger
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.complaint_base import ComplaintBase
from aftersales.service.complaint_gm_instruction import gm_addressed, instruction_ref
from aftersales.service.escalation_reach import Reach, reach_up
from aftersales.service.gm_decision_notice import gm_decision_messages
from aftersales.service.permissions import COMPLAINT_ROLES, check_role
from aftersales.service.runner import Applied
from aftersales.service.views import CommandResult

__all__ = ["ComplaintEscalation", "OverdueEscalation", "UnreachedEscalation"]


@attrs.frozen
class OverdueEscalation:
    """An escalation not taken up by its due time."""

    complaint_id: TicketId
    escalation: EscalationRecord
    overdue_by: timedelta


@attrs.frozen
class UnreachedEscalation:
    """An escalation whose notice reached nobody (see :meth:`ComplaintDesk.unreached_escalations`)."""

    complaint_id: TicketId
    escalation: EscalationRecord


_OVER = frozenset({ComplaintState.CLOSED.value, ComplaintState.CANCELLED.value})
"""The states in which a complaint's escalations wait for no one (nothing is left to take up)."""


def _reach_told(decision: Decision[Any], named: tuple[Role, ...], reach: Reach) -> Decision[Any]:
    """The escalation policy's decision, with what its notice reached when that is not what it named: a
    level above told because the named reached nobody, or nobody at all (seed 004: 立即通知客户服务中心 —
    an escalation no one hears of must not pass for one told)."""
    names = ",".join(r.value for r in named)
    if reach.added:
        went = Reason("escalation_went_up", {"named": names, "to": ",".join(r.value for r in reach.added)})
    elif not reach.reached:
        went = Reason("escalation_unreached", {"named": names})
    else:
        return decision
    return Decision(decision.outcome, [*decision.reasons, went], decision.policy)


def _refuse_taken_up(complaint_id: str, file: ComplaintFile, actor: Actor) -> NoReturn:
    """Refuse an acknowledgement with nothing open to the actor's roles. An escalation addressed to them
    (a crisis, to the centre's head and the general manager alike) that someone took up already is named,
    with who took it up (rule ``escalation_taken_up``): session 37 — the general manager read
    that nothing was addressed to him, where it was, and was met (one record, one taking up)."""
    taken = [
        e for e in file.escalations if e.acknowledged_at is not None and any(r in e.to for r in actor.roles)
    ]
    if taken:
        last = max(taken, key=lambda e: e.acknowledged_at or e.at)
        by = str(last.acknowledged_by) if last.acknowledged_by is not None else "-"
        raise ValidationError(
            f"the escalation of {complaint_id} to {actor.role.value} was already taken up by {by}",
            field="complaint_id",
            rule="escalation_taken_up",
            rule_params={"by": by},
        )
    raise ValidationError(
        f"no open escalation of {complaint_id} is addressed to {actor.role.value}", field="complaint_id"
    )


@validated_commands
class ComplaintEscalation(ComplaintBase):
    """Mixed into :class:`~aftersales.service.complaint_desk.ComplaintDesk`: escalations and referrals."""

    def _escalate(
        self,
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        file: ComplaintFile,
        trigger: EscalationTrigger,
        detail: Reason,
        now: datetime,
        addressed: Callable[[tuple[Role, ...]], tuple[Role, ...]] | None = None,
    ) -> tuple[list[OutboxMessage], Decision[Any]]:
        decision = self.context.policies.escalation.decide(EscalationFacts(trigger, detail))
        due = now + timedelta(hours=self.policy.params.escalation_ack_hours)
        customer = self._customer(uow, ticket.customer_id)
        values = {
            "complaint_id": ticket.id,
            "customer_name": customer.name if customer else ticket.customer_id,
            "reason": detail,
            "escalated_at": now,
        }
        key = f"{ticket.id}:{len(ticket.events) + 1}:complaint_escalated:{trigger.value}"
        named = tuple(decision.outcome.to)
        if addressed is not None:  # whom the command adds to the policy's addressees
            named = addressed(named)
        reach = reach_up(self.context.notifications, "complaint_escalated", named, values, key, now)
        to = reach.to
        record = EscalationRecord(
            to, detail, now, actor.ref, due, bool(decision.outcome.immediate), reached=reach.reached
        )
        ticket.step(
            "escalate",
            actor.ref,
            now,
            payload={
                "trigger": trigger.value,
                "to": [r.value for r in to],
                "due_at": due.isoformat(),
                "reason": {"code": detail.code, "params": dict(detail.params)},
                "reached": [r.value for r in reach.reached],
            },
        )
        file.escalations.append(record)
        file.rekey()  # the sweep's key: this one may be the earliest due
        return list(reach.messages), _reach_told(decision, named, reach)

    def escalate(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        trigger: EscalationTrigger = EscalationTrigger.CUSTOMER_DISSATISFIED,
        reason: str,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Escalate by hand (to whom the pack's escalation policy says for ``trigger``), with a reason."""
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
            raise ValidationError("an escalation needs a reason of at most 500 characters", field="reason")
        trigger = EscalationTrigger(trigger)

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            detail = Reason("escalated_by_handler", {"trigger": trigger.value, "note": reason})
            messages, decision = self._escalate(uow, actor, ticket, file, trigger, detail, now)
            return Applied(messages=messages, decisions=(decision,))

        return self._run(actor, "escalate", complaint_id, body, idempotency_key)

    def acknowledge_escalation(
        self, actor: Actor, complaint_id: str, *, idempotency_key: str | None = None
    ) -> CommandResult:
        """The escalation's addressee takes it up: its open escalations to the actor's role are met."""

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            mine = [
                i
                for i, e in enumerate(file.escalations)
                if e.acknowledged_at is None and any(r in e.to for r in actor.roles)
            ]
            if not mine:
                _refuse_taken_up(ticket.id, file, actor)
            ticket.step("acknowledge_escalation", actor.ref, now, payload={"count": len(mine)})
            for i in mine:
                file.escalations[i] = attrs.evolve(
                    file.escalations[i], acknowledged_at=now, acknowledged_by=actor.ref
                )
            file.rekey()  # taken up: no longer the sweep's to remind

        return self._run(actor, "acknowledge_escalation", complaint_id, body, idempotency_key)

    def refer_to_general_manager(
        self, actor: Actor, complaint_id: str, *, question: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """Refer a hard case to the general manager for a decision (请示处理方法); the GM is notified."""

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            referral = GeneralManagerReferral(question, actor.ref, now)
            ticket.step("refer", actor.ref, now, reason=question)
            file.referral = referral
            detail = Reason("hard_case_referred", {"state": ticket.events[-1].from_state})
            # A complaint waiting for the general manager's instruction is reported to him whoever
            # the pack names for hard cases (seed 004 第八条 2(4): 向总经理报告及请示处理方法).
            params = self.policy.params
            messages, decision = self._escalate(
                uow, actor, ticket, file, EscalationTrigger.HARD_CASE, detail, now,
                lambda named: gm_addressed(params, file, named),
            )  # fmt: skip
            return Applied(messages=messages, decisions=(decision,))

        return self._run(actor, "refer_to_general_manager", complaint_id, body, idempotency_key)

    def record_gm_decision(
        self, actor: Actor, complaint_id: str, *, decision: str, idempotency_key: str | None = None
    ) -> CommandResult:
        """The general manager's decision on a referred case; it becomes the proposed solution, and whoever
        referred the case and its handler are told, to arrange the handling at once (seed 004 第八条 2(4)
        得到明确的处理意见后应立即安排处理; :mod:`~aftersales.service.gm_decision_notice`)."""

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            if file.referral is None:
                raise ValidationError(f"complaint {ticket.id} was not referred", field="complaint_id")
            deciders = {Role.GENERAL_MANAGER}.union(
                *(e.to for e in file.escalations if e.reason.code == "hard_case_referred")
            )
            if not any(r in deciders for r in actor.roles):
                raise PermissionDenied(str(actor), "record_gm_decision", ticket.id)
            decider = instruction_ref(self.policy.params, actor, file)  # his, as the general manager
            ticket.step("decide", decider, now, reason=decision)
            file.referral = attrs.evolve(file.referral, decision=decision, decided_by=decider, decided_at=now)
            file.solution = decision
            for i, e in enumerate(file.escalations):
                if e.acknowledged_at is None and any(r in e.to for r in actor.roles):
                    file.escalations[i] = attrs.evolve(e, acknowledged_at=now, acknowledged_by=actor.ref)
            file.rekey()
            notices = self.context.notifications
            return Applied(messages=gm_decision_messages(notices, uow, ticket, file, actor, now))

        return self._run(actor, "record_gm_decision", complaint_id, body, idempotency_key)

    def overdue_escalations(self, actor: Actor, at: datetime | None = None) -> list[OverdueEscalation]:
        """Escalations of complaints still open not taken up by their due time, most overdue first.

        A closed or cancelled complaint has nothing left to take up (and its escalations can no longer
        be acknowledged): its escalations leave the list — its file still shows one never taken up."""
        check_role(actor, "overdue_escalations", roles=COMPLAINT_ROLES["overdue_escalations"])
        now = require_aware(at, "at") if at is not None else self._now()
        out: list[OverdueEscalation] = []
        with self.context.store() as uow:
            files = [*uow.documents.query(ComplaintFile, severity=ComplaintSeverity.MAJOR.value)]
            files += uow.documents.query(ComplaintFile, severity=ComplaintSeverity.GENERAL.value)
            for file in files:
                late = [e for e in file.escalations if e.overdue(now)]
                if late and uow.tickets.get(file.id).state not in _OVER:
                    out += [OverdueEscalation(file.id, e, now - e.due_at) for e in late]
        return sorted(out, key=lambda o: (-o.overdue_by, o.complaint_id))

    def unreached_escalations(self, actor: Actor) -> list[UnreachedEscalation]:
        """Escalations whose notice reached nobody — no contact for the roles named nor for a level above
        (the host's staff directory lists none) — oldest first, open or taken up since: the office sees
        that no one was told (seed 004: 立即通知客户服务中心), rather than learning it when one is overdue."""
        check_role(actor, "unreached_escalations", roles=COMPLAINT_ROLES["unreached_escalations"])
        out: list[UnreachedEscalation] = []
        with self.context.store() as uow:
            files = [*uow.documents.query(ComplaintFile, severity=ComplaintSeverity.MAJOR.value)]
            files += uow.documents.query(ComplaintFile, severity=ComplaintSeverity.GENERAL.value)
            for file in files:
                out += [UnreachedEscalation(file.id, e) for e in file.escalations if e.unreached]
        return sorted(out, key=lambda u: (u.escalation.at, u.complaint_id))
