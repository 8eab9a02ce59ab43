"""Fee slips (《售后服务材料收费暨报销单》) and the invoices collected from them.

Seed 002 (材料收费 · 工作程序): charged materials are listed on a fee slip with the payment method; then
either the customer wants an invoice for this job now (the slip goes to finance), or later (the slip is
archived un-torn until the customer asks for one invoice over several slips), or never (archived).
Revenue is counted per month from the slips. So:

- a :class:`FeeSlip` is numbered, never deleted, and cancelled only with a reason (an invoiced slip
  cannot be cancelled here: finance reverses an invoice with a credit note);
- its lines are :class:`~aftersales.domain.charges.ChargeLine` s, chargeable or free (free lines say
  what was issued at no charge; they add nothing to the total);
- :class:`InvoiceRecord` collects one or more slips of one customer into one invoice request, which
  the host's finance system issues through the ``InvoiceIssuer`` port.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import ClassVar

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.instants import require_aware
from aftersales.domain.money import Money, currency_exponent
from aftersales.domain.reasons import Reason
from aftersales.domain.text import bounded, code, required_text
from aftersales.domain.work import aware, optional_aware
from aftersales.errors import CurrencyMismatch, InvalidTransition, ValidationError

__all__ = [
    "MONEY_ROW_SEPARATOR",
    "FeeSlip",
    "InvoiceRecord",
    "InvoiceState",
    "InvoiceWish",
    "MaterialsMovement",
    "MovementKind",
    "SlipOrigin",
    "SlipPayment",
    "SlipState",
    "lines_left",
    "money_row",
]


class InvoiceWish(CodedEnum):
    """Does the customer want an invoice: for this job now, later (collected with others), or never."""

    NOW = "now"
    LATER = "later"
    NEVER = "never"


class SlipState(CodedEnum):
    """A slip is issued or cancelled; it is never deleted."""

    ISSUED = "issued"
    CANCELLED = "cancelled"


class SlipOrigin(CodedEnum):
    """Why the slip was written: a chargeable job, or loaned materials never returned (事实占有, 其他 3)."""

    JOB = "job"
    UNRETURNED_MATERIALS = "unreturned_materials"
    REFUND = "refund"
    """A credit slip (退款单): lines of a paid slip that became free afterwards (a complaint's warranty
    extension), credited and paid back. It names the slip it credits (``credits_slip``), which stays as
    it was; its lines count negative in the month it is written."""


class InvoiceState(CodedEnum):
    """An invoice request is sent to finance, then issued (or it failed and waits for a retry)."""

    REQUESTED = "requested"
    ISSUED = "issued"
    FAILED = "failed"


def _lines(value: Iterable[ChargeLine]) -> tuple[ChargeLine, ...]:
    items = tuple(value)
    if not all(isinstance(line, ChargeLine) for line in items):
        raise ValidationError("lines are ChargeLine values", field="lines")
    return items


_PAYERS = ("customer", "dealer", "engineer")


MONEY_ROW_SEPARATOR = "\x1f"


def money_row(month: str, figures: list[object]) -> str:
    """The indexed money row of a slip or movement: ``month`` + separator + the figures as JSON.

    Month first so one month is one range of the index; the JSON after it is read without the document.
    """
    return month + MONEY_ROW_SEPARATOR + json.dumps(figures, separators=(",", ":"), ensure_ascii=False)


def _minor(money: Money) -> int:
    """``money`` in whole minor units of its currency (exact: amounts are rounded to them)."""
    return int(money.amount / currency_exponent(money.currency))


def _reason_tuple(value: Iterable[Reason]) -> tuple[Reason, ...]:
    return tuple(value)


def _currency(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    currency_exponent(value)


@attrs.frozen
class SlipPayment:
    """Money received against a slip: how much, how (cash, transfer, WeChat…), when, who recorded it."""

    amount: Money
    method: str = attrs.field(validator=code)
    received_at: datetime = attrs.field(validator=aware)
    recorded_by: ActorRef
    reference: str = attrs.field(default="", validator=bounded(200))

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.amount, Money) or self.amount.amount <= 0:
            raise ValidationError("a payment is a positive amount of Money", field="amount", rule="positive")


def _payments(value: Iterable[SlipPayment]) -> list[SlipPayment]:
    return list(value)


def _parts(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _prices(value: Mapping[str, Money]) -> dict[str, Money]:
    if not isinstance(value, Mapping):
        raise ValidationError("cost_prices maps part codes to Money", field="cost_prices")
    return dict(value)


@attrs.define
class FeeSlip:
    """One 售后服务材料收费暨报销单: what a job charged, how it is paid, and whether it is invoiced.

    ``dealer_id`` and ``customer_id`` are copied from the ticket for the archives and for scoping.
    ``quote_id`` links the accepted quote the lines came from, when there was one.
    """

    DOCUMENT_KIND: ClassVar[str] = "fee_slip"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = (
        "ticket_id", "customer_id", "dealer_id", "month", "state",
        "money_row",
    )  # fmt: skip

    id: str = attrs.field(validator=required_text(64))
    ticket_id: str = attrs.field(validator=required_text(64))
    customer_id: str = attrs.field(validator=required_text(64))
    currency: str = attrs.field(validator=_currency)
    issued_at: datetime = attrs.field(validator=aware)
    issued_by: ActorRef
    month: str = attrs.field(validator=required_text(7))
    lines: tuple[ChargeLine, ...] = attrs.field(converter=_lines)
    payment_method: str = attrs.field(default="cash", validator=code)
    invoice_wish: InvoiceWish = attrs.field(default=InvoiceWish.NEVER, converter=InvoiceWish)
    origin: SlipOrigin = attrs.field(default=SlipOrigin.JOB, converter=SlipOrigin)
    dealer_id: str | None = None
    quote_id: str | None = None
    payments: list[SlipPayment] = attrs.field(factory=list, converter=_payments)
    invoice_id: str | None = None
    state: SlipState = attrs.field(default=SlipState.ISSUED, converter=SlipState)
    cancelled_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    cancelled_by: ActorRef | None = None
    cancel_reason: str | None = None
    version: int = 0
    payer_kind: str = attrs.field(default="customer", validator=attrs.validators.in_(_PAYERS))
    """Who owes the slip: the end customer (a job), or the dealer (or engineer) who kept a loaned part."""
    payer_id: str | None = None
    reasons: tuple[Reason, ...] = attrs.field(default=(), converter=_reason_tuple)
    """Why the slip was written (``part_not_returned`` with the part and its deadline, …)."""
    credits_slip: str | None = None
    """For a credit slip (origin ``refund``): the slip whose lines it credits."""
    costed_elsewhere: tuple[str, ...] = attrs.field(default=(), converter=_parts)
    """Parts whose free line an earlier slip of the same ticket already counts as cost: the customer's
    quote and the dealer's purchase from the maker are two papers for one part given free, so the part
    is listed on both and counted as cost once."""
    cost_prices: dict[str, Money] = attrs.field(factory=dict, converter=_prices)
    """The maker's price to dealers (成本价) of free parts this slip shows at another price: the customer's
    slip shows a part given free at the user's price (what the customer was spared), but what the maker
    gave is worth its cost (保修期内甲方免费向乙方提供维修材料; 上海维娜斯仅按成本价向各特约承销商收取材料费),
    as a free issue or the dealer's purchase counts it. The cost figures count the free part at this price."""
    # Totals in whole minor units (fen), derived and indexed, never stored in the JSON: a month's revenue
    # is summed over the index without reading 100 000 slips.
    charged_minor: int = attrs.field(init=False, default=0)
    given_minor: int = attrs.field(init=False, default=0)
    paid_minor: int = attrs.field(init=False, default=0)
    money_row: str = attrs.field(init=False, default="")

    def __attrs_post_init__(self) -> None:
        if self.payer_id is None:
            self.payer_id = self.customer_id if self.payer_kind == "customer" else None
        if self.payer_id is None:
            raise ValidationError("a slip owed by a dealer or engineer names it", field="payer_id")
        if not self.lines:
            raise ValidationError("a fee slip has at least one line", field="lines")
        for line in self.lines:
            if line.unit_price.currency != self.currency:
                raise CurrencyMismatch(self.currency, line.unit_price.currency)
        if not any(line.chargeable for line in self.lines):
            raise ValidationError("a fee slip charges at least one line", field="lines")
        for part, price in self.cost_prices.items():
            if not isinstance(price, Money) or price.amount < 0:
                raise ValidationError(
                    f"the cost price of {part!r} is non-negative Money", field="cost_prices"
                )
            if price.currency != self.currency:
                raise CurrencyMismatch(self.currency, price.currency, field="cost_prices")
        if (self.origin is SlipOrigin.REFUND) != (self.credits_slip is not None):
            raise ValidationError(
                "a credit slip (origin refund) names the slip it credits, and only a credit slip does",
                field="credits_slip",
            )
        if self.is_credit and any(not line.chargeable for line in self.lines):
            raise ValidationError("a credit slip lists only the credited lines", field="lines")
        self.charged_minor = self._sign * _minor(self.total)
        self._count_given()
        self.paid_minor = self._sign * _minor(self.paid)
        self._refresh_row()

    @property
    def is_credit(self) -> bool:
        """A credit slip (origin ``refund``): its amounts count negative in the month's books."""
        return self.origin is SlipOrigin.REFUND

    @property
    def _sign(self) -> int:
        return -1 if self.origin is SlipOrigin.REFUND else 1

    @property
    def signed_total(self) -> Money:
        """What the slip adds to the month's income: its total, negative for a credit slip."""
        return Money(self._sign * self.total.amount, self.currency)

    @property
    def signed_paid(self) -> Money:
        """What the slip adds to the month's money received: negative for a credit slip (paid back)."""
        return Money(self._sign * self.paid.amount, self.currency)

    def _refresh_row(self) -> None:
        # month, then the figures a month's money needs: one covered index range read per month.
        self.money_row = money_row(
            self.month,
            [self.state.value, self.currency, self.payer_kind, self.dealer_id,
             self.charged_minor, self.given_minor, self.paid_minor, self.ticket_id],
        )  # fmt: skip

    # -- figures -----------------------------------------------------------------------------------

    @property
    def total(self) -> Money:
        """What the slip charges: the chargeable lines."""
        return Money.total((line.amount for line in self.lines), self.currency)

    @property
    def paid(self) -> Money:
        """What has been received."""
        return Money.total((p.amount for p in self.payments), self.currency)

    @property
    def balance(self) -> Money:
        """Still owed."""
        return self.total - self.paid

    @property
    def is_paid(self) -> bool:
        """True once the whole total is received."""
        return self.paid >= self.total

    @property
    def is_active(self) -> bool:
        """False once cancelled."""
        return self.state is SlipState.ISSUED

    def charged_lines(self, kind: ChargeKind | None = None) -> tuple[ChargeLine, ...]:
        """The chargeable lines (of ``kind``): the revenue list's entries."""
        return tuple(ln for ln in self.lines if ln.chargeable and (kind is None or ln.kind is kind))

    def free_lines(self, kind: ChargeKind | None = None) -> tuple[ChargeLine, ...]:
        """The lines issued free of charge (of ``kind``)."""
        return tuple(ln for ln in self.lines if not ln.chargeable and (kind is None or ln.kind is kind))

    def _count_given(self) -> None:
        # A credit slip pays back work made free after it was paid: what it credits is given from then on,
        # the cost of its month, as a free line of a slip is.
        given = self.lines if self.is_credit else self.costed_free_lines()
        self.given_minor = _minor(Money.total((ln.value for ln in given), self.currency))

    def without_cost_prices(self) -> FeeSlip:
        """A copy without :attr:`cost_prices`, for a reader who may not see the maker's price to dealers
        (the customer): the stored slip keeps them."""
        return self if not self.cost_prices else attrs.evolve(self, cost_prices={})

    def take_over_cost(self, parts: Iterable[str]) -> bool:
        """Count as cost again the free ``parts`` another slip of the ticket counted until it was
        cancelled (see :attr:`costed_elsewhere`); True when that changed this slip's figures."""
        gone = set(parts)
        kept = tuple(p for p in self.costed_elsewhere if p not in gone)
        if kept == self.costed_elsewhere:
            return False
        self.costed_elsewhere = kept
        self._count_given()
        self._refresh_row()
        return True

    def costed_free_lines(self) -> tuple[ChargeLine, ...]:
        """The free lines this slip counts as the maker's cost: all but the parts another slip of the
        ticket already counts (:attr:`costed_elsewhere`), a part at its cost price when the slip knows
        it (:attr:`cost_prices`)."""
        elsewhere, prices = self.costed_elsewhere, self.cost_prices
        return tuple(
            attrs.evolve(ln, unit_price=prices[ln.item])
            if ln.kind is ChargeKind.MATERIALS and ln.item in prices
            else ln
            for ln in self.lines
            if not ln.chargeable and not (ln.kind is ChargeKind.MATERIALS and ln.item in elsewhere)
        )

    # -- steps ---------------------------------------------------------------------------------------

    def _require_active(self, trigger: str) -> None:
        if self.state is not SlipState.ISSUED:
            raise InvalidTransition("fee_slip", self.state.value, trigger, record_id=self.id)

    def record_payment(self, payment: SlipPayment) -> None:
        """Record money received; more than the balance is refused."""
        self._require_active("pay")
        if not isinstance(payment, SlipPayment):
            raise ValidationError("payment must be a SlipPayment", field="payment")
        if payment.amount.currency != self.currency:
            raise CurrencyMismatch(self.currency, payment.amount.currency, field="amount")
        if payment.received_at < self.issued_at:
            raise ValidationError("a payment cannot predate its slip", field="received_at")
        if payment.amount > self.balance:
            raise ValidationError(
                f"payment of {payment.amount} exceeds the balance {self.balance} of slip {self.id}",
                field="amount",
            )
        self.payments.append(payment)
        self.paid_minor = self._sign * _minor(self.paid)
        self._refresh_row()

    def owed_by(self, payer_kind: str, payer_id: str) -> bool:
        """True when ``payer_kind`` ``payer_id`` (the end customer, a dealer) owes this slip."""
        return self.payer_kind == payer_kind and self.payer_id == payer_id

    def owed_by_customer(self, customer_id: str) -> bool:
        """True when the end customer ``customer_id`` owes this slip (a dealer's purchase from the maker
        or a part it kept is on the dealer's books, never on the customer's invoice)."""
        return self.payer_kind == "customer" and self.payer_id == customer_id

    def can_invoice(self) -> bool:
        """True when this slip may go on an invoice now: active, not invoiced, an invoice is wanted, and
        it is no credit slip (finance reverses an invoice with its own credit note)."""
        return (
            self.is_active
            and not self.is_credit
            and self.invoice_id is None
            and self.invoice_wish is not InvoiceWish.NEVER
        )

    def attach_invoice(self, invoice_id: str) -> None:
        """Mark the slip as collected into invoice ``invoice_id``."""
        self._require_active("invoice")
        if self.invoice_id is not None:
            raise InvalidTransition("fee_slip", "invoiced", "invoice", record_id=self.id)
        if self.invoice_wish is InvoiceWish.NEVER:
            raise ValidationError(f"slip {self.id}: the customer wanted no invoice", field="invoice_wish")
        self.invoice_id = invoice_id

    def detach_invoice(self, invoice_id: str) -> None:
        """Free the slip from a failed invoice request so it can be collected again."""
        if self.invoice_id == invoice_id:
            self.invoice_id = None

    def cancel(self, by: ActorRef, at: datetime, reason: str) -> None:
        """Cancel with a reason (the slip stays, marked cancelled). An invoiced slip cannot be cancelled."""
        self._require_active("cancel")
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
            raise ValidationError("cancelling a slip needs a reason (at most 500 characters)", field="reason")
        if self.invoice_id is not None:
            raise ValidationError(
                f"slip {self.id} is on invoice {self.invoice_id}: finance reverses it with a credit note",
                field="invoice_id",
            )
        if at < self.issued_at:
            raise ValidationError("a slip cannot be cancelled before it was issued", field="at")
        self.state = SlipState.CANCELLED
        self.cancelled_at, self.cancelled_by, self.cancel_reason = at, by, reason
        self._refresh_row()


