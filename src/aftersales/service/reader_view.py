"""A ticket as its reader may see it: the end customer reads their own ticket without what is the
staff's or the dealer's.

The permission table says who may read a ticket at all; this says what of it a customer reads: not the
internal notes (a ``CustomerNote`` marked not visible to the customer: "客户脾气急" is for the engineer)
and not the maker's prices to the dealer: the charge sheet's dealer side (:meth:`ChargeSheet.for_customer`),
the history's steps of the dealer's purchase (its quote offered, accepted, refused, paid) and of a part
not returned charged to the dealer or engineer who kept it. The history
keeps every other step, but a step of the staff's own bookkeeping (triage, assignment, an SLA extension,
a failed dispatch, an escalation) without the words the staff wrote on it: "客户难缠，转主管" explains the
step to colleagues, not to the customer (:data:`REASONS_FOR_CUSTOMER`), and an internal note's step is
left out with the note. Nor the ticket's tags: labels the staff put on to find and group tickets ("难缠",
"vip"), which only staff may write; their ``tag`` steps are left out with them. Nor the values of the
custom fields the desk declares ``staff_only`` (a ``risk_note``, a ``cost_centre``): the staff's own
facts, out of the ticket and out of its ``set_fields`` steps (a step that set only such fields is left
out). A visit's note stays: it is what the engineer wrote on the service record (《服务单》), which the
customer signs to confirm (seed 003: 填写《服务单》由客户签字确认) — a remark for colleagues is an
internal note (``CustomerNote(visible_to_customer=False)``). Every
ticket view a customer gets (``desk.ticket``, the ledger, search, a command's result, the charge sheet,
their JSON) is made from this copy; staff read the ticket whole. A materials request carries a copy of
the charge sheet as it stood when the request was filed: a customer reads it without the dealer's side
too (:func:`request_as_seen_by`). A complaint's file is the customer's as its outcome, not as the
office's deliberation (:func:`complaint_file_as_seen_by`).
"""

from __future__ import annotations

from collections.abc import Collection, Container, Mapping

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.complaints import ComplaintFile, RemedyKind
from aftersales.domain.events import TicketEvent
from aftersales.domain.materials import MaterialsRequest
from aftersales.domain.money import Money
from aftersales.domain.ticket import Ticket
from aftersales.service.actors import Actor
from aftersales.service.scope import reads_dealer_side, reads_whole

__all__ = [
    "REASONS_FOR_CUSTOMER",
    "as_seen_by",
    "complaint_file_as_seen_by",
    "reads_every_part",
    "request_as_seen_by",
    "without_deliberation",
]

CHARGED_BACK = "part_charged_back"
"""The ticket step recording a part kept by a dealer or engineer and charged to it (the materials desk's)."""

_REFUNDED = "materials_refunded"
"""The ticket step recording money paid back; of a part charged back, it is the maker's dealings too."""

_SCOPED = frozenset({Role.CUSTOMER, Role.DEALER_STAFF})
"""The roles that may read a ticket without all of it (see :func:`as_seen_by`)."""


def reads_every_part(actor: Actor) -> bool:
    """Whether ``actor`` reads every ticket it may read whole (:func:`as_seen_by` gives it the ticket
    itself): the office, engineers, the system. A caller may then skip what only a partial view needs
    (the desk's staff-only field names, made anew at each ask)."""
    return not actor.extra_roles and actor.role not in _SCOPED


REASONS_FOR_CUSTOMER = frozenset(
    {
        "contact_customer", "add_visit", "await_parts", "await_customer", "resume", "resolve", "confirm",
        "reject", "close", "close_unaccepted", "cancel", "withdraw", "reopen", "offer_quote", "accept_quote",
        "refuse_quote", "record_payment", "record_callback",
    }
)  # fmt: skip
"""The steps whose reason a customer reads: what was said to them (a contact, a visit, a hold, the
resolution summary, a quote) or by them. Their own words on any step stay theirs to read."""


