"""Service contracts (服务合同 / 保养合同): what a customer or a dealer bought beyond the warranty.

A contract covers named units, or every unit of one product line (the product's category) that the
holder owns, for a period of whole local days (``starts_on`` through ``ends_on``, both included). It
says what it pays for (labour, parts, travel, a number of maintenance visits a year) and may set its
own SLA targets in working hours, which then replace the pack's for the tickets of covered units.

Seed 000 lists periodic maintenance (保養服務: 定期為產品提供保養服務, 延長產品的使用壽命) as one of the
four after-sales services; the contract is how a maker sells it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.ids import AssetId, CustomerId, DealerId
from aftersales.domain.instants import require_day
from aftersales.domain.maintenance import add_months
from aftersales.domain.money import Money
from aftersales.domain.products import Asset, Product
from aftersales.domain.text import optional_bounded, required_text
from aftersales.domain.work import aware
from aftersales.errors import ValidationError

__all__ = [
    "ContractChange",
    "ContractCoverage",
    "ContractSla",
    "ContractState",
    "ServiceContract",
    "ServiceContractId",
]

ServiceContractId = str
"""A contract number (the host's or ours, ``HT-2026-000001``)."""

MAX_CONTRACT_DAYS = 10 * 366
"""A contract runs ten years at most (a longer one is a typing error, not a contract)."""


class ContractState(CodedEnum):
    """Whether the contract may cover anything. Expiry is not a state: it follows from ``ends_on``."""

    ACTIVE = "active"
    CANCELLED = "cancelled"


def _visits(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if type(value) is not int or not 0 <= value <= 52:
        raise ValidationError(
            "visits_per_year is a whole number from 0 to 52",
            field=attribute.name,
            rule="whole_number",
            rule_params={"least": 0, "most": 52},
        )


def _flag(instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if type(value) is not bool:
        raise ValidationError(
            f"{attribute.name} is true or false", field=attribute.name, rule="true_or_false"
        )


@attrs.frozen
class ContractCoverage:
    """What the contract pays for on a covered unit; what it does not cover is charged as usual."""

    labour: bool = attrs.field(default=True, validator=_flag)
    parts: bool = attrs.field(default=False, validator=_flag)
    travel: bool = attrs.field(default=True, validator=_flag)
    visits_per_year: int = attrs.field(default=2, validator=_visits)

    def covers(self, line_kind: str) -> bool:
        """Whether a charge line of ``line_kind`` (``labour``, ``part``, ``travel``, ``fee``) is covered."""
        if not isinstance(line_kind, str):  # a list was Python's TypeError (unhashable)
            raise ValidationError("line_kind is a charge line's kind", field="line_kind", rule="text")
        return {"labour": self.labour, "part": self.parts, "travel": self.travel}.get(line_kind, False)


def _hours(instance: object, attribute: attrs.Attribute[int | None], value: object) -> None:
    if value is not None and (type(value) is not int or not 1 <= value <= 2000):
        raise ValidationError(
            f"{attribute.name} is a whole number of working hours, 1 to 2000",
            field=attribute.name,
            rule="whole_number",
            rule_params={"least": 1, "most": 2000},
        )


@attrs.frozen
class ContractSla:
    """The contract's own targets in working hours (``None``: the pack's target applies).

    They replace the pack's targets for every service ticket on a covered unit whose call falls within
    the contract (its local date), whatever the ticket's priority, tier or dealer: the contract is what
    the customer bought. ``arrival_hours`` applies to on-site tickets only.
    """

    response_hours: int | None = attrs.field(default=None, validator=_hours)
    resolution_hours: int | None = attrs.field(default=None, validator=_hours)
    arrival_hours: int | None = attrs.field(default=None, validator=_hours)

    def hours(self) -> tuple[tuple[str, int], ...]:
        """The targets the contract sets, as ``(name, working hours)`` pairs."""
        named = (
            ("response", self.response_hours),
            ("arrival", self.arrival_hours),
            ("resolution", self.resolution_hours),
        )
        return tuple((name, value) for name, value in named if value is not None)


@attrs.frozen
class ContractChange:
    """One entry of a contract's history: signed, renewed, cancelled, reminded — who, when, why."""

    kind: str
    at: datetime = attrs.field(validator=aware)
    by: ActorRef
    reason: str = ""


def _dates(instance: ServiceContract, attribute: attrs.Attribute[date], value: object) -> None:
    if type(value) is not date:
        raise ValidationError(f"{attribute.name} is a date", field=attribute.name, rule="date")
    if not 1900 <= value.year <= 2200:
        raise ValidationError(
            f"{attribute.name} must be between 1900 and 2200",
            field=attribute.name,
            rule="between",
            rule_params={"least": 1900, "most": 2200},
        )


def _period(instance: ServiceContract, attribute: attrs.Attribute[date], value: date) -> None:
    _dates(instance, attribute, value)
    if value < instance.starts_on:
        raise ValidationError("a contract cannot end before it starts", field="ends_on")
    if (value - instance.starts_on).days > MAX_CONTRACT_DAYS:
        raise ValidationError("a contract runs at most ten years", field="ends_on")


def _price(instance: object, attribute: attrs.Attribute[Money], value: object) -> None:
    if not isinstance(value, Money):
        raise ValidationError("price is Money", field="price")
    if value.amount < 0:
        raise ValidationError("a contract price cannot be negative", field="price", rule="non_negative")


def _remind(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if type(value) is not int or not 0 <= value <= 365:
        raise ValidationError(
            "remind_days is a whole number of days from 0 to 365",
            field=attribute.name,
            rule="whole_number",
            rule_params={"least": 0, "most": 365},
        )


def _assets(values: Any) -> tuple[AssetId, ...]:
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise ValidationError("assets is a list of unit ids", field="assets")
    items = tuple(values)
    if len(items) > 100_000:
        raise ValidationError(
            "a contract names at most 100,000 units",
            field="assets",
            rule="too_many",
            rule_params={"most": 100_000},
        )
    for item in items:
        if type(item) is not str or not item or len(item) > 64:
            raise ValidationError("each covered unit is a unit id", field="assets")
    if len(set(items)) != len(items):
        raise ValidationError("a unit is named twice", field="assets")
    return tuple(AssetId(i) for i in items)


@attrs.define
class ServiceContract:
    """One service contract of a customer (or of a dealer, for the units it looks after).

    Exactly one holder: ``customer_id`` or ``dealer_id``. Coverage: the units named in ``assets``, or,
    when ``product_line`` is set, every unit of that product category owned by the holder customer.
    """

    DOCUMENT_KIND: ClassVar[str] = "service_contract"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("customer_id", "dealer_id", "state", "remind_on")

    id: ServiceContractId = attrs.field(validator=required_text(64))
    starts_on: date = attrs.field(validator=_dates)
    ends_on: date = attrs.field(validator=_period)
    price: Money = attrs.field(validator=_price)
    customer_id: CustomerId | None = attrs.field(default=None, validator=optional_bounded(64))
    dealer_id: DealerId | None = attrs.field(default=None, validator=optional_bounded(64))
    assets: tuple[AssetId, ...] = attrs.field(default=(), converter=_assets)
    product_line: str | None = attrs.field(default=None, validator=optional_bounded(64))
    coverage: ContractCoverage = attrs.field(factory=ContractCoverage)
    sla: ContractSla = attrs.field(factory=ContractSla)
    remind_days: int = attrs.field(default=30, validator=_remind)
    state: ContractState = ContractState.ACTIVE
    renewed_as: ServiceContractId | None = None
    reminded_on: date | None = None
    remind_on: str | None = None
    """The local date (ISO) of the renewal reminder, indexed for the daily job; cleared once sent."""
    history: tuple[ContractChange, ...] = ()
    cancelled_on: date | None = None
    """The local date the contract was cancelled on: the last day it covers (``None``: not cancelled,
    or cancelled before the date was recorded, which covers nothing)."""
    version: int = 0

    def __attrs_post_init__(self) -> None:
        if (self.customer_id is None) == (self.dealer_id is None):
            raise ValidationError("a contract has one holder: a customer or a dealer", field="customer_id")
        if not self.assets and self.product_line is None:
            raise ValidationError("a contract covers named units or a product line", field="assets")
        if self.remind_on is None and self.reminded_on is None and self.state is ContractState.ACTIVE:
            first = date.fromordinal(
                max(self.starts_on.toordinal(), self.ends_on.toordinal() - self.remind_days)
            )
            self.remind_on = first.isoformat()
        if self.product_line is not None and self.customer_id is None:
            raise ValidationError(
                "a product-line contract covers a customer's units; name the units for a dealer",
                field="product_line",
            )

    def active_on(self, day: date) -> bool:
        """Whether the contract is in force on local date ``day`` (both ends included).

        A cancelled contract still covered the days up to its cancellation: a repair called in while it
        was in force stays free when it is assessed again after the cancellation."""
        if not self.starts_on <= require_day(day) <= self.ends_on:
            return False
        if self.state is ContractState.ACTIVE:
            return True
        return self.cancelled_on is not None and day <= self.cancelled_on

    def year_of(self, day: date) -> tuple[date, date]:
        """The contract year ``day`` falls in: from ``starts_on`` or an anniversary of it, to the day
        before the next (both included). ``visits_per_year`` counts within one such year."""
        years = max(0, require_day(day).year - self.starts_on.year)
        if day.year >= date.max.year:  # its year's end falls past the last date there is
            raise ValidationError(
                f"day {day.isoformat()} has no contract year",
                field="day",
                rule="year_range",
                rule_params={"least": date.min.year, "most": date.max.year - 1},
            )
        while years and add_months(self.starts_on, 12 * years) > day:
            years -= 1
        start = add_months(self.starts_on, 12 * years)
        return start, date.fromordinal(add_months(self.starts_on, 12 * (years + 1)).toordinal() - 1)

    def covers(self, asset: Asset, product: Product | None, day: date) -> bool:
        """Whether ``asset`` is covered on ``day`` (named, or of the product line and the holder's).

        A customer's contract covers a unit while it is theirs: a named unit sold on is the buyer's, and
        the seller's contract pays nothing of it (it was signed for the holder's units, and a renewal
        refuses it). A dealer's contract covers the units it names, whoever owns them."""
        if not self.active_on(day):
            return False
        if self.customer_id is not None and asset.customer_id != self.customer_id:
            return False
        if asset.id in self.assets:
            return True
        return (
            self.product_line is not None
            and product is not None
            and product.category == self.product_line
            and asset.customer_id == self.customer_id
        )

    def overlaps(self, other: ServiceContract) -> frozenset[AssetId]:
        """The named units both contracts cover on a common day (empty if none)."""
        if not isinstance(other, ServiceContract):
            raise ValidationError(
                "other is a ServiceContract", field="other", rule="wrong_type",
                rule_params={"expected": "ServiceContract"},
            )  # fmt: skip
        if self.id == other.id or ContractState.CANCELLED in (self.state, other.state):
            return frozenset()
        if self.ends_on < other.starts_on or other.ends_on < self.starts_on:
            return frozenset()
        return frozenset(self.assets) & frozenset(other.assets)

    def record(self, kind: str, at: datetime, by: ActorRef, reason: str = "") -> None:
        """Append ``kind`` to the history (the contract's own ledger)."""
        self.history += (ContractChange(kind, at, by, reason),)

    def reminded(self, today: date, at: datetime, by: ActorRef) -> None:
        """The renewal reminder went out on ``today``."""
        self.reminded_on = today
        self.remind_on = None
        self.record("renewal_reminded", at, by)

    def cancel(self, at: datetime, by: ActorRef, reason: str, today: date) -> None:
        """Cancel the contract with the reason: it covers nothing after ``today`` (the local date of
        ``at``), and what it covered until then stays covered."""
        if self.state is ContractState.CANCELLED:
            raise ValidationError(f"contract {self.id} is already cancelled", field="contract_id")
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError("cancelling a contract needs a reason", field="reason")
        self.state = ContractState.CANCELLED
        self.cancelled_on = today
        self.remind_on = None
        self.record("cancelled", at, by, reason)

    def expiring(self, today: date) -> bool:
        """Whether the renewal reminder is due: within ``remind_days`` of the end, not yet reminded."""
        require_day(today, "today")
        if self.state is not ContractState.ACTIVE or self.renewed_as is not None:
            return False
        if self.reminded_on is not None:
            return False
        return 0 <= (self.ends_on - today).days <= self.remind_days
