"""Products, their warranty terms, and the installed units (assets) customers own."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from operator import attrgetter
from types import MappingProxyType

import attrs

from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.contact import validate_timezone, zone
from aftersales.domain.ids import AssetId, CustomerId, DealerId, ProductId
from aftersales.domain.text import MONTH_PATTERN, code, optional_bounded, required_text
from aftersales.domain.validation import record_tuple, text_set
from aftersales.errors import ValidationError

__all__ = ["START_DATE_OF", "Asset", "Product", "WarrantyStart", "WarrantyTerm"]


class WarrantyStart(CodedEnum):
    """The date a warranty term runs from (odoo#35641 asks for shipment or installation)."""

    PURCHASE = "purchase"
    SHIPMENT = "shipment"
    INSTALLATION = "installation"


def _positive_months(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0 or value > 600:
        raise ValidationError(
            f"{attribute.name} must be a whole number of months, 1–600",
            field=attribute.name,
            rule="whole_number",
            rule_params={"least": 1, "most": 600},
        )


@attrs.frozen
class WarrantyTerm:
    """A warranty term: ``months`` from ``starts_from``, on the whole product or on one ``component``.

    Several terms let a ceramic body carry 5 years while the fittings carry 1 (odoo#191228).
    """

    months: int = attrs.field(validator=_positive_months)
    component: str | None = attrs.field(default=None, validator=attrs.validators.optional(code))
    starts_from: WarrantyStart = WarrantyStart.PURCHASE


def _terms(terms: Iterable[WarrantyTerm]) -> tuple[WarrantyTerm, ...]:
    return record_tuple("warranty_terms", WarrantyTerm)(terms)


def _names(names: Iterable[str]) -> frozenset[str]:
    return text_set("components")(names)


@attrs.frozen
class Product:
    """A product model the maker sells (e.g. a one-piece toilet model), with its warranty terms."""

    id: ProductId
    model: str = attrs.field(validator=required_text(64))
    name: str = attrs.field(validator=required_text(200))
    category: str = attrs.field(validator=code)
    warranty_terms: tuple[WarrantyTerm, ...] = attrs.field(default=(), converter=_terms)
    components: frozenset[str] = attrs.field(factory=frozenset, converter=_names)

    def has_component(self, component: str | None) -> bool:
        """Whether a decision or an extension may name ``component``: ``None`` (the whole product), any
        name when the product lists no components (its terms name them), else one it lists."""
        return component is None or not self.components or component in self.components


def _dates_in_order(instance: Asset, attribute: attrs.Attribute[date | None], value: date | None) -> None:
    if (
        instance.shipment_date
        and instance.installation_accepted_on
        and instance.installation_accepted_on < instance.shipment_date
    ):
        raise ValidationError(
            "installation cannot be accepted before shipment", field="installation_accepted_on"
        )


def _month_or_none(instance: Asset, attribute: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None and (not isinstance(value, str) or not MONTH_PATTERN.fullmatch(value)):
        raise ValidationError("a month is written YYYY-MM", field="registered_month", rule="month")


@attrs.frozen
class Asset:
    """One sold unit (产品): serial number, production batch, buyer and the dates warranty may start from.

    ``market_timezone`` is where the warranty's calendar days are counted.
    """

    id: AssetId
    product_id: ProductId
    serial: str = attrs.field(validator=required_text(64))
    customer_id: CustomerId | None = None
    batch: str | None = attrs.field(default=None, validator=optional_bounded(64))
    purchase_date: date | None = None
    shipment_date: date | None = None
    installation_accepted_on: date | None = attrs.field(default=None, validator=_dates_in_order)
    dealer_id: DealerId | None = None
    market_timezone: str = attrs.field(default="Asia/Shanghai", validator=validate_timezone)
    registered_month: str | None = attrs.field(default=None, validator=_month_or_none)
    """The desk's month (``YYYY-MM``) whose feedback counts the unit's sale (seed 004 第五条 1(6) 产品销售
    信息 … 每月反馈): stamped by the registration that first records its purchase date, under the month
    gate — the purchase month while its feedback has not gone out, else the first month still to send,
    so a unit bought on 28 March and registered on 3 April, after March's feedback went out, is in
    April's. Set by the desk only; ``None`` on units stored before session 37 (they count in their
    purchase month)."""

    def start_date(self, basis: WarrantyStart) -> date | None:
        """The date this unit's warranty would start on ``basis``, or ``None`` if it is not recorded."""
        return START_DATE_OF[basis](self)

    def sale_month(self) -> str | None:
        """The month (``YYYY-MM``) the unit's sale counts in for the monthly feedback: the one it was
        registered in, else (a unit stored before session 37) its purchase month; ``None`` unsold."""
        if self.registered_month is not None:
            return self.registered_month
        return None if self.purchase_date is None else self.purchase_date.strftime("%Y-%m")

    def completed_by(self, at: datetime) -> bool:
        """Was this unit's installation (the project, 工程) completed by ``at``? ``True`` when the library
        does not know (no ``installation_accepted_on``), or when ``at`` falls on or after that day in the
        unit's market time zone (the acceptance's hour is not recorded: a fault reported that day counts).

        Seed 004 第七条 5(2): a batch quality incident counts 工程完工后出现的同一质量问题 — a fault reported
        before the completion (during the installation) is no fault of the batch in service."""
        accepted = self.installation_accepted_on
        return accepted is None or at.astimezone(zone(self.market_timezone)).date() >= accepted


START_DATE_OF: Mapping[WarrantyStart, Callable[[Asset], date | None]] = MappingProxyType(
    {
        WarrantyStart.PURCHASE: attrgetter("purchase_date"),
        WarrantyStart.SHIPMENT: attrgetter("shipment_date"),
        WarrantyStart.INSTALLATION: attrgetter("installation_accepted_on"),
    }
)
"""Per basis, the unit's date a warranty term runs from (:meth:`Asset.start_date`); a policy deciding
every term of a unit reads it directly (an attribute getter, no Python call per term)."""
