"""When a ticket served its customer, for a satisfaction survey's population (seed 000 外部评估 1).

A survey asks a customer about a service they had (seed 001 三(七)1: 在问题处理完毕后进行客户满意度调查):
a call still open, cancelled or reopened gave them none, and their answer would measure nothing — nor
should their task count in the sample and the response rate.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from aftersales.domain.classification import Channel
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState

__all__ = ["served_on"]

_DONE = frozenset(s.value for s in (TicketState.RESOLVED, TicketState.ACCEPTED, TicketState.CLOSED))


def served_on(ticket: Ticket, tz: ZoneInfo) -> date | None:
    """The local day ``ticket`` served its customer, or ``None`` if it has not (yet).

    A request serves once its work is done: resolved (awaiting the customer's acceptance), accepted or
    closed, or a complaint handled (``resolved_at``); one being reworked after a rejection, reopened or
    cancelled has not. Its day is the day it was received, as the sampling window always counted.
    A maintenance visit the desk generated serves once the engineer has been there, on that day (not
    when its ticket was opened ahead of it)."""
    if ticket.state == TicketState.CANCELLED.value:
        return None
    if ticket.channel == Channel.PLANNED:
        done = [v.arrived_at for v in ticket.visits if v.arrived_at is not None]
        return max(done).astimezone(tz).date() if done else None
    if ticket.resolved_at is None and ticket.state not in _DONE:
        return None
    return ticket.received_at.astimezone(tz).date()
