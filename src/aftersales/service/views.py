"""What the desk hands back: read-only ticket views, the customer's progress view, command results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, NoReturn

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.attachments import Attachment
from aftersales.domain.call_shape import host_factories
from aftersales.domain.charges import ChargeSheet
from aftersales.domain.classification import Category, Channel, Priority, TicketKind
from aftersales.domain.events import TicketEvent
from aftersales.domain.ids import AssetId, CustomerId, DealerId, ProductId, TicketId
from aftersales.domain.reasons import Reason
from aftersales.domain.repair_points import RepairPointNotice
from aftersales.domain.sla_clock import SlaStatus
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assessment, Assignee, CustomerNote, FaultRecord, Visit
from aftersales.i18n.pack_words import PackWords
from aftersales.i18n.reasons import render_reasons
from aftersales.ports.ticket_index import claimed_urgent

__all__ = ["NEXT_STEP", "CommandResult", "Progress", "TicketView"]


def _field(name: str) -> Any:
    return property(lambda self: getattr(self._ticket, name), doc=f"The ticket's ``{name}``.")


def _sequence(name: str) -> Any:
    return property(
        lambda self: tuple(getattr(self._ticket, name)), doc=f"The ticket's ``{name}`` (a tuple)."
    )


class _Json:
    """``to_dict()`` / ``to_json()`` on a view or result: :mod:`aftersales.json` (schema version 1)."""

    __slots__ = ()

    def to_dict(self, locale: str | None = None) -> dict[str, Any]:
        """This value as JSON-ready data (see :func:`aftersales.json.to_dict`)."""
        from aftersales.json import to_dict

        return to_dict(self, locale=locale)

    def to_json(self, locale: str | None = None) -> str:
        """This value as JSON text (see :func:`aftersales.json.to_json`)."""
        from aftersales.json import to_json

        return to_json(self, locale=locale)


@host_factories
class TicketView(_Json):
    """A read-only view of a ticket: every attribute of :class:`Ticket`, lists as tuples, no setters.

    Why not the ticket itself: a host that changed it would believe the change was saved.
    """

    __slots__ = ("_ticket", "_words")

    id: TicketId = _field("id")
    kind: TicketKind = _field("kind")
    state: str = _field("state")
    customer_id: CustomerId = _field("customer_id")
    channel: Channel = _field("channel")
    category: Category = _field("category")
    description: str = _field("description")
    received_at: datetime = _field("received_at")
    taken_by: ActorRef = _field("taken_by")
    asset_id: AssetId | None = _field("asset_id")
    product_id: ProductId | None = _field("product_id")
    batch: str | None = _field("batch")
    region: str | None = _field("region")
    dealer_id: DealerId | None = _field("dealer_id")
    expected_by: datetime | None = _field("expected_by")
    urgent: bool = _field("urgent")
    priority: Priority | None = _field("priority")
    priority_reasons: tuple[Reason, ...] = _field("priority_reasons")
    assessment: Assessment | None = _field("assessment")
    assignee: Assignee | None = _field("assignee")
    response_due_at: datetime | None = _field("response_due_at")
    resolution_due_at: datetime | None = _field("resolution_due_at")
    callback_due_at: datetime | None = _field("callback_due_at")
    resolved_at: datetime | None = _field("resolved_at")
    closed_at: datetime | None = _field("closed_at")
    version: int = _field("version")
    response_steps: tuple[str, ...] = _field("response_steps")
    """The steps its SLA counts as the response, when not the standard ones (empty)."""
    response_late_after: datetime | None = _field("response_late_after")
    """The last instant a response still counts on time, when later than the due (a working-time due
    at a window's end); ``None``: the due itself."""
    resolution_late_after: datetime | None = _field("resolution_late_after")
    """The same for the resolution's due."""
    resolution_steps: tuple[str, ...] = _field("resolution_steps")
    """The steps its SLA counts as meeting the resolution, when not the standard ones (empty): a complaint
    timed to its solution given (seed 003 二 5)."""

    @property
    def urgent_claimed(self) -> bool:
        """Whether the customer's own request said it was urgent (``urgent_claimed`` on its ``opened``
        event): a claim that grades nothing until the specialist marks it (seed 001 三(二)2,
        ``triage(urgent=True)``), shown here so the specialist triaging the ticket sees it without
        reading the event log. ``False`` once the ticket is marked urgent: nothing left to decide."""
        return claimed_urgent(self._ticket)  # the ledger row's rule too (TicketRow.urgent_claimed)

    @property
    def charges(self) -> ChargeSheet | None:
        """The ticket's charge sheet, a copy of its own: the sheet is the one mutable value a ticket holds
        beside its lists, and the ticket behind a view is the one the store keeps parsed for the next
        command (a change made here would show on this worker and be saved by its next command)."""
        sheet = self._ticket.charges
        return None if sheet is None else sheet.copy()

    fault_records: tuple[FaultRecord, ...] = _sequence("fault_records")
    visits: tuple[Visit, ...] = _sequence("visits")
    notes: tuple[CustomerNote, ...] = _sequence("notes")

    @property
    def events(self) -> tuple[TicketEvent, ...]:
        """The ticket's events (a tuple), each with a payload of the caller's own
        (:meth:`~aftersales.domain.events.TicketEvent.handed_out`): the ticket behind a view is the one
        the store keeps parsed for this process's next command."""
        return _handed_out(self._ticket.events)

    tags: tuple[str, ...] = _field("tags")
    attachments: tuple[Attachment, ...] = _field("attachments")

    @property
    def custom_fields(self) -> Mapping[str, str]:
        """Custom field values as stored (canonical text); ``desk.custom_fields.typed`` types them."""
        return MappingProxyType(dict(self._ticket.custom_fields))

    def __init__(self, ticket: Ticket, words: PackWords | None = None) -> None:
        object.__setattr__(self, "_ticket", ticket)
        # The desk's pack vocabulary: the "why" names the pack's own codes (a fault cause) in its words.
        object.__setattr__(self, "_words", words)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"TicketView is read-only; change tickets through the ServiceDesk ({name})")

    _ticket: Ticket
    _words: PackWords | None

    @property
    def is_open(self) -> bool:
        """False once closed or cancelled."""
        return self._ticket.is_open

    def __repr__(self) -> str:
        return f"<TicketView {self.id} {self.state}>"

    def reasons(self, locale: str) -> dict[int, tuple[str, ...]]:
        """The ledger's "why" in words: each event's reasons rendered in ``locale``, by event ``seq``.

        Events without reasons are left out. A code the desk's pack labels (a fault cause of its
        ``[faults]``) reads in the pack's words, one it does not as the catalogs word it, else as itself.
        See :func:`aftersales.i18n.reasons.render_reasons`.
        """
        words = self._words
        found = {e.seq: render_reasons(e, locale, words) for e in self._ticket.events}
        return {seq: texts for seq, texts in found.items() if texts}


