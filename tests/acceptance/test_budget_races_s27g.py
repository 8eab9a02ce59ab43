# mypy: disable-error-code="arg-type"
"""Two desks racing the seed-000 budget steps of session 25-26 (session 27 g).

售后维护管理部门每年…编制售后维护费用预算, 报公司管理层审批: the department drafts, management approves or
sends it back, approves an overrun. Each test races two steps on one period and category with
:func:`two_desk_races.race` (both read and write before either commits) on one SQLite file, one
PostgreSQL database and, two threads, one memory store, in both orders. The outcome is one the two steps
give run one after the other: no approval lost or counted twice, the draft's steps and the cost budget
agreeing with each other and with the budget report.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from two_desk_races import Outcome, race

from aftersales.adapters.clock import ManualClock
from aftersales.domain.budget_drafts import BudgetDraft, DraftState
from aftersales.domain.budgets import CostBudget
from aftersales.domain.money import Money
from aftersales.errors import ConcurrencyConflict, InvalidTransition, PermissionDenied
from aftersales.reports import scoped_budget_report
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import store_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI)
GM1, GM2 = Actor.general_manager("gm-1"), Actor.general_manager("gm-2")
HEAD = Actor.department_head("head-1")
AUDITOR = Actor.auditor("audit-1")
PERIOD, CATEGORY = "2026", "materials"

Desks = tuple[ServiceDesk, ServiceDesk]
Step = Callable[[ServiceDesk], Any]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desks(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desks]:
    """Two desks of the service-centre pack on one fresh store (memory: one desk, two threads)."""
    clock = ManualClock(START)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path))
        first = stack.enter_context(ServiceDesk.open(url, pack="service_centre", clock=clock))
        if request.param == "memory":
            yield first, first
        else:
            yield first, stack.enter_context(ServiceDesk.open(url, pack="service_centre", clock=clock))


def _cny(amount: str) -> Money:
    return Money(amount, "CNY")


def _both_orders(desks: Desks, one: Step, other: Step) -> tuple[Outcome, Outcome]:
    return race(desks[0], desks[1], one, other)


def _draft(amount: str, by: Actor = HEAD) -> Step:
    return lambda d: d.charges.draft_budget(by, PERIOD, CATEGORY, _cny(amount), note="年度材料费")


def _approve(by: Actor) -> Step:
    return lambda d: d.charges.approve_budget(by, PERIOD, CATEGORY)


def _return(by: Actor) -> Step:
    return lambda d: d.charges.return_budget(by, PERIOD, CATEGORY, reason="偏高")


def _overrun(by: Actor, amount: str) -> Step:
    return lambda d: d.charges.approve_overrun(by, PERIOD, CATEGORY, _cny(amount), reason="配件涨价")


def _set(by: Actor, amount: str) -> Step:
    return lambda d: d.charges.set_budget(by, PERIOD, CATEGORY, _cny(amount), note="直接核定")


def _stored(desk: ServiceDesk) -> tuple[BudgetDraft | None, CostBudget | None]:
    drafts = desk.charges.budget_drafts(GM1, PERIOD)
    budgets = desk.charges.budgets(GM1, PERIOD)
    return (drafts[0] if drafts else None), (budgets[0] if budgets else None)


def _agrees_with_report(desk: ServiceDesk, budget: CostBudget | None) -> None:
    rows = {r.category: r for r in scoped_budget_report(desk, AUDITOR, PERIOD).rows}
    if budget is None:
        assert CATEGORY not in rows or rows[CATEGORY].budget is None
    else:
        assert rows[CATEGORY].budget == budget.amount


def _refused(outcome: Outcome, *kinds: type[BaseException]) -> bool:
    return outcome.error is not None and isinstance(outcome.error, kinds)


@pytest.mark.parametrize("swap", [False, True])
def test_two_approvers_approving_one_draft_at_once_approve_it_once(desks: Desks, swap: bool) -> None:
    desks[0].charges.draft_budget(HEAD, PERIOD, CATEGORY, _cny("80000"), note="年度材料费")
    one, other = (_approve(GM2), _approve(GM1)) if swap else (_approve(GM1), _approve(GM2))
    first, second = _both_orders(desks, one, other)
    assert sorted([first.ok, second.ok]) == [False, True]
    loser = second if first.ok else first
    assert _refused(loser, InvalidTransition, ConcurrencyConflict)
    draft, budget = _stored(desks[1])
    assert draft is not None and budget is not None
    assert draft.state is DraftState.APPROVED
    assert [s.action for s in draft.steps] == ["draft_budget", "approve_budget"]
    assert budget.amount == _cny("80000") and budget.revisions == []
    winner = first.value if first.ok else second.value
    assert budget.approved_by == winner.approved_by == draft.steps[-1].by
    _agrees_with_report(desks[0], budget)


@pytest.mark.parametrize("swap", [False, True])
def test_an_approval_and_a_return_at_once_leave_one_of_them(desks: Desks, swap: bool) -> None:
    desks[0].charges.draft_budget(HEAD, PERIOD, CATEGORY, _cny("80000"), note="年度材料费")
    one, other = (_return(GM2), _approve(GM1)) if swap else (_approve(GM1), _return(GM2))
    first, second = _both_orders(desks, one, other)
    assert sorted([first.ok, second.ok]) == [False, True]
    assert _refused(second if first.ok else first, InvalidTransition, ConcurrencyConflict)
    draft, budget = _stored(desks[1])
    assert draft is not None
    if draft.state is DraftState.APPROVED:
        assert budget is not None and budget.amount == _cny("80000")
        assert [s.action for s in draft.steps] == ["draft_budget", "approve_budget"]
    else:
        assert draft.state is DraftState.RETURNED and budget is None
        assert [s.action for s in draft.steps] == ["draft_budget", "return_budget"]
    _agrees_with_report(desks[0], budget)


@pytest.mark.parametrize("swap", [False, True])
def test_a_revision_racing_the_approval_is_approved_as_it_was_read_or_awaits_again(
    desks: Desks, swap: bool
) -> None:
    """The department revises the draft while management approves it: either the approval saw the old
    amount and the revision now awaits approval again, or the approval saw the revision; never an
    approved budget of an amount the draft's approved step does not show."""
    desks[0].charges.draft_budget(HEAD, PERIOD, CATEGORY, _cny("80000"), note="年度材料费")
    one, other = (_draft("90000"), _approve(GM1)) if swap else (_approve(GM1), _draft("90000"))
    first, second = _both_orders(desks, one, other)
    draft_told = second if not swap else first
    assert draft_told.ok
    draft, budget = _stored(desks[1])
    assert draft is not None
    approvals = [s for s in draft.steps if s.action == "approve_budget"]
    if budget is None:  # the approval lost: the revision awaits approval
        assert approvals == [] and draft.state is DraftState.DRAFTED
    else:
        assert [a.amount for a in approvals] == [budget.amount]
    assert draft.amount == _cny("90000")
    _agrees_with_report(desks[0], budget)


