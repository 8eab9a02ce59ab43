"""Imported complaints are registered as opened ones (seed 004 第五条 1(6) 每月反馈给总经理及相关部门).

A complaint opened at the desk gets its :class:`~aftersales.domain.complaints.ComplaintFile` with the
month it is registered in (:func:`~aftersales.service.complaint_month.registration_month`), under the month
gate (:mod:`aftersales.service.month_gate`), so each complaint is in one month's feedback. A complaint
brought in by a bulk import (another system's history, a dealer's backlog) got no file before session 35:
the monthly feedback found it only by the month it was received in, so one received in a month whose
feedback had already gone out was in no month's feedback, and an import under way while the job sent a
month was not waited for. Now each imported complaint is filed in the import's transaction as one opened
at the instant it was received: registered in that month, or, if that month's feedback already went out,
in the first month still to send — as a letter received earlier and entered late.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aftersales.domain.classification import TicketKind
from aftersales.domain.complaints import ComplaintFile
from aftersales.domain.ticket import Ticket
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.complaint_month import registration_month, registrations

__all__ = ["file_imported_complaints", "file_opened_complaint"]


def file_opened_complaint(uow: UnitOfWork, ticket: Ticket, now: datetime, timezone: str) -> None:
    """Add the complaint file of ``ticket``, a complaint opened at ``now`` through ``desk.open_ticket(
    kind=complaint)``: registered in ``now``'s month (or the first still to send), as one opened through
    the complaint desk. Before session 36 such a complaint had no file, and a letter entered after its
    month's feedback went out was in no feedback sent."""
    month = registration_month(uow, now, timezone)
    uow.documents.add(ComplaintFile(id=ticket.id, customer_id=ticket.customer_id, registered_month=month))


def file_imported_complaints(uow: UnitOfWork, batch: Sequence[Ticket], timezone: str) -> int:
    """Add the complaint file of each complaint in ``batch`` (registered as this module says,
    in ``timezone``, the desk's books); the number filed. A batch with no complaint touches nothing,
    the month gate included."""
    complaints = [t for t in batch if t.kind is TicketKind.COMPLAINT]
    if not complaints:
        return 0
    month_of = registrations(uow, timezone)
    for ticket in complaints:
        uow.documents.add(
            ComplaintFile(
                id=ticket.id, customer_id=ticket.customer_id, registered_month=month_of(ticket.received_at)
            )
        )
    return len(complaints)
