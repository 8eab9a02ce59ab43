"""A cost budget drafted by the after-sales department and approved (or sent back) by management.

Seed 000 (售后维护费用管理, 费用预算): 售后维护管理部门每年…编制售后维护费用预算, 报公司管理层审批 — the
department draws the budget up, management approves it. A :class:`BudgetDraft` is that proposal for one
category in one period: the department drafts it and may revise it; management approves it (the approved
:class:`~aftersales.domain.budgets.CostBudget` is then written, the only budget reports compare spending
with) or sends it back with a reason, after which the department revises it again. Every step is kept in
:attr:`BudgetDraft.steps` for the internal audit (内部审计…检查…售后维护费用的使用情况).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.budgets import budget_id, checked_category, checked_period
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.money import Money
from aftersales.domain.text import bounded
from aftersales.domain.work import aware
from aftersales.errors import InvalidTransition, PermissionDenied, ValidationError

__all__ = ["BudgetDraft", "BudgetDraftStep", "DraftState"]


class DraftState(CodedEnum):
    """Where a drafted budget stands: awaiting management, sent back to the department, approved."""

    DRAFTED = "drafted"
    RETURNED = "returned"
    APPROVED = "approved"


def _positive(instance: object, attribute: attrs.Attribute[Money], value: object) -> None:
    if not isinstance(value, Money) or value.amount <= 0:
        raise ValidationError(
            f"{attribute.name} must be a positive Money amount", field=attribute.name, rule="positive"
        )


def _period(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    checked_period(value, attribute.name)


def _category(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    checked_category(value)


@attrs.frozen
class BudgetDraftStep:
    """One step of a draft: drafted or revised (``draft_budget``), sent back (``return_budget``, with the
    reason) or approved (``approve_budget``), by whom, when, and the amount it concerned."""

    action: str
    by: ActorRef
    at: datetime = attrs.field(validator=aware)
    amount: Money
    note: str = ""


def _steps(value: list[BudgetDraftStep]) -> list[BudgetDraftStep]:
    return list(value)


def _refused(draft: BudgetDraft, step: str) -> InvalidTransition:
    return InvalidTransition(BudgetDraft.DOCUMENT_KIND, draft.state.value, step, record_id=draft.id)


@attrs.define
class BudgetDraft:
    """The department's proposed budget of one category in one period (id as the budget's)."""

    DOCUMENT_KIND: ClassVar[str] = "budget_draft"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("period",)

    id: str
    period: str = attrs.field(validator=_period)
    category: str = attrs.field(validator=_category)
    amount: Money = attrs.field(validator=_positive)
    drafted_by: ActorRef
    drafted_at: datetime = attrs.field(validator=aware)
    note: str = attrs.field(default="", validator=bounded(2000))
    state: DraftState = attrs.field(default=DraftState.DRAFTED, converter=DraftState)
    returned_reason: str = ""
    """Why management sent the draft back (empty unless ``state`` is ``returned``)."""
    steps: list[BudgetDraftStep] = attrs.field(factory=list, converter=_steps)
    version: int = 0

    def __attrs_post_init__(self) -> None:
        if self.id != budget_id(self.period, self.category):
            raise ValidationError(f"the draft of {self.category} in {self.period} has id "
                                  f"{budget_id(self.period, self.category)}", field="id")  # fmt: skip

    def revise(self, amount: Money, note: str, by: ActorRef, at: datetime) -> None:
        """Propose ``amount`` (with ``note``) instead: awaiting management again, whatever it was (a draft
        sent back is corrected; after an approval it is the proposal of a revised budget, the approved
        one staying in force until this is approved)."""
        changed = attrs.evolve(self, amount=amount, note=note, drafted_by=by, drafted_at=at)
        self.amount, self.note, self.drafted_by, self.drafted_at = (
            changed.amount, changed.note, changed.drafted_by, changed.drafted_at,
        )  # fmt: skip
        self.state, self.returned_reason = DraftState.DRAFTED, ""
        self.steps.append(BudgetDraftStep("draft_budget", by, at, amount, note))

    def send_back(self, reason: str, by: ActorRef, at: datetime) -> None:
        """Management returns the draft to the department with ``reason`` (only a draft awaiting it)."""
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 2000:
            raise ValidationError("a draft is sent back with a reason (1–2000 characters)", field="reason")
        if self.state is not DraftState.DRAFTED:
            raise _refused(self, "return_budget")
        self.steps.append(BudgetDraftStep("return_budget", by, at, self.amount, reason))
        self.state, self.returned_reason = DraftState.RETURNED, reason

    def drafters(self) -> frozenset[str]:
        """Who drafted or revised the proposal awaiting approval (the steps since the last approval)."""
        ids: set[str] = set()
        for step in reversed(self.steps):
            if step.action == "approve_budget":
                break
            if step.action == "draft_budget":
                ids.add(step.by.id)
        return frozenset(ids)

    def approve(self, by: ActorRef, at: datetime) -> None:
        """Management approves the draft awaiting it (the caller writes the approved budget).

        Seed 000 (费用预算): 售后维护管理部门…编制…, 报公司管理层审批 — the one who drew the proposal up
        does not approve it, even where the pack lists their role among the approvers: another approver
        does (``PermissionDenied``, rule ``own_budget_draft``)."""
        if self.state is not DraftState.DRAFTED:
            raise _refused(self, "approve_budget")
        if by.id in self.drafters():
            raise PermissionDenied(str(by), "approve_budget", self.id, rule="own_budget_draft")
        self.steps.append(BudgetDraftStep("approve_budget", by, at, self.amount, self.note))
        self.state = DraftState.APPROVED