def as_seen_by(actor: Actor, ticket: Ticket, *, staff_fields: Container[str]) -> Ticket:
    """``ticket`` as ``actor`` may read it: for a customer a copy without the internal notes, the staff's
    words on their own steps (the triage assessment's note among them), the tags (and their steps), the
    values of ``staff_fields`` (the desk's staff-only custom fields and the undeclared ones,
    ``CustomFieldSet.hidden_from_customers``; and
    of their steps) and the dealer's side of the charge sheet (the ticket itself when it holds none of
    them); for staff the ticket. ``staff_fields`` has no default: a caller that forgot the desk's field
    set would show the customer every value.

    An actor holding several roles reads the staff's view only through a staff role that may read the
    ticket (:func:`~aftersales.service.scope.reads_whole`), whichever role is its primary one. Dealer
    staff of another dealer than the ticket's (a second dealer of the region, reading it for the
    region's callbacks) read it as its customer does; the dealer whose job it is reads it without
    the dealer's side when another dealer holds the job (:func:`~aftersales.service.scope.
    reads_dealer_side`).
    """
    if reads_every_part(actor):
        return ticket  # the office, engineers, the system: the common case, no further look
    whole = reads_whole(actor, ticket)
    internal = not whole and any(not note.visible_to_customer for note in ticket.notes)
    staff_words = not whole and any(map(_staff_words, ticket.events))
    deliberation = not whole and any(e.action in _DELIBERATION_FACTS for e in ticket.events)
    assessed = ticket.assessment
    assessment_note = not whole and assessed is not None and assessed.note != ""
    tagged = not whole and (bool(ticket.tags) or any(e.action == "tag" for e in ticket.events))
    staff_valued = not whole and (
        any(name in staff_fields for name in ticket.custom_fields)
        or any(_sets_staff_field(e, staff_fields) for e in ticket.events)
    )
    sheet = ticket.charges
    # The maker's dealings with the dealer: the sheet's dealer side, the steps of the dealer's purchase
    # (on the ticket's sheet, or a materials request's quoted to the dealer at cost) and a part charged
    # back to whoever kept it. Looked for first; who may read them is asked only when there are some.
    purchases = _purchases(ticket)
    charged = _charged_back_slips(ticket)
    dealings = (
        (sheet is not None and sheet.has_dealer_side)
        or any(_of_dealings(e, purchases, charged) for e in ticket.events)
    ) and not reads_dealer_side(actor, ticket)
    if not (internal or dealings or staff_words or assessment_note or deliberation or tagged or staff_valued):
        return ticket
    seen = ticket.copy()
    if internal:
        seen.notes = tuple(note for note in seen.notes if note.visible_to_customer)
    if assessed is not None and assessment_note:
        seen.assessment = attrs.evolve(assessed, note="")  # the staff's words on their triage
    if staff_words:
        seen.events = [_as_customer_reads(e) for e in seen.events if not _internal_note(e)]
    if deliberation:
        seen.events = [_without_deliberation(e) for e in seen.events]
    if tagged:
        # Tags are the staff's labels to find and group tickets ("难缠", "vip", "批量"): only staff and
        # the system put them on (``tag`` in the permission table), like the staff's words on a step.
        seen.tags = ()
        seen.events = [e for e in seen.events if e.action != "tag"]
    if staff_valued:
        # The staff's own facts (a risk note, a cost centre), declared staff-only by the pack or host.
        seen.custom_fields = {k: v for k, v in seen.custom_fields.items() if k not in staff_fields}
        steps = (_without_staff_fields(e, staff_fields) for e in seen.events)
        seen.events = [e for e in steps if e is not None]
    if dealings:
        # A part not returned is charged to the dealer (or engineer) who kept it, at the maker's price to
        # the dealer (seed 002: 未退料…视用户对该材料为事实占有,需收取相关费用); the dealer buys the parts of
        # its job at that price (按成本价): steps between the maker and the party, on slips the customer
        # does not read either — not the customer's history.
        if sheet is not None and sheet.has_dealer_side:
            seen.charges = sheet.for_customer()
        seen.events = [e for e in seen.events if not _of_dealings(e, purchases, charged)]
    return seen


def request_as_seen_by(actor: Actor, request: MaterialsRequest, ticket: Ticket) -> MaterialsRequest:
    """``request`` (of ``ticket``) as ``actor`` may read it: for a customer without the dealer's side of
    its charge sheet (the maker's price to the dealer, the dealer's purchase quote), and so for another
    dealer's staff; for the office, engineers and the ticket's dealer whole."""
    if not actor.extra_roles and actor.role not in _SCOPED:
        return request
    if reads_dealer_side(actor, ticket):
        return request
    sheet = request.charges
    if sheet is None or not sheet.has_dealer_side:
        return request
    mine = {quote.id for quote in sheet.quotes if quote.payer == "customer"}
    quote_id = request.quote_id if request.quote_id is None or request.quote_id in mine else None
    return attrs.evolve(request, charges=sheet.for_customer(), quote_id=quote_id)


def complaint_file_as_seen_by(actor: Actor, file: ComplaintFile, ticket: Ticket) -> ComplaintFile:
    """``file`` (of the complaint ``ticket``) as ``actor`` may read it: staff whole; the customer without
    the office's deliberation — the handler's judgement of its weight, the escalations, the referral to
    the general manager and the review of the handling — and with each remedy granted but not what it
    cost the company (zero in its currency). What the customer is owed stays: the subject, the
    severity, the solution, the outcome and the remedies themselves with their notes (a warranty
    extension with its record) — a compensation with its amount, which is paid to the customer (seed
    004 第七条 5(1) 向我司提出赔偿要求: the amount is what the claim is settled for, not the office's)."""
    if reads_whole(actor, ticket):
        return file
    return without_deliberation(file)


def without_deliberation(file: ComplaintFile) -> ComplaintFile:
    """``file`` as its customer reads it (:func:`complaint_file_as_seen_by`)."""
    remedies = [
        r if r.kind is RemedyKind.COMPENSATION else attrs.evolve(r, cost=Money.zero(r.cost.currency))
        for r in file.remedies
    ]
    return attrs.evolve(file, judgement=None, escalations=[], referral=None, review=None, remedies=remedies)


