"""The store steps of a drafted budget (seed 000: 编制…费用预算, 报公司管理层审批).

The department's draft (:class:`~aftersales.domain.budget_drafts.BudgetDraft`) is a document of its own,
never a :class:`~aftersales.domain.budgets.CostBudget`: the reports read only cost budgets, so a draft is
never what spending is compared with. Management's approval writes (or revises) the cost budget in the
same transaction, with the approver as its ``approved_by``; the approval it replaces stays in the
budget's revisions. The desk (:class:`~aftersales.service.charges_desk.ChargesDesk`) judges the actor
first; these steps run inside its one command path.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.actors import ActorRef
from aftersales.domain.budget_drafts import BudgetDraft, DraftState
from aftersales.domain.budgets import CostBudget, budget_id
from aftersales.domain.money import Money
from aftersales.errors import NotFound, PermissionDenied
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["approve_amount", "approve_draft", "refuse_own_draft", "return_draft", "write_draft"]


def write_draft(
    uow: UnitOfWork, period: str, category: str, amount: Money, note: str, by: ActorRef, now: datetime
) -> BudgetDraft:
    """Draft the budget of ``category`` in ``period``, or revise the draft there is."""
    try:
        draft: BudgetDraft = uow.documents.get(BudgetDraft, budget_id(period, category))
    except NotFound:
        draft = BudgetDraft(budget_id(period, category), period, category, amount, by, now, note)
        draft.revise(amount, note, by, now)  # the first step, recorded as every later one
        uow.documents.add(draft)
        return draft
    draft.revise(amount, note, by, now)
    saved: BudgetDraft = uow.documents.save(draft)
    return saved


def return_draft(
    uow: UnitOfWork, period: str, category: str, reason: str, by: ActorRef, now: datetime
) -> BudgetDraft:
    """Send the draft awaiting management back with ``reason`` (``NotFound`` without a draft)."""
    draft: BudgetDraft = uow.documents.get(BudgetDraft, budget_id(period, category))
    draft.send_back(reason, by, now)
    saved: BudgetDraft = uow.documents.save(draft)
    return saved


def approve_draft(uow: UnitOfWork, period: str, category: str, by: ActorRef, now: datetime) -> CostBudget:
    """Approve the draft awaiting management: the cost budget is written (or revised) with its amount."""
    draft: BudgetDraft = uow.documents.get(BudgetDraft, budget_id(period, category))
    draft.approve(by, now)
    uow.documents.save(draft)
    return approve_amount(uow, period, category, draft.amount, draft.note, by, now)


def approve_amount(
    uow: UnitOfWork, period: str, category: str, amount: Money, note: str, by: ActorRef, now: datetime
) -> CostBudget:
    """Approve ``amount`` as the budget of ``category`` in ``period``: written, or the budget there is
    revised (its approval kept in ``revisions``). Shared by a draft's approval and ``set_budget``."""
    try:
        budget: CostBudget = uow.documents.get(CostBudget, budget_id(period, category))
    except NotFound:
        budget = CostBudget(budget_id(period, category), period, category, amount, by, now, note)
        uow.documents.add(budget)
        return budget
    budget.revise(amount, note, by, now)
    saved: CostBudget = uow.documents.save(budget)
    return saved


def refuse_own_draft(uow: UnitOfWork, period: str, category: str, by: ActorRef) -> None:
    """Refuse ``set_budget`` by whoever drafted the proposal awaiting approval there: setting the budget
    directly would approve their own proposal by the other door (``PermissionDenied``, rule
    ``own_budget_draft``)."""
    try:
        draft: BudgetDraft = uow.documents.get(BudgetDraft, budget_id(period, category))
    except NotFound:
        return
    if draft.state is DraftState.DRAFTED and by.id in draft.drafters():
        raise PermissionDenied(str(by), "set_budget", draft.id, rule="own_budget_draft")
