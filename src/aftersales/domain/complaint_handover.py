"""Whether a request was handed over as a complaint, and which complaint it became (seed 004 第七条 1-3).

A call logged as a repair or an inquiry that was a complaint is cancelled and continued as a complaint
opened at the call's time (``desk.reclassify(category=complaint)``): the ``reclassify`` event names the
complaint (``complaint_id``). The request is then no call of its own — the complaint is the same call,
carrying its calls back (:mod:`aftersales.domain.handover_contacts`) — so the KPIs count it once, on the
complaint, and the customer looking up the old number is pointed to the complaint's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aftersales.domain.ticket_workflow import TicketState

if TYPE_CHECKING:
    from aftersales.domain.ticket import Ticket

__all__ = ["COMPLAINT_ID_KEY", "CONTINUES_KEY", "handed_over_to"]

COMPLAINT_ID_KEY = "complaint_id"
"""Payload key of the ``reclassify`` event handing a request over: the complaint it became."""

CONTINUES_KEY = "continues"
"""Payload key of the complaint's ``opened`` event when it continues a request handed over: the request's
id (the number the customer was given; their registration notice names it, seed 004 第八条 2(2))."""

_CANCELLED = TicketState.CANCELLED.value


def handed_over_to(ticket: Ticket) -> str | None:
    """The id of the complaint ``ticket`` was handed over as, when it was (it is cancelled and its last
    ``reclassify`` event names one); else ``None``."""
    if ticket.state != _CANCELLED:
        return None
    for event in reversed(ticket.events):
        if event.action == "reclassify":
            found = event.payload.get(COMPLAINT_ID_KEY)
            return found if isinstance(found, str) and found else None
    return None