_DELIBERATION_FACTS: dict[str, frozenset[str]] = {
    "escalate": frozenset({"reason", "to", "due_at", "trigger", "reached"}),
    "acknowledge_escalation": frozenset({"count"}),
    "review": frozenset({"root_cause", "feedback_to"}),
    "grant_remedy": frozenset({"cost"}),
}
"""The facts of a complaint's steps that are the office's deliberation, as
:func:`complaint_file_as_seen_by` leaves them out of the file: the escalations (the handler's note on
why, to whom, by when), the review of the handling, and what a remedy cost the company (not a
compensation's amount: that is paid to the customer). The customer's history keeps each step, without them."""


def _without_deliberation(event: TicketEvent) -> TicketEvent:
    hidden = _DELIBERATION_FACTS.get(event.action)
    if hidden is None or not any(key in event.payload for key in hidden):
        return event
    if event.action == "grant_remedy" and event.payload.get("kind") == RemedyKind.COMPENSATION.value:
        return event  # the amount paid to the customer is theirs (as in the file)
    payload = {key: value for key, value in event.payload.items() if key not in hidden}
    return attrs.evolve(event, payload=payload)


def _sets_staff_field(event: TicketEvent, staff_fields: Container[str]) -> bool:
    """Whether ``event`` is a ``set_fields`` step that set or cleared one of ``staff_fields``."""
    if event.action != "set_fields":
        return False
    payload = event.payload
    changed = payload.get("set")
    cleared = payload.get("cleared")
    names = [
        *(changed if isinstance(changed, Mapping) else ()),
        *(cleared if isinstance(cleared, list | tuple) else ()),
    ]
    return any(name in staff_fields for name in names)


def _without_staff_fields(event: TicketEvent, staff_fields: Container[str]) -> TicketEvent | None:
    """``event`` without the staff-only fields it set or cleared; ``None`` when it changed only those (a
    step the customer would read as "something was recorded" and nothing else)."""
    if not _sets_staff_field(event, staff_fields):
        return event
    changed = event.payload.get("set")
    cleared = event.payload.get("cleared")
    kept = {
        k: v for k, v in (changed if isinstance(changed, Mapping) else {}).items() if k not in staff_fields
    }
    gone = [k for k in (cleared if isinstance(cleared, list | tuple) else []) if k not in staff_fields]
    if not kept and not gone:
        return None
    return attrs.evolve(event, payload={**event.payload, "set": kept, "cleared": gone})


def _internal_note(event: TicketEvent) -> bool:
    return event.action == "note_to_customer" and event.payload.get("visible") is False


def _staff_words(event: TicketEvent) -> bool:
    """Whether ``event`` holds what a customer does not read: staff's words on a step of their own
    bookkeeping, or an internal note's step."""
    if _internal_note(event):
        return True
    return (
        event.reason is not None
        and event.action not in REASONS_FOR_CUSTOMER
        and event.actor.role is not Role.CUSTOMER
    )


def _as_customer_reads(event: TicketEvent) -> TicketEvent:
    if event.reason is None or not _staff_words(event):
        return event
    return attrs.evolve(event, reason=None)


def _purchases(ticket: Ticket) -> frozenset[str]:
    """The ids of the dealer's purchase quotes on ``ticket``: those of its charge sheet not paid by the
    customer, and those a materials step quoted to the dealer (``payer`` dealer: a materials request's
    parts for a dealer's job, at the maker's price), so their acceptance and payment steps are known."""
    sheet = ticket.charges
    found: set[str] = set()
    if sheet is not None:
        found.update(quote.id for quote in sheet.quotes if quote.payer != "customer")
    for event in ticket.events:
        payload = event.payload
        quote_id = payload.get("quote_id") if payload.get("payer") == "dealer" else None
        if isinstance(quote_id, str):
            found.add(quote_id)
    return frozenset(found)


def _charged_back_slips(ticket: Ticket) -> frozenset[object]:
    """The fee slips of ``ticket``'s parts charged back to whoever kept them."""
    return frozenset(e.payload.get("fee_slip") for e in ticket.events if e.action == CHARGED_BACK)


def _of_dealings(event: TicketEvent, purchases: Collection[str], charged: Collection[object]) -> bool:
    """Whether ``event`` is a step between the maker and the dealer (or engineer): a part charged back, the
    refund of such a charge once the part came back (``desk.fees.refund_kept_charge``, session 38), a step
    of the dealer's purchase."""
    if event.action == CHARGED_BACK:
        return True
    if event.action == _REFUNDED and event.payload.get("slip_id") in charged:
        return True
    return _of_purchase(event.payload, purchases)


def _of_purchase(payload: object, purchases: Collection[str]) -> bool:
    """Whether an event's payload is a step of the dealer's purchase from the maker."""
    if not isinstance(payload, dict):
        return False
    return payload.get("payer") == "dealer" or payload.get("quote_id") in purchases
