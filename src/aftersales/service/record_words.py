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

__all__ = ["COMPLAINT_NOTICES", "notice_for"]

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