NEXT_STEP = {
    "new": "awaiting_assessment",
    "triaged": "awaiting_dispatch",
    "assigned": "engineer_on_the_way",
    "in_progress": "work_in_progress",
    "awaiting_parts": "waiting_for_parts",
    "awaiting_customer": "waiting_for_you",
    "resolved": "please_confirm",
    "accepted": "callback",
    "rework": "work_being_redone",
    "closed": "done",
    "cancelled": "cancelled",
}
"""The code of the next step a customer waits for, per state (rendered at the edge)."""


@host_factories
@attrs.frozen
class Progress(_Json):
    """What the customer may see of a ticket (服务进度; seed 003 过程透明: 客户可…查询服务进度): the state and
    next step, the due times, the time the customer asked for and the one it was told, the engineer and
    the planned visit, the visible progress notes. No internal notes, no reasons, no other parties."""

    ticket_id: TicketId
    state: str
    next_step: str
    received_at: datetime
    category: Category
    description: str
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    callback_due_at: datetime | None
    engineer_name: str | None
    notes: tuple[str, ...]
    resolved_at: datetime | None
    closed_at: datetime | None
    sla: SlaStatus | None = None
    """The SLA status behind the due times (``None`` when the desk cannot compute it: no calendar data)."""
    provisional: bool = False
    """The due times rest on a provisional holiday calendar (official data not yet published)."""
    expected_by: datetime | None = None
    """When the customer asked to have it solved (期望解决时间, recorded at intake; seed 003)."""
    expected_at: datetime | None = None
    """The visit or solution time the customer was last told (seed 003: 告知预计上门或解决时间), from the
    latest contact that named one."""
    visit_at: datetime | None = None
    """When the engineer is to come: the latest planned visit, while it has not taken place."""
    repair_point: RepairPointNotice | None = None
    """Where to bring the product, for a depot repair (seed 000 4.派工处理: 要求客户将产品送至指定维修地点):
    the point the customer was last told of."""
    continued_as: TicketId | None = None
    """The complaint this request became (seed 004 第七条 3: a call that was a complaint is handed over
    whole and cancelled), when the reader may read it: the number to follow it by. ``next_step`` is then
    ``handed_over_to_complaint`` and :attr:`reasons` says so in words (``render_reasons``)."""
    reasons: tuple[Reason, ...] = ()
    """Why the ticket stands as it does, for the customer: ``handed_over_to_complaint`` naming
    :attr:`continued_as`."""

    @classmethod
    def of(cls, ticket: Ticket, sla: SlaStatus | None = None, *, continued_as: str | None = None) -> Progress:
        """The customer's view of ``ticket``; ``sla`` is its SLA status (the stored due times are its due
        instants as of the ticket's last change); ``continued_as`` the complaint it was handed over as,
        when the reader may read it (the caller checks; ``None``: the view says cancelled only)."""
        assignee = ticket.assignee
        handed = TicketId(continued_as) if continued_as is not None else None
        return cls(
            ticket_id=ticket.id,
            state=ticket.state,
            next_step=_HANDED_OVER if handed is not None else _next_step(ticket),
            received_at=ticket.received_at,
            category=ticket.category,
            description=ticket.description,
            response_due_at=ticket.response_due_at,
            resolution_due_at=ticket.resolution_due_at,
            callback_due_at=_callback_due(ticket),
            engineer_name=(assignee.name or None) if assignee else None,
            notes=tuple(n.text for n in ticket.notes if n.visible_to_customer),
            resolved_at=ticket.resolved_at,
            closed_at=ticket.closed_at,
            sla=sla,
            provisional=sla.provisional if sla is not None else False,
            expected_by=ticket.expected_by,
            expected_at=ticket.told_expected_at,
            visit_at=_planned_visit(ticket.visits),
            repair_point=ticket.repair_point,
            continued_as=handed,
            reasons=(Reason(_HANDED_OVER, {"complaint_id": handed}),) if handed is not None else (),
        )