def _slip_ids(value: Iterable[str]) -> tuple[str, ...]:
    items = tuple(value)
    if not items:
        raise ValidationError("an invoice covers at least one slip", field="slip_ids")
    if len(set(items)) != len(items):
        raise ValidationError("a slip appears once on an invoice", field="slip_ids")
    return items


def _optional_id(instance: object, attribute: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None:
        required_text(64)(instance, attribute, value)


_INVOICE_PAYERS = ("customer", "dealer")


@attrs.define
class InvoiceRecord:
    """One invoice request: the slips it covers, their total, and what finance answered.

    Seed 002 (工作程序 c): the slips go to finance for an invoice — the end customer's for its job, and the
    dealer's for the materials it bought from the maker (上海维娜斯仅按成本价向各特约承销商收取材料费; in the
    materials chapter the 用户 who asks for materials and pays for them is the dealer as well). So an
    invoice is made out to one payer (``payer_kind``: ``customer`` with ``customer_id``, or ``dealer``
    with ``payer_id`` and no ``customer_id``) and covers the slips of one dealer's business
    (``dealer_id``: the dealer who did the work and charged the customer, or the dealer who bought;
    ``None`` for the maker's own work): one invoice has one seller.
    """

    DOCUMENT_KIND: ClassVar[str] = "invoice_record"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("customer_id", "state")

    id: str = attrs.field(validator=required_text(64))
    customer_id: str | None = attrs.field(validator=_optional_id)
    slip_ids: tuple[str, ...] = attrs.field(converter=_slip_ids)
    total: Money
    requested_at: datetime = attrs.field(validator=aware)
    requested_by: ActorRef
    title: str = attrs.field(default="", validator=bounded(200))
    tax_id: str = attrs.field(default="", validator=bounded(64))
    state: InvoiceState = attrs.field(default=InvoiceState.REQUESTED, converter=InvoiceState)
    invoice_number: str | None = None
    issued_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    failure: str | None = None
    version: int = 0
    dealer_id: str | None = None
    """The dealer whose slips these are (who charged the customer, or who bought from the maker)."""
    payer_kind: str = attrs.field(default="customer", validator=attrs.validators.in_(_INVOICE_PAYERS))
    """Who the invoice is made out to: the end customer, or a dealer for its purchases from the maker."""
    payer_id: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.payer_kind == "customer":
            if self.customer_id is None:
                raise ValidationError("a customer's invoice names the customer", field="customer_id")
            if self.payer_id is None:
                self.payer_id = self.customer_id
            if self.payer_id != self.customer_id:
                raise ValidationError("a customer's invoice is made out to that customer", field="payer_id")
        elif self.payer_id is None or self.customer_id is not None:
            raise ValidationError(
                "a dealer's invoice names the dealer (payer_id) and no customer", field="payer_id"
            )

    def issued(self, invoice_number: str, at: datetime) -> None:
        """Finance issued the invoice under ``invoice_number``."""
        if self.state is InvoiceState.ISSUED:
            raise InvalidTransition("invoice", self.state.value, "issue", record_id=self.id)
        if not isinstance(invoice_number, str) or not invoice_number.strip() or len(invoice_number) > 64:
            raise ValidationError("an invoice number is 1–64 characters", field="invoice_number")
        require_aware(at, "issued_at")
        self.state, self.invoice_number, self.issued_at, self.failure = (
            InvoiceState.ISSUED,
            invoice_number,
            at,
            None,
        )

    def failed(self, why: str) -> None:
        """Finance could not issue it (yet): kept for a retry."""
        if self.state is InvoiceState.ISSUED:
            raise InvalidTransition("invoice", self.state.value, "fail", record_id=self.id)
        self.state, self.failure = InvoiceState.FAILED, why[:500]


class MovementKind(CodedEnum):
    """Materials that left free of charge (in warranty), materials that came back (退料), and materials
    issued free that an accepted quote then charged (their cost taken back: they are income now)."""

    ISSUED_FREE = "issued_free"
    RETURNED = "returned"
    CHARGED_ON_QUOTE = "charged_on_quote"
    """A free issue reclassified as charged (已收费的材料不计入盘点表): written in the month the quote was
    accepted, at cost, it takes the free issue's cost back off that month's figures, so the part counts
    once, as income on the quote's slip, and the earlier month's books are not rewritten."""
    CHARGED_AS_KEPT = "charged_as_kept"
    """A free issue charged to the party that kept it past its deadline (事实占有): written with the
    chargeback's slip, in its month, at cost; it takes the free issue's cost back as ``charged_on_quote``
    does (the part is income on the chargeback's slip, not also cost)."""
    KEPT_CHARGE_CANCELLED = "kept_charge_cancelled"
    """The chargeback's slip cancelled (the charge waived, e.g. the part came back late and the fee was
    settled with the dealer: 相关费用及时与用户协商解决): written with the cancellation, in the slip's month,
    at cost, it gives the free issue's cost back as the slip's income leaves that month — the part was
    given free after all, and stays the maker's cost once."""
    QUOTE_CHARGE_CANCELLED = "quote_charge_cancelled"
    """The slip of the quote that wrote a ``charged_on_quote`` movement cancelled (the charge waived):
    written with the cancellation, in that movement's month (the slip's), at cost, it gives the free
    issue's cost back as the slip's income leaves, so the part given free is the maker's cost once again
    (seed 000 费用核算). Cost only: the materials lists and the loan count leave it out."""
    SURPLUS_INTO_STOCK = "surplus_into_stock"
    """Surplus for review (盘盈: sent back or counted beyond what was lent) taken into the maker's stock when
    the office closes its review: at cost, in the month of the decision; neither cost nor income, and
    not a return of a loan (the loan count is not moved), listed apart in the month's books."""
    FREE_WORK_GIVEN = "free_work_given"
    """The labour, travel and service fee a wholly free repair was assessed at, given free (seed 000
    费用核算: 维修材料费用、人工费用、运输费用): written when the customer accepts the repair, in that month,
    at the assessed prices, for the work no slip of the job lists. Counted as cost as a slip's free lines
    are; not materials (the loan count and the materials lists leave it out)."""
    FREE_WORK_ON_SLIP = "free_work_on_slip"
    """A ``free_work_given`` line that a later slip of the same job lists (a quote accepted after the
    repair, charged or free): written with the slip, in its month, it takes the acceptance's count back,
    so the work counts once — as the slip counts it (income, or its free line's cost)."""


@attrs.define
class MaterialsMovement:
    """Free materials issued for a job, or returned by the customer or dealer, for the monthly lists.

    Lines are priced at cost (``value``) and not chargeable. Seed 002 其他: the issue list is charged
    plus free materials; the returns list should match the free list, and what is not returned is
    charged on a slip of origin ``unreturned_materials``. A ``charged_on_quote`` movement counts against
    the free issues (see :class:`MovementKind`).
    """

    DOCUMENT_KIND: ClassVar[str] = "materials_movement"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("ticket_id", "month", "kind", "money_row")

    id: str = attrs.field(validator=required_text(64))
    kind: MovementKind = attrs.field(converter=MovementKind)
    ticket_id: str = attrs.field(validator=required_text(64))
    month: str = attrs.field(validator=required_text(7))
    at: datetime = attrs.field(validator=aware)
    by: ActorRef
    lines: tuple[ChargeLine, ...] = attrs.field(converter=_lines)
    dealer_id: str | None = None
    version: int = 0
    slip_id: str | None = None
    """The fee slip written with it (a ``charged_as_kept`` movement's chargeback slip), if any."""
    # Derived and indexed, not stored in the JSON (see FeeSlip).
    currency: str = attrs.field(init=False, default="")
    value_minor: int = attrs.field(init=False, default=0)
    money_row: str = attrs.field(init=False, default="")

    def __attrs_post_init__(self) -> None:
        if not self.lines:
            raise ValidationError("a movement has at least one line", field="lines")
        if any(line.chargeable for line in self.lines):
            raise ValidationError(
                "free issues and returns are not charged; charged materials go on a fee slip", field="lines"
            )
        currency = self.lines[0].unit_price.currency
        if any(line.unit_price.currency != currency for line in self.lines):
            raise CurrencyMismatch(currency, next(ln.unit_price.currency for ln in self.lines
                                                  if ln.unit_price.currency != currency))  # fmt: skip
        self.currency = currency
        self.value_minor = _minor(Money.total((ln.value for ln in self.lines), currency))
        self.money_row = money_row(
            self.month, [self.kind.value, currency, self.dealer_id, self.value_minor, self.ticket_id]
        )


def lines_left(lines: Iterable[ChargeLine], credits: Iterable[FeeSlip]) -> list[ChargeLine]:
    """``lines`` less what the credit slips ``credits`` took back, by kind and item and at most each
    line's quantity, in order (a line partly taken back keeps the rest of its quantity): what a slip
    still charges after its refunds, for a second refund and for an invoice."""
    taken: dict[tuple[ChargeKind, str], int] = {}
    for credit in credits:
        for line in credit.charged_lines():
            taken[(line.kind, line.item)] = taken.get((line.kind, line.item), 0) + line.quantity
    left: list[ChargeLine] = []
    for line in lines:
        key = (line.kind, line.item)
        gone = min(taken.get(key, 0), line.quantity)
        taken[key] = taken.get(key, 0) - gone
        if line.quantity > gone:
            left.append(line if not gone else attrs.evolve(line, quantity=line.quantity - gone))
    return left
