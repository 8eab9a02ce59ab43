"""Actual cost against budget per category for a period, from stored slips and free issues (seed 000).

Actual spending of a category is what the service gave away in it: the free lines of the period's fee
slips and the materials issued free (at cost) — the same figures as :mod:`aftersales.reports.money`.
A row over its budget without enough approved overrun is flagged ``unapproved_overrun``: spending beyond
the budget needs a recorded approval with a reason (对超出预算的费用进行分析和审批).

The seed's budget is a year's (每年…编制售后维护费用预算). A month's row of a category with no budget of
its own but a budget for its year is judged against that year's: over once the year's spending up to
the month's end (``year_to_date``) exceeds it, unapproved once it exceeds it and its approved overruns.
A category budgeted neither for the month nor for the year is over as soon as it spends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from aftersales.domain.budgets import CostBudget, checked_period
from aftersales.domain.money import Money, currency_exponent
from aftersales.reports.money import slip_cost_totals
from aftersales.reports.sources import BudgetDesk

__all__ = ["BudgetReport", "BudgetRow", "budget_report", "scoped_budget_report"]

_YEAR = re.compile(r"[0-9]{4}")


@attrs.frozen
class BudgetRow:
    """One category of a period: budget, approved overrun, actual, and whether it is over unapproved."""

    category: str
    budget: Money | None
    approved_overrun: Money
    actual: Money
    approved_by: str | None
    year_budget: Money | None = None
    """For a month without a budget of its own: the budget of its year (else ``None``)."""
    year_overrun: Money | None = None
    """For a month judged against its year's budget: the overruns approved on it."""
    year_to_date: Money | None = None
    """For a month judged against its year's budget: the year's spending up to the month's end."""

    def _judged(self) -> tuple[Money, Money, Money]:
        # (what is spent, the budget, the approved overruns) the row is judged on
        zero = Money.zero(self.actual.currency)
        if self.budget is None and self.year_budget is not None and self.year_to_date is not None:
            return self.year_to_date, self.year_budget, self.year_overrun or zero
        return self.actual, self.budget if self.budget is not None else zero, self.approved_overrun

    @property
    def over_budget(self) -> bool:
        """Actual beyond the budget (a month without a budget of its own: the year's spending so far
        beyond the year's budget; a category with no budget is over as soon as it spends)."""
        spent, budget, _overrun = self._judged()
        return spent > budget

    @property
    def unapproved_overrun(self) -> bool:
        """Over the budget and its approved overruns: needs an approval with a reason."""
        spent, budget, overrun = self._judged()
        return spent > budget + overrun


@attrs.frozen
class BudgetReport:
    """Every category budgeted or spent on in the period."""

    period: str
    currency: str
    rows: tuple[BudgetRow, ...]

    @property
    def unapproved(self) -> tuple[str, ...]:
        """Categories over budget without an approval."""
        return tuple(r.category for r in self.rows if r.unapproved_overrun)


def budget_report(documents: Any, period: str, *, currency: str = "CNY") -> BudgetReport:
    """Budget against actual per category for ``period``, read from ``documents`` (a store's own
    documents, no actor judged: a host's batch job; people read :func:`scoped_budget_report`).

    ``period`` is a month (``YYYY-MM``) or a year (``YYYY``, seed 000's yearly budget: the actual is the
    sum of its twelve months), and the budgets compared are those set for that same period.
    """
    checked_period(period)
    currency_exponent(currency)
    yearly = documents.query(CostBudget, period=period[:4]) if len(period) > 4 else ()
    return _report(documents, documents.query(CostBudget, period=period), period, currency, yearly)


def scoped_budget_report(
    desk: BudgetDesk, actor: object, period: str, *, currency: str | None = None
) -> BudgetReport:
    """:func:`budget_report` read through ``desk`` for ``actor``: the budgets come from the desk's own
    read (``desk.charges.budgets``), judged by the one permission table (``read_budgets``: the office,
    the approvers, auditors — 内部审计…检查售后维护费用的使用情况), so dealer staff, engineers and
    customers are refused (``PermissionDenied``) before any figure is read: the report sums every
    dealer's and customer's free work. A malformed period is a ``ValidationError`` naming ``period``,
    an unknown currency ``UnknownCurrency``: neither is answered with an empty report. Without
    ``currency`` the report is in the desk's (the pack's ``fees.currency``, the budgets' currency).
    """
    if currency is None:
        currency = desk.charges.currency
    currency_exponent(currency)
    budgets = desk.charges.budgets(actor, period)  # judges the actor and the period first
    yearly = desk.charges.budgets(actor, period[:4]) if len(period) > 4 else ()
    with desk.store() as uow:
        return _report(uow.documents, budgets, period, currency, yearly)


def _report(
    documents: Any,
    budgets: Iterable[CostBudget],
    period: str,
    currency: str,
    yearly: Iterable[CostBudget] = (),
) -> BudgetReport:
    months = [f"{period}-{m:02d}" for m in range(1, 13)] if _YEAR.fullmatch(period) else [period]
    _tickets, spent = slip_cost_totals(documents, months, currency=currency)
    mine = {b.category: b for b in budgets if b.amount.currency == currency}
    years = {b.category: b for b in yearly if b.amount.currency == currency and b.category not in mine}
    so_far: dict[str, Decimal] = {}
    if years:  # a month judged against its year: the year's spending from January to its end
        month = int(period[5:])
        earlier = [f"{period[:4]}-{m:02d}" for m in range(1, month)]
        so_far = slip_cost_totals(documents, earlier, currency=currency)[1] if earlier else {}
    rows = []
    for category in sorted(set(mine) | set(spent)):
        budget, year = mine.get(category), years.get(category)
        actual = Money(spent.get(category, Decimal(0)), currency)
        rows.append(
            BudgetRow(
                category,
                budget.amount if budget else None,
                budget.approved_overrun if budget else Money.zero(currency),
                actual,
                str(budget.approved_by) if budget else None,
                year.amount if year else None,
                year.approved_overrun if year else None,
                actual + Money(so_far.get(category, Decimal(0)), currency) if year else None,
            )
        )
    return BudgetReport(period, currency, tuple(rows))
