"""Warranty extensions: extra time granted on a component or on the whole product, with who and why.

A complaint handler may "extend the free service period" as a remedy (seed 002, 客户投诉的处理方法:
延长免费售后服务期), and a customer may buy an extension. Either way the record says who granted it,
when, why (a reason code) and how much time it adds, so an auditor can trace every free repair back
to the term or the extension that covered it.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.ids import AssetId
from aftersales.domain.text import bounded, code, optional_bounded, required_text
from aftersales.domain.work import aware
from aftersales.errors import ValidationError

__all__ = ["ExtensionSource", "ExtensionUnit", "WarrantyExtension"]


class ExtensionSource(CodedEnum):
    """Why an extension exists: a complaint remedy (投诉补偿), a quality incident's remedy on every unit of
    its batch (质量事故, seed 004 第七条 5(2) 批量质量事故) or a paid extension (购买延保)."""

    COMPLAINT_REMEDY = "complaint_remedy"
    QUALITY_INCIDENT = "quality_incident"
    PAID = "paid"


class ExtensionUnit(CodedEnum):
    """The unit of an extension's ``amount``: calendar months (clamped to month end) or days."""

    MONTHS = "months"
    DAYS = "days"


def _source(value: str) -> ExtensionSource:
    try:
        return ExtensionSource(value)
    except ValueError:
        raise ValidationError(f"unknown extension source {value!r}", field="source") from None


def _unit(value: str) -> ExtensionUnit:
    try:
        return ExtensionUnit(value)
    except ValueError:
        raise ValidationError(f"unknown extension unit {value!r}: months or days", field="unit") from None


def _amount(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 3660:
        raise ValidationError(
            f"{attribute.name} must be a whole number, 1–3660",
            field=attribute.name,
            rule="whole_number",
            rule_params={"least": 1, "most": 3660},
        )


@attrs.frozen
class WarrantyExtension:
    """``amount`` ``unit`` added to ``component``'s term (``None``: every term of the product).

    Counted only from ``granted_at`` on: a decision about an earlier instant ignores it. An extension
    granted after the term has already ended runs from the local day it was granted, so a remedy is
    never worth nothing.
    """

    asset_id: AssetId = attrs.field(validator=required_text(64))
    amount: int = attrs.field(validator=_amount)
    unit: ExtensionUnit = attrs.field(converter=_unit)
    granted_by: ActorRef
    granted_at: datetime = attrs.field(validator=aware)
    reason: str = attrs.field(validator=code)
    source: ExtensionSource = attrs.field(converter=_source)
    component: str | None = attrs.field(default=None, validator=attrs.validators.optional(code))
    note: str = attrs.field(default="", validator=bounded(2000))
    complaint_id: str | None = attrs.field(default=None, validator=optional_bounded(64))
    """The complaint whose remedy granted it (``None`` for a paid one); reasons relying on it name it."""
    incident_id: str | None = attrs.field(default=None, validator=optional_bounded(64))
    """The quality incident whose remedy granted it (source ``quality_incident``, and only then): the
    free repair it makes names the incident, as one a complaint's remedy makes names the complaint."""

    def __attrs_post_init__(self) -> None:
        if (self.source is ExtensionSource.QUALITY_INCIDENT) != (self.incident_id is not None):
            raise ValidationError(
                "an extension names the quality incident it came from when, and only when, its source "
                "is quality_incident",
                field="incident_id",
            )
