# mypy: disable-error-code="arg-type"
"""Seed 001 六(三) 1 walked again (session 27): who appraises the after-sales manager, and what a second
appraisal of the same month is — through the service desk with the exhibition-services pack, on memory,
SQLite and PostgreSQL.

售后团队成员的考核由售后经理负责, 每月进行一次考核评估 — the manager appraises the team, of which the manager
is a member (售后团队由售后经理、售后专员、技术支持人员、客服人员等组成), and nobody appraises themselves.
售后经理…定期向上级汇报售后工作情况: the manager reports to the company's management, which appraises the
manager. Before session 27 the pack's ``[staff] appraisers = ["manager"]`` left the manager's month to
another manager (seed 001 has one) and refused the general manager, so the 售后经理 could not be
appraised at all. Now a head of the team is appraised as ``StaffKind.MANAGER`` by ``[staff]
manager_appraisers`` (seed 001: the general manager), who decides the manager's incentives and sanctions
too. 每月进行一次: a second appraisal of a month corrects the one record; the figures replaced — which the
bonus may have been paid on (考核结果与绩效奖金挂钩) — stay in ``revisions``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import HEADS, Role
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.domain.staff_records import AppraisalRating, MeasureKind, StaffKind
from aftersales.errors import ConfigurationError, NotFound, PermissionDenied
from aftersales.policies.registry import Registry
from aftersales.policies.staff import pack_staff_rules
from aftersales.ports.reporting import Period
from aftersales.reports.staff_kpi import scoped_agent_kpis
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import store_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH_END = datetime(2026, 3, 31, 23, 30, tzinfo=SHANGHAI)
MANAGER = Actor.manager("mgr-1", "售后经理")
OTHER_MANAGER = Actor.manager("mgr-2")
GM = Actor.general_manager("gm-1")
HEAD = Actor.department_head("head-1")
BACKENDS = ["memory", "sqlite", "postgres"]


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[ServiceDesk]:
    with (
        store_url(backend, tmp_path, "staff-s27.db") as url,
        ServiceDesk.open(url, pack="exhibition_services", clock=ManualClock(MONTH_END)) as desk,
    ):
        yield desk


def _months(desk: ServiceDesk, staff_id: str) -> list[tuple[str, Decimal, AppraisalRating]]:
    try:
        record = desk.staff_records.staff_record(GM, staff_id)
    except NotFound:
        return []
    return [(a.month, a.score, a.rating) for a in record.appraisals]


def test_seed_001s_pack_gives_the_managers_appraisal_to_the_general_manager() -> None:
    registry = Registry.discover()
    seed_001 = pack_staff_rules(registry.resolve("exhibition_services").extra)
    assert (seed_001.appraisers, seed_001.manager_appraisers) == ({Role.MANAGER}, {Role.GENERAL_MANAGER})
    assert pack_staff_rules(registry.resolve("sanitary_ware").extra).manager_appraisers == HEADS


@pytest.mark.parametrize(
    ("body", "key"),
    [("[]", "staff.manager_appraisers"), ('["agent"]', "staff.manager_appraisers")],
)
def test_a_malformed_manager_appraisers_is_refused_naming_the_key(
    tmp_path: Path, body: str, key: str
) -> None:
    path = tmp_path / "staff.toml"
    path.write_text(
        f'[pack]\nname = "staff"\nextends = "exhibition_services"\n\n[staff]\nmanager_appraisers = {body}\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as refused:
        Registry.discover().resolve(str(path))
    assert refused.value.key == key


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_general_manager_appraises_the_after_sales_manager_and_the_manager_the_team(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as desk:
        staff = desk.staff_records
        # Not the manager themselves, not another manager, not a department head seed 001 has not got.
        for someone in (MANAGER, OTHER_MANAGER, HEAD):
            with pytest.raises(PermissionDenied):
                staff.appraise(someone, "mgr-1", "2026-03", kind=StaffKind.MANAGER, score=88)
            with pytest.raises(PermissionDenied):
                staff.record_measure(
                    someone, "mgr-1", kind=StaffKind.MANAGER, measure=MeasureKind.REWARD, reason="满意度达标"
                )
        assert _months(desk, "mgr-1") == []
        appraisal = staff.appraise(GM, "mgr-1", "2026-03", kind=StaffKind.MANAGER, score=88)
        assert (appraisal.appraised_by, appraisal.rating) == (GM.ref, AppraisalRating.GOOD)
        staff.record_measure(
            GM, "mgr-1", kind=StaffKind.MANAGER, measure=MeasureKind.REWARD, reason="满意度达标"
        )
        # The team is still the manager's, not the general manager's.
        with pytest.raises(PermissionDenied):
            staff.appraise(GM, "a7", "2026-03", kind=StaffKind.AGENT, score=80)
        staff.appraise(MANAGER, "a7", "2026-03", kind=StaffKind.AGENT, score=80)
        assert _months(desk, "mgr-1") == [("2026-03", Decimal(88), AppraisalRating.GOOD)]
        assert _months(desk, "a7") == [("2026-03", Decimal(80), AppraisalRating.GOOD)]
        # The manager reads their own record.
        (own,) = staff.staff_record(MANAGER, "mgr-1").appraisals
        assert own.kind is StaffKind.MANAGER


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_second_appraisal_of_the_month_corrects_it_and_keeps_the_figures_it_replaced(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as desk:
        staff = desk.staff_records
        staff.appraise(MANAGER, "a7", "2026-03", kind=StaffKind.AGENT, score=92, metrics={"satisfaction": 96})
        again = staff.appraise(
            MANAGER, "a7", "2026-03", kind=StaffKind.AGENT, score=92, metrics={"satisfaction": 96}
        )
        assert again.revisions == ()  # a retry is no correction
        corrected = staff.appraise(
            MANAGER, "a7", "2026-03", kind=StaffKind.AGENT, score=74, metrics={"satisfaction": 81},
            note="满意度按回访记录重算",
        )  # fmt: skip
        assert (corrected.score, corrected.rating) == (Decimal(74), AppraisalRating.QUALIFIED)
        (record,) = staff.staff_record(GM, "a7").appraisals  # one appraisal a month
        assert record.note == "满意度按回访记录重算"
        assert [(r.score, r.rating, r.metrics, r.appraised_by) for r in record.revisions] == [
            (Decimal(92), AppraisalRating.EXCELLENT, {"satisfaction": Decimal(96)}, MANAGER.ref)
        ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_months_appraisals_follow_the_agents_kpis_and_each_reads_only_their_own(
    backend: str, tmp_path: Path
) -> None:
    # 六(二) 考核指标 → 六(三) 考核方式, as the manager runs March: the agents' KPIs are read by the manager
    # (and by the general manager, who appraises the manager), each agent is appraised on them, the manager
    # by the general manager on the team's; an agent reads their own record, not the manager's.
    start = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    clock = ManualClock(start)
    with (
        store_url(backend, tmp_path, "month-s27.db") as url,
        ServiceDesk.open(url, pack="exhibition_services", clock=clock) as desk,
    ):
        desk.register_customer(
            MANAGER, Customer(CustomerId("c1"), "展商甲", Contact("展商甲", phone="13800000000"))
        )
        agent = Actor.agent("a7")
        for description in ("展位灯光故障", "网络连接中断"):
            tid = desk.open_ticket(agent, customer_id="c1", description=description).ticket.id
            desk.triage(agent, tid, nature="booth", severity=Severity.MEDIUM)
        clock.set(MONTH_END)
        march = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))
        with pytest.raises(PermissionDenied):
            scoped_agent_kpis(desk, agent, march)
        rows = {r.group: r for r in scoped_agent_kpis(desk, MANAGER, march).rows}
        assert rows["a7"].counts.tickets == 2
        team = scoped_agent_kpis(desk, GM, march).total
        staff = desk.staff_records
        staff.appraise(
            MANAGER,
            "a7",
            "2026-03",
            kind=StaffKind.AGENT,
            score=82,
            metrics={"tickets": rows["a7"].counts.tickets},
        )
        staff.appraise(
            GM, "mgr-1", "2026-03", kind=StaffKind.MANAGER, score=85, metrics={"tickets": team.counts.tickets}
        )
        (own,) = staff.staff_record(agent, "a7").appraisals
        assert (own.appraised_by, own.metrics) == (MANAGER.ref, {"tickets": Decimal(2)})
        with pytest.raises(NotFound):
            staff.staff_record(agent, "mgr-1")
        (manager_month,) = staff.staff_record(MANAGER, "mgr-1").appraisals
        assert (manager_month.appraised_by, manager_month.kind) == (GM.ref, StaffKind.MANAGER)
