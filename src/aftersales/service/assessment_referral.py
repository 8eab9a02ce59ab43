"""Referring a new problem to a technical person for assessment (问题评估).

Seed 001 三(三): 售后专员将客户反馈的问题及时分配给相关人员进行评估,评估内容包括问题的性质、严重程度、影响
范围; seed 000 3.问题评估: 售后维护团队对客户反馈的问题进行评估,确定问题的严重程度和处理方案. The office
or the dealer whose call it is (``refer_for_assessment`` in the permission table) names the engineer who
assesses a new ticket; that engineer reads the ticket and records the assessment with ``desk.triage``
(the permission table's assessor scope), and is told of the referral. Nobody is assigned by it: the
dispatch (派工) follows the assessment. The referral's read lasts while the assessment is owed (the
ticket is new): once the ticket is assessed or cancelled the engineer reads it only if it is assigned to
it (least privilege).
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.actors import Role
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.ports.queries import MAX_PAGE, PageRequest, Sort, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.context import DeskContext
from aftersales.service.dispatching import check_available
from aftersales.service.permissions import PERMISSIONS, Workflow, dealers_job, permit, roles_for
from aftersales.service.runner import Applied, CommandRunner, check_actor
from aftersales.service.scope import acts_as_dealer_staff, sees_every
from aftersales.service.views import CommandResult, TicketView

__all__ = ["AssessmentReferrals"]


@validated_commands
class AssessmentReferrals:
    """``desk.assessments``: who assesses a new problem."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner

    def refer(
        self,
        actor: Actor,
        ticket_id: str,
        *,
        engineer_id: str,
        note: str | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Refer new ticket ``ticket_id`` to engineer ``engineer_id`` for assessment (replayable by key).

        The engineer must be registered (``NotFound``), working and not away now (``ValidationError``
        naming ``engineer_id``), and may work on the ticket: a dealer's engineer only on its own dealer's
        tickets, and dealer staff refer to their own dealer's engineers only (``PermissionDenied``, as
        for a dispatch). A later referral replaces an earlier one. Only a new ticket is referred (a
        triaged one is assessed: ``InvalidTransition``). The engineer is told (``assessment_requested``).
        """
        if note is not None and (not isinstance(note, str) or len(note) > 2000):
            raise ValidationError(
                "note is text of at most 2000 characters",
                field="note",
                rule="too_long" if isinstance(note, str) else "text",
                rule_params={"most": 2000},
            )
        if not isinstance(engineer_id, str) or not engineer_id.strip():
            raise ValidationError("engineer_id names an engineer", field="engineer_id")
        request = {"engineer_id": engineer_id, "note": note}

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied:
            engineer = uow.engineers.get(engineer_id)
            check_available(engineer, now, "engineer_id")
            if not engineer.may_work_for(ticket.dealer_id):
                raise ValidationError(
                    f"engineer {engineer.id} works for another dealer than ticket {ticket.id}'s",
                    field="engineer_id",
                )
            roles = PERMISSIONS[Workflow.SERVICE_TICKET]["refer_for_assessment"]
            if acts_as_dealer_staff(actor, roles) and engineer.dealer_id != actor.dealer_id:
                raise PermissionDenied(
                    str(actor), "refer_for_assessment", engineer.id, rule="beyond_own_dealer"
                )
            event = ticket.refer_for_assessment(actor.ref, now, engineer.id, note)
            if engineer.contact is None:
                return Applied()
            values = {"ticket_id": ticket.id, "category": ticket.category, "note": note or ""}
            key = f"{ticket.id}:{event.seq}:assessment_requested"
            messages = self.context.notifications.contact_messages(
                "assessment_requested", "engineer", engineer.contact, values, key, now
            )
            return Applied(messages=messages)

        return self.runner.execute(
            actor, "refer_for_assessment", ticket_id, apply, idempotency_key, request=request
        )

    def waiting(self, actor: Actor, *, engineer_id: str | None = None) -> tuple[TicketView, ...]:
        """The new tickets referred for assessment and not yet assessed, oldest first (the permission
        table's ``read_assessment_referrals``).

        An engineer reads those referred to it: a referral assigns nobody, so its ledger (the tickets it
        works on) does not list them, and the notice alone told it of each. The office reads every
        engineer's, or one's (``engineer_id``): who still owes an assessment. Dealer staff read those
        waiting on their own dealer's engineers, on the tickets they read as their dealer's: the dealer
        refers its calls to its engineers and follows them up (seed 002 分工与合作: 乙方负责所售产品的
        全过程服务; seed 001 三(五): 售后专员负责跟踪售后问题的处理进度). ``engineer_id`` naming an
        engineer beyond the actor's own (another engineer, another dealer's or the maker's) is
        ``PermissionDenied``. Others are ``PermissionDenied``.
        """
        check_actor(actor)
        permit(actor, Workflow.DOCUMENTS, "read_assessment_referrals")
        if engineer_id is not None and (not isinstance(engineer_id, str) or not engineer_id.strip()):
            raise ValidationError("engineer_id names an engineer", field="engineer_id")
        allowed = roles_for(Workflow.DOCUMENTS, "read_assessment_referrals")
        found: list[TicketView] = []
        cursor: str | None = None
        with self.context.reader(snapshot=False) as uow:
            own: frozenset[str] | None = None  # None: every engineer's (the office)
            if not sees_every(actor, allowed):
                own = _own_assessors(uow, actor)
                if engineer_id is not None and engineer_id not in own:
                    raise PermissionDenied(
                        str(actor), "read_assessment_referrals", engineer_id, rule="other_engineers_referrals"
                    )
            wanted = own if engineer_id is None else frozenset({engineer_id})
            while True:  # new tickets are few: triage follows the call
                page = uow.tickets.query(
                    TicketFilter(states=(TicketState.NEW.value,)),
                    PageRequest(MAX_PAGE, cursor, Sort.RECEIVED_ASC),
                )
                for ticket in page.items:
                    assessor = ticket.assessor
                    if assessor is None or (wanted is not None and assessor not in wanted):
                        continue
                    if own is not None and not _reads_referral(actor, ticket, assessor):
                        continue
                    found.append(self.runner.view(actor, ticket))
                cursor = page.next_cursor
                if cursor is None:
                    return tuple(found)


def _own_assessors(uow: UnitOfWork, actor: Actor) -> frozenset[str]:
    """The engineers whose waiting referrals ``actor`` reads, not seeing every engineer's: itself as an
    engineer, its dealer's engineers as dealer staff."""
    own: set[str] = set()
    if actor.has_role(Role.ENGINEER):
        own.add(actor.engineer_id or actor.id)
    if actor.has_role(Role.DEALER_STAFF) and actor.dealer_id is not None:
        own.update(str(e.id) for e in uow.engineers.list(dealer_id=actor.dealer_id))
    return frozenset(own)


def _reads_referral(actor: Actor, ticket: Ticket, assessor: str) -> bool:
    """May ``actor`` (not the office) list ``ticket``, referred to ``assessor``, one of its own: the
    engineer its own referral; dealer staff a referral to their dealer's engineer on their dealer's job
    (not a ticket of another dealer it reads only for its region's callbacks)."""
    if actor.has_role(Role.ENGINEER) and assessor == (actor.engineer_id or actor.id):
        return True
    return actor.has_role(Role.DEALER_STAFF) and dealers_job(actor, ticket)
