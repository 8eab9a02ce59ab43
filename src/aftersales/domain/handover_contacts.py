"""The contacts a request handed over as a complaint carries into it (seed 004 第七条 3 with seed 003 二 3).

A call logged as a repair or an inquiry that was a complaint is handed over whole to a complaint opened at
the call's time (``desk.reclassify(category=complaint)``). The agent may have called the customer back on
the request before anyone read it as a complaint: that call answered this very call (响应: 与客户取得联系,
告知预计上门或解决时间). Before session 36 the complaint started with no contact, so it was born with its
response late — announced as a breach, counted missed by the KPI and the breach report — and the time the
customer was told was lost from its progress. Each contact is carried as a contact recorded after the
fact, made when it was made, by who made it, and marks the request it came from (the customer's archive
lists the call once, on the request). A progress note written on the request is carried so too (session
37), and is not sent to the customer again.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from aftersales.domain.events import JsonValue, TicketEvent
from aftersales.domain.sla_reading import CONTACTED_AT_KEY, answered_at

if TYPE_CHECKING:
    from aftersales.domain.ticket import Ticket

__all__ = ["CARRIED_FROM_KEY", "carry_contacts"]

CARRIED_FROM_KEY = "carried_from"
"""Payload key of a contact carried into a complaint from the request handed over: the request's id."""


def carry_contacts(request: Ticket, complaint: Ticket, at: datetime) -> int:
    """Record on ``complaint`` (just opened at ``at``) each contact made on ``request``, in order, as made
    then (its channel, words and the time the customer was told kept); returns how many were carried.
    A contact that would fall before the complaint's call is not its response and is left.

    A progress note on the request (``note_to_customer``, seed 004 第七条 3: the complaint continues the
    request) is carried the same way, visible or internal as it was: the complaint's progress shows
    what the customer was told (before session 37 it started blank), marked :data:`CARRIED_FROM_KEY`
    so it is not sent to the customer again nor listed twice in their archive."""
    carried = 0
    for event in request.events:
        if event.action == "note_to_customer":
            carried += _carry_note(request, complaint, event, at)
            continue
        if event.action != "contact_customer":
            continue
        made = answered_at(event)
        if made < complaint.received_at or made > at:
            continue
        payload: dict[str, JsonValue] = dict(event.payload)
        payload.pop(CONTACTED_AT_KEY, None)
        if made < at:
            payload[CONTACTED_AT_KEY] = made.isoformat()
        payload[CARRIED_FROM_KEY] = request.id
        complaint.step(
            "contact_customer", event.actor, at, reason=event.reason, payload=payload, reason_field="note"
        )
        carried += 1
    return carried


def _carry_note(request: Ticket, complaint: Ticket, event: TicketEvent, at: datetime) -> int:
    """Carry the note ``event`` wrote on ``request`` into ``complaint`` (1), as written then; 0 when the
    event names no note of the request (an event log that does not match its notes)."""
    index = event.payload.get("index")
    if not isinstance(index, int) or not 0 <= index < len(request.notes) or event.at > at:
        return 0
    note = request.notes[index]
    payload: dict[str, JsonValue] = {
        "index": len(complaint.notes),
        "visible": note.visible_to_customer,
        CARRIED_FROM_KEY: request.id,
    }
    if complaint.received_at <= event.at < at:  # written then: a response made then, as a contact's
        payload[CONTACTED_AT_KEY] = event.at.isoformat()
    complaint.step("note_to_customer", event.actor, at, payload=payload)
    complaint.notes = (*complaint.notes, note)
    return 1
