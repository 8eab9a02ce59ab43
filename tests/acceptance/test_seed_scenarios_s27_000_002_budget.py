# mypy: disable-error-code="arg-type"
"""Seed 000 (售后维护费用管理) walked again (session 27): who approves an overrun — through the service desk
with the general-maintenance pack, on memory, SQLite and PostgreSQL.

费用预算: 售后维护管理部门每年…编制售后维护费用预算, 报公司管理层审批 — management approves the budget.
费用控制: 售后维护管理部门严格按照费用预算控制售后维护费用的支出, 对超出预算的费用进行分析和审批 — the
department itself analyses and approves the spending over it. Before session 27 one list
(``fees.budget_approvers``) approved both: the pack left overruns to the general manager alone, and a
company that listed its after-sales manager there so the department could approve overruns let the manager
approve the budget too (another's draft, or directly). Now ``fees.overrun_approvers`` names the
department (seed 000's pack: the manager), ``fees.budget_approvers`` the management (the general manager).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales import Money, PermissionDenied, ServiceDesk
from aftersales.adapters.clock import ManualClock
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, ProductId
from aftersales.domain.parties import Customer
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.errors import ConfigurationError
from aftersales.policies.fees import FeesParams
from aftersales.policies.registry import Registry
from aftersales.reports import scoped_budget_report
from aftersales.service.actors import Actor
from conftest import store_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI)
GM = Actor.general_manager("gm-1")
HEAD = Actor.department_head("head-1")
MANAGER = Actor.manager("mgr-1")
AUDITOR = Actor.auditor("audit-1")
BACKENDS = ["memory", "sqlite", "postgres"]


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[ServiceDesk]:
    with (
        store_url(backend, tmp_path, "budget-s27.db") as url,
        ServiceDesk.open(url, pack="general_maintenance", clock=ManualClock(START)) as desk,
    ):
        yield desk


def _cny(amount: str) -> Money:
    return Money(amount, "CNY")


@pytest.mark.parametrize("backend", BACKENDS)
def test_management_approves_the_budget_and_the_department_approves_the_overrun(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as desk:
        charges = desk.charges
        charges.draft_budget(HEAD, "2026", "materials", _cny("80000"), note="2026 年度维修材料费")
        # The after-sales manager approves overruns, not the budget: not another's draft, not directly.
        with pytest.raises(PermissionDenied):
            charges.approve_budget(MANAGER, "2026", "materials")
        with pytest.raises(PermissionDenied):
            charges.set_budget(MANAGER, "2026", "materials", _cny("80000"))
        assert charges.budgets(AUDITOR, "2026") == ()
        approved = charges.approve_budget(GM, "2026", "materials")
        assert approved.approved_by == GM.ref

        # 对超出预算的费用进行分析和审批: the department's manager, the analysis as its reason; management
        # does not take the department's decision over.
        with pytest.raises(PermissionDenied):
            charges.approve_overrun(GM, "2026", "materials", _cny("5000"), reason="暴雨后报修激增")
        assert charges.budgets(AUDITOR, "2026")[0].overruns == []
        over = charges.approve_overrun(
            MANAGER, "2026", "materials", _cny("5000"), reason="台风季漏水报修激增, 密封件用量超出"
        )
        assert [(o.amount, o.approved_by) for o in over.overruns] == [(_cny("5000"), MANAGER.ref)]
        # Both read the budgets and the drafts.
        assert [b.id for b in charges.budgets(MANAGER, "2026")] == ["2026:materials"]
        assert [b.id for b in charges.budgets(GM, "2026")] == ["2026:materials"]


def test_seed_000s_pack_names_the_department_for_overruns_and_the_others_keep_the_budget_approvers() -> None:
    registry = Registry.discover()
    gm = registry.resolve("general_maintenance").fees.params
    assert isinstance(gm, FeesParams)
    assert (gm.budget_approvers, gm.overrun_approver_roles) == (("general_manager",), ("manager",))
    other = registry.resolve("service_centre").fees.params
    assert isinstance(other, FeesParams)
    assert other.overrun_approvers is None
    assert other.overrun_approver_roles == other.budget_approvers


@pytest.mark.parametrize("value", ["[]", '["agent"]', '["boss"]', '"manager"', '["auditor", "manager"]'])
def test_a_malformed_overrun_approvers_is_refused_naming_the_key(tmp_path: Path, value: str) -> None:
    pack = tmp_path / "company.toml"
    pack.write_text(
        f'[pack]\nname = "company"\nextends = "general_maintenance"\n\n[fees]\noverrun_approvers = {value}\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as refused:
        Registry.discover().resolve(str(pack))
    assert refused.value.key is not None and refused.value.key.startswith("fees.overrun_approvers")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_month_over_budget_is_flagged_until_the_department_approves_the_overrun(
    backend: str, tmp_path: Path
) -> None:
    # The department runs March: the year's materials budget, drafted by the manager and approved by the
    # general manager, is spent past; the budget report flags it to both; the manager analyses it and
    # approves the overrun with the reason, and the flag clears.
    with _desk(backend, tmp_path) as desk:
        desk.register_product(
            MANAGER, Product(ProductId("P-1"), "WC-100", "连体马桶", "toilet", (WarrantyTerm(12),))
        )
        desk.register_customer(
            MANAGER, Customer(CustomerId("c1"), "张三", Contact("张三", phone="13800000000"), region="SH")
        )
        desk.register_asset(
            MANAGER,
            Asset(AssetId("A-1"), ProductId("P-1"), "SN-1", CustomerId("c1"), purchase_date=date(2025, 9, 1)),
        )
        charges = desk.charges
        charges.draft_budget(MANAGER, "2026", "materials", _cny("50.00"))
        charges.approve_budget(GM, "2026", "materials")
        agent = Actor.agent("agent-1")
        tid = desk.open_ticket(agent, customer_id="c1", description="冲洗不出水", asset_id="A-1").ticket.id
        line = ChargeLine(ChargeKind.MATERIALS, "VALVE-01", _cny("75.00"), 1, chargeable=False)
        desk.fees.record_free_issue(agent, tid, [line])
        for reader in (MANAGER, GM):
            assert scoped_budget_report(desk, reader, "2026").unapproved == ("materials",)
        charges.approve_overrun(MANAGER, "2026", "materials", _cny("25.00"), reason="阀门批次更换")
        assert scoped_budget_report(desk, AUDITOR, "2026").unapproved == ()
