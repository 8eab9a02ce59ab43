"""A month's money read from the stored slips: income, cost, and both per ticket (seed 002 按月统计销售收入).

Income is what the active fee slips of the month charge (chargeable lines; a cancelled slip counts for
nothing), split by who owes it: the end customer (jobs), the dealer (parts bought from the maker, parts
kept past their deadline). Cost is what the service gave away: the free lines of the slips (worth at
their price; a free part at the maker's cost price when the slip knows it, ``FeeSlip.cost_prices``) and
the materials issued free of charge (at cost, the fee desk's free-issue list) and the labour, travel
and service fee a wholly free repair was assessed at (counted when the customer accepted it), less
the free issues an accepted quote or a chargeback charged afterwards (``charged_on_quote`` and
``charged_as_kept`` movements, in the month of the charge: the part is income on that slip, counted
once). A credit slip (origin
``refund``: lines of a paid slip made free afterwards, paid back) counts negative in income and money
received in the month it is written; the slip it credits stays as it was. Per ticket, both are divided
by the tickets that have any slip or free issue in the month.

Why not through typed documents: the month's revenue is read over 100 000 slips and more; building a
``FeeSlip`` (and a ``Money`` per line) for each costs seconds. Slips index their totals in whole minor
units in one index row per document (``money_row``: the month, then the figures), so a SQL store
hands out one month's rows from its index alone (``index_prefix``: a covered range, no document read);
a store without it hands out the stored JSON (``query_data``); any other is read as typed documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from aftersales.domain.fee_slips import MONEY_ROW_SEPARATOR, FeeSlip, MaterialsMovement
from aftersales.domain.money import Money, currency_exponent
from aftersales.domain.text import MONTH_PATTERN
from aftersales.errors import ValidationError
from aftersales.policies.fees_currency import fees_currency
from aftersales.ports.reporting import Period
from aftersales.reports.months import months_between
from aftersales.reports.sources import MoneyDesk
from aftersales.serialization import decode_json, unstructure

__all__ = [
    "MonthMoney",
    "TicketMoney",
    "month_money",
    "pack_budget_per_ticket",
    "scoped_month_money",
    "slip_cost_totals",
    "stored_costs",
]


@attrs.frozen
class TicketMoney:
    """One ticket's income and cost in the month."""

    ticket_id: str
    income: Money
    cost: Money


@attrs.frozen
class MonthMoney:
    """The month's income and cost (one currency), in total, by payer and per ticket."""

    month: str
    currency: str
    slips: int
    income: Money
    income_by_payer: Mapping[str, Money]
    paid: Money
    cost: Money
    ticket_income: Mapping[str, Decimal]
    ticket_cost: Mapping[str, Decimal]

    @property
    def tickets(self) -> Mapping[str, TicketMoney]:
        """Income and cost per ticket (built when asked: a big month has as many tickets as slips)."""
        return MappingProxyType({t: self.ticket(t) for t in sorted(self.ticket_income)})

    def ticket(self, ticket_id: str) -> TicketMoney:
        """One ticket's income and cost in the month (zero for a ticket with none)."""
        zero = Decimal(0)
        return TicketMoney(
            ticket_id,
            Money(self.ticket_income.get(ticket_id, zero), self.currency),
            Money(self.ticket_cost.get(ticket_id, zero), self.currency),
        )

    @property
    def ticket_count(self) -> int:
        """Tickets with a slip or a free issue in the month."""
        return len(self.ticket_income)

    @property
    def cost_per_ticket(self) -> Money | None:
        """Cost spread over the month's tickets (``None`` when there are none)."""
        count = len(self.ticket_income)
        return Money(self.cost.amount / count, self.currency) if count else None

    @property
    def income_per_ticket(self) -> Money | None:
        """Income spread over the month's tickets (``None`` when there are none)."""
        count = len(self.ticket_income)
        return Money(self.income.amount / count, self.currency) if count else None


_COST_SIGN = {
    "issued_free": 1, "charged_on_quote": -1, "charged_as_kept": -1, "kept_charge_cancelled": 1,
    "free_work_given": 1, "free_work_on_slip": -1, "quote_charge_cancelled": 1,
}  # fmt: skip
"""How a movement counts in the month's cost: a free issue adds its cost; a free issue that an accepted
quote, or a chargeback for keeping it, then charged takes it back (the part is income on that slip, not
also cost), and that slip cancelled gives it back. Returns are not cost. A wholly free
repair's labour, travel and fee count when it is accepted, and leave again when a later slip of the job
lists them (that slip counts them)."""


def _check_month(value: object) -> str:
    # Any four-digit year; ASCII digits (isdigit() took "２０２６-０３", which no slip's month is).
    if not isinstance(value, str) or not MONTH_PATTERN.fullmatch(value):
        raise ValidationError("a month is written YYYY-MM", field="month", rule="month")
    return value


