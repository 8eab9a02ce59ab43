"""Who follows a complaint up: the designated handler (seed 003 投诉处理).

Seed 003: "对于客户投诉,设立专门的投诉处理流程,由指定人员负责跟进,确保'事事有回音,件件有着落'" — a
complaint is followed up by a designated person. Without a designation the handler is whoever starts the
investigation (as before); a head (manager, department head, general manager) may designate one with
:meth:`ComplaintHandlers.assign_handler` — at intake or later, and again with a reason to hand it on.

Once a complaint has a designated handler, its follow-up steps (:data:`FOLLOW_UP`) are that handler's:
another agent taking one is ``PermissionDenied`` (a head may still step in: they coordinate), and a head
investigating does not take the complaint over. The customer's own steps (agreeing, revising, rejecting,
withdrawing), the calls logged on it and its callback are not follow-up steps of the handler's.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.complaints import ComplaintFile
from aftersales.domain.ticket import Ticket
from aftersales.errors import ValidationError
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.complaint_base import ComplaintBase
from aftersales.service.complaint_follow_up import ASSIGN_HANDLER, HANDLER_ROLES
from aftersales.service.customer_name import customer_name
from aftersales.service.runner import Applied
from aftersales.service.staff_erasure import check_not_left
from aftersales.service.views import CommandResult

if TYPE_CHECKING:
    from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["ComplaintHandlers"]


def _check_handler(handler_id: object, role: Role) -> ActorRef:
    if not isinstance(handler_id, str) or not handler_id.strip() or len(handler_id) > 64:
        raise ValidationError("handler_id is a staff id of at most 64 characters", field="handler_id")
    if role not in HANDLER_ROLES:
        known = ", ".join(sorted(r.value for r in HANDLER_ROLES))
        raise ValidationError(f"a complaint's handler is one of {known}, not {role.value}", field="role")
    return ActorRef(handler_id.strip(), role)


@validated_commands
class ComplaintHandlers(ComplaintBase):
    """Mixed into :class:`~aftersales.service.complaint_desk.ComplaintDesk`: designating the handler."""

    def assign_handler(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        handler_id: str,
        role: Role = Role.AGENT,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Designate who follows the complaint up (seed 003: 由指定人员负责跟进): ``handler_id`` of ``role``
        (an agent by default, or a head). A head designates; the complaint must be open.

        The handler is recorded on the complaint file (and so in the complaint log) and in the history
        (``assign_handler``: the handler and the previous one). Handing a complaint that has a handler
        to another needs the ``reason``; naming the current handler again is a ``ValidationError``
        naming ``handler_id``, and so is a person who left before today or whose data was erased
        (rule ``staff_erased``). From then on the follow-up steps are the handler's (or a head's).
        """
        ref = _check_handler(handler_id, Role(role))
        if reason is not None and (not reason.strip() or len(reason) > 2000):
            raise ValidationError(
                "reason is text of at most 2000 characters",
                field="reason",
                rule="too_long" if isinstance(reason, str) else "text",
                rule_params={"most": 2000},
            )

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> Applied:
            # Someone who has left follows nothing up, and a designation filed under an erased id would
            # put their data back (``handler_id``; rule ``staff_erased`` once erased).
            check_not_left(uow, ref.id, self.context.today(now), "handler_id")
            if file.handler == ref:
                raise ValidationError(f"{ref} already handles complaint {ticket.id}", field="handler_id")
            if file.handler is not None and reason is None:
                raise ValidationError(
                    f"complaint {ticket.id} is handled by {file.handler}: handing it on needs a reason",
                    field="reason",
                )
            previous = str(file.handler) if file.handler is not None else None
            payload = {"handler": str(ref), "previous": previous}
            ticket.step(ASSIGN_HANDLER, actor.ref, now, reason=reason, payload=payload)
            file.handler = ref
            # The handler is told, when the staff directory lists them ("agent:agent-2"): a designation
            # nobody hears of leaves the complaint with nobody following it.
            values = {
                "complaint_id": ticket.id,
                "customer_name": customer_name(uow, ticket.customer_id),
                "assigned_by": actor.name or str(actor.ref),
            }
            key = f"{ticket.id}:{len(ticket.events)}:{ASSIGN_HANDLER}"
            messages = self.context.notifications.person_messages("complaint_assigned", ref, values, key, now)
            return Applied(messages=messages)

        return self._run(actor, ASSIGN_HANDLER, complaint_id, body, idempotency_key)
