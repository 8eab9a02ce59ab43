"""Which notification kind names a record by its kind: a complaint (投诉) is not called a ticket (工单).

A complaint is stored as a ticket of kind ``complaint``, and the notices written for service tickets
(a callback due, an escalation, a message taken, a followed step) named it 工单 to the staff reading
them. Seeds 000/001 (客户投诉的处理) keep the two apart: each of these notices has a complaint's twin,
and the place that sends one asks here which to render. The duplicate-check key stays the ticket
notice's (a notice sent before the twin existed is not sent again).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aftersales.domain.classification import TicketKind

__all__ = ["COMPLAINT_NOTICES", "COMPLAINT_TOLD", "notice_for", "told_for"]

COMPLAINT_NOTICES: Mapping[str, str] = MappingProxyType(
    {
        "callback_due": "complaint_callback_due",
        "escalation": "complaint_escalation",
        "message_left": "complaint_message_left",
        "ticket_followed": "complaint_followed",
    }
)
"""The staff notices of a ticket and their complaint twins (same values, a complaint's words)."""


def notice_for(kind: str, record: TicketKind | None) -> str:
    """The notification kind to render for ``kind`` about a record of kind ``record``: its complaint
    twin for a complaint, else ``kind`` itself (``None``: the record's kind is not known, a ticket's)."""
    if record is TicketKind.COMPLAINT:
        return COMPLAINT_NOTICES.get(kind, kind)
    return kind


COMPLAINT_TOLD: Mapping[str, str] = MappingProxyType(
    {
        "ticket_received": "complaint_registered",
        "progress_note": "complaint_progress_note",
        "resolved_please_confirm": "complaint_outcome",
        "rework_requested": "complaint_rework_requested",
        "job_cancelled": "complaint_cancelled",
    }
)
"""What a complaint's customer and holder are told instead of a ticket's notices: it is registered
(投诉编号), its progress is a complaint's, a handled complaint tells its outcome (there is nothing to
confirm: the customer may reject it), and the outlet it was referred to reads it sent back or called off as
a complaint. Not all take the ticket notice's values (the registration names no engineer)."""


def told_for(kind: str, record: TicketKind | None) -> str:
    """The notification kind a step's notice ``kind`` is rendered as for a record of kind ``record``."""
    if record is TicketKind.COMPLAINT:
        return COMPLAINT_TOLD.get(kind, kind)
    return kind