def _rows(documents: Any, cls: type[Any], month: str) -> Iterable[Mapping[str, Any]]:
    raw = getattr(documents, "query_data", None)
    if raw is not None:
        rows: Iterable[Mapping[str, Any]] = raw(cls.DOCUMENT_KIND, month=month)
        return rows
    return [unstructure(doc) for doc in documents.query(cls, month=month)]


def scoped_month_money(
    desk: MoneyDesk, actor: object, month: str, *, currency: str | None = None
) -> MonthMoney:
    """:func:`month_money` as ``actor`` may read it through ``desk``: whoever the permission table lets
    read the revenue report (``desk.fees.revenue_scope``, judged before any figure is read); dealer
    staff get their own dealer's figures only (what the dealer owes the maker and what its jobs
    charged). Others are ``PermissionDenied``, a malformed month a ``ValidationError`` naming it.
    Without ``currency`` the figures are in the desk's (the pack's ``fees.currency``)."""
    if currency is None:
        currency = desk.fees.currency
    currency_exponent(currency)
    month, dealer = desk.fees.revenue_scope(actor, month)
    with desk.store() as uow:
        return month_money(uow.documents, month, currency=currency, dealer_id=dealer)


def month_money(
    documents: Any, month: str, *, currency: str = "CNY", dealer_id: str | None = None
) -> MonthMoney:
    """Income and cost of ``month`` (``"2026-03"``) from the stored fee slips and free issues.

    ``documents`` is a unit of work's document repository; ``dealer_id`` narrows to one dealer's slips
    and issues. Only amounts in ``currency`` are counted.
    """
    month = _check_month(month)
    currency_exponent(currency)  # UnknownCurrency for a bad code
    return _month_money(documents, month, currency, dealer_id, None)


def slip_cost_totals(
    documents: Any, months: Iterable[str], *, currency: str = "CNY"
) -> tuple[int, dict[str, Decimal]]:
    """The service cost of ``months`` per charge kind (materials, labour, travel, service_fee), and the
    number of tickets it was spent on: the KPI report's cost per ticket reads this."""
    kinds: dict[str, Decimal] = {}
    tickets: set[str] = set()
    for month in months:
        result = _month_money(documents, _check_month(month), currency, None, kinds)
        tickets.update(result.ticket_income)
    return len(tickets), kinds


def _month_money(
    documents: Any, month: str, currency: str, dealer_id: str | None, kinds: dict[str, Decimal] | None
) -> MonthMoney:
    rows = getattr(documents, "index_prefix", None)
    if rows is not None and kinds is None:
        return _from_rows(rows, month, currency, dealer_id)
    return _from_documents(documents, month, currency, dealer_id, kinds)


def _from_rows(rows: Any, month: str, currency: str, dealer_id: str | None) -> MonthMoney:
    """The same figures from the index's money rows (whole minor units, exact; no document read)."""
    quantum = currency_exponent(currency)
    prefix = month + MONEY_ROW_SEPARATOR
    cut = len(prefix)
    by_payer: dict[str, int] = {}
    per_income: dict[str, int] = {}
    per_cost: dict[str, int] = {}
    income = cost = paid = slips = 0
    loads = decode_json
    for row in rows("fee_slip", "money_row", prefix):
        state, cur, payer, dealer, charged, given, received, ticket = loads(row[cut:])
        if state != "issued" or cur != currency or (dealer_id is not None and dealer != dealer_id):
            continue
        slips += 1
        income += charged
        cost += given
        paid += received
        by_payer[payer] = by_payer.get(payer, 0) + charged
        per_income[ticket] = per_income.get(ticket, 0) + charged
        per_cost[ticket] = per_cost.get(ticket, 0) + given
    for row in rows("materials_movement", "money_row", prefix):
        kind, cur, dealer, given, ticket = loads(row[cut:])
        sign = _COST_SIGN.get(kind)
        if sign is None or cur != currency or (dealer_id is not None and dealer != dealer_id):
            continue
        given *= sign
        cost += given
        per_cost[ticket] = per_cost.get(ticket, 0) + given
        per_income.setdefault(ticket, 0)

    def money(minor: int) -> Money:
        return Money(minor * quantum, currency)

    return MonthMoney(
        month,
        currency,
        slips,
        money(income),
        MappingProxyType({k: money(v) for k, v in sorted(by_payer.items())}),
        money(paid),
        money(cost),
        _LazyDecimals(per_income, quantum),
        _LazyDecimals(per_cost, quantum),
    )


class _LazyDecimals(Mapping[str, Decimal]):
    """Minor units per ticket, read as Decimal amounts only when asked (a month has many tickets)."""

    def __init__(self, minor: dict[str, int], quantum: Decimal) -> None:
        self._minor, self._quantum = minor, quantum

    def __getitem__(self, key: str) -> Decimal:
        return self._minor[key] * self._quantum

    def __iter__(self) -> Iterator[str]:
        return iter(self._minor)

    def __len__(self) -> int:
        return len(self._minor)


