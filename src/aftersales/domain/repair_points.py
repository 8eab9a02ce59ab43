"""Designated repair points (指定维修地点, seed 000 售后维护服务流程 4.派工处理).

派工处理: 根据问题评估结果,售后维护管理部门安排合适的售后维护人员前往客户现场或要求客户将产品送至指定
维修地点进行处理. A repair assessed as a depot repair (``Plan.DEPOT``) is handled at a repair point of
the customer's region: the point is registered as reference data (where it is, when it is open, whom
to call), one is designated on the ticket, and the customer is told where to bring the product. The
ticket keeps the point as it was told (:class:`RepairPointNotice`), so the customer reads what they
were told even after the point's data changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import attrs

from aftersales.domain.call_shape import host_factories
from aftersales.domain.events import JsonValue
from aftersales.domain.text import bounded, required_text
from aftersales.errors import ValidationError

__all__ = ["DESIGNATE_REPAIR_POINT", "RepairPoint", "RepairPointNotice"]

DESIGNATE_REPAIR_POINT = "designate_repair_point"
"""The ticket step that records the repair point the customer is to bring the product to."""


def _flag(instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        raise ValidationError(
            f"{attribute.name} is true or false", field=attribute.name, rule="true_or_false"
        )


@attrs.frozen
class RepairPoint:
    """A place the customers of ``region`` bring a product to for a depot repair.

    ``active`` is false once the point no longer takes repairs: it is designated no more (a ticket told
    of it keeps what it was told).
    """

    DOCUMENT_KIND: ClassVar[str] = "repair_point"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("region",)

    id: str = attrs.field(validator=required_text(64))
    name: str = attrs.field(validator=required_text(100))
    region: str = attrs.field(validator=required_text(64))
    address: str = attrs.field(validator=required_text(300))
    opening_hours: str = attrs.field(default="", validator=bounded(200))
    phone: str = attrs.field(default="", validator=bounded(40))
    active: bool = attrs.field(default=True, validator=_flag)
    version: int = 0

    def notice(self) -> RepairPointNotice:
        """What the customer is told of this point."""
        return RepairPointNotice(self.id, self.name, self.address, self.opening_hours, self.phone)


@host_factories
@attrs.frozen
class RepairPointNotice:
    """The repair point a ticket's customer was told to bring the product to, as told."""

    point_id: str
    name: str
    address: str
    opening_hours: str = ""
    phone: str = ""

    def payload(self) -> dict[str, JsonValue]:
        """The ticket event's payload. Flat ``point_*`` keys: a customer's erasure blanks the values of
        personal keys (``address``, ``phone``) in their tickets, and the point's are not theirs."""
        return {
            "point_id": self.point_id,
            "point_name": self.name,
            "point_address": self.address,
            "point_hours": self.opening_hours,
            "point_phone": self.phone,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, object]) -> RepairPointNotice | None:
        """The notice an event's payload holds (``None`` when it holds none)."""
        fields = [payload.get(k) for k in ("point_id", "point_name", "point_address")]
        if not all(isinstance(v, str) and v for v in fields):
            return None
        hours, phone = payload.get("point_hours"), payload.get("point_phone")
        return cls(
            str(fields[0]),
            str(fields[1]),
            str(fields[2]),
            hours if isinstance(hours, str) else "",
            phone if isinstance(phone, str) else "",
        )
