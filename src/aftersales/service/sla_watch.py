"""The SLA sweep: warn before a breach, report the breach, once each, to the handler and the manager.

A host runs :meth:`SlaWatch.sweep` on a schedule (every few minutes). It looks only at open tickets
whose resolution is due within the horizon (an indexed ledger query, not a scan), computes each one's
SLA status from its event log, and for every target that is in warning or breached writes one
notification per recipient. An :class:`SlaAlert` document per (ticket, target, kind) makes the sweep
idempotent: running it twice, or from two processes, alerts once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import ClassVar

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.contact import Contact
from aftersales.domain.sla_clock import TargetStatus
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.domain.work import AssigneeKind
from aftersales.errors import CalendarDataMissing, DuplicateError, NotFound
from aftersales.i18n.values import Term
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.context import DeskContext
from aftersales.service.notify import address_of
from aftersales.service.permissions import Workflow, permit
from aftersales.service.runner import CommandRunner

__all__ = ["SlaAlert", "SlaWatch", "SweepReport"]

_OPEN = tuple(s.value for s in TicketState if s not in (TicketState.CLOSED, TicketState.CANCELLED))


@attrs.define
class SlaAlert:
    """That a warning or a breach of one target of one ticket was announced, and when."""

    DOCUMENT_KIND: ClassVar[str] = "sla_alert"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("ticket_id",)

    id: str
    ticket_id: str
    target: str
    kind: str
    at: datetime
    version: int = 0


@attrs.frozen
class SweepReport:
    """What one sweep found: tickets looked at, warnings and breaches newly announced."""

    checked: int
    warnings: tuple[str, ...]
    breaches: tuple[str, ...]


class SlaWatch:
    """The SLA sweep of one desk (``desk.sla_watch``)."""

    def __init__(
        self, context: DeskContext, runner: CommandRunner, horizon: timedelta = timedelta(days=30)
    ) -> None:
        self.context = context
        self.runner = runner
        self.horizon = horizon

    def sweep(self, actor: Actor, *, limit: int = 500) -> SweepReport:
        """Announce new SLA warnings and breaches of open tickets due within the horizon."""
        permit(actor, Workflow.DOCUMENTS, "sla_sweep")
        return self.runner.write(
            actor, "sla_sweep", None, limit, lambda uow, now: self._sweep(uow, now, limit)
        )

    def _sweep(self, uow: UnitOfWork, now: datetime, limit: int) -> SweepReport:
        warnings: list[str] = []
        breaches: list[str] = []
        checked = 0
        for ticket in self._due(uow, now, limit):
            checked += 1
            try:
                status = self.context.sla.status(ticket, self.runner.tier(uow, ticket), now)
            except CalendarDataMissing:
                continue
            for target in status.targets:
                kind = "sla_breach" if target.breached else "sla_warning" if target.warning else None
                if kind is None or not self._first(uow, ticket, target, kind, now):
                    continue
                uow.outbox.put(self._messages(uow, ticket, target, kind, now))
                (breaches if kind == "sla_breach" else warnings).append(f"{ticket.id}:{target.name}")
        return SweepReport(checked, tuple(warnings), tuple(breaches))

    def _due(self, uow: UnitOfWork, now: datetime, limit: int) -> Iterator[Ticket]:
        query = TicketFilter(states=_OPEN, due_before=now + self.horizon)
        cursor: str | None = None
        seen = 0
        while seen < limit:
            page = uow.tickets.query(query, PageRequest(min(200, limit - seen), cursor, Sort.DUE))
            yield from page.items
            seen += len(page.items)
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    @staticmethod
    def _first(uow: UnitOfWork, ticket: Ticket, target: TargetStatus, kind: str, now: datetime) -> bool:
        alert = SlaAlert(f"{ticket.id}:{target.name}:{kind}", ticket.id, target.name, kind, now)
        try:
            uow.documents.get(SlaAlert, alert.id)
        except NotFound:
            try:
                uow.documents.add(alert)
            except DuplicateError:
                return False
            return True
        return False

    def _messages(
        self, uow: UnitOfWork, ticket: Ticket, target: TargetStatus, kind: str, now: datetime
    ) -> list[OutboxMessage]:
        due = target.due_at or now
        values: dict[str, object] = {
            "ticket_id": ticket.id,
            "target": Term(f"sla_target.{target.name}"),
            "due_at": due,
        }
        if kind == "sla_breach":
            values["overdue"] = target.breach
        else:
            values["remaining"] = max(target.remaining, timedelta(0))
        key = f"{ticket.id}:sla:{target.name}:{kind}"
        notifications = self.context.notifications
        messages = notifications.staff_messages(kind, (Role.MANAGER,), values, key, now)
        handler = self._handler(uow, ticket)
        if handler is not None:
            messages += notifications.contact_messages(kind, "handler", handler, values, key, now)
        return messages

    @staticmethod
    def _handler(uow: UnitOfWork, ticket: Ticket) -> Contact | None:
        assignee = ticket.assignee
        if assignee is None:
            return None
        try:
            if assignee.kind is AssigneeKind.ENGINEER:
                contact = uow.engineers.get(assignee.id).contact
            elif assignee.kind is AssigneeKind.DEALER:
                contact = uow.dealers.get(assignee.id).contact
            else:
                return None
        except NotFound:
            return None
        return contact if contact is not None and address_of(contact) is not None else None