def _from_documents(
    documents: Any, month: str, currency: str, dealer_id: str | None, kinds: dict[str, Decimal] | None
) -> MonthMoney:
    zero = Decimal(0)
    income = paid = cost = zero
    by_payer: dict[str, Decimal] = {}
    per_income: dict[str, Decimal] = {}
    per_cost: dict[str, Decimal] = {}
    slips = 0
    for slip in _rows(documents, FeeSlip, month):
        if slip.get("state") != "issued" or slip.get("currency") != currency:
            continue
        if dealer_id is not None and slip.get("dealer_id") != dealer_id:
            continue
        slips += 1
        charged = given = zero
        signed = -1 if slip.get("origin") == "refund" else 1  # a credit slip takes income back
        elsewhere = slip.get("costed_elsewhere") or ()
        prices = slip.get("cost_prices") or {}
        for line in slip["lines"]:
            value = Decimal(line["unit_price"]["amount"]) * line["quantity"]
            if not line["chargeable"] and line["kind"] == "materials" and line["item"] in prices:
                value = Decimal(prices[line["item"]]["amount"]) * line["quantity"]  # FeeSlip.cost_prices
            if line["chargeable"]:
                charged += signed * value
                if signed < 0:  # a credit slip: the work it pays back is given free from now on
                    given += value
                    if kinds is not None:
                        kinds[line["kind"]] = kinds.get(line["kind"], zero) + value
            elif line["kind"] == "materials" and line["item"] in elsewhere:
                continue  # another slip of the ticket counts this part given free (FeeSlip.costed_elsewhere)
            else:
                given += value
                if kinds is not None:
                    kinds[line["kind"]] = kinds.get(line["kind"], zero) + value
        for payment in slip.get("payments", ()):
            paid += signed * Decimal(payment["amount"]["amount"])
        payer = slip.get("payer_kind") or "customer"
        by_payer[payer] = by_payer.get(payer, zero) + charged
        income += charged
        cost += given
        ticket = slip["ticket_id"]
        per_income[ticket] = per_income.get(ticket, zero) + charged
        per_cost[ticket] = per_cost.get(ticket, zero) + given
    for movement in _rows(documents, MaterialsMovement, month):
        sign = _COST_SIGN.get(movement.get("kind", ""))
        if sign is None:
            continue
        if dealer_id is not None and movement.get("dealer_id") != dealer_id:
            continue
        given = zero
        for line in movement["lines"]:
            if line["unit_price"]["currency"] == currency:
                value = Decimal(line["unit_price"]["amount"]) * line["quantity"] * sign
                given += value
                if kinds is not None:
                    kinds[line["kind"]] = kinds.get(line["kind"], zero) + value
        cost += given
        ticket = movement["ticket_id"]
        per_cost[ticket] = per_cost.get(ticket, zero) + given
        per_income.setdefault(ticket, zero)

    def money(amount: Decimal) -> Money:
        return Money(amount, currency)

    return MonthMoney(
        month,
        currency,
        slips,
        money(income),
        MappingProxyType({k: money(v) for k, v in sorted(by_payer.items())}),
        money(paid),
        money(cost),
        MappingProxyType(per_income),
        MappingProxyType(per_cost),
    )


def stored_costs(documents: Any, period: Period, currency: str = "CNY") -> Any:
    """:class:`~aftersales.reports.kpi.CostTotals` of the months ``period`` touches, from stored slips.

    The dealer's service fee given free counts with labour (the KPI report's three kinds); ``tickets`` is
    the number of tickets it was spent on (the denominator of :attr:`MonthMoney.cost_per_ticket`).
    """
    from aftersales.reports.kpi import CostTotals

    tz = period.start.tzinfo
    end = (period.end - timedelta(microseconds=1)).astimezone(tz)
    # Not strftime: it writes year 1 as "1", not "0001" (a report over every date there is).
    first, last = f"{period.start.year:04d}-{period.start.month:02d}", f"{end.year:04d}-{end.month:02d}"
    tickets, kinds = slip_cost_totals(documents, months_between(first, last), currency=currency)

    def money(*names: str) -> Money:
        return Money(sum((kinds.get(n, Decimal(0)) for n in names), Decimal(0)), currency)

    # spread over the tickets it was spent on, as the month's money report spreads it
    return CostTotals(money("materials"), money("labour", "service_fee"), money("travel"), tickets)


def pack_budget_per_ticket(fees: Any) -> Money | None:
    """The pack's budgeted cost per ticket (``[fees] budget_per_ticket``), or ``None`` when it sets none."""
    params = getattr(fees, "params", None)
    amount = getattr(params, "budget_per_ticket", None)
    if amount is None:
        return None
    return Money(amount, fees_currency(fees))
