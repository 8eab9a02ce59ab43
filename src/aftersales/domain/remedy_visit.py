"""The extra maintenance visits a complaint's remedy grants, on the unit's visit list.

Seed 002 四、谈判 (一)2 plays 增加维护保养 as a card, 方案的落实 asks that what was agreed be carried out in
time (落实工作一定要及时到位), and seed 004 第五条 1(6) has the service centre keep each product's service
information. A remedy's visit is a maintenance ticket of the complaint's unit (``service.remedy_work``),
not a visit of a plan: a service manager reading the unit's visits saw the plan's and not the one promised
to settle a complaint. :class:`RemedyVisit` records each such visit by its unit, so
``desk.maintenance.unit_visits`` lists both kinds together (:class:`UnitVisit`).

A visit granted with a day agreed with the customer (``visit_on``) is due that day. One granted without
is not refused — a negotiation may settle "one more maintenance visit" before the day is arranged — and
is due by the pack's standard maintenance term from the grant, as before: ``by_term`` says so, and
``due_on`` is the day that term ends. ``open_due`` keys the visit by its due day until the daily overdue
reminder finds its ticket closed, so the reminder reads the visits due by a day and not every one granted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import attrs

from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.maintenance import VisitState
from aftersales.domain.text import required_text
from aftersales.domain.work import aware

__all__ = ["RemedyVisit", "UnitVisit", "VisitSource"]


@attrs.frozen
class RemedyVisit:
    """Extra maintenance visit ``id`` (its ticket's id) granted on complaint ``complaint_id`` for unit
    ``asset_id``, due on ``due_on`` — the day agreed with the customer, or (``by_term``) the day the pack's
    standard maintenance term from the grant ends. Ids, a date and an instant only: the customer and the
    work are its ticket's."""

    DOCUMENT_KIND: ClassVar[str] = "remedy_visit"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("asset_id", "open_due")

    id: str = attrs.field(validator=required_text(64))
    asset_id: str = attrs.field(validator=required_text(64))
    complaint_id: str = attrs.field(validator=required_text(64))
    due_on: date
    granted_at: datetime = attrs.field(validator=aware)
    by_term: bool = False
    version: int = 0
    open_due: str | None = attrs.field(
        default=attrs.Factory(lambda self: self.due_on.isoformat(), takes_self=True)
    )
    """The due day (ISO) while the visit may still be owed, an index field so the daily overdue reminder
    reads one range of due days; ``None`` once its ticket was found closed (``service.remedy_overdue``)."""


class VisitSource(CodedEnum):
    """Where a unit's visit comes from: its maintenance plan, or a complaint's remedy."""

    PLAN = "plan"
    REMEDY = "remedy"


@attrs.frozen
class UnitVisit:
    """One visit on a unit's list: a plan's (``visit_id``, ``plan_id``) or a remedy's (``complaint_id``).

    ``state`` is the visit's (a plan's) or read from the remedy visit's ticket: scheduled while open, done
    once resolved, missed when cancelled. ``by_term``: a remedy visit granted with no agreed day, due by
    the pack's standard term."""

    source: VisitSource
    asset_id: str
    due_on: date
    state: VisitState
    ticket_id: str | None
    visit_id: str | None = None
    plan_id: str | None = None
    complaint_id: str | None = None
    by_term: bool = False
