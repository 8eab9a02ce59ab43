"""Classifying a complaint general or major (seed 004 第七条 5: 重大投诉 — a crisis event or a batch
quality incident), with reasons; a crisis event or batch incident found is escalated in the same command
(once per cause: reclassifying does not alarm the general manager again).

A crisis the centre finds, on investigation, to be no crisis (seed 004 第五条 1(5): the centre is the
department responsible for crises; 第七条 4-5) answers the crisis escalation it was addressed: the
classification is its taking up, so the escalation leaves the overdue list and reminds nobody. An agent's
reclassification answers nothing: the head it went to still has to look (session 38).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from aftersales.domain.complaints import (
    BatchIncident,
    ComplaintFile,
    ComplaintSeverity,
    ComplaintSubject,
    CrisisFacts,
    HandlerJudgement,
)
from aftersales.domain.events import JsonValue
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.errors import ValidationError
from aftersales.policies.complaints import (
    ComplaintClass,
    ComplaintFacts,
)
from aftersales.policies.decision import Decision
from aftersales.policies.escalation import EscalationTrigger
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.complaint_callback_class import follow_class
from aftersales.service.complaint_escalation import ComplaintEscalation
from aftersales.service.complaint_incident_facts import named_incident
from aftersales.service.complaint_urgency import make_urgent
from aftersales.service.runner import Applied
from aftersales.service.views import CommandResult

__all__ = ["ComplaintClassification"]


def _reason_facts(reasons: Iterable[Reason]) -> list[JsonValue]:
    return [{"code": r.code, "params": dict(r.params)} for r in reasons]


def _answer_crisis_escalations(file: ComplaintFile, actor: Actor, now: datetime) -> None:
    """Take up, as ``actor`` at ``now``, the crisis escalations still open addressed to one of its roles:
    its finding that the complaint is no crisis event is the centre's answer to the report."""
    for i, e in enumerate(file.escalations):
        if (
            e.reason.code == "crisis_event"
            and e.acknowledged_at is None
            and any(r in e.to for r in actor.roles)
        ):
            file.escalations[i] = attrs.evolve(e, acknowledged_at=now, acknowledged_by=actor.ref)
    file.rekey()  # taken up: no longer the sweep's to remind


def _same_batch(ticket: Ticket, incident: BatchIncident) -> None:
    """A complaint about a unit is major by a batch incident of that unit's batch and product only
    (seed 004 第七条 5(2): 同一批次的产品…同一质量问题): another batch's incident is not this unit's."""
    if not ticket.may_be_of(incident.batch, incident.product_id):
        raise ValidationError(
            f"the batch incident is of {incident.product_id} batch {incident.batch}; complaint {ticket.id}'s "
            f"unit is of {ticket.product_id} batch {ticket.batch}",
            field="batch_incident",
        )


@validated_commands
class ComplaintClassification(ComplaintEscalation):
    """Mixed into :class:`~aftersales.service.complaint_desk.ComplaintDesk`: general or major."""

    def _crisis_event(self, file: ComplaintFile) -> bool:
        """The file's crisis facts make a crisis event (as the intake judges those given to it)."""
        return (
            file.crisis is not None and self.policy.classify(ComplaintFacts(file.crisis)).outcome.crisis_event
        )

    def _classify(
        self, uow: UnitOfWork, actor: Actor, ticket: Ticket, file: ComplaintFile, now: datetime
    ) -> Applied:
        facts = ComplaintFacts(file.crisis, file.batch_incident, file.judgement)
        decision: Decision[ComplaintClass] = self.policy.classify(facts)
        outcome = decision.outcome
        ticket.step(
            "classify",
            actor.ref,
            now,
            payload={"severity": outcome.severity.value, "reasons": _reason_facts(decision.reasons)},
        )
        file.severity = outcome.severity
        file.severity_reasons = decision.reasons
        # A complaint classified after its handling: its pending callback asks what the new class owes.
        follow_class(self.context, uow, ticket, outcome.severity is ComplaintSeverity.MAJOR)
        messages: list[OutboxMessage] = []
        decisions: list[object] = [decision]
        already = {e.reason.code for e in file.escalations}
        wanted: list[tuple[EscalationTrigger, Reason]] = []
        if outcome.crisis_event:
            wanted.append(
                (
                    EscalationTrigger.CRISIS_EVENT,
                    next(r for r in decision.reasons if r.code == "crisis_event"),
                )
            )
        incident = file.batch_incident
        if outcome.batch_incident and (incident is None or incident.incident_id is None):
            # An incident the desk raised was escalated then (to the same people): not again here.
            wanted.append(
                (
                    EscalationTrigger.BATCH_INCIDENT,
                    next(r for r in decision.reasons if r.code == "batch_incident"),
                )
            )
        for trigger, detail in wanted:
            if detail.code in already:
                continue  # escalated once per cause; reclassifying does not alarm the GM again
            sent, escalation = self._escalate(uow, actor, ticket, file, trigger, detail, now)
            messages += sent
            decisions.append(escalation)
        return Applied(messages=messages, decisions=decisions)

    def classify(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        crisis: CrisisFacts | None = None,
        batch_incident: BatchIncident | None = None,
        major_by_judgement: str | None = None,
        subject: ComplaintSubject | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Classify general or major with reasons; facts given replace those recorded.

        ``major_by_judgement`` is the handler's reason for marking the complaint major (重要影响).
        A crisis event or batch incident found here is escalated in this same command, and a crisis
        event marks the complaint urgent (a ``mark_urgent`` step; its first contact on the urgent contact
        clock), as crisis facts given at intake do (seed 004 第八条 2(4) 首先要对客户进行安抚).
        """
        if crisis is not None and not isinstance(crisis, CrisisFacts):
            raise ValidationError("crisis must be CrisisFacts", field="crisis")
        if batch_incident is not None and not isinstance(batch_incident, BatchIncident):
            raise ValidationError("batch_incident must be a BatchIncident", field="batch_incident")
        if major_by_judgement is not None and not major_by_judgement.strip():
            raise ValidationError(
                "major_by_judgement is the handler's reason for marking the complaint major: write it",
                field="major_by_judgement",
            )

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            if crisis is not None:
                file.crisis = crisis
            if batch_incident is not None:
                found = named_incident(uow, batch_incident)
                _same_batch(ticket, found)
                file.batch_incident = found
            if major_by_judgement is not None:
                file.judgement = HandlerJudgement(actor.ref, now, major_by_judgement)
            if subject is not None:
                file.subject = ComplaintSubject(subject)
            applied = self._classify(uow, actor, ticket, file, now)
            if not self._crisis_event(file):  # the centre's finding: no crisis (a report is no finding)
                _answer_crisis_escalations(file, actor, now)
            # 第八条 2(4) 首先要对客户进行安抚 with 2(5) 立即: a crisis the centre finds (a customer's
            # statement classified, a crisis come to light) is contacted first, as one registered at
            # intake is.
            if not ticket.urgent and ticket.can("mark_urgent") and self._crisis_event(file):
                make_urgent(self.context.policies.priority, actor, ticket, now)
            return applied

        return self._run(actor, "classify", complaint_id, body, idempotency_key)
