"""The parameters of the materials capability (a setting of the desk, see ``DeskSettings``)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import attrs

from aftersales.domain.bounds import check_bounded
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.contact import zone
from aftersales.domain.text import CODE_PATTERN
from aftersales.errors import CalendarDataMissing, ValidationError

__all__ = ["MaterialsParams"]


def _code(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not CODE_PATTERN.fullmatch(value):
        raise ValidationError(
            f"{attribute.name} must be a snake_case code, got {value!r}",
            field=attribute.name,
            rule="snake_code",
        )


def _codes(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (tuple, list, frozenset, set)):
        raise ValidationError(
            "relay_locations is a collection of snake_case codes", field="relay_locations", rule="snake_code"
        )
    items = tuple(sorted(set(value)))
    for item in items:
        if not isinstance(item, str) or not CODE_PATTERN.fullmatch(item):
            raise ValidationError(
                f"relay_locations must be snake_case codes, got {item!r}",
                field="relay_locations",
                rule="snake_code",
            )
    return items


def _days(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_bounded(value, attribute.name, 3650)  # days


def _open_day(calendar: BusinessCalendar, day: date) -> date:
    """``day``, or the first working day after it on ``calendar`` (a day past its data: as it is)."""
    found = day
    for _ in range(366):  # a calendar closed all year moves nothing
        try:
            if calendar.is_working_day(found):
                return found
        except CalendarDataMissing:
            return found
        found += timedelta(days=1)
    return day


@attrs.frozen
class MaterialsParams:
    """Parameters of the materials desk.

    - ``return_days``: days after the repair by which the old part must be back (default 30).
    - ``remind_days``: how many days before the deadline the party is urged to return a part still
      out (seed 002: 督促用户在规定时间内退料; default 3, the ``return_reminders`` job); ``None``: no
      reminder. Fewer than ``return_days``.
    - ``receiving_location``: the one place returns are registered (seed 002: 台州; default ``taizhou``).
    - ``relay_locations``: the offices that may take old parts in to relay them to the receiving
      location (seed 002 退料 2 b: 若由于运输的需要，上海可参与中转; default ``("shanghai",)``); never the
      receiving location itself. A relayed part is returned when the receiving location counts it.
    - ``timezone``: the zone of shipping dates, return deadlines and monthly summaries. ``None`` (the
      default) is the desk's own: a desk built with ``settings=DeskSettings(timezone=...)`` fills it in
      (:meth:`in_zone`), so parameters that only change the return period count days where the books
      are kept; read outside a desk, it is ``Asia/Shanghai`` (:attr:`zone_name`).
    """

    return_days: int = attrs.field(default=30, validator=_days)
    remind_days: int | None = attrs.field(default=3)
    receiving_location: str = attrs.field(default="taizhou", validator=_code)
    timezone: str | None = None
    relay_locations: tuple[str, ...] = attrs.field(default=("shanghai",), converter=_codes)

    def __attrs_post_init__(self) -> None:
        if self.receiving_location in self.relay_locations:
            raise ValidationError(
                f"{self.receiving_location} receives returns: it relays none to itself",
                field="relay_locations",
            )
        if self.timezone is not None:
            zone(self.timezone)
        if self.remind_days is not None:
            _days(self, attrs.fields(MaterialsParams).remind_days, self.remind_days)
            if self.remind_days >= self.return_days:
                raise ValidationError(
                    f"remind_days ({self.remind_days}) must be fewer than return_days ({self.return_days}): "
                    "the reminder comes before the deadline, within the return period",
                    field="remind_days",
                )

    @property
    def zone_name(self) -> str:
        """The zone the dates are read in: ``timezone``, or ``Asia/Shanghai`` when none is named."""
        return "Asia/Shanghai" if self.timezone is None else self.timezone

    def return_deadline(self, repaired_at: datetime, calendar: BusinessCalendar | None = None) -> datetime:
        """The first instant an old part is late: "within N days" of the repair counts whole local days,
        so the part is on time through the end of the N-th day after the repair day, in :attr:`zone_name`.

        A last day on which ``calendar`` (the desk's working calendar) has no working time — a weekend, a
        public holiday — gives way to the next working day: the receiving location (seed 002 退料 2 a:
        台州为退料的唯一接收地) takes nothing in while it is closed, and a period whose last day is a day of
        rest ends on the day after the rest (民法典 第二百零三条: 期间的最后一日是法定休假日的, 以法定休假日
        结束的次日为期间的最后一日). A day past the calendar's data is taken as it is (nothing known closes
        it); without a calendar every day counts."""
        tz = zone(self.zone_name)
        last_day = repaired_at.astimezone(tz).date() + timedelta(days=self.return_days)
        if calendar is not None:
            last_day = _open_day(calendar, last_day)
        return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz)

    def in_zone(self, desk_zone: str) -> MaterialsParams:
        """These parameters in ``desk_zone`` unless they name a zone of their own (then unchanged)."""
        return self if self.timezone is not None else attrs.evolve(self, timezone=desk_zone)
