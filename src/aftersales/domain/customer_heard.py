"""When an open ticket's customer last heard from the desk (seed 001 三(五)1: 定期向客户反馈处理情况).

The progress reminder (:mod:`aftersales.service.progress_updates`) counts its period from this instant.
The customer heard from us at:

* the request itself (``opened``): the customer has just spoken to us; the period starts there;
* any step that brings the ticket back to be handled from a state in which it waited on the customer:
  their word that the problem is back (``reopen``) or the result not right (``reject``), and the work
  resumed after waiting on them (``resume`` from awaiting_customer: they came back, answered, let us
  in). 三(五)1 owes the customer regular news of the *handling* (跟踪…处理进度,定期向客户反馈处理情况);
  while it waited on the customer nothing was handled, so that time is no silence of ours, and the
  ticket is handled afresh from their return (session 39: the specialists were reminded at once). A
  wait for parts is handled time (watched): coming back from it starts nothing;
* a contact recorded with the customer (``contact_customer``: a call, a message) and a callback made
  (``record_callback``);
* a progress note the customer may see (``note_to_customer`` not marked internal: it is in the
  customer's own view of the ticket whether or not a message went out);
* any step whose notice the pack's notification policy sends to the customer (``told``: assigned,
  visit planned, parts awaited, repair point designated… as the pack's ``[notification] events`` say).

A failed callback attempt, an internal note and a step the customer is not told of are not news to the
customer. Pure: the caller says which steps the pack tells the customer of.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aftersales.domain.classification import TicketKind
from aftersales.domain.complaint_workflow import ComplaintState
from aftersales.domain.events import TicketEvent
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState

__all__ = ["ALWAYS_HEARD", "COMPLAINT_WATCHED_STATES", "WATCHED_STATES", "last_heard", "watched_states"]

ALWAYS_HEARD = frozenset({"opened", "contact_customer", "record_callback", "note_to_customer"})
"""Steps that are news to the customer whatever the notification policy (a note: unless internal).
A step back to be handled from a wait on the customer is too (:func:`last_heard`)."""

WATCHED_STATES = tuple(
    s.value
    for s in (
        TicketState.NEW,
        TicketState.TRIAGED,
        TicketState.ASSIGNED,
        TicketState.IN_PROGRESS,
        TicketState.AWAITING_PARTS,
        TicketState.REWORK,
    )
)
"""The states whose customer is owed news of the progress: the problem is being handled. Not a ticket
waiting on the customer (awaiting_customer), nor one whose result the customer has been asked to
confirm (resolved) or has accepted (accepted: the callback follows), nor a closed or cancelled one."""

COMPLAINT_WATCHED_STATES = tuple(
    s.value
    for s in (
        ComplaintState.RECEIVED,
        ComplaintState.INVESTIGATING,
        ComplaintState.AWAITING_DECISION,
        ComplaintState.IMPLEMENTING,
    )
)
"""A complaint's watched states (三(五)1 reaches complaints: 四(三) classes 客户投诉 among the 售后问题; seed
003 投诉…由指定人员负责跟进, 事事有回音): the complaint is investigated, referred for a decision or its
solution carried out. Not a solution proposed (it awaits the customer's agreement), nor the result given
(feedback_given, reviewed: the customer's word is awaited), nor a closed or cancelled one."""

_WATCHED = frozenset(WATCHED_STATES)
_COMPLAINT_WATCHED = frozenset(COMPLAINT_WATCHED_STATES)


def watched_states(kind: TicketKind) -> frozenset[str]:
    """The states of a ``kind`` record whose customer is owed news of the handling."""
    return _WATCHED if kind is TicketKind.SERVICE else _COMPLAINT_WATCHED


def last_heard(ticket: Ticket, told: Callable[[TicketEvent], bool]) -> datetime:
    """The instant ``ticket``'s customer last heard from the desk (see the module docstring); ``told``
    says whether the pack's notification policy sends the customer a step's notice. The request's receipt
    when no event qualifies (a ticket imported without its history)."""
    watched = watched_states(ticket.kind)
    for event in reversed(ticket.events):
        if event.action in ALWAYS_HEARD:
            if event.payload.get("visible") is False:
                continue  # an internal note
            return event.at
        if told(event) or _back_from_the_customer(event, watched):
            return event.at
    return ticket.received_at


def _back_from_the_customer(event: TicketEvent, watched: frozenset[str]) -> bool:
    """True for a step from a state that waits on the customer back to one that is handled (reopen,
    reject, resume after awaiting_customer; a complaint's solution agreed, reopened, rejected): one rule,
    the state pair decides."""
    return event.from_state is not None and event.from_state not in watched and event.to_state in watched