def _callback_due(ticket: Ticket) -> datetime | None:
    """The callback date of the ticket's current handling: ``None`` once the work went back since the
    callback was planned (a callback finding the problem back reopens a complaint, seed 004 第八条 2(6);
    a rejection). Why: the callback that reopened it was done (its task is not dropped and the stored due
    stays for the KPI), and the customer read its date as one still to come (session 37); the next
    feedback plans the new one. A due stored without its planning step reads as stored."""
    for event in reversed(ticket.events):
        if event.action == "schedule_callback":
            return ticket.callback_due_at
        if event.action in ("reopen", "reject"):
            return None
    return ticket.callback_due_at


_HANDED_OVER = "handed_over_to_complaint"
"""The next step of a request handed over as a complaint: following the complaint."""


def _next_step(ticket: Ticket) -> str:
    """The code of the step the customer waits for: bringing the product to the designated repair point,
    for a depot repair not yet being worked; else the state's (:data:`NEXT_STEP`)."""
    if ticket.state in _BRING_STATES and ticket.repair_point is not None:
        return "bring_to_repair_point"
    return NEXT_STEP.get(ticket.state, ticket.state)


_BRING_STATES = frozenset({"triaged", "assigned"})


def _planned_visit(visits: Sequence[Visit]) -> datetime | None:
    """The latest planned visit's time while the engineer has not arrived (a visit planned again is
    added after the first: the last one is the plan in force)."""
    if not visits or visits[-1].arrived_at is not None:
        return None
    return visits[-1].planned_at


def _handed_out(events: Iterable[TicketEvent]) -> tuple[TicketEvent, ...]:
    return tuple(e.handed_out() for e in events)


def _as_tuple(events: Iterable[TicketEvent]) -> tuple[TicketEvent, ...]:
    return tuple(events)


@attrs.frozen(repr=False, match_args=False)
class CommandResult(_Json):
    """A command's outcome: the ticket after it, the events it recorded; a replay returns the first."""

    # A pattern reads the events handed out too (attrs' own would name the private field).
    __match_args__ = ("ticket", "events", "replayed", "decisions")

    ticket: TicketView
    # The events as the ticket holds them, handed out (copied) when read, as ``ticket.events`` is: a
    # result copied every payload when made, read or not, and a host keeping results kept both (issue
    # 21: a triage's copy was five objects more for every full collection to walk). Given as ``events``.
    _events: tuple[TicketEvent, ...] = attrs.field(converter=_as_tuple, metadata={"json": "events"})
    replayed: bool = False
    decisions: tuple[object, ...] = ()
    """The policy decisions taken (priority, routing, dispatch, escalation), each with its reasons."""

    @property
    def events(self) -> tuple[TicketEvent, ...]:
        """The events the command recorded, each with a payload of the caller's own (as ``ticket.events``:
        a new copy at every read)."""
        return _handed_out(self._events)

    def __repr__(self) -> str:
        return (
            f"CommandResult(ticket={self.ticket!r}, events={self._events!r}, replayed={self.replayed!r}, "
            f"decisions={self.decisions!r})"
        )
