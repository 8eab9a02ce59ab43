# mypy: disable-error-code="arg-type"
"""Seed 000 (费用预算): the after-sales department drafts the yearly budget, management approves it or
sends it back — through the service desk, on memory, SQLite and PostgreSQL.

售后维护管理部门每年…编制售后维护费用预算, 报公司管理层审批. Before session 25 only the general manager
could set a budget (``set_budget``): the department had no way to draw one up for approval. A draft is
never what the budget report compares spending with; the approved budget is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.budget_drafts import DraftState
from aftersales.domain.money import Money
from aftersales.errors import CurrencyMismatch, InvalidTransition, NotFound, PermissionDenied, ValidationError
from aftersales.i18n import render_error
from aftersales.reports import scoped_budget_report
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import store_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI)
GM = Actor.general_manager("gm-1")
HEAD = Actor.department_head("head-1")
MANAGER = Actor.manager("mgr-1")
AGENT = Actor.agent("agent-1")
AUDITOR = Actor.auditor("audit-1")
ENGINEER = Actor.engineer("eng-1")
CUSTOMER = Actor.customer("cust-1")
BACKENDS = ["memory", "sqlite", "postgres"]


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[ServiceDesk]:
    with (
        store_url(backend, tmp_path, "budget-draft.db") as url,
        ServiceDesk.open(url, pack="service_centre", clock=ManualClock(START)) as desk,
    ):
        yield desk


def _cny(amount: str) -> Money:
    return Money(amount, "CNY")


def _budgeted(desk: ServiceDesk, period: str) -> dict[str, Money | None]:
    return {r.category: r.budget for r in scoped_budget_report(desk, AUDITOR, period).rows}


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_department_drafts_the_budget_and_management_sends_it_back_then_approves_it(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as desk:
        charges = desk.charges
        for outsider in (AGENT, ENGINEER, CUSTOMER, AUDITOR):
            with pytest.raises(PermissionDenied):
                charges.draft_budget(outsider, "2026", "materials", _cny("80000"))
        draft = charges.draft_budget(HEAD, "2026", "materials", _cny("80000"), note="2026 年度维修材料费")
        assert (draft.state, draft.drafted_by, draft.amount) == (DraftState.DRAFTED, HEAD.ref, _cny("80000"))
        # A draft is no budget: the report and the budgets read compare spending with nothing yet.
        assert charges.budgets(AUDITOR, "2026") == () and _budgeted(desk, "2026") == {}

        # Only management sends it back, with a reason; the department head is no approver.
        with pytest.raises(PermissionDenied):
            charges.return_budget(HEAD, "2026", "materials", reason="偏高")
        with pytest.raises(PermissionDenied):
            charges.approve_budget(MANAGER, "2026", "materials")
        with pytest.raises(ValidationError) as blank:
            charges.return_budget(GM, "2026", "materials", reason="  ")
        assert blank.value.field == "reason"
        returned = charges.return_budget(GM, "2026", "materials", reason="材料费较上年增幅过大")
        assert (returned.state, returned.returned_reason) == (DraftState.RETURNED, "材料费较上年增幅过大")
        with pytest.raises(InvalidTransition) as refused:
            charges.approve_budget(GM, "2026", "materials")  # sent back: the department revises first
        assert render_error(refused.value, "zh_Hans") == (
            "费用预算草案 2026:materials 处于“已退回”状态，不能执行“批准费用预算”"
        )
        assert charges.budgets(AUDITOR, "2026") == ()

        revised = charges.draft_budget(MANAGER, "2026", "materials", _cny("70000"), note="压缩后")
        assert (revised.state, revised.returned_reason) == (DraftState.DRAFTED, "")
        budget = charges.approve_budget(GM, "2026", "materials")
        assert (budget.amount, budget.approved_by, budget.note) == (_cny("70000"), GM.ref, "压缩后")
        assert _budgeted(desk, "2026") == {"materials": _cny("70000")}

        # The audit reads every step: drafted, sent back with its reason, revised, approved.
        [audited] = charges.budget_drafts(AUDITOR, "2026")
        assert audited.state is DraftState.APPROVED
        assert [(s.action, s.by, s.amount) for s in audited.steps] == [
            ("draft_budget", HEAD.ref, _cny("80000")),
            ("return_budget", GM.ref, _cny("80000")),
            ("draft_budget", MANAGER.ref, _cny("70000")),
            ("approve_budget", GM.ref, _cny("70000")),
        ]
        assert audited.steps[1].note == "材料费较上年增幅过大"
        with pytest.raises(InvalidTransition):
            charges.approve_budget(GM, "2026", "materials")  # approved once
        for outsider in (ENGINEER, CUSTOMER):
            with pytest.raises(PermissionDenied):
                charges.budget_drafts(outsider, "2026")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_revised_draft_leaves_the_approved_budget_in_force_until_it_is_approved(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as desk:
        charges = desk.charges
        charges.set_budget(GM, "2026", "labour", _cny("120000"))  # the one-step approval still works
        charges.draft_budget(HEAD, "2026", "labour", _cny("150000"), note="年中调整")
        assert _budgeted(desk, "2026") == {"labour": _cny("120000")}
        charges.return_budget(GM, "2026", "labour", reason="维持原预算")
        assert _budgeted(desk, "2026") == {"labour": _cny("120000")}
        charges.draft_budget(HEAD, "2026", "labour", _cny("130000"), note="年中调整")
        again = charges.approve_budget(GM, "2026", "labour", idempotency_key="ab-1")
        assert charges.approve_budget(GM, "2026", "labour", idempotency_key="ab-1") == again
        assert (again.amount, [r.amount for r in again.revisions]) == (_cny("130000"), [_cny("120000")])
        assert _budgeted(desk, "2026") == {"labour": _cny("130000")}


@pytest.mark.parametrize("backend", BACKENDS)
def test_bad_drafts_and_missing_drafts_are_refused_and_nothing_changes(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as desk:
        charges = desk.charges
        refusals: list[tuple[str, str, Money, type[Exception], str]] = [
            ("2026-13", "materials", _cny("1"), ValidationError, "period"),
            ("2026", "snacks", _cny("1"), ValidationError, "category"),
            ("2026", "materials", _cny("0"), ValidationError, "amount"),
            ("2026", "materials", Money("10", "USD"), CurrencyMismatch, "amount"),
        ]
        for period, category, amount, error, field in refusals:
            with pytest.raises(error) as bad:
                charges.draft_budget(HEAD, period, category, amount)
            assert getattr(bad.value, "field", None) == field
        assert charges.budget_drafts(AUDITOR, "2026") == ()
        with pytest.raises(NotFound):
            charges.approve_budget(GM, "2026", "travel")
        with pytest.raises(NotFound):
            charges.return_budget(GM, "2026", "travel", reason="无草案")
        assert charges.budgets(AUDITOR, "2026") == ()
