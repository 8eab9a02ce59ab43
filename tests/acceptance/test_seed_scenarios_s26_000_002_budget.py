# mypy: disable-error-code="arg-type"
"""Seed 000 (售后维护费用管理, 费用预算) walked again (session 26): the one who draws the yearly budget up
does not approve it — through the service desk with the general-maintenance pack, on memory, SQLite and
PostgreSQL.

售后维护管理部门每年根据公司的业务发展规划和售后维护工作需求, 编制售后维护费用预算, 报公司管理层审批 —
the department draws it up and management approves it: two hands. A company whose after-sales manager sits
in management lists the manager among ``fees.budget_approvers``; before session 26 that manager could draft
a budget and approve the same draft, so the budget in force had been approved by nobody but its author.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales import Money, PermissionDenied, ServiceDesk
from aftersales.adapters.clock import ManualClock
from aftersales.domain.budget_drafts import DraftState
from aftersales.i18n import render_error
from aftersales.service.actors import Actor
from conftest import store_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI)
GM = Actor.general_manager("gm-1")
MANAGER = Actor.manager("mgr-1")
AUDITOR = Actor.auditor("audit-1")
BACKENDS = ["memory", "sqlite", "postgres"]


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[ServiceDesk]:
    """A general-maintenance desk whose management, by the company's pack, is the after-sales manager
    and the general manager."""
    pack = tmp_path / "company.toml"
    pack.write_text(
        '[pack]\nname = "company"\nextends = "general_maintenance"\n\n'
        '[fees]\nbudget_approvers = ["manager", "general_manager"]\n',
        encoding="utf-8",
    )
    with (
        store_url(backend, tmp_path, "budget-s26.db") as url,
        ServiceDesk.open(url, pack=str(pack), clock=ManualClock(START)) as desk,
    ):
        yield desk


def _cny(amount: str) -> Money:
    return Money(amount, "CNY")


@pytest.mark.parametrize("backend", BACKENDS)
def test_whoever_drafts_the_yearly_budget_does_not_approve_it_another_of_management_does(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as desk:
        charges = desk.charges
        charges.draft_budget(MANAGER, "2026", "materials", _cny("80000"), note="2026 年度维修材料费")
        with pytest.raises(PermissionDenied) as own:
            charges.approve_budget(MANAGER, "2026", "materials")
        assert own.value.rule == "own_budget_draft"
        assert render_error(own.value, "zh_Hans") == "不能审批自己编制的预算：须由其他管理层人员审批"
        assert render_error(own.value, "zh_Hant") == "不能審批自己編制的預算：須由其他管理層人員審批"
        assert "drafted yourself" in render_error(own.value, "en")
        with pytest.raises(PermissionDenied) as other_door:  # nor by setting the budget directly
            charges.set_budget(MANAGER, "2026", "materials", _cny("80000"))
        assert other_door.value.rule == "own_budget_draft"
        # Nothing changed: no budget in force, the draft still awaits management.
        assert charges.budgets(AUDITOR, "2026") == ()
        (draft,) = charges.budget_drafts(AUDITOR, "2026")
        assert draft.state is DraftState.DRAFTED
        assert [step.action for step in draft.steps] == ["draft_budget"]

        approved = charges.approve_budget(GM, "2026", "materials")
        assert (approved.amount, approved.approved_by) == (_cny("80000"), GM.ref)
        # 费用控制: 售后维护管理部门…对超出预算的费用进行分析和审批 — the department's manager approves an
        # overrun in one step, the analysis being its reason.
        over = charges.approve_overrun(
            MANAGER, "2026", "materials", _cny("5000"), reason="台风季漏水报修激增, 密封件用量超出"
        )
        assert [(o.amount, o.approved_by) for o in over.overruns] == [(_cny("5000"), MANAGER.ref)]

        # The next round: the general manager proposes a revision; it is the manager's to approve now,
        # and the general manager's own proposal is not theirs to approve.
        charges.draft_budget(GM, "2026", "materials", _cny("90000"), note="新增服务网点")
        with pytest.raises(PermissionDenied):
            charges.approve_budget(GM, "2026", "materials")
        assert charges.budgets(AUDITOR, "2026")[0].amount == _cny("80000")
        revised = charges.approve_budget(MANAGER, "2026", "materials")
        assert (revised.amount, revised.approved_by) == (_cny("90000"), MANAGER.ref)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_draft_revised_by_its_approver_is_theirs_and_awaits_another(backend: str, tmp_path: Path) -> None:
    # The manager drafts, the general manager sends it back, the manager corrects it: still the manager's
    # proposal. A general manager who corrects a draft before approving it has drawn it up too.
    with _desk(backend, tmp_path) as desk:
        charges = desk.charges
        charges.draft_budget(MANAGER, "2026", "labour", _cny("50000"))
        charges.return_budget(GM, "2026", "labour", reason="人工费偏高, 请按新的人员编制重算")
        charges.draft_budget(MANAGER, "2026", "labour", _cny("45000"))
        with pytest.raises(PermissionDenied):
            charges.approve_budget(MANAGER, "2026", "labour")
        charges.draft_budget(GM, "2026", "labour", _cny("46000"), note="取整")
        with pytest.raises(PermissionDenied):
            charges.approve_budget(GM, "2026", "labour")
        assert charges.budgets(AUDITOR, "2026") == ()
