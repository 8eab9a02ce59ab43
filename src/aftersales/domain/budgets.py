"""Cost budgets (费用预算) per period and category, approved by a named role, and approved overruns.

Seed 000 (售后服务部职责): the department draws up the after-sales cost budget and submits it for approval
(编制…费用预算, 报…审批), and analyses and approves costs beyond the budget (对超出预算的费用进行分析和审批).
So a :class:`CostBudget` says how much a period may spend on one category (materials, labour, travel,
service fee — the charge kinds), who approved it and when; the period is a year (``2026``: the seed's
每年…编制售后维护费用预算) or a month (``2026-03``) for a company that budgets monthly; spending beyond
it needs an :class:`OverrunApproval` with a reason. The figures to compare come from the stored slips and
free issues (:mod:`aftersales.reports.budgets`).

An approved budget changed later (a new amount approved mid-year) keeps the approval it replaces as a
:class:`BudgetRevision` (``revisions``, oldest first): the internal audit checks how the cost budget was
used (内部审计…检查…售后维护费用的使用情况), which it cannot do when the first approval is overwritten.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import ClassVar

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.charges import ChargeKind
from aftersales.domain.money import Money
from aftersales.domain.text import bounded
from aftersales.domain.work import aware
from aftersales.errors import CurrencyMismatch, ValidationError

__all__ = [
    "BudgetRevision",
    "CostBudget",
    "OverrunApproval",
    "budget_id",
    "checked_category",
    "checked_period",
]

# ASCII digits only (``\d`` takes ２０２６ too: a period no charge month ever matches); no year 0000.
_PERIOD = re.compile(r"(?!0000)[0-9]{4}(-(0[1-9]|1[0-2]))?")


def checked_period(value: object, field: str = "period") -> str:
    """``value`` if it is a budget period (a year ``YYYY`` or a month ``YYYY-MM``), else a
    ``ValidationError`` naming ``field``: a read of a malformed period is refused, not answered empty."""
    if not isinstance(value, str) or not _PERIOD.fullmatch(value):
        raise ValidationError(
            f"{field} is a year written YYYY or a month written YYYY-MM, got {value!r}", field=field
        )
    return value


def _period(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    checked_period(value, attribute.name)


def _positive(instance: object, attribute: attrs.Attribute[Money], value: object) -> None:
    if not isinstance(value, Money) or value.amount <= 0:
        raise ValidationError(
            f"{attribute.name} must be a positive Money amount", field=attribute.name, rule="positive"
        )


def _reason(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip() or len(value) > 2000:
        raise ValidationError(
            "an overrun is approved with a reason (1–2000 characters)", field=attribute.name
        )


def checked_category(value: object) -> str:
    """``value`` if it is a budget category — a charge kind (materials, labour, travel, service_fee),
    the kinds the actuals are read by — else a ``ValidationError`` naming ``category``: a budget of any
    other category would never be compared with anything."""
    kinds = [kind.value for kind in ChargeKind]
    if not isinstance(value, str) or value not in kinds:
        raise ValidationError(
            f"category is one of {', '.join(kinds)}, got {value!r}",
            field="category",
            rule="one_of",
            rule_params={"allowed": ", ".join(kinds)},
        )
    return value


def _category(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    checked_category(value)


def budget_id(period: str, category: str) -> str:
    """The id of the budget of ``category`` in ``period``: one budget per pair."""
    return f"{period}:{category}"


@attrs.frozen
class OverrunApproval:
    """Spending beyond the budget, approved: how much more, why, by whom, when."""

    amount: Money = attrs.field(validator=_positive)
    reason: str = attrs.field(validator=_reason)
    approved_by: ActorRef
    approved_at: datetime = attrs.field(validator=aware)


def _overruns(value: list[OverrunApproval]) -> list[OverrunApproval]:
    return list(value)


@attrs.frozen
class BudgetRevision:
    """An approval a later one replaced: the amount and note approved, by whom, when."""

    amount: Money
    note: str
    approved_by: ActorRef
    approved_at: datetime = attrs.field(validator=aware)


def _revisions(value: list[BudgetRevision]) -> list[BudgetRevision]:
    return list(value)


def _may_add_up(first: Money, second: Money) -> None:
    """``InvalidMoney`` naming ``amount`` unless ``first + second`` is itself Money (within its bounds):
    what may be spent is summed by every budget report, which a sum out of bounds would break."""
    first + second  # the sum checks its own bounds


@attrs.define
class CostBudget:
    """The budget of one category in one period, with its approval and the approved overruns."""

    DOCUMENT_KIND: ClassVar[str] = "cost_budget"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("period",)

    id: str
    period: str = attrs.field(validator=_period)
    category: str = attrs.field(validator=_category)
    amount: Money = attrs.field(validator=_positive)
    approved_by: ActorRef
    approved_at: datetime = attrs.field(validator=aware)
    note: str = attrs.field(default="", validator=bounded(2000))
    overruns: list[OverrunApproval] = attrs.field(factory=list, converter=_overruns)
    version: int = 0
    revisions: list[BudgetRevision] = attrs.field(factory=list, converter=_revisions)
    """The approvals this one replaced, oldest first (see :meth:`revise`)."""

    def __attrs_post_init__(self) -> None:
        if self.id != budget_id(self.period, self.category):
            raise ValidationError(f"the budget of {self.category} in {self.period} has id "
                                  f"{budget_id(self.period, self.category)}", field="id")  # fmt: skip

    @property
    def approved_overrun(self) -> Money:
        """The total of the approved overruns."""
        return Money.total((o.amount for o in self.overruns), self.amount.currency)

    @property
    def allowed(self) -> Money:
        """What may be spent: the budget plus the approved overruns."""
        return self.amount + self.approved_overrun

    def revise(self, amount: Money, note: str, by: ActorRef, at: datetime) -> None:
        """Approve ``amount`` (with ``note``) instead, by ``by`` at ``at``; the approval it replaces is kept
        in :attr:`revisions`. The overruns approved stay (same currency as the budget)."""
        if not isinstance(amount, Money) or amount.amount <= 0:
            raise ValidationError("amount must be a positive Money amount", field="amount", rule="positive")
        if amount.currency != self.amount.currency and self.overruns:
            raise CurrencyMismatch(self.amount.currency, amount.currency, field="amount")
        if self.overruns:
            _may_add_up(amount, self.approved_overrun)
        replaced = BudgetRevision(self.amount, self.note, self.approved_by, self.approved_at)
        # built first, so a bad note or time is refused by the validators before anything changes
        changed = attrs.evolve(self, amount=amount, approved_by=by, approved_at=at, note=note)
        self.amount, self.approved_by, self.approved_at, self.note = (
            changed.amount, changed.approved_by, changed.approved_at, changed.note,
        )  # fmt: skip
        self.revisions.append(replaced)

    def approve_overrun(self, approval: OverrunApproval) -> None:
        """Record an approved overrun (same currency as the budget)."""
        if not isinstance(approval, OverrunApproval):
            raise ValidationError("an overrun approval is an OverrunApproval", field="approval")
        if approval.amount.currency != self.amount.currency:
            raise CurrencyMismatch(self.amount.currency, approval.amount.currency, field="amount")
        _may_add_up(self.allowed, approval.amount)
        self.overruns.append(approval)
