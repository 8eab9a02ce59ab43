"""The daily reminder calls off an overdue visit whose unit was sold before the sale called visits off.

Since session 33 ``transfer_asset`` calls off the seller's visit not yet begun in the sale's command
(:mod:`aftersales.service.sold_unit_visits`). A unit sold earlier — before that, or before plans followed
their units — left the seller's visit open: its plan waits for it, so the daily generation never reads
the plan (nor moves it to the buyer), and the overdue reminder chased the seller's dealer about a visit
that cannot take place. The two paths now agree: the reminder, which reads every overdue visit each day,
calls such a visit off exactly as the sale does (ticket cancelled, visit missed ``unit_sold``, the
seller told, the plan due again) instead of reminding anyone of it; the next generation moves the plan
to the buyer and opens theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from aftersales.domain.maintenance import MaintenanceVisit, VisitState
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.runner import CommandRunner
from aftersales.service.sold_unit_visits import call_off_seller_visits

__all__ = ["call_off_sold_overdue"]


def call_off_sold_overdue(
    runner: CommandRunner, uow: UnitOfWork, overdue: Sequence[MaintenanceVisit], now: datetime, today: date
) -> tuple[tuple[MaintenanceVisit, ...], list[OutboxMessage]]:
    """Of ``overdue``, call off those opened for someone who no longer owns the unit and not begun.

    Returns the visits still overdue (those being worked stay the seller's and are reminded of, as
    before) and the messages of the call-offs."""
    units = uow.assets.find({v.asset_id for v in overdue})
    sold = sorted(
        {
            v.asset_id
            for v in overdue
            if (u := units.get(v.asset_id)) is not None and u.customer_id != v.customer_id
        }
    )
    if not sold:
        return tuple(overdue), []
    messages: list[OutboxMessage] = []
    for asset_id in sold:
        messages += call_off_seller_visits(runner, uow, units[asset_id], now, today)
    gone = {
        v.id
        for v in overdue
        if v.asset_id in sold and uow.documents.get(MaintenanceVisit, v.id).state is not VisitState.SCHEDULED
    }
    return tuple(v for v in overdue if v.id not in gone), messages
