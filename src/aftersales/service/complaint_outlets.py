"""Complaints passed to a repair outlet, crises reported by anyone, departments assisting (seed 004).

Commands of the complaint desk (``desk.complaints``), kept in their own module:

- **Referral to a repair outlet** (由客户服务中心转到维修网点的用户投诉,在处理完毕后,
  售后服务部应立即回复客户服务中心): :meth:`refer_to_outlet` hands the complaint to a dealer or an
  engineer (who then sees it and is notified); :meth:`reply_from_outlet` records their reply, which
  returns to the service centre at once.
- **Anyone reports a crisis** (当接到危机事件的单位或部门、个人要立即通知客户服务中心): engineers
  and dealer staff open a complaint or flag one as a crisis (:meth:`report_crisis`,
  :meth:`flag_crisis`); the centre (and whoever the pack's escalation table names) is notified in
  the same transaction. The crisis facts, when known, classify the complaint as usual.
- **Assisting departments** (工程部和监理部门是危机事件处理的协助部门): :meth:`assign_departments`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aftersales.domain.classification import Channel
from aftersales.domain.complaints import ComplaintFile, CrisisFacts
from aftersales.domain.departments import department_ids
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assignee, AssigneeKind
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.policies.escalation import EscalationTrigger
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.complaint_base import checked_text
from aftersales.service.complaint_intake import ComplaintIntake
from aftersales.service.complaint_outlet_access import answers_for
from aftersales.service.coordination import SERVICE_CENTRE, departments_in
from aftersales.service.customer_name import customer_name
from aftersales.service.dispatching import check_available
from aftersales.service.intake import received_time
from aftersales.service.permissions import Workflow, permit
from aftersales.service.runner import Applied
from aftersales.service.views import CommandResult

if TYPE_CHECKING:
    pass

__all__ = ["ComplaintOutlets"]


"""Who replies for any outlet (recording a reply it phoned in): the centre's own handlers."""


