"""Who may take a complaint's follow-up steps: its designated handler (seed 003 投诉处理).

Seed 003: "由指定人员负责跟进,确保'事事有回音,件件有着落'". Once a head has designated a handler
(:meth:`~aftersales.service.complaint_handlers.ComplaintHandlers.assign_handler`), the follow-up steps
(:data:`FOLLOW_UP`) are that handler's; :func:`check_follow_up` is asked by every complaint command.
Kept apart from the desk's mixin so that the command plumbing can ask it without importing the desk.
"""

from __future__ import annotations

from aftersales.domain.actors import HEADS, ActorRef, Role
from aftersales.domain.ticket import Ticket
from aftersales.errors import PermissionDenied
from aftersales.service.actors import Actor
from aftersales.service.permissions import COMPLAINT_ROLES

__all__ = [
    "ASSIGN_HANDLER",
    "CLOSE_COMPLAINT",
    "FOLLOW_UP",
    "HANDLER_ROLES",
    "check_follow_up",
    "designated_handler",
]

ASSIGN_HANDLER = "assign_handler"
"""The complaint event (and command) that designates the handler."""

CLOSE_COMPLAINT = "close_complaint"
"""The complaint desk's close, a follow-up step; the ticket desk's ``close`` of a complaint is judged so."""

FOLLOW_UP = frozenset(
    {
        "investigate",
        "propose_solution",
        "revise_solution",
        "agree_solution",
        "refer_to_general_manager",
        "grant_remedy",
        "give_feedback",
        "link_tickets",
        "refer_to_outlet",
        "review",
        CLOSE_COMPLAINT,
    }
)
"""The complaint desk's commands that follow the complaint up: the designated handler's (or a head's)."""

HANDLER_ROLES: frozenset[Role] = COMPLAINT_ROLES["investigate"] - {Role.SYSTEM}
"""The roles a designated handler may have: those who handle complaints (agents and the heads)."""


def designated_handler(ticket: Ticket) -> ActorRef | None:
    """The handler the last ``assign_handler`` step of ``ticket`` designated, ``None`` when nobody was."""
    for event in reversed(ticket.events):
        if event.action == ASSIGN_HANDLER:
            return ActorRef.parse(str(event.payload.get("handler")))
    return None


def check_follow_up(actor: Actor, ticket: Ticket, command: str) -> None:
    """Refuse ``command`` to an agent who is not ``ticket``'s designated handler (``PermissionDenied``).

    Only follow-up steps are judged, only when a handler was designated, and never for a head or the
    customer: the designation says who answers for the complaint, not who may talk to the customer."""
    if command not in FOLLOW_UP:
        return
    designated = designated_handler(ticket)
    if designated is None or actor.has_role(*HEADS) or not actor.has_role(Role.AGENT):
        return
    if actor.id != designated.id:
        raise PermissionDenied(str(actor), command, ticket.id)
