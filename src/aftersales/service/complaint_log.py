"""What the office reads of complaints: one complaint's file, and the complaint log
(《客户投诉登记及处理跟踪表》: name, address, phone, product, fault, handler, outcome, callback)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from aftersales.domain.classification import TicketKind
from aftersales.domain.complaint_workflow import COMPLAINT_WORKFLOW
from aftersales.domain.complaints import (
    ComplaintFile,
    ComplaintSeverity,
)
from aftersales.domain.ids import TicketId
from aftersales.domain.instants import require_aware
from aftersales.domain.money import Money
from aftersales.domain.text import checked_month
from aftersales.domain.ticket import Ticket
from aftersales.domain.typed_init import refused_typed
from aftersales.errors import NotFound, ValidationError
from aftersales.ports.queries import TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.access_log import record_access
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.complaint_base import ComplaintBase, all_tickets
from aftersales.service.complaint_month import registered_in
from aftersales.service.permissions import COMPLAINT_ROLES, check_role
from aftersales.service.reader_view import complaint_file_as_seen_by

__all__ = ["ComplaintLog", "ComplaintLogEntry", "ComplaintLogFilter"]


def _states(value: Iterable[str] | str) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)  # one state may come alone


def _log_severity(value: ComplaintSeverity | str | None) -> ComplaintSeverity | None:
    if value is None or isinstance(value, ComplaintSeverity):
        return value
    try:
        return ComplaintSeverity(value)
    except ValueError:
        raise ValidationError(
            "severity is a ComplaintSeverity (general or major)", field="severity"
        ) from None


@refused_typed
@attrs.frozen
class ComplaintLogFilter:
    """Which complaints the log lists; every field left at its default matches everything.

    ``received_from`` is inclusive and ``received_to`` exclusive (a window that ends before it starts is
    refused); ``severity`` and ``states`` take the enum or its code, one state alone or several.
    ``registered_in`` (``YYYY-MM``) keeps the complaints registered in that month of the desk's: received
    in it and entered by its end, or received earlier and entered in it (seed 004 第五条 1(6), the
    month's feedback; :mod:`aftersales.service.complaint_month`).
    """

    received_from: datetime | None = None
    received_to: datetime | None = None
    severity: ComplaintSeverity | None = attrs.field(default=None, converter=_log_severity)
    states: tuple[str, ...] = attrs.field(default=(), converter=_states)
    customer_id: str | None = None
    registered_in: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.registered_in is not None:
            try:
                checked_month(self.registered_in)
            except ValidationError:
                raise ValidationError(
                    "registered_in is a month written YYYY-MM", field="registered_in"
                ) from None
        for name in ("received_from", "received_to"):
            value = getattr(self, name)
            if value is not None:
                require_aware(value, name)
        start, end = self.received_from, self.received_to
        if start is not None and end is not None and end < start:
            raise ValidationError("received_to is before received_from", field="received_to")
        for state in self.states:
            COMPLAINT_WORKFLOW.validate_state(state)


@attrs.frozen
class ComplaintLogEntry:
    """One line of the complaint log (《客户投诉登记及处理跟踪表》)."""

    complaint_id: TicketId
    received_at: datetime
    state: str
    severity: ComplaintSeverity
    name: str
    address: str
    phone: str
    product: str
    fault: str
    handler: str
    outcome: str
    remedy_cost: tuple[Money, ...]
    about: tuple[TicketId, ...]
    callback_due_at: datetime | None = None
    """When the callback of the outcome given is due (seed 004 第八条 2(6): 七天内进行回访); ``None`` before
    the outcome is given, or when it no longer stands."""
    called_back_at: datetime | None = None
    """When that callback was made and recorded (登记好回访的情况); ``None`` until it is (the callback's
    answers are ``desk.callbacks.records``)."""
    registered_month: str | None = None
    """The desk's month the complaint was registered in (``None`` for one stored before session 27)."""


def _called_back_at(ticket: Ticket) -> datetime | None:
    """When the callback of the outcome that stands was recorded: the last callback since the complaint
    was last handled; ``None`` when none was, or when the outcome was sent back since."""
    for event in reversed(ticket.events):
        if event.action == "record_callback":
            return event.at
        if event.action in ("resolve", "reject", "reopen"):
            return None
    return None


@validated_commands
class ComplaintLog(ComplaintBase):
    """Mixed into :class:`~aftersales.service.complaint_desk.ComplaintDesk`: the file and the log."""

    def complaint_file(self, actor: Actor, complaint_id: str) -> ComplaintFile:
        """The complaint's file, if ``actor`` may see the complaint (otherwise ``NotFound``)."""
        with self.context.store() as uow:
            view = self.runner.visible(uow, actor, complaint_id)
            if view.kind is not TicketKind.COMPLAINT:
                raise NotFound("complaint", complaint_id)
            try:
                file = uow.documents.get(ComplaintFile, complaint_id)
            except NotFound:
                file = ComplaintFile(id=view.id, customer_id=view.customer_id)
        if view.outcome is None and file.outcome:
            # Sent back since (rejected, reopened, the problem back at a callback): no outcome stands.
            file = attrs.evolve(file, outcome="")
        record_access(self.runner, actor, "complaint_file", [view.customer_id])
        return complaint_file_as_seen_by(actor, file, view)

    def complaint_log(
        self, actor: Actor, filters: ComplaintLogFilter | None = None
    ) -> list[ComplaintLogEntry]:
        """The complaint log (投诉登记表): name, address, phone, product, fault, handler, outcome."""
        check_role(actor, "complaint_log", roles=COMPLAINT_ROLES["complaint_log"])
        # Built again: a month set past the record's check is refused naming registered_in, not month.
        wanted = attrs.evolve(filters) if filters is not None else ComplaintLogFilter()
        query = TicketFilter(
            kind=TicketKind.COMPLAINT,
            states=wanted.states,
            customer_id=wanted.customer_id,
            received_from=wanted.received_from,
            received_to=wanted.received_to,
        )
        out: list[ComplaintLogEntry] = []
        customers: set[str] = set()
        month = wanted.registered_in
        with self.context.store() as uow:
            tickets = (
                all_tickets(uow, query)
                if month is None
                else registered_in(uow, query, month, self.context.timezone)
            )
            for ticket in tickets:
                entry = self._log_entry(uow, ticket)
                if month is not None and entry.registered_month not in (None, month):
                    continue  # received at the month's end, entered after it: the next month's
                if wanted.severity is None or entry.severity is wanted.severity:
                    out.append(entry)
                    customers.add(ticket.customer_id)
        record_access(self.runner, actor, "complaint_log", customers)
        return out

    def _log_entry(self, uow: UnitOfWork, ticket: Ticket) -> ComplaintLogEntry:
        try:
            file = uow.documents.get(ComplaintFile, ticket.id)
        except NotFound:
            file = ComplaintFile(id=ticket.id, customer_id=ticket.customer_id)
        customer = self._customer(uow, ticket.customer_id)
        contact = customer.contact if customer else None
        product = ""
        product_id = ticket.product_id
        faults = [ticket.description]
        for linked_id in file.about:
            try:
                linked = uow.tickets.get(linked_id)
            except NotFound:
                continue
            product_id = product_id or linked.product_id
            faults += [f"{r.symptom}/{r.cause}" for r in linked.fault_records]
        if product_id is not None:
            try:
                found = uow.products.get(product_id)
                product = f"{found.name} ({found.model})"
            except NotFound:
                product = product_id
        currencies = sorted({r.cost.currency for r in file.remedies})
        return ComplaintLogEntry(
            complaint_id=ticket.id,
            received_at=ticket.received_at,
            state=ticket.state,
            severity=file.severity,
            name=customer.name if customer else ticket.customer_id,
            address=(contact.address or "") if contact else "",
            phone=(contact.phone or "") if contact else "",
            product=product,
            fault="; ".join(faults),
            handler=str(file.handler) if file.handler else "",
            # The ticket's handling result: cleared when the customer rejects it or it comes back at a
            # callback (the file keeps what the last feedback said only until then).
            outcome=ticket.outcome or "",
            remedy_cost=tuple(file.remedy_cost(c) for c in currencies),
            about=file.about,
            callback_due_at=ticket.callback_due_at if ticket.outcome else None,
            called_back_at=_called_back_at(ticket),
            registered_month=file.registered_month,
        )
