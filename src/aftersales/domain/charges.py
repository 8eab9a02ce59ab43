"""Charges, quotes and payments (收费, 报价, 付款) of one ticket.

Seed 002 (材料收费, 叫修处理流程): a chargeable repair is priced, the customer is asked; if the customer
accepts, the pick slip is issued, if not, the case goes to the superior (上报上级领导处理). So:

- a :class:`Quote` lists :class:`ChargeLine` s in one currency and moves draft → offered → accepted or
  refused (:data:`QUOTE_WORKFLOW`); an accepted or refused quote never changes again;
- refusing returns a :class:`QuoteEscalation` the service layer routes to the handler's superior;
- a :class:`ChargeSheet` per ticket holds the quotes, the payments and the free work done, and totals
  them per :class:`ChargeKind` for the cost reports. Nothing is charged without an accepted quote.

Every object here is immutable except the sheet, and every one round-trips through
``aftersales.serialization``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, NewType

import attrs

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.ids import TicketId
from aftersales.domain.money import Money, currency_exponent
from aftersales.domain.part_numbers import part_number
from aftersales.domain.reasons import Reason
from aftersales.domain.text import bounded, code, required_text
from aftersales.domain.work import aware, optional_aware
from aftersales.domain.workflow import STAY, TransitionSpec, Workflow
from aftersales.errors import (
    CurrencyMismatch,
    DuplicateError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)

__all__ = [
    "QUOTE_WORKFLOW",
    "SHEET_LINE_SLOTS",
    "ChargeKind",
    "ChargeLine",
    "ChargeSheet",
    "Payment",
    "PaymentId",
    "Quote",
    "QuoteEscalation",
    "QuoteId",
    "QuoteState",
    "SheetLine",
    "charge_line",
    "priced_line",
    "sheet_line",
]

QuoteId = NewType("QuoteId", str)
PaymentId = NewType("PaymentId", str)


class ChargeKind(CodedEnum):
    """What a charge line is for: materials (parts, 材料费), labour, travel, or the dealer's service fee."""

    MATERIALS = "materials"
    LABOUR = "labour"
    TRAVEL = "travel"
    SERVICE_FEE = "service_fee"


class QuoteState(CodedEnum):
    """States of a quote (报价)."""

    DRAFT = "draft"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    REFUSED = "refused"


_Q = QuoteState
_R = Role
_PRICERS = frozenset({_R.AGENT, _R.ENGINEER, _R.DEALER_STAFF, _R.MANAGER, _R.DEPARTMENT_HEAD})
# Staff may record the customer's answer given by phone; the record keeps who recorded it.
_ANSWERERS = frozenset({_R.CUSTOMER, _R.AGENT, _R.DEALER_STAFF, _R.MANAGER})
_PAYERS_ANSWERS = frozenset({"accept", "refuse", "pay"})
"""Steps only the payer (or staff recording its answer) takes: a customer never answers a dealer's quote."""

QUOTE_WORKFLOW = Workflow(
    "quote",
    QuoteState,
    _Q.DRAFT,
    [
        TransitionSpec("edit", (_Q.DRAFT,), STAY, _PRICERS),
        TransitionSpec("offer", (_Q.DRAFT,), _Q.OFFERED, _PRICERS),
        TransitionSpec("revise", (_Q.OFFERED,), _Q.DRAFT, _PRICERS, needs_reason=True),
        TransitionSpec("accept", (_Q.OFFERED,), _Q.ACCEPTED, _ANSWERERS),
        TransitionSpec("refuse", (_Q.OFFERED,), _Q.REFUSED, _ANSWERERS),
        TransitionSpec("pay", (_Q.ACCEPTED,), STAY, _ANSWERERS | {_R.ENGINEER, _R.SYSTEM}),
    ],
    final=(_Q.ACCEPTED, _Q.REFUSED),
)
"""draft → offered → accepted | refused; ``revise`` takes an offer back to draft before the answer."""


