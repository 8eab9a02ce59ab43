"""The complaint desk's plumbing: one command on one complaint, through the command runner.

Every complaint command runs :meth:`ComplaintBase._run`: the runner's one transaction (permission,
idempotency, the step on the ticket, the outbox) with the complaint's :class:`ComplaintFile` read and
written in the same unit of work. The mixins of :class:`~aftersales.service.complaint_desk.ComplaintDesk`
(intake, classification, escalation, the flow, remedies, the log) build on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from aftersales.domain.classification import TicketKind
from aftersales.domain.complaints import ComplaintFile
from aftersales.domain.ids import TicketId
from aftersales.domain.parties import Customer
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound, ValidationError
from aftersales.policies.protocols import ComplaintPolicy
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.complaint_follow_up import check_follow_up
from aftersales.service.complaint_gm_instruction import check_gm_instruction
from aftersales.service.context import DeskContext
from aftersales.service.permissions import COMPLAINT_ROLES
from aftersales.service.runner import Applied, CommandRunner
from aftersales.service.scope import ticket_readable
from aftersales.service.views import CommandResult

__all__ = ["Body", "ComplaintBase", "all_tickets", "checked_text", "require_complaint"]

Body = Callable[[UnitOfWork, Ticket, ComplaintFile, datetime], Applied | None]
"""A command's step on one complaint: the ticket and its file in the running unit of work."""


def _captured(body: Callable[..., object]) -> list[object]:
    """The values a command's body closes over: the request, for the idempotency fingerprint."""
    cells = body.__closure__ or ()
    names = body.__code__.co_freevars
    return [c.cell_contents for n, c in zip(names, cells, strict=True) if n != "self" and n != "actor"]


def checked_text(value: object, field: str, *, required: bool, limit: int = 2000) -> str:
    """``value`` if it is text of at most ``limit`` characters (not blank when ``required``), else a
    ``ValidationError`` naming ``field``: the free text of a complaint step (a solution, a reply)."""
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        need = "is required, " if required else ""
        raise ValidationError(f"{field} {need}text of at most {limit} characters", field=field)
    return value


def require_complaint(ticket: Ticket) -> None:
    """Refuse a complaint command on a ticket that is not a complaint (``ValidationError`` naming it)."""
    if ticket.kind is not TicketKind.COMPLAINT:
        raise ValidationError(f"ticket {ticket.id} is not a complaint", field="complaint_id")


def all_tickets(uow: UnitOfWork, query: TicketFilter) -> Iterable[Ticket]:
    """Every ticket ``query`` matches, oldest received first, read page by page."""
    cursor: str | None = None
    while True:
        page = uow.tickets.query(query, PageRequest(limit=500, cursor=cursor, sort=Sort.RECEIVED_ASC))
        yield from page.items
        cursor = page.next_cursor
        if cursor is None:
            return


class ComplaintBase:
    """What every complaint command shares: the desk's context, runner and complaint policy."""

    def __init__(
        self, context: DeskContext, runner: CommandRunner, policy: ComplaintPolicy | None = None
    ) -> None:
        self.context = context
        self.runner = runner
        self.policy: ComplaintPolicy = policy or context.policies.complaint

    # -- plumbing ---------------------------------------------------------------------------------

    @property
    def _dimension(self) -> str:
        """What "the same problem" is for a batch incident (the pack's batch dimension, cause by default)."""
        return self.context.policies.complaint.params.batch_dimension

    def _now(self) -> datetime:
        return self.context.now()

    def _run(
        self,
        actor: Actor,
        command: str,
        complaint_id: str,
        body: Body,
        key: str | None,
        *,
        customer_first: bool = False,
    ) -> CommandResult:
        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Applied | None:
            require_complaint(ticket)
            check_follow_up(actor, ticket, command)
            file = self._file(uow, ticket)
            check_gm_instruction(self.policy.params, actor, ticket, file, command)  # seed 004 第八条 2(4)
            applied = body(uow, ticket, file, now)
            uow.documents.save(file)
            return applied

        result: CommandResult = self.runner.execute(
            actor, command, complaint_id, apply, key, request=_captured(body), roles=COMPLAINT_ROLES[command],
            customer_first=customer_first,
        )  # fmt: skip
        return result

    @staticmethod
    def _file(uow: UnitOfWork, ticket: Ticket) -> ComplaintFile:
        try:
            return uow.documents.get(ComplaintFile, ticket.id)
        except NotFound:
            # A complaint opened through desk.open_ticket(kind=COMPLAINT) before session 36 (filed at the
            # opening since) gets its file on first use, with no registered month: read by its received one.
            file = ComplaintFile(id=ticket.id, customer_id=ticket.customer_id)
            uow.documents.add(file)
            return file

    @staticmethod
    def _customer(uow: UnitOfWork, customer_id: str) -> Customer | None:
        try:
            return uow.customers.get(customer_id)
        except NotFound:
            return None

    def _linked(
        self, uow: UnitOfWork, actor: Actor, customer_id: str, about: Iterable[str]
    ) -> tuple[TicketId, ...]:
        # Another customer's ticket, or one the actor may not read (as the ticket read judges it: a
        # team-mate's ticket included), is simply not found. A complaint is about service tickets: not
        # about a complaint (itself least of all).
        out: list[TicketId] = []
        for ticket_id in about:
            other = uow.tickets.get(ticket_id)
            if other.customer_id != customer_id or not ticket_readable(uow, actor, other):
                raise NotFound("ticket", ticket_id)
            if other.kind is TicketKind.COMPLAINT:
                raise ValidationError(f"{ticket_id} is a complaint, not a service ticket", field="about")
            out.append(other.id)
        return tuple(out)
