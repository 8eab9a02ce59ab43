"""The contacts a request handed over as a complaint carries into it (seed 004 第七条 3 with seed 003 二 3).

A call logged as a repair or an inquiry that was a complaint is handed over whole to a complaint opened at
the call's time (``desk.reclassify(category=complaint)``). The agent may have called the customer back on
the request before anyone read it as a complaint: that call answered this very call (响应: 与客户取得联系,
告知预计上门或解决时间). Before session 36 the complaint started with no contact, so it was born with its
response late — announced as a breach, counted missed by the KPI and the breach report — and the time the
customer was told was lost from its progress. Each contact is carried as a contact recorded after the
fact, made when it was made, by who made it, and marks the request it came from (the customer's archive
lists the call once, on the request).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from aftersales.domain.events import JsonValue
from aftersales.domain.sla_reading import CONTACTED_AT_KEY, answered_at

if TYPE_CHECKING:
    from aftersales.domain.ticket import Ticket

__all__ = ["CARRIED_FROM_KEY", "carry_contacts"]

CARRIED_FROM_KEY = "carried_from"
"""Payload key of a contact carried into a complaint from the request handed over: the request's id."""


def carry_contacts(request: Ticket, complaint: Ticket, at: datetime) -> int:
    """Record on ``complaint`` (just opened at ``at``) each contact made on ``request``, in order, as made
    then (its channel, words and the time the customer was told kept); returns how many were carried.
    A contact that would fall before the complaint's call is not its response and is left."""
    carried = 0
    for event in request.events:
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