@pytest.mark.parametrize("swap", [False, True])
def test_two_overruns_approved_at_once_both_count(desks: Desks, swap: bool) -> None:
    desks[0].charges.set_budget(GM1, PERIOD, CATEGORY, _cny("80000"), note="直接核定")
    one, other = (_overrun(GM2, "300"), _overrun(GM1, "500"))
    first, second = _both_orders(desks, *((other, one) if swap else (one, other)))
    assert first.ok and second.ok, (first.error, second.error)
    _, budget = _stored(desks[1])
    assert budget is not None
    assert sorted(str(o.amount.amount) for o in budget.overruns) == ["300.00", "500.00"]
    assert budget.allowed == _cny("80800")


@pytest.mark.parametrize("swap", [False, True])
def test_a_first_budget_set_and_a_draft_approved_at_once_write_one_budget_revised_once(
    desks: Desks, swap: bool
) -> None:
    desks[0].charges.draft_budget(HEAD, PERIOD, CATEGORY, _cny("80000"), note="年度材料费")
    one, other = (_set(GM2, "70000"), _approve(GM1))
    first, second = _both_orders(desks, *((other, one) if swap else (one, other)))
    assert first.ok and second.ok, (first.error, second.error)
    _, budget = _stored(desks[1])
    assert budget is not None and len(budget.revisions) == 1
    assert {budget.amount, budget.revisions[0].amount} == {_cny("70000"), _cny("80000")}
    _agrees_with_report(desks[0], budget)


@pytest.mark.parametrize("swap", [False, True])
def test_two_first_drafts_at_once_keep_both_steps(desks: Desks, swap: bool) -> None:
    head2 = Actor.department_head("head-2")
    one, other = (_draft("80000"), _draft("60000", head2))
    first, second = _both_orders(desks, *((other, one) if swap else (one, other)))
    assert first.ok and second.ok, (first.error, second.error)
    draft, _ = _stored(desks[1])
    assert draft is not None
    assert sorted(s.by.id for s in draft.steps) == ["head-1", "head-2"]
    assert draft.amount == draft.steps[-1].amount


@pytest.mark.parametrize("swap", [False, True])
def test_a_drafter_setting_the_budget_while_drafting_it_is_one_serial_order(desks: Desks, swap: bool) -> None:
    """own_budget_draft: a general manager drafting the proposal and setting the budget at once. Run one
    after the other, set-then-draft passes both; draft-then-set refuses the set. Racing, one of those."""
    head = GM1
    one, other = (_draft("80000", head), _set(head, "70000"))
    first, second = _both_orders(desks, *((other, one) if swap else (one, other)))
    drafted, setting = (second, first) if swap else (first, second)
    assert drafted.ok
    draft, budget = _stored(desks[1])
    assert draft is not None
    if setting.ok:
        assert budget is not None and budget.amount == _cny("70000")
    else:
        assert isinstance(setting.error, PermissionDenied) and budget is None


def test_one_step_retried_on_two_desks_with_its_key_is_taken_once(desks: Desks) -> None:
    """A host retrying a step on another desk (the first seemed lost) with the same idempotency key: the
    draft is revised once, the overrun approved once, and each desk is handed the one result."""

    def draft(d: ServiceDesk) -> BudgetDraft:
        return d.charges.draft_budget(
            HEAD, PERIOD, CATEGORY, _cny("80000"), note="年度材料费", idempotency_key="d-1"
        )

    first, second = race(desks[0], desks[1], draft, draft)
    assert first.ok and second.ok, (first.error, second.error)
    stored, _ = _stored(desks[1])
    assert stored is not None and [s.action for s in stored.steps] == ["draft_budget"]
    desks[0].charges.approve_budget(GM1, PERIOD, CATEGORY)

    def overrun(d: ServiceDesk) -> CostBudget:
        return d.charges.approve_overrun(
            GM2, PERIOD, CATEGORY, _cny("500"), reason="配件涨价", idempotency_key="o-1"
        )

    first, second = race(desks[0], desks[1], overrun, overrun)
    assert first.ok and second.ok, (first.error, second.error)
    _, budget = _stored(desks[1])
    assert budget is not None and len(budget.overruns) == 1 and budget.allowed == _cny("80500")