@validated_commands
class ComplaintOutlets(ComplaintIntake):
    """Mixed into :class:`~aftersales.service.complaint_desk.ComplaintDesk`: outlets, crises, departments."""

    # -- repair outlets -------------------------------------------------------------------------------

    def refer_to_outlet(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        engineer_id: str | None = None,
        dealer_id: str | None = None,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Pass the complaint to a repair outlet: a dealer or an engineer, who is notified and may reply.

        The outlet now holds the complaint (it sees it and may reply); the centre keeps handling it.
        """
        if (engineer_id is None) == (dealer_id is None):
            raise ValidationError("refer to an engineer or a dealer (one of them)", field="engineer_id")
        checked_text(note, "note", required=False)

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            if engineer_id is not None:
                engineer = uow.engineers.get(engineer_id)
                check_available(engineer, now, "engineer_id")  # left or away: nobody would answer
                outlet = Assignee(AssigneeKind.ENGINEER, engineer.id, engineer.name)
                contact = engineer.contact
            else:
                dealer = uow.dealers.get(dealer_id or "")
                outlet = Assignee(AssigneeKind.DEALER, dealer.id, dealer.name)
                contact = dealer.contact
            payload: dict[str, Any] = {
                "outlet": {"kind": outlet.kind.value, "id": outlet.id, "name": outlet.name}
            }
            if ticket.assignee is not None:
                payload["previous"] = {"kind": ticket.assignee.kind.value, "id": ticket.assignee.id}
            ticket.step("refer_to_outlet", actor.ref, now, reason=note or None, payload=payload)
            ticket.assignee = outlet
            if contact is None:
                return Applied()
            values = {"complaint_id": ticket.id, "outlet": outlet.name, "note": note or "-"}
            key = f"{ticket.id}:{len(ticket.events)}:complaint_referred"
            return Applied(
                messages=self.context.notifications.contact_messages(
                    "complaint_referred", outlet.kind.value, contact, values, key, now
                )
            )

        return self._run(actor, "refer_to_outlet", complaint_id, body, idempotency_key)

    def reply_from_outlet(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        reply: str,
        handled: bool = True,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """The outlet's reply to the service centre (handled, or why not yet); the centre is notified.

        Only the outlet the complaint was referred to (or the centre's own staff) may reply (seed 004
        第八条 2(3): 由客户服务中心转到维修网点的用户投诉…应立即回复客户服务中心): the customer's own dealer,
        which reads its customers' complaints, does not answer for the engineer or the other dealer the
        centre passed it to (``PermissionDenied``).
        """
        checked_text(reply, "reply", required=True)

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            if ticket.assignee is None or not any(e.action == "refer_to_outlet" for e in ticket.events):
                raise ValidationError(
                    f"complaint {ticket.id} was not referred to an outlet", field="complaint_id"
                )
            outlet = ticket.assignee
            if not answers_for(actor, outlet):
                raise PermissionDenied(str(actor), "outlet_reply", ticket.id)
            ticket.step(
                "outlet_reply",
                actor.ref,
                now,
                reason=reply,
                payload={"handled": handled, "outlet": {"kind": outlet.kind.value, "id": outlet.id}},
            )
            values = {"complaint_id": ticket.id, "outlet": outlet.name or outlet.id, "reply": reply}
            key = f"{ticket.id}:{len(ticket.events)}:outlet_reply"
            return Applied(
                messages=self.context.notifications.staff_messages(
                    "complaint_reply", SERVICE_CENTRE, values, key, now
                )
            )

        return self._run(actor, "outlet_reply", complaint_id, body, idempotency_key)

    # -- crises ---------------------------------------------------------------------------------------

    def _crisis(
        self,
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        file: ComplaintFile,
        note: str,
        crisis: CrisisFacts | None,
        now: datetime,
    ) -> Applied:
        ticket.step("report_crisis", actor.ref, now, reason=note, payload={"by": actor.ref.role.value})
        messages: list[OutboxMessage] = []
        decisions: list[object] = []
        if crisis is not None:
            file.crisis = crisis
            classified = self._classify(uow, actor, ticket, file, now)
            messages += classified.messages
            decisions += classified.decisions
        if not any(e.reason.code in ("crisis_event", "crisis_reported") for e in file.escalations):
            # Reported, whatever the facts known so far: the centre hears at once (立即通知).
            detail = Reason("crisis_reported", {"by": actor.ref.role.value, "note": note})
            sent, escalation = self._escalate(
                uow, actor, ticket, file, EscalationTrigger.CRISIS_EVENT, detail, now
            )
            values = {
                "complaint_id": ticket.id,
                "customer_name": customer_name(uow, ticket.customer_id),
                "reason": detail,
            }
            values["escalated_at"] = now
            key = f"{ticket.id}:{len(ticket.events)}:crisis_reported"
            escalated = set(file.escalations[-1].to)
            centre = tuple(r for r in SERVICE_CENTRE if r not in escalated)
            sent += self.context.notifications.staff_messages("complaint_escalated", centre, values, key, now)
            messages += sent
            decisions.append(escalation)
        return Applied(messages=messages, decisions=decisions)

    def flag_crisis(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        note: str,
        crisis: CrisisFacts | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Flag a complaint as a crisis (危机事件): the service centre is notified in this command.

        Engineers and dealer staff may flag the complaints they hold. With ``crisis`` facts the complaint
        is classified too (major when the facts make a crisis event).
        """
        checked_text(note, "note", required=True)
        if crisis is not None and not isinstance(crisis, CrisisFacts):
            raise ValidationError("crisis must be CrisisFacts", field="crisis")

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            return self._crisis(uow, actor, ticket, file, note, crisis, now)

        return self._run(actor, "report_crisis", complaint_id, body, idempotency_key)

    def report_crisis(
        self,
        actor: Actor,
        customer_id: str,
        description: str,
        about: Sequence[str] = (),
        *,
        note: str = "",
        crisis: CrisisFacts | None = None,
        asset_id: str | None = None,
        channel: Channel = Channel.PHONE,
        received_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Anyone who meets a crisis reports it: a complaint is opened and flagged in one transaction.

        Engineers and dealer staff in the field included (seed 004: 单位或部门、个人). ``about`` are the
        customer's service tickets the reporter may see.
        """
        if crisis is not None and not isinstance(crisis, CrisisFacts):
            raise ValidationError("crisis must be CrisisFacts", field="crisis")
        checked_text(note, "note", required=False)
        permit(actor, Workflow.COMPLAINT, "open_complaint", customer_id)
        permit(actor, Workflow.COMPLAINT, "report_crisis", customer_id)
        about = tuple(about)
        request = [customer_id, description, about, note, crisis, asset_id, channel, received_at]

        def run(uow: UnitOfWork, now: datetime) -> tuple[Ticket, Applied]:
            def flag(ticket: Ticket, file: ComplaintFile) -> Applied:
                return self._crisis(uow, actor, ticket, file, note or description, crisis, now)

            return self.open_in(
                uow, actor, now, customer_id, description, about, channel=channel, asset_id=asset_id,
                urgent=True, received_at=received_time(now, received_at), then=flag,
            )  # fmt: skip

        return self.runner.intake(actor, "report_crisis", idempotency_key, request, run)

    # -- departments --------------------------------------------------------------------------------

    def assign_departments(
        self,
        actor: Actor,
        complaint_id: str,
        departments: Iterable[str],
        *,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Bring departments in to work on the complaint (engineering, quality supervision…); each is
        notified once, when first brought in (one already assigned is recorded again, not told again)."""
        wanted = department_ids(departments)
        checked_text(note, "note", required=False)

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            told = departments_in(self.context, uow, actor, ticket, wanted, note, now, once=True)
            return Applied(messages=told)

        return self._run(actor, "assign_departments", complaint_id, body, idempotency_key)
