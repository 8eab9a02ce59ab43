"""An engineer leaving (离职/停用), coming back, or away for a while (请假), as master data records it.

Seed 003 dispatches to an engineer who can go (根据服务类型、工程师技能特长及地理位置进行合理派工) and
starts the emergency team for critical work; every dispatch path — the pack's choice, a dispatch by hand, the
emergency team's lead or on-call engineer, the maintenance job — asks :meth:`Engineer.available_at`.
The changes here are the service heads' (the permission table's ``engineer_availability``), each with
its reason, audited like every master-data change, and raise the roster stamp so every desk's dispatch
reads the engineer again.

What happens to the work an engineer still holds is the office's decision, not this module's: no seed
says who takes over (there is no 转派/改派 rule), and moving a ticket changes who the customer deals
with, the dealer whose 24 hours run (seed 002) and whose parts are out. So nothing is moved; the
answer lists the open tickets the engineer still works on (assigned, or added to a critical ticket's
team), for the office to dispatch again with a reason — the dispatch then excludes the engineer.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from aftersales.domain.availability import Absence, overlapping
from aftersales.domain.parties import Engineer
from aftersales.errors import ValidationError
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["EngineerStatusChange", "absent", "cancelled_absence", "open_work"]

_PAGE = 200


@attrs.frozen
class EngineerStatusChange:
    """The engineer as stored after the change, and the open tickets still on its name (by id)."""

    engineer: Engineer
    open_tickets: tuple[str, ...] = ()


def open_work(uow: UnitOfWork, engineer_id: str) -> tuple[str, ...]:
    """The ids of the tickets not yet closed that ``engineer_id`` works on, sorted."""
    found: list[str] = []
    cursor: str | None = None
    wanted = TicketFilter(worked_by=engineer_id, is_open=True)
    while True:
        page = uow.tickets.query_rows(wanted, PageRequest(limit=_PAGE, cursor=cursor))
        found += (row.id for row in page.items)
        cursor = page.next_cursor
        if cursor is None:
            return tuple(sorted(found))


def absent(engineer: Engineer, absence: Absence, now: datetime) -> Engineer:
    """``engineer`` with ``absence`` recorded; absences ended by ``now`` are dropped (the audit keeps
    them). An absence over already (ends by ``now``) or overlapping a recorded one is refused."""
    if absence.ends_at <= now:
        raise ValidationError("the absence is over already: record what is still to come", field="ends_at")
    kept = tuple(a for a in engineer.absences if a.ends_at > now)
    clash = overlapping(kept, absence.starts_at, absence.ends_at)
    if clash is not None:
        raise ValidationError(
            f"{engineer.id} is already away from {clash.starts_at.isoformat()} "
            f"to {clash.ends_at.isoformat()}",
            field="starts_at",
            rule="absences_overlap",
        )
    return attrs.evolve(engineer, absences=(*kept, absence))


def cancelled_absence(engineer: Engineer, starts_at: datetime, now: datetime) -> Engineer:
    """``engineer`` without the absence starting at ``starts_at`` (leave called off, or cut short: an
    absence under way ends at ``now``). No such absence is a ``ValidationError`` naming ``starts_at``."""
    match = [a for a in engineer.absences if a.starts_at == starts_at]
    if not match:
        raise ValidationError(
            f"{engineer.id} has no absence starting at {starts_at.isoformat()}", field="starts_at"
        )
    (absence,) = match
    others = tuple(a for a in engineer.absences if a is not absence)
    if absence.starts_at < now < absence.ends_at:  # under way: it ends now, and the past stays recorded
        others = (*others, attrs.evolve(absence, ends_at=now))
    elif absence.ends_at <= now:
        raise ValidationError("the absence is over already", field="starts_at")
    return attrs.evolve(engineer, absences=others)
