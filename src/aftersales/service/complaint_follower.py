"""Who follows a complaint up, for the notices about its clocks (seed 003 二 5 投诉处理).

对于客户投诉,设立专门的投诉处理流程,由指定人员负责跟进,确保…在规定时限内给出解决方案: the designated handler
(``desk.complaints.assign_handler``, or whoever took the complaint up) answers for the time limit. The SLA
sweep told a service ticket's assignee (the engineer, the dealer) and the managers; a complaint has no
assignee, so before session 36 its handler never heard that its clock was about to run out, or had. The
handler is reached through the staff directory's entry for the person (``"agent:agent-2"``); one it does
not list hears nothing here (the managers are told as before).
"""

from __future__ import annotations

from aftersales.domain.actors import ActorRef
from aftersales.domain.classification import TicketKind
from aftersales.domain.complaints import ComplaintFile
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["complaint_follower"]


def complaint_follower(uow: UnitOfWork, ticket: Ticket) -> ActorRef | None:
    """The handler following complaint ``ticket`` up; ``None`` for a service ticket, a complaint nobody
    has taken up, or one without a file."""
    if ticket.kind is not TicketKind.COMPLAINT:
        return None
    try:
        return uow.documents.get(ComplaintFile, ticket.id).handler
    except NotFound:
        return None