def _quote_target(quote: Quote, trigger: str) -> str:
    """The state ``trigger`` takes ``quote`` to, else the refusal naming the quote (a record of its own:
    its words are ``quote_state.*`` and ``quote_action.*``, not the ticket's)."""
    try:
        return QUOTE_WORKFLOW.target(quote.state.value, trigger)
    except InvalidTransition as refused:
        raise InvalidTransition(
            QUOTE_WORKFLOW.name, refused.state, trigger, record_id=quote.id, why=refused.why
        ) from None


def _kind(value: str) -> ChargeKind:
    if type(value) is ChargeKind:
        return value  # the common case: lines are built by code, not parsed
    try:
        return ChargeKind(value)
    except ValueError:
        raise ValidationError(f"unknown charge kind {value!r}", field="kind") from None


def _state(value: str) -> QuoteState:
    try:
        return QuoteState(value)
    except ValueError:
        raise ValidationError(f"unknown quote state {value!r}", field="state") from None


def _quantity(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100_000:
        raise ValidationError(
            f"{attribute.name} must be a whole number, 1–100000",
            field=attribute.name,
            rule="whole_number",
            rule_params={"least": 1, "most": 100_000},
        )


def _not_negative(instance: object, attribute: attrs.Attribute[Money], value: Money) -> None:
    if not isinstance(value, Money):
        raise ValidationError(f"{attribute.name} must be Money", field=attribute.name, rule="money")
    if value.amount < 0:
        raise ValidationError(
            f"{attribute.name} must not be negative, got {value}", field=attribute.name, rule="non_negative"
        )


def _currency(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    currency_exponent(value)  # raises UnknownCurrency


@attrs.frozen
class ChargeLine:
    """One priced line: ``quantity`` × ``unit_price`` of ``item`` (a part code, job type, zone, …).

    ``chargeable`` comes from the chargeability decision. A free line keeps its price (``value``, what
    the work is worth, for cost reports) but its ``amount`` — what the customer pays — is zero.
    """

    kind: ChargeKind = attrs.field(converter=_kind)
    item: str = attrs.field(validator=part_number)
    unit_price: Money = attrs.field(validator=_not_negative)
    quantity: int = attrs.field(default=1, validator=_quantity)
    chargeable: bool = True

    @property
    def value(self) -> Money:
        """What the line is worth at its price, chargeable or not."""
        return self.unit_price * self.quantity

    @property
    def amount(self) -> Money:
        """What the customer pays for this line: ``value`` if chargeable, zero otherwise."""
        if self.chargeable:
            return self.unit_price * self.quantity
        return Money.zero(self.unit_price.currency)


def _lines(value: Iterable[ChargeLine]) -> tuple[ChargeLine, ...]:
    return tuple(value)


def _reasons(value: Iterable[Reason]) -> tuple[Reason, ...]:
    return tuple(value)


def _totals(lines: Iterable[ChargeLine], currency: str, *, charged: bool) -> dict[ChargeKind, Money]:
    totals = {kind: Money.zero(currency) for kind in ChargeKind}
    for line in lines:
        totals[line.kind] = totals[line.kind] + (line.amount if charged else line.value)
    return totals


def _require_after(at: datetime, earlier: datetime | None, field: str) -> None:
    if earlier is not None and at < earlier:
        raise ValidationError(f"{field} cannot be before {earlier.isoformat()}", field=field)


@attrs.frozen
class QuoteEscalation:
    """A refused quote, to be taken up by the handler's superior (上报上级领导处理).

    The service layer resolves who the superior is and opens the escalation; this record says what
    was refused, by whom, when and why (reason codes, e.g. ``quote_refused`` + the customer's causes).
    """

    quote_id: QuoteId = attrs.field(validator=required_text(64))
    ticket_id: TicketId = attrs.field(validator=required_text(64))
    at: datetime = attrs.field(validator=aware)
    refused_by: ActorRef
    handler: ActorRef
    total: Money
    reasons: tuple[Reason, ...] = attrs.field(converter=_reasons)

    def __attrs_post_init__(self) -> None:
        if not self.reasons:
            raise ValidationError("an escalation must carry at least one reason", field="reasons")


@attrs.frozen
class Quote:
    """A quote (报价) for a chargeable repair, in one currency.

    Immutable: every step returns a new quote. Lines may change only while the quote is a draft;
    once accepted or refused nothing changes (:class:`~aftersales.errors.InvalidTransition`).
    ``payment_before_shipping`` marks parts that are paid before they ship (seed 002: 保修期外…款到发货);
    the materials issue checks it. ``reasons`` and ``policy`` carry the chargeability decision the
    lines were priced on, so the customer sees why each line is charged.
    """

    id: QuoteId = attrs.field(validator=required_text(64))
    ticket_id: TicketId = attrs.field(validator=required_text(64))
    currency: str = attrs.field(validator=_currency)
    created_at: datetime = attrs.field(validator=aware)
    handler: ActorRef
    lines: tuple[ChargeLine, ...] = attrs.field(default=(), converter=_lines)
    state: QuoteState = attrs.field(default=QuoteState.DRAFT, converter=_state)
    payment_before_shipping: bool = False
    reasons: tuple[Reason, ...] = attrs.field(default=(), converter=_reasons)
    policy: str = attrs.field(default="", validator=bounded(200))
    payer: str = attrs.field(default="customer", validator=attrs.validators.in_(("customer", "dealer")))
    """Who is asked to pay: the end customer (user prices) or the dealer buying parts from the maker."""
    offered_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    decided_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    decided_by: ActorRef | None = None
    answer_reasons: tuple[Reason, ...] = attrs.field(default=(), converter=_reasons)

    def __attrs_post_init__(self) -> None:
        for line in self.lines:
            if line.unit_price.currency != self.currency:
                raise CurrencyMismatch(self.currency, line.unit_price.currency)

    # -- steps -------------------------------------------------------------------------------------

    def _step(self, trigger: str, by: ActorRef) -> QuoteState:
        target = QuoteState(_quote_target(self, trigger))
        if by.role not in QUOTE_WORKFLOW.spec(trigger).roles:
            raise PermissionDenied(str(by), f"{trigger} a quote", self.id, rule=f"quote_{trigger}")
        if by.role is _R.CUSTOMER and self.payer != "customer" and trigger in _PAYERS_ANSWERS:
            # The dealer's purchase from the maker (成本价) is the dealer's to answer and pay, not the user's.
            raise PermissionDenied(
                str(by),
                f"{trigger} the {self.payer}'s purchase",
                self.id,
                rule=f"purchase_{trigger}",
                facts={"payer": self.payer},
            )
        return target

    def with_lines(self, lines: Iterable[ChargeLine], by: ActorRef) -> Quote:
        """A draft with ``lines`` replacing the current ones (currencies must match the quote's)."""
        self._step("edit", by)
        return attrs.evolve(self, lines=tuple(lines))

    def offer(self, at: datetime, by: ActorRef) -> Quote:
        """Put the draft to the customer. It must charge something (a free repair needs no quote)."""
        state = self._step("offer", by)
        _require_after(at, self.created_at, "offered_at")
        if not any(line.chargeable for line in self.lines):
            raise ValidationError("a quote must have at least one chargeable line", field="lines")
        return attrs.evolve(self, state=state, offered_at=at)

    def revise(self, at: datetime, by: ActorRef) -> Quote:
        """Take an unanswered offer back to draft to change it."""
        state = self._step("revise", by)
        _require_after(at, self.offered_at, "revised_at")
        return attrs.evolve(self, state=state, offered_at=None)

    def accept(self, at: datetime, by: ActorRef) -> Quote:
        """The customer accepts (用户同意支付): from now on the quote's chargeable lines are charged."""
        state = self._step("accept", by)
        _require_after(at, self.offered_at, "decided_at")
        return attrs.evolve(self, state=state, decided_at=at, decided_by=by)

    def refuse(
        self, at: datetime, by: ActorRef, reasons: Iterable[Reason] = ()
    ) -> tuple[Quote, QuoteEscalation]:
        """The customer refuses (用户不接受): the refused quote, and the escalation to the handler's boss."""
        state = self._step("refuse", by)
        _require_after(at, self.offered_at, "decided_at")
        given = tuple(reasons)
        refused = attrs.evolve(self, state=state, decided_at=at, decided_by=by, answer_reasons=given)
        escalation = QuoteEscalation(
            quote_id=self.id,
            ticket_id=self.ticket_id,
            at=at,
            refused_by=by,
            handler=self.handler,
            total=self.total,
            reasons=(Reason("quote_refused", {"quote_id": self.id, "total": str(self.total.amount)}), *given),
        )
        return refused, escalation

    # -- figures -----------------------------------------------------------------------------------

    @property
    def total(self) -> Money:
        """What the customer is asked to pay (chargeable lines only)."""
        return Money.total((line.amount for line in self.lines), self.currency)

    @property
    def charged_parts(self) -> dict[str, int]:
        """Part number → quantity the quote charges (its chargeable materials lines): what an accepted
        quote takes off the free loans (已收费的材料不计入盘点表)."""
        parts: dict[str, int] = {}
        for line in self.lines:
            if line.kind is ChargeKind.MATERIALS and line.chargeable:
                parts[line.item] = parts.get(line.item, 0) + line.quantity
        return parts

    @property
    def materials_total(self) -> Money:
        """The chargeable materials, the part of the total that may have to be paid before shipping."""
        return Money.total(
            (line.amount for line in self.lines if line.kind is ChargeKind.MATERIALS), self.currency
        )

    def totals(self) -> dict[ChargeKind, Money]:
        """Charged amount per kind (every kind present, zero when none)."""
        return _totals(self.lines, self.currency, charged=True)

    def values(self) -> dict[ChargeKind, Money]:
        """Worth of the lines per kind, free ones included (the cost of the service)."""
        return _totals(self.lines, self.currency, charged=False)


@attrs.frozen
class SheetLine:
    """One line of a ticket's assessed charges: the priced line and why it is charged or free.

    ``component`` is the component the warranty was judged on (``None``: the whole product);
    ``phase`` the warranty phase code of that judgement; ``dealer_cost`` the maker's price to dealers
    for a part (what the dealer pays the maker when the part is not free), ``None`` for work and fees.
    """

    line: ChargeLine
    reasons: tuple[Reason, ...] = attrs.field(converter=_reasons)
    component: str | None = None
    phase: str = ""
    dealer_cost: Money | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.line, ChargeLine):
            raise ValidationError("a sheet line holds a ChargeLine", field="line")
        if not self.reasons:
            raise ValidationError("every line of a charge sheet says why", field="reasons")
        if self.dealer_cost is not None:
            if not isinstance(self.dealer_cost, Money) or self.dealer_cost.amount < 0:
                raise ValidationError(
                    "dealer_cost must be non-negative Money", field="dealer_cost", rule="non_negative"
                )
            if self.dealer_cost.currency != self.line.unit_price.currency:
                raise CurrencyMismatch(self.line.unit_price.currency, self.dealer_cost.currency)


_LINES: dict[tuple[int, ChargeKind, str, int, bool], tuple[Money, ChargeLine]] = {}
_MAX_LINES = 8192  # a price list's parts × usual quantities; beyond it lines are simply built


def charge_line(
    kind: ChargeKind, item: str, unit_price: Money, quantity: int, chargeable: bool
) -> ChargeLine:
    """A charge line from values already checked (see :func:`priced_line`), shared when it recurs.

    Lines are frozen values: the same part, price, quantity and flag on thousands of sheets share one,
    so a kept sheet holds no copy of its own. Keyed by the price's identity; the entry holds the price,
    so the id cannot be reused meanwhile.
    """
    key = (id(unit_price), kind, item, quantity, chargeable)
    found = _LINES.get(key)
    if found is not None and found[0] is unit_price:
        return found[1]
    line = _NEW(ChargeLine)
    _SET_KIND(line, kind)
    _SET_ITEM(line, item)
    _SET_PRICE(line, unit_price)
    _SET_QUANTITY(line, quantity)
    _SET_CHARGEABLE(line, chargeable)
    if len(_LINES) < _MAX_LINES:
        _LINES[key] = (unit_price, line)
    return line


def sheet_line(
    line: ChargeLine,
    reasons: tuple[Reason, ...],
    component: str | None = None,
    phase: str = "",
    dealer_cost: Money | None = None,
) -> SheetLine:
    """A sheet line from a checked ``line`` and a decision's non-empty ``reasons`` tuple (shared, not
    copied: every part judged by one warranty term points at that decision's reasons)."""
    sheet = _NEW(SheetLine)
    _SET_LINE(sheet, line)
    _SET_REASONS(sheet, reasons)
    _SET_COMPONENT(sheet, component)
    _SET_PHASE(sheet, phase)
    _SET_DEALER_COST(sheet, dealer_cost)
    return sheet


def priced_line(
    kind: ChargeKind,
    item: str,
    unit_price: Money,
    quantity: int,
    chargeable: bool,
    reasons: tuple[Reason, ...],
    component: str | None = None,
    phase: str = "",
    dealer_cost: Money | None = None,
) -> SheetLine:
    """A sheet line from values the assessment has already checked: ``item`` a part number or code it
    was given or priced, ``unit_price``/``dealer_cost`` Money from the validated price list or dealer
    schedule (one currency, non-negative), ``quantity`` 1–100000, ``reasons`` a non-empty tuple.

    Why not the constructors: an assessment builds ten lines per call and re-running every validator
    on price-list values was a quarter of its cost. Anything a caller passes in (``assess(parts=…)``)
    is checked before it gets here.
    """
    line = charge_line(kind, item, unit_price, quantity, chargeable)
    return sheet_line(line, reasons, component, phase, dealer_cost)


# The slots' own setters: lines are filled without the frozen classes' __setattr__ lookups.
_NEW = object.__new__
SHEET_LINE_SLOTS: tuple[Callable[[SheetLine, Any], None], ...] = tuple(
    SheetLine.__dict__[name].__set__ for name in ("line", "reasons", "component", "phase", "dealer_cost")
)
"""The setters of a :class:`SheetLine`'s slots (line, reasons, component, phase, dealer_cost), for code
that builds many lines from checked values (:func:`sheet_line` says what each must be)."""
_SET_LINE, _SET_REASONS, _SET_COMPONENT, _SET_PHASE, _SET_DEALER_COST = SHEET_LINE_SLOTS
_SET_KIND, _SET_ITEM, _SET_PRICE, _SET_QUANTITY, _SET_CHARGEABLE = (
    ChargeLine.__dict__[name].__set__ for name in ("kind", "item", "unit_price", "quantity", "chargeable")
)


def _sheet_lines(value: Iterable[SheetLine]) -> list[SheetLine]:
    return list(value)


def _line_key(line: SheetLine) -> tuple[str, str]:
    return line.line.kind.value, line.line.item


def _positive_money(instance: object, attribute: attrs.Attribute[Money], value: Money) -> None:
    if not isinstance(value, Money) or value.amount <= 0:
        raise ValidationError(
            f"{attribute.name} must be a positive Money amount", field=attribute.name, rule="positive"
        )


@attrs.frozen
class Payment:
    """Money received from the customer against an accepted quote."""

    id: PaymentId = attrs.field(validator=required_text(64))
    quote_id: QuoteId = attrs.field(validator=required_text(64))
    amount: Money = attrs.field(validator=_positive_money)
    received_at: datetime = attrs.field(validator=aware)
    recorded_by: ActorRef
    method: str = attrs.field(default="cash", validator=code)
    reference: str = attrs.field(default="", validator=bounded(200))


@attrs.define
class ChargeSheet:
    """Charges and payments of one ticket (售后服务材料收费暨报销单), in one currency.

    Holds the quotes (every version of their state is the latest one kept here), the payments, the
    escalations of refused quotes, and ``free_work``: lines done free of charge (in warranty), kept so
    the cost reports see what the service cost even when the customer paid nothing.
    A failed call changes nothing.
    """

    ticket_id: TicketId = attrs.field(validator=required_text(64))
    currency: str = attrs.field(validator=_currency)
    quotes: list[Quote] = attrs.field(factory=list)
    payments: list[Payment] = attrs.field(factory=list)
    escalations: list[QuoteEscalation] = attrs.field(factory=list)
    free_work: list[ChargeLine] = attrs.field(factory=list)
    lines: list[SheetLine] = attrs.field(factory=list, converter=_sheet_lines)
    """The assessed lines (one per part, labour, travel and fee), each with its reasons."""
    reasons: tuple[Reason, ...] = attrs.field(default=(), converter=_reasons)
    """Why, for the repair as a whole (warranty of the unit, causes, visit kind)."""
    phase: str = ""
    assessed_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    assessed_by: ActorRef | None = None
    revision: int = 0
    policy: str = attrs.field(default="", validator=bounded(200))
    refunds: list[Payment] = attrs.field(factory=list)
    """Money paid back against an accepted quote (its credit slip's reference): the payments stay as
    they were received."""

    def copy(self) -> ChargeSheet:
        """An independent copy with its own lists: change the copy, store it; a failure changes nothing."""
        return attrs.evolve(
            self,
            quotes=list(self.quotes),
            payments=list(self.payments),
            refunds=list(self.refunds),
            escalations=list(self.escalations),
            free_work=list(self.free_work),
            lines=list(self.lines),
        )

    @property
    def has_dealer_side(self) -> bool:
        """Whether the sheet holds what is between the maker and the dealer: a line's price to the dealer
        (成本价) or a quote, payment or escalation of the dealer's purchase."""
        dealer = {q.id for q in self.quotes if q.payer != "customer"}
        return bool(dealer) or any(line.dealer_cost is not None for line in self.lines)

    def for_customer(self) -> ChargeSheet:
        """The sheet as the end customer may read it: their own quotes, payments and escalations, and the
        lines without the maker's price to the dealer (seed 002: the dealer buys parts at cost, a price
        between the maker and its dealer)."""
        mine = {q.id for q in self.quotes if q.payer == "customer"}
        return attrs.evolve(
            self,
            quotes=[q for q in self.quotes if q.id in mine],
            payments=[p for p in self.payments if p.quote_id in mine],
            escalations=[e for e in self.escalations if e.quote_id in mine],
            free_work=list(self.free_work),
            lines=[attrs.evolve(line, dealer_cost=None) for line in self.lines],
        )

    def reassess(
        self,
        lines: Iterable[SheetLine],
        *,
        at: datetime,
        by: ActorRef,
        phase: str,
        reasons: Iterable[Reason],
        policy: str,
    ) -> tuple[str, ...]:
        """Replace the assessed lines; returns what changed (``added:materials:WN-CB-01``, ``now_free:…``).

        Quotes already answered stay as they were (an accepted quote is a contract); an offered quote
        built on the old lines no longer matches them: when a line's price, quantity, chargeability or
        cost to the dealer, or the phase, changed, it is withdrawn (back to draft, ``withdrawn:<id>``) so
        the payer cannot accept what the new assessment no longer charges (a complaint's warranty
        extension making the repair free), and must be quoted again.
        """
        new = list(lines)
        for line in new:
            if not isinstance(line, SheetLine):
                raise ValidationError("lines are SheetLine values", field="lines")
            if line.line.unit_price.currency != self.currency:
                raise CurrencyMismatch(self.currency, line.line.unit_price.currency)
        if self.assessed_at is not None and at < self.assessed_at:
            raise ValidationError("an assessment cannot predate the last one", field="at")
        before = {_line_key(line): line for line in self.lines}
        after = {_line_key(line): line for line in new}
        changes: list[str] = []
        for key, line in after.items():
            old = before.get(key)
            name = f"{key[0]}:{key[1]}"
            if old is None:
                changes.append(f"added:{name}")
            elif old.line.chargeable != line.line.chargeable:
                changes.append(f"{'now_chargeable' if line.line.chargeable else 'now_free'}:{name}")
            elif old.line != line.line:
                changes.append(f"repriced:{name}")
        changes += [f"removed:{k[0]}:{k[1]}" for k in before if k not in after]
        if self.phase and phase != self.phase:
            changes.insert(0, f"phase:{self.phase}->{phase}")
        offered = any(q.state is QuoteState.OFFERED for q in self.quotes)
        if offered and (
            self.phase != phase
            or [(ln.line, ln.dealer_cost) for ln in self.lines] != [(ln.line, ln.dealer_cost) for ln in new]
        ):
            for index, quote in enumerate(self.quotes):
                if quote.state is QuoteState.OFFERED:
                    # The sheet withdraws it, whoever assessed: no answer may bind the payer to old lines.
                    self.quotes[index] = attrs.evolve(quote, state=QuoteState.DRAFT, offered_at=None)
                    changes.append(f"withdrawn:{quote.id}")
        self.lines = new
        self.reasons = tuple(reasons)
        self.phase, self.assessed_at, self.assessed_by, self.policy = phase, at, by, policy
        self.revision += 1
        return tuple(changes)

    @property
    def customer_total(self) -> Money:
        """What the customer is asked to pay for the assessed lines (chargeable ones only)."""
        return Money.total((line.line.amount for line in self.lines), self.currency)

    @property
    def service_value(self) -> Money:
        """What the assessed work is worth at user prices, free lines included (the cost of service)."""
        return Money.total((line.line.value for line in self.lines), self.currency)

    @property
    def dealer_cost_total(self) -> Money:
        """What the dealer pays the maker for the parts that are not free (maker's price to dealers)."""
        return Money.total(
            (
                line.dealer_cost * line.line.quantity
                for line in self.lines
                if line.dealer_cost is not None and line.line.chargeable
            ),
            self.currency,
        )

    def chargeable_lines(self) -> tuple[SheetLine, ...]:
        """The assessed lines the customer pays for."""
        return tuple(line for line in self.lines if line.line.chargeable)

    def quote(self, quote_id: str) -> Quote:
        """The quote ``quote_id`` (:class:`NotFound` if this sheet has none)."""
        for quote in self.quotes:
            if quote.id == quote_id:
                return quote
        raise NotFound("quote", quote_id)

    def _put(self, quote: Quote) -> None:
        for index, existing in enumerate(self.quotes):
            if existing.id == quote.id:
                self.quotes[index] = quote
                return
        self.quotes.append(quote)

    def add_quote(self, quote: Quote) -> None:
        """Record a new draft quote for this ticket."""
        if quote.ticket_id != self.ticket_id:
            raise ValidationError(f"quote {quote.id} is for ticket {quote.ticket_id}", field="ticket_id")
        if quote.currency != self.currency:
            raise CurrencyMismatch(self.currency, quote.currency)
        if quote.state is not QuoteState.DRAFT:
            raise ValidationError("only a draft quote can be added", field="state")
        if any(q.id == quote.id for q in self.quotes):
            raise DuplicateError(f"quote {quote.id!r} is already on ticket {self.ticket_id}")
        self.quotes.append(quote)

    def edit(self, quote_id: str, lines: Iterable[ChargeLine], by: ActorRef) -> Quote:
        """Replace the lines of a draft quote."""
        quote = self.quote(quote_id).with_lines(lines, by)
        self._put(quote)
        return quote

    def offer(self, quote_id: str, at: datetime, by: ActorRef) -> Quote:
        """Offer a draft to the customer."""
        quote = self.quote(quote_id).offer(at, by)
        self._put(quote)
        return quote

    def revise(self, quote_id: str, at: datetime, by: ActorRef) -> Quote:
        """Take an unanswered offer back to draft."""
        quote = self.quote(quote_id).revise(at, by)
        self._put(quote)
        return quote

    def accept(self, quote_id: str, at: datetime, by: ActorRef) -> Quote:
        """Record the customer's acceptance."""
        quote = self.quote(quote_id).accept(at, by)
        self._put(quote)
        return quote

    def refuse(
        self, quote_id: str, at: datetime, by: ActorRef, reasons: Iterable[Reason] = ()
    ) -> QuoteEscalation:
        """Record the customer's refusal; returns (and keeps) the escalation to the handler's superior."""
        quote, escalation = self.quote(quote_id).refuse(at, by, reasons)
        self._put(quote)
        self.escalations.append(escalation)
        return escalation

    def record_payment(self, payment: Payment) -> None:
        """Record a payment against an accepted quote; more than is still owed on it is refused."""
        quote = self.quote(payment.quote_id)
        _quote_target(quote, "pay")  # only accepted quotes are payable
        if payment.recorded_by.role is _R.CUSTOMER and quote.payer != "customer":
            # The dealer's purchase from the maker (成本价) is the dealer's to pay, not the user's.
            raise PermissionDenied(
                str(payment.recorded_by),
                f"pay the {quote.payer}'s purchase",
                quote.id,
                rule="purchase_pay",
                facts={"payer": quote.payer},
            )
        if payment.amount.currency != self.currency:
            raise CurrencyMismatch(self.currency, payment.amount.currency, field="amount")
        if any(p.id == payment.id for p in self.payments):
            raise DuplicateError(f"payment {payment.id!r} is already recorded")
        if payment.amount > quote.total - self.paid_on(quote.id):
            raise ValidationError(
                f"payment of {payment.amount} exceeds what is owed on quote {quote.id}", field="amount"
            )
        self.payments.append(payment)

    def record_free_work(self, lines: Iterable[ChargeLine]) -> None:
        """Record work done free of charge, for the cost reports. A chargeable line needs a quote."""
        new = tuple(lines)
        for line in new:
            if line.chargeable:
                raise ValidationError(
                    f"{line.kind.value} line {line.item!r} is chargeable: it needs an accepted quote",
                    field="chargeable",
                )
            if line.unit_price.currency != self.currency:
                raise CurrencyMismatch(self.currency, line.unit_price.currency)
        self.free_work.extend(new)

    # -- figures -----------------------------------------------------------------------------------

    def _accepted(self) -> list[Quote]:
        return [q for q in self.quotes if q.state is QuoteState.ACCEPTED]

    def charged_totals(self) -> dict[ChargeKind, Money]:
        """What the customer is charged, per kind: chargeable lines of accepted quotes only."""
        return _totals((line for q in self._accepted() for line in q.lines), self.currency, charged=True)

    def cost_totals(self) -> dict[ChargeKind, Money]:
        """What the work done is worth, per kind: accepted quotes' lines (free ones too) and free work."""
        lines: list[ChargeLine] = [line for q in self._accepted() for line in q.lines]
        lines.extend(self.free_work)
        return _totals(lines, self.currency, charged=False)

    @property
    def charged(self) -> Money:
        """Total charged to the customer."""
        return Money.total((q.total for q in self._accepted()), self.currency)

    @property
    def paid(self) -> Money:
        """Total received."""
        return Money.total((p.amount for p in self.payments), self.currency)

    @property
    def balance(self) -> Money:
        """Still owed by the customer."""
        return self.charged - self.paid

    @property
    def refunded(self) -> Money:
        """Total paid back (refunds of lines made free after payment, or of a cancelled job)."""
        return Money.total((r.amount for r in self.refunds), self.currency)

    def record_refund(self, refund: Payment) -> None:
        """Record money paid back against an accepted quote (the fee desk checked its slip was paid: a
        quote's slip may also be paid on the fee desk, outside this sheet)."""
        if not isinstance(refund, Payment):
            raise ValidationError("a refund is a Payment value", field="refund")
        if refund.amount.currency != self.currency:
            raise CurrencyMismatch(self.currency, refund.amount.currency)
        if self.quote(refund.quote_id).state is not QuoteState.ACCEPTED:
            raise ValidationError(f"quote {refund.quote_id} was not accepted", field="quote_id")
        self.refunds.append(refund)

    def paid_on(self, quote_id: str) -> Money:
        """Total received against ``quote_id``."""
        return Money.total((p.amount for p in self.payments if p.quote_id == quote_id), self.currency)

    def unpaid_before_shipping(self, parts: Iterable[str]) -> tuple[Quote, ...]:
        """The accepted quotes charging any of ``parts`` that say they are paid first (款到发货) and are not
        paid yet: those parts may not ship, whichever request carries them (the customer's quote may have
        filed the pick slip while the dealer's purchase from the maker is what is paid first)."""
        wanted = set(parts)
        return tuple(
            q
            for q in self.quotes
            if q.state is QuoteState.ACCEPTED
            and q.payment_before_shipping
            and wanted & set(q.charged_parts)
            and not self.parts_cleared_for_shipping(q.id)
        )

    def parts_cleared_for_shipping(self, quote_id: str) -> bool:
        """May the parts of ``quote_id`` ship? Accepted, and paid first when the quote says so (款到发货)."""
        quote = self.quote(quote_id)
        if quote.state is not QuoteState.ACCEPTED:
            return False
        if not quote.payment_before_shipping:
            return True
        return self.paid_on(quote_id) >= quote.materials_total
