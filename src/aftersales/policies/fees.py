"""Fees (收费标准): the parts price list, the dealers' labour and travel fees, and quotes built from them.

Seed 002, 材料收费 2 (收费的标准): the maker sells parts to its dealers at cost (a); dealers charge by local
conditions (b); part prices come from the 《零部件价格表》 (c); the service fee is set by each dealer
locally (d). And 分工与合作 4: out of warranty the maker supplies parts at cost, payment first (款到发货).

So :class:`PriceList` holds, per part code, the ``cost`` (what the dealer pays the maker) and the
``retail`` price the customer is quoted; :class:`DealerFeeSchedule` holds one dealer's labour fee per job
type, travel fee per zone or distance band, and service fee; :class:`DefaultFeesPolicy` prices a
:class:`QuoteRequest` into a draft :class:`~aftersales.domain.charges.Quote` whose lines are chargeable or
free as the chargeability decision says. TOML amounts are strings (``"12.50"``): floats are refused.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Protocol, TypeVar, runtime_checkable

import attrs

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.call_shape import host_factories
from aftersales.domain.charges import ChargeKind, ChargeLine, Quote, QuoteId, charge_line
from aftersales.domain.ids import DealerId, TicketId
from aftersales.domain.money import Money, currency_exponent
from aftersales.domain.part_numbers import PART_NUMBER_PATTERN, check_part_number
from aftersales.domain.payment_methods import DEFAULT_PAYMENT_METHODS
from aftersales.domain.payment_methods import payment_methods as payment_methods_list
from aftersales.domain.text import code
from aftersales.domain.typed_init import refused_typed
from aftersales.errors import (
    CurrencyMismatch,
    InvalidMoney,
    NotFound,
    PolicyError,
    ValidationError,
    shown_repr,
)
from aftersales.policies.chargeability import ChargeOutcome
from aftersales.policies.decision import Decision
from aftersales.policies.kinds import PolicyKind
from aftersales.policies.own_params import own_params
from aftersales.policies.params import true_or_false
from aftersales.policies.warranty import WarrantyPhase

__all__ = [
    "DealerFeeSchedule",
    "DefaultFeesPolicy",
    "DistanceBand",
    "FeesParams",
    "FeesPolicy",
    "PartPrice",
    "PartPriceEntry",
    "PriceList",
    "QuoteRequest",
]

T = TypeVar("T")
_MAX_MATERIAL_LINES = 16_384  # parts × the quantities seen × free/charged; beyond it lines are built


def _amount(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise ValidationError(
            f"{attribute.name} must be a non-negative Decimal (write it as a string in TOML: "
            '"12.50", ASCII digits)',
            field=attribute.name,
            rule="non_negative",
        )


_AMOUNT_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
"""An amount as a pack writes it: ASCII digits and a decimal point. ``Decimal`` alone also takes
"１２.５", " 12 ", "1_000" and "1E+3", as the budget command's --amount refuses them (session 26)."""


def _decimal(value: object) -> object:
    # Accept int and str (exact); leave anything else for the validator to refuse (floats above all).
    if isinstance(value, str) and not _AMOUNT_TEXT.fullmatch(value):
        return value
    if isinstance(value, int | str) and not isinstance(value, bool):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


def _frozen_map(value: Mapping[str, T]) -> Mapping[str, T]:
    return MappingProxyType(dict(value))


def _decimal_map(value: Mapping[str, Any]) -> Mapping[str, Decimal]:
    result: dict[str, Decimal] = {}
    for key, item in value.items():
        converted = _decimal(item)
        if not isinstance(converted, Decimal) or not converted.is_finite() or converted < 0:
            raise ValidationError(
                f"fee {key!r} must be a non-negative Decimal, got {item!r}", field=key, rule="non_negative"
            )
        result[key] = converted
    return MappingProxyType(result)


