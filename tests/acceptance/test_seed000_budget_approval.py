# mypy: disable-error-code="arg-type"
"""Seed 000 (售后维护费用管理): the yearly budget approved by management, and overruns approved with a
reason — through the service desk, on memory, SQLite and PostgreSQL. The money figures the budget is
compared with are developer a's (test_seed002_money); this file is the approval flow.

费用预算: 售后维护管理部门每年…编制售后维护费用预算, 报公司管理层审批. 费用控制: 严格按照费用预算控制
售后维护费用的支出, 对超出预算的费用进行分析和审批. 内部监督: 内部审计部门定期…检查…售后维护费用的使用情况.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.money import Money
from aftersales.errors import CurrencyMismatch, NotFound, PermissionDenied, ValidationError
from aftersales.policies.fees import DefaultFeesPolicy, FeesParams
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
def _desk(backend: str, tmp_path: Path, approvers: tuple[str, ...] | None = None) -> Iterator[ServiceDesk]:
    overrides = None
    if approvers is not None:
        overrides = {"fees": DefaultFeesPolicy(FeesParams(currency="CNY", budget_approvers=approvers))}
    with (
        store_url(backend, tmp_path, "budget.db") as url,
        ServiceDesk.open(url, pack="service_centre", overrides=overrides, clock=ManualClock(START)) as desk,
    ):
        yield desk


def _cny(amount: str) -> Money:
    return Money(amount, "CNY")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_yearly_budget_is_approved_by_management_and_overruns_with_a_reason(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as desk:
        charges = desk.charges
        # The department draws the budget up; only management (the pack's budget_approvers) approves it.
        for someone in (MANAGER, HEAD, AGENT, AUDITOR, ENGINEER, CUSTOMER):
            with pytest.raises(PermissionDenied):
                charges.set_budget(someone, "2026", "materials", _cny("80000"))
        assert charges.budgets(AUDITOR, "2026") == ()
        budget = charges.set_budget(GM, "2026", "materials", _cny("80000"), note="2026 年度维修材料费")
        assert (budget.id, budget.approved_by, budget.approved_at) == ("2026:materials", GM.ref, START)
        charges.set_budget(GM, "2026", "labour", _cny("120000"))

        # An overrun needs the approver, a reason, a positive amount in the budget's currency, a budget.
        refusals: list[tuple[Actor, str, str, Money, str, type[Exception]]] = [
            (MANAGER, "2026", "materials", _cny("5000"), "暴雨后报修激增", PermissionDenied),
            (GM, "2026", "materials", _cny("5000"), "  ", ValidationError),
            (GM, "2026", "materials", _cny("0"), "暴雨后报修激增", ValidationError),
            (GM, "2026", "materials", Money("5000", "USD"), "暴雨后报修激增", CurrencyMismatch),
            (GM, "2026", "travel", _cny("5000"), "暴雨后报修激增", NotFound),  # travel was never budgeted
            (GM, "2025", "materials", _cny("5000"), "暴雨后报修激增", NotFound),
        ]
        for actor, period, category, amount, reason, error in refusals:
            with pytest.raises(error):
                charges.approve_overrun(actor, period, category, amount, reason=reason)
        stored = {b.category: b for b in charges.budgets(AUDITOR, "2026")}
        assert stored["materials"].overruns == [] and stored["materials"].version == 0

        approved = charges.approve_overrun(GM, "2026", "materials", _cny("5000"), reason="暴雨后报修激增")
        assert approved.allowed == _cny("85000") and approved.overruns[0].approved_by == GM.ref

        # Re-approving the budget keeps the overruns already approved; another currency is refused.
        with pytest.raises(CurrencyMismatch):
            charges.set_budget(GM, "2026", "materials", Money("11000", "USD"))
        again = charges.set_budget(GM, "2026", "materials", _cny("90000"), note="年中调整")
        assert again.allowed == _cny("95000") and again.note == "年中调整"

        # The internal audit reads the budgets and their approvals; a customer or engineer reads nothing.
        audited = {b.category: b for b in charges.budgets(AUDITOR, "2026")}
        assert audited["materials"].overruns[0].reason == "暴雨后报修激增"
        assert audited["labour"].allowed == _cny("120000")
        for someone in (CUSTOMER, ENGINEER):
            with pytest.raises(PermissionDenied):
                charges.budgets(someone, "2026")


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_pack_may_let_the_department_head_approve_overruns_as_well(backend: str, tmp_path: Path) -> None:
    # 对超出预算的费用进行分析和审批 read as the after-sales department's own approval: a pack naming the
    # department head among its budget approvers lets it approve; the manager still may not.
    with _desk(backend, tmp_path, approvers=("general_manager", "department_head")) as desk:
        desk.charges.set_budget(GM, "2026-03", "travel", _cny("3000"))
        after = desk.charges.approve_overrun(HEAD, "2026-03", "travel", _cny("500"), reason="外地客户上门")
        assert after.overruns[0].approved_by == HEAD.ref
        with pytest.raises(PermissionDenied):
            desk.charges.approve_overrun(MANAGER, "2026-03", "travel", _cny("500"), reason="外地客户上门")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_retried_approval_is_recorded_once_and_a_malformed_period_is_refused(
    backend: str, tmp_path: Path
) -> None:
    # A client that times out and sends the approval again must not approve the overrun twice (before:
    # no idempotency key, two overruns of 5,000); a period written wrong was answered "no budgets".
    with _desk(backend, tmp_path) as desk:
        charges = desk.charges
        first = charges.set_budget(GM, "2026", "materials", _cny("80000"), idempotency_key="b-1")
        assert charges.set_budget(GM, "2026", "materials", _cny("80000"), idempotency_key="b-1") == first
        for _ in range(2):
            after = charges.approve_overrun(
                GM, "2026", "materials", _cny("5000"), reason="暴雨后报修激增", idempotency_key="o-1"
            )
        assert len(after.overruns) == 1 and after.allowed == _cny("85000")
        [stored] = charges.budgets(AUDITOR, "2026")
        assert len(stored.overruns) == 1
        for period in ("2026-13", "26", "2026/03", ""):
            with pytest.raises(ValidationError) as bad:
                charges.budgets(AUDITOR, period)
            assert bad.value.field == "period"
            with pytest.raises(ValidationError):
                charges.approve_overrun(GM, period, "materials", _cny("5000"), reason="暴雨后报修激增")
        assert len(charges.budgets(AUDITOR, "2026")[0].overruns) == 1
