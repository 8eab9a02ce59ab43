"""A staff member's departure and the erasure of what is kept about them afterwards (PIPL art. 47).

Why: a person who left the company kept everything the desk held about them for ever. Their appraisals
and incentives or sanctions are pay records (seed 001 六(三) 考核结果与绩效奖金挂钩; seed 000 考核结果与薪酬、
晋升挂钩) that labour rules keep after the contract ends (工资支付暂行规定 第六条: at least two years), and
PIPL art. 47 lets such a retention defer their deletion; their contact details, the free text written about
them, their shift lines and test scores are no pay record and go once they have left. The host records the
departure (:class:`StaffDeparture`: a deactivation is not one — it may be undone, and agents and heads are
the host's directory's, not the registry's); an erasure then pseudonymises what is not a pay record, and the
pay records too once the pack's retention after the departure has passed (:func:`pay_records_until`). Each
erasure is logged (:class:`StaffErasureRecord`: who, when, why, how much — never the data).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import ClassVar

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.text import required_text
from aftersales.domain.work import aware
from aftersales.errors import ValidationError

__all__ = ["StaffDeparture", "StaffErasureRecord", "pay_records_until"]


def _day(instance: object, attribute: attrs.Attribute[date], value: object) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError(
            f"{attribute.name} is a date (not a datetime)", field=attribute.name, rule="date"
        )


@attrs.frozen
class StaffDeparture:
    """That a staff member left the company on ``left_on`` (the host's word; one per person, by id)."""

    DOCUMENT_KIND: ClassVar[str] = "staff_departure"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str = attrs.field(validator=required_text(64))
    """The staff id: one departure per person."""
    left_on: date = attrs.field(validator=_day)
    recorded_by: ActorRef
    recorded_at: datetime = attrs.field(validator=aware)
    reason: str = attrs.field(default="", validator=attrs.validators.max_len(500))
    version: int = 0


def pay_records_until(departure: StaffDeparture, keep_days: int) -> date:
    """The last day the pay records of the person who left are kept (``keep_days`` after ``left_on``)."""
    return departure.left_on + timedelta(days=keep_days)


@attrs.frozen
class StaffErasureRecord:
    """That a departed staff member's data was erased: who, when, why and how much — never the data.

    ``pay_records_removed`` counts the appraisals and incentives/sanctions removed (the retention after the
    departure had passed); otherwise they stay until ``pay_records_until`` and a later erasure removes them.
    """

    DOCUMENT_KIND: ClassVar[str] = "staff_data_erasure"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("staff_id",)

    id: str
    staff_id: str
    erased_at: datetime = attrs.field(validator=aware)
    erased_by: ActorRef
    reason: str = attrs.field(validator=required_text(500))
    records: int = 0
    """Records pseudonymised or trimmed: the engineer record and its history, training lines, shift lines."""
    pay_records_removed: int = 0
    pay_records_until: date | None = None
    """The day the pay records are kept to (``None`` once they are removed)."""
    version: int = 0
