"""Marking a complaint urgent (seed 001 三(二)2: 对于紧急问题,售后专员应立即标记,并优先处理).

Seed 001's 客户反馈 covers complaints as well as repairs (四(三) 客户投诉 is one class of 售后问题,
received and recorded by the same 售后专员), and seed 004 第八条 2(2) has the centre 根据具体情况安排处理.
A customer's own "urgent" when it registers a complaint is its claim only (``urgent_claimed`` on the
``opened`` event): it grades nothing. A complaint takes no triage, so the staff mark it here: the
complaint is urgent from then on, graded at least the pack's ``[priority] urgent_floor`` (with its
reason), and its response runs on the urgent contact clock (``[sla] urgent_contact_minutes``), as a call
flagged urgent at intake does.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.complaints import ComplaintFile
from aftersales.domain.ticket import Ticket
from aftersales.errors import ValidationError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.complaint_base import ComplaintBase, checked_text
from aftersales.service.lifecycle import intake_priority
from aftersales.service.views import CommandResult

__all__ = ["ComplaintUrgency", "make_urgent"]


def make_urgent(
    priority: object, actor: Actor, ticket: Ticket, now: datetime, reason: str | None = None
) -> None:
    """Mark ``ticket`` urgent at ``now``: graded at least the pack's urgent floor (never lowered), its
    response on the urgent contact clock from now on. The caller has checked it may be."""
    floor, reasons = intake_priority(priority, None, True, ticket.category, ticket.kind)
    if floor is not None and ticket.priority is not None and floor.rank <= ticket.priority.rank:
        floor, reasons = None, ()
    ticket.mark_urgent(actor.ref, now, floor, reasons, reason=reason)


@validated_commands
class ComplaintUrgency(ComplaintBase):
    """Mixed into :class:`~aftersales.service.complaint_desk.ComplaintDesk`: the staff's urgent mark."""

    def mark_urgent(
        self,
        actor: Actor,
        complaint_id: str,
        *,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Mark an open complaint urgent (售后专员应立即标记), with an optional ``reason`` (text of at most
        2000 characters).

        The complaint's grade is raised to the pack's urgent floor when it is below it (never lowered;
        the event keeps the previous grade and the reasons), and its response runs on the urgent contact
        clock from now on. A complaint already marked urgent is a ``ValidationError`` naming
        ``complaint_id``; a closed or cancelled one is ``InvalidTransition``; nothing changes either way.
        """
        if reason is not None:
            checked_text(reason, "reason", required=True)

        def body(uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime) -> None:
            if ticket.urgent and ticket.can("mark_urgent"):
                raise ValidationError(f"complaint {ticket.id} is already marked urgent", field="complaint_id")
            make_urgent(self.context.policies.priority, actor, ticket, now, reason)

        return self._run(actor, "mark_urgent", complaint_id, body, idempotency_key)