def _optional_currency(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        currency_exponent(value if isinstance(value, str) else shown_repr(value))


def _currency(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    currency_exponent(value if isinstance(value, str) else shown_repr(value))


@attrs.frozen
class PartPriceEntry:
    """A price-list row as a pack writes it: ``cost`` to dealers and ``retail`` to customers."""

    cost: Decimal = attrs.field(converter=_decimal, validator=_amount)
    retail: Decimal = attrs.field(converter=_decimal, validator=_amount)


def _price(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Money):
        raise ValidationError(f"{attribute.name} must be Money", field=attribute.name, rule="money")
    if value.amount < 0:
        raise ValidationError(
            f"{attribute.name} must not be negative, got {value}", field=attribute.name, rule="non_negative"
        )


@attrs.frozen
class PartPrice:
    """A part's prices: ``cost`` (maker to dealer, 成本价) and ``retail`` (dealer to customer).

    Both are non-negative Money in one currency (bounded by :data:`~aftersales.domain.money.MAX_MINOR_UNITS`).
    """

    cost: Money = attrs.field(validator=_price)
    retail: Money = attrs.field(validator=_price)

    def __attrs_post_init__(self) -> None:
        if self.cost.currency != self.retail.currency:
            raise CurrencyMismatch(self.cost.currency, self.retail.currency)


def _price_map(value: Mapping[str, PartPrice]) -> Mapping[str, PartPrice]:
    return MappingProxyType(dict(value))


@refused_typed
@host_factories
@attrs.frozen
class PriceList:
    """The parts price list (《零部件价格表》): part code → :class:`PartPrice`, in one currency."""

    currency: str = attrs.field(validator=_currency)
    parts: Mapping[str, PartPrice] = attrs.field(factory=dict, converter=_price_map)

    def __attrs_post_init__(self) -> None:
        for part, price in self.parts.items():
            check_part_number(part, "parts")
            if not isinstance(price, PartPrice):
                raise ValidationError(f"part {part!r}: a price is a PartPrice", field="parts")
            for money in (price.cost, price.retail):
                if money.currency != self.currency:
                    raise ValidationError(
                        f"part {part!r} is priced in {money.currency}, the list in {self.currency}",
                        field="parts",
                    )

    @classmethod
    def from_entries(cls, currency: str, entries: Mapping[str, PartPriceEntry]) -> PriceList:
        """Build from pack rows (Decimal amounts in ``currency``)."""
        prices: dict[str, PartPrice] = {}
        for part, entry in entries.items():
            prices[part] = PartPrice(
                _money(entry.cost, currency, f"parts.{part}.cost"),
                _money(entry.retail, currency, f"parts.{part}.retail"),
            )
        return cls(currency, prices)

    def price(self, part: str) -> PartPrice:
        """The prices of ``part``; :class:`NotFound` when the list has none."""
        try:
            return self.parts[part]
        except KeyError:
            raise NotFound("part price", part) from None


def _money(amount: Decimal, currency: str, field: str) -> Money:
    # Money names only "amount"; a price list names the row and column that is wrong.
    try:
        money = Money(amount, currency)
    except InvalidMoney as exc:
        raise InvalidMoney(f"{field}: {exc}", field=field) from None
    if money.amount != amount:
        # Money rounds to the minor unit: a row of 0.001 CNY became a free part. Refused, as the
        # budget command refuses an amount with a place the currency does not have.
        raise InvalidMoney(
            f"{field}: {amount} has places finer than {currency}'s minor unit "
            f"({currency_exponent(currency)}); write whole minor units",
            field=field,
            rule="minor_unit",
            rule_params={"unit": str(currency_exponent(currency))},
        )
    return money


def _bands(value: Any) -> tuple[DistanceBand, ...]:
    bands = tuple(sorted(value, key=lambda b: b.up_to_km))
    for lower, upper in itertools.pairwise(bands):
        if lower.up_to_km == upper.up_to_km:  # two fees for one distance: which applies is a guess
            raise ValidationError(
                f"travel_bands: up to {lower.up_to_km} km is given twice", field="travel_bands"
            )
    return bands


def _km(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError(
            f"{attribute.name} must be a positive whole number of km", field=attribute.name, rule="positive"
        )


@attrs.frozen
class DistanceBand:
    """Travel fee for a distance up to and including ``up_to_km``."""

    up_to_km: int = attrs.field(validator=_km)
    fee: Decimal = attrs.field(converter=_decimal, validator=_amount)


@attrs.frozen
class DealerFeeSchedule:
    """One dealer's local fees (各特约承销商可根据当地实际情况收费), in ``currency`` (default: the pack's).

    - ``labour``: job type → fee;
    - ``travel_zones``: zone code → fee; ``travel_bands``: distance bands (a trip beyond the last band
      is a :class:`PolicyError`, ``distance_beyond_schedule``);
    - ``service_fee``: the dealer's flat service fee per visit (``0``: none).
    """

    labour: Mapping[str, Decimal] = attrs.field(factory=dict, converter=_decimal_map)
    travel_zones: Mapping[str, Decimal] = attrs.field(factory=dict, converter=_decimal_map)
    travel_bands: tuple[DistanceBand, ...] = attrs.field(default=(), converter=_bands)
    service_fee: Decimal = attrs.field(default=Decimal(0), converter=_decimal, validator=_amount)
    currency: str | None = attrs.field(default=None, validator=_optional_currency)


def _optional_decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    converted = _decimal(value)
    if not isinstance(converted, Decimal) or not converted.is_finite():
        raise ValidationError(
            f"a budget is a Decimal (a string in TOML), got {value!r}", field="budget_per_ticket"
        )
    return converted


_MANAGEMENT = (Role.MANAGER.value, Role.DEPARTMENT_HEAD.value, Role.GENERAL_MANAGER.value)
"""The roles that may approve a cost budget at all (seed 000: 费用预算, 报公司管理层审批; the permission
table's set_budget and approve_overrun): ``budget_approvers`` narrows them, it cannot add others."""


def _roles_of(value: Any, field: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValidationError(f"{field} is a list of role names", field=field)
    known = {r.value for r in Role}
    for item in value:
        if not isinstance(item, str) or item not in known:  # a list or table item is unhashable
            raise ValidationError(f"unknown role {item!r:.40} in {field}", field=field)
        if item not in _MANAGEMENT:
            raise ValidationError(
                f"{field}: {item!r} may not approve budgets (the company's management does, seed "
                f"000: 报公司管理层审批); choose among {', '.join(_MANAGEMENT)}",
                field=field,
            )
    if not value:
        raise ValidationError(f"{field} names nobody: no budget could be set", field=field)
    # A role named twice is one approver: kept once, in order, as [staff] appraisers are (the fingerprint
    # and the permission check read one list whichever way it was written).
    return tuple(dict.fromkeys(value))


def _roles(value: Any) -> tuple[str, ...]:
    return _roles_of(value, "budget_approvers")


def _overrun_roles(value: Any) -> tuple[str, ...] | None:
    # None: overruns follow budget_approvers (every pack before session 27).
    return None if value is None else _roles_of(value, "overrun_approvers")


@refused_typed
@attrs.frozen
class FeesParams:
    """Parameters of :class:`DefaultFeesPolicy` (a pack loads them from TOML).

    - ``currency``: the currency of the price list and of schedules that name none (default ``CNY``).
    - ``parts``: part code → :class:`PartPriceEntry` (default: empty).
    - ``default_schedule``: fees of dealers without a schedule of their own (default: none set).
    - ``dealer_schedules``: dealer id → :class:`DealerFeeSchedule`.
    - ``prepay_out_of_warranty_parts``: out-of-warranty parts are paid before they ship (default ``True``,
      seed 002 款到发货); ``prepay_all_chargeable_parts`` extends that to parts charged in warranty
      because of a chargeable cause (default ``False``).
    """

    currency: str = attrs.field(default="CNY", validator=_currency)
    parts: Mapping[str, PartPriceEntry] = attrs.field(factory=dict, converter=_frozen_map)
    default_schedule: DealerFeeSchedule = attrs.field(factory=DealerFeeSchedule)
    dealer_schedules: Mapping[str, DealerFeeSchedule] = attrs.field(factory=dict, converter=_frozen_map)
    prepay_out_of_warranty_parts: bool = attrs.field(default=True, validator=true_or_false)
    prepay_all_chargeable_parts: bool = attrs.field(default=False, validator=true_or_false)
    budget_approvers: tuple[str, ...] = attrs.field(default=("general_manager",), converter=_roles)
    """Roles that approve cost budgets, and overruns unless ``overrun_approvers`` names others (seed 000:
    报公司管理层审批; default the general manager)."""
    overrun_approvers: tuple[str, ...] | None = attrs.field(default=None, converter=_overrun_roles)
    """Roles that approve spending over a budget (seed 000: 售后维护管理部门…对超出预算的费用进行分析和审批 —
    the department, not the management that approves the budget); default: ``budget_approvers``."""

    @property
    def overrun_approver_roles(self) -> tuple[str, ...]:
        """Who approves an overrun: ``overrun_approvers``, or ``budget_approvers`` when it names none."""
        return self.overrun_approvers if self.overrun_approvers is not None else self.budget_approvers

    budget_per_ticket: Decimal | None = attrs.field(default=None, converter=_optional_decimal)
    """The service cost budgeted per ticket, in ``currency`` (KPI reports compare with it; default none)."""
    payment_methods: tuple[str, ...] = attrs.field(
        default=DEFAULT_PAYMENT_METHODS, converter=payment_methods_list
    )
    """The ways of paying every payment and refund is recorded in (seed 002: 付款方式, 填注付款方式信息;
    default cash, transfer, wechat, alipay, card): another is refused naming the method's argument.
    Slips default to ``cash`` and refunds to ``transfer``: a list without them makes those calls name
    their method."""

    def __attrs_post_init__(self) -> None:
        # Every amount is checked against its currency's bounds here, when the pack loads, not at the
        # first quote that happens to use it.
        schedules = {"default_schedule": self.default_schedule}
        schedules.update({f"dealer_schedules.{d}": s for d, s in self.dealer_schedules.items()})
        for where, schedule in schedules.items():
            currency = schedule.currency or self.currency
            amounts = [(f"{where}.labour.{k}", v) for k, v in schedule.labour.items()]
            amounts += [(f"{where}.travel_zones.{k}", v) for k, v in schedule.travel_zones.items()]
            amounts += [(f"{where}.travel_bands.{b.up_to_km}", b.fee) for b in schedule.travel_bands]
            amounts.append((f"{where}.service_fee", schedule.service_fee))
            for field, amount in amounts:
                _money(amount, currency, field)
        if self.budget_per_ticket is not None:
            if self.budget_per_ticket < 0:
                raise ValidationError("budget_per_ticket must not be negative", field="budget_per_ticket")
            _money(self.budget_per_ticket, self.currency, "budget_per_ticket")
        for part, entry in self.parts.items():
            check_part_number(part, "parts")
            _money(entry.cost, self.currency, f"parts.{part}.cost")
            _money(entry.retail, self.currency, f"parts.{part}.retail")


def _parts_wanted(value: Mapping[str, int]) -> Mapping[str, int]:
    for part, quantity in value.items():
        if not isinstance(part, str) or not PART_NUMBER_PATTERN.fullmatch(part):
            raise ValidationError(f"not a part number: {part!r}", field="parts")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise ValidationError(f"quantity of {part!r} must be a positive whole number", field="parts")
    return MappingProxyType(dict(value))


def _optional_code(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        code(instance, attribute, value)


@refused_typed
@attrs.frozen
class QuoteRequest:
    """What a repair needs priced: parts and quantities, a job type, the trip, and the service fee."""

    parts: Mapping[str, int] = attrs.field(factory=dict, converter=_parts_wanted)
    job_type: str | None = attrs.field(default=None, validator=_optional_code)
    travel_zone: str | None = attrs.field(default=None, validator=_optional_code)
    distance_km: int | None = attrs.field(default=None)
    service_fee: bool = attrs.field(default=True, validator=true_or_false)

    def __attrs_post_init__(self) -> None:
        if self.distance_km is not None:
            _km(self, attrs.fields(QuoteRequest).distance_km, self.distance_km)
        if self.travel_zone is not None and self.distance_km is not None:
            raise ValidationError("give a travel zone or a distance, not both", field="travel_zone")


@runtime_checkable
class FeesPolicy(Protocol):
    """Prices parts and dealer work, and drafts quotes. Implementations must not read the clock."""

    name: str

    def part_price(self, part: str) -> PartPrice:
        """Cost and retail price of ``part``."""
        ...

    def labour_fee(self, dealer_id: DealerId | None, job_type: str) -> Money:
        """The labour fee ``dealer_id`` charges for ``job_type``."""
        ...

    def travel_fee(
        self, dealer_id: DealerId | None, *, zone: str | None = None, distance_km: int | None = None
    ) -> Money:
        """The travel fee of ``dealer_id`` for a trip to ``zone`` or of ``distance_km``."""
        ...

    def draft_quote(
        self,
        *,
        quote_id: QuoteId,
        ticket_id: TicketId,
        dealer_id: DealerId | None,
        handler: ActorRef,
        decision: Decision[ChargeOutcome],
        request: QuoteRequest,
        at: datetime,
    ) -> Quote:
        """A draft quote pricing ``request``, each line chargeable as ``decision`` says."""
        ...


class DefaultFeesPolicy:
    """The built-in :class:`FeesPolicy` (seed 002, 收费的标准; see the module docstring)."""

    def __init__(self, params: FeesParams | None = None, *, name: str = "builtin.fees") -> None:
        self.params = own_params(params, FeesParams, "fees")
        self.name = name
        self.price_list = PriceList.from_entries(self.params.currency, self.params.parts)
        # Every fee as Money, built once when the pack loads: a quote or a charge sheet looks fees up
        # instead of converting the schedule's Decimals (and checking their bounds) on every call.
        self._default_fees = _FeeTable(self.params.default_schedule, self.params.currency)
        self._dealer_fees = {
            dealer: _FeeTable(schedule, self.params.currency)
            for dealer, schedule in self.params.dealer_schedules.items()
        }
        # A charge sheet's part lines, built on first use and shared by every later sheet (the price
        # list is fixed for the policy's life); a subclass pricing parts its own way is asked each time.
        self._material_lines: dict[tuple[str, int, bool], tuple[ChargeLine, Money]] = {}
        self._memo_parts = type(self).part_price is DefaultFeesPolicy.part_price
        # A sheet's labour, travel and service-fee lines, by what prices them: a few dealers × jobs ×
        # zones × free/charged recur on every sheet. Only when this class prices the fees.
        self._work_lines: dict[tuple[object, ...], tuple[ChargeLine, ...]] = {}
        kind = type(self)
        self._memo_work = (
            kind.labour_fee is DefaultFeesPolicy.labour_fee
            and kind.travel_fee is DefaultFeesPolicy.travel_fee
            and kind.service_fee is DefaultFeesPolicy.service_fee
        )

    def _fees(self, dealer_id: DealerId | None) -> _FeeTable:
        if dealer_id is None:
            return self._default_fees
        return self._dealer_fees.get(dealer_id, self._default_fees)

    def schedule(self, dealer_id: DealerId | None) -> DealerFeeSchedule:
        """The fee schedule of ``dealer_id`` (the default schedule when it has none)."""
        if dealer_id is None:
            return self.params.default_schedule
        return self.params.dealer_schedules.get(dealer_id, self.params.default_schedule)

    def _currency(self, schedule: DealerFeeSchedule) -> str:
        return schedule.currency or self.params.currency

    def part_price(self, part: str) -> PartPrice:
        """Cost and retail price of ``part`` (:class:`NotFound` when not on the list)."""
        return self.price_list.price(part)

    def material_line(self, part: str, quantity: int, chargeable: bool) -> tuple[ChargeLine, Money]:
        """The line for ``quantity`` of ``part`` at the retail price, and the part's cost to dealers.

        ``quantity`` must already be checked (1–100000). :class:`NotFound` when the list has no price.
        """
        key = (part, quantity, chargeable)
        found = self._material_lines.get(key)
        if found is None:
            price = self.part_price(part)
            found = (charge_line(ChargeKind.MATERIALS, part, price.retail, quantity, chargeable), price.cost)
            if self._memo_parts and len(self._material_lines) < _MAX_MATERIAL_LINES:
                self._material_lines[key] = found
        return found

    def work_lines(
        self,
        dealer_id: DealerId | None,
        job_type: str | None,
        default_job_type: str | None,
        travel_zone: str | None,
        distance_km: int | None,
        service_fee: bool,
        outcome: ChargeOutcome,
    ) -> tuple[ChargeLine, ...]:
        """:func:`work_lines` priced by this policy, the same lines shared by every sheet that asks the
        same (the schedules are fixed for the policy's life); errors as :func:`work_lines`."""
        key = (
            dealer_id, job_type, default_job_type, travel_zone, distance_km, service_fee,
            outcome.labour, outcome.travel, outcome.service_fee,
        )  # fmt: skip
        found = self._work_lines.get(key)
        if found is None:
            found = work_lines(
                self, dealer_id, job_type, default_job_type, travel_zone, distance_km, service_fee, outcome
            )
            if self._memo_work and len(self._work_lines) < _MAX_MATERIAL_LINES:
                self._work_lines[key] = found
        return found

    def labour_fee(self, dealer_id: DealerId | None, job_type: str) -> Money:
        """The labour fee for ``job_type`` (:class:`NotFound` when the dealer's schedule has none)."""
        try:
            return self._fees(dealer_id).labour[job_type]
        except (KeyError, TypeError):
            raise NotFound("labour fee", job_type) from None

    def travel_fee(
        self, dealer_id: DealerId | None, *, zone: str | None = None, distance_km: int | None = None
    ) -> Money:
        """The travel fee for a trip to ``zone``, or of ``distance_km`` by the dealer's distance bands."""
        table = self._fees(dealer_id)
        if zone is not None:
            try:
                return table.zones[zone]
            except (KeyError, TypeError):
                raise NotFound("travel zone", zone) from None
        if distance_km is None:
            raise ValidationError("a travel fee needs a zone or a distance", field="travel_zone")
        for up_to_km, fee in table.bands:
            if distance_km <= up_to_km:
                return fee
        raise PolicyError(
            f"no travel fee for {distance_km} km: the schedule's bands end at "
            f"{table.bands[-1][0] if table.bands else 0} km",
            code="distance_beyond_schedule",
        )

    def service_fee(self, dealer_id: DealerId | None) -> Money:
        """The dealer's flat service fee (zero when it charges none)."""
        return self._fees(dealer_id).service

    def draft_quote(
        self,
        *,
        quote_id: QuoteId,
        ticket_id: TicketId,
        dealer_id: DealerId | None,
        handler: ActorRef,
        decision: Decision[ChargeOutcome],
        request: QuoteRequest,
        at: datetime,
    ) -> Quote:
        """A draft quote: parts at retail, the dealer's labour, travel and service fee, flagged per decision.

        All lines must share one currency, the quote's (the price list's); a dealer schedule in another
        currency raises :class:`~aftersales.errors.CurrencyMismatch`.
        """
        outcome = decision.outcome
        lines: list[ChargeLine] = []
        for part, quantity in request.parts.items():
            price = self.part_price(part).retail
            lines.append(ChargeLine(ChargeKind.MATERIALS, part, price, quantity, outcome.materials))
        if request.job_type is not None:
            fee = self.labour_fee(dealer_id, request.job_type)
            lines.append(ChargeLine(ChargeKind.LABOUR, request.job_type, fee, 1, outcome.labour))
        if request.travel_zone is not None or request.distance_km is not None:
            fee = self.travel_fee(dealer_id, zone=request.travel_zone, distance_km=request.distance_km)
            item = request.travel_zone or f"up_to_{request.distance_km}_km"
            lines.append(ChargeLine(ChargeKind.TRAVEL, item, fee, 1, outcome.travel))
        if request.service_fee:
            fee = self.service_fee(dealer_id)
            if fee:
                lines.append(ChargeLine(ChargeKind.SERVICE_FEE, "service_fee", fee, 1, outcome.service_fee))
        charged_parts = outcome.materials and bool(request.parts)
        prepay = charged_parts and (
            self.params.prepay_all_chargeable_parts
            or (self.params.prepay_out_of_warranty_parts and outcome.phase is WarrantyPhase.OUT_OF_WARRANTY)
        )
        return Quote(
            id=quote_id,
            ticket_id=ticket_id,
            currency=self.params.currency,
            created_at=at,
            handler=handler,
            lines=tuple(lines),
            payment_before_shipping=prepay,
            reasons=decision.reasons,
            policy=decision.policy,
        )


def work_lines(
    fees: Any,
    dealer_id: DealerId | None,
    job_type: str | None,
    default_job_type: str | None,
    travel_zone: str | None,
    distance_km: int | None,
    service_fee: bool,
    outcome: ChargeOutcome,
) -> tuple[ChargeLine, ...]:
    """A charge sheet's labour, travel and service-fee lines, priced by ``fees`` and chargeable as
    ``outcome`` says.

    Labour for ``job_type`` (it must be priced: :class:`NotFound`), else for ``default_job_type`` (the
    triage's nature) when the dealer prices it; travel to ``travel_zone`` or over ``distance_km``
    (either given); the dealer's flat service fee when ``service_fee`` and it is not zero.
    """
    lines: list[ChargeLine] = []
    labour = job_type
    if labour is None and default_job_type is not None:
        try:
            fee = fees.labour_fee(dealer_id, default_job_type)
            labour = default_job_type
        except NotFound:
            labour = None  # the dealer prices no such job: no labour line
    elif labour is not None:
        fee = fees.labour_fee(dealer_id, labour)
    if labour is not None:
        lines.append(charge_line(ChargeKind.LABOUR, labour, fee, 1, outcome.labour))
    if travel_zone is not None or distance_km is not None:
        fee = fees.travel_fee(dealer_id, zone=travel_zone, distance_km=distance_km)
        item = travel_zone or f"up_to_{distance_km}_km"
        lines.append(charge_line(ChargeKind.TRAVEL, item, fee, 1, outcome.travel))
    flat = getattr(fees, "service_fee", None)
    if service_fee and flat is not None:
        fee = flat(dealer_id)
        if fee:
            lines.append(charge_line(ChargeKind.SERVICE_FEE, "service_fee", fee, 1, outcome.service_fee))
    return tuple(lines)


class _FeeTable:
    """One dealer schedule's fees as Money (built once per pack load; read-only afterwards)."""

    __slots__ = ("bands", "labour", "service", "zones")

    def __init__(self, schedule: DealerFeeSchedule, default_currency: str) -> None:
        currency = schedule.currency or default_currency
        self.labour: Mapping[str, Money] = MappingProxyType(
            {job: Money(fee, currency) for job, fee in schedule.labour.items()}
        )
        self.zones: Mapping[str, Money] = MappingProxyType(
            {zone: Money(fee, currency) for zone, fee in schedule.travel_zones.items()}
        )
        self.bands: tuple[tuple[int, Money], ...] = tuple(
            (band.up_to_km, Money(band.fee, currency)) for band in schedule.travel_bands
        )
        self.service = Money(schedule.service_fee, currency)


KIND = PolicyKind("fees", FeesParams, DefaultFeesPolicy)
"""Makes the fees policy pluggable: a pack's ``[fees]`` section configures it."""
