"""The parameters of the materials capability (a setting of the desk, see ``DeskSettings``)."""

from __future__ import annotations

from typing import Any

import attrs

from aftersales.domain.contact import zone
from aftersales.domain.text import CODE_PATTERN
from aftersales.errors import ValidationError

__all__ = ["MaterialsParams"]


def _code(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not CODE_PATTERN.fullmatch(value):
        raise ValidationError(
            f"{attribute.name} must be a snake_case code, got {value!r}", field=attribute.name
        )


def _days(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 3650:
        raise ValidationError(
            f"{attribute.name} must be a whole number of days, 1–3650", field=attribute.name
        )


@attrs.frozen
class MaterialsParams:
    """Parameters of the materials desk.

    - ``return_days``: days after the repair by which the old part must be back (default 30).
    - ``receiving_location``: the one place returns are registered (seed 002: 台州; default ``taizhou``).
    - ``timezone``: the zone of shipping dates and monthly summaries (default ``Asia/Shanghai``; a desk
      built with ``settings=DeskSettings(timezone=...)`` passes its own).
    """

    return_days: int = attrs.field(default=30, validator=_days)
    receiving_location: str = attrs.field(default="taizhou", validator=_code)
    timezone: str = "Asia/Shanghai"

    def __attrs_post_init__(self) -> None:
        zone(self.timezone)
