"""Seed 003 二 3 分级处理, session 32 (d): a 加急 or 特急 request is not solved by the agent on the phone.

普通问题由客服专员或初级工程师处理;加急问题由资深工程师介入;特急问题则启动应急小组,由部门负责人协调资源优先处理.
A service manager running the ``office_equipment`` pack expects an urgent call to reach a senior engineer
and a stopped line the emergency team. Before session 32 the agent who took the call could triage it and
resolve it by phone straight away (remote guidance from triage): no senior engineer, no emergency team ever
saw it. Now the pack's ``[routing] remote_by_grade`` refuses that (``PermissionDenied`` with a rule code,
nothing written); the senior engineer it is sent to may still solve it by phone. Packs of the other seeds,
which name no handler by grade, keep the agent's phone resolution. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Severity
from aftersales.errors import ConfigurationError, PermissionDenied
from aftersales.i18n import render_error
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _urgent(desk: ServiceDesk, w: World) -> str:
    return desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机无法开机", urgent=True
    ).ticket.id


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_urgent_request_goes_to_a_senior_engineer_before_it_is_solved(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        tid = _urgent(desk, w)
        desk.triage(w.agent, tid, nature="power", severity=Severity.MEDIUM)
        assert desk.ticket(w.manager, tid).priority.value == "expedited"
        events = desk.ticket(w.manager, tid).version
        with pytest.raises(PermissionDenied) as refused:
            desk.resolve(w.agent, tid, summary="电话指导客户重新插电", remote=True)
        assert (refused.value.rule, refused.value.action) == ("expedited_by_senior", "resolve")
        assert refused.value.facts == {"priority": "expedited"}
        assert "资深工程师" in render_error(refused.value, "zh_Hans")
        view = desk.ticket(w.manager, tid)
        assert (view.state, view.version) == ("triaged", events)
        # The senior engineer it is sent to may solve it by phone (加急问题由资深工程师介入).
        desk.dispatch(w.agent, tid, engineer_id=w.eng_senior.id, reason="加急, 资深工程师")
        desk.start_work(w.senior, tid)
        desk.resolve(w.senior, tid, summary="电话指导客户更换电源板保险", remote=True)
        assert desk.ticket(w.manager, tid).state == "resolved"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_critical_request_calls_out_the_emergency_team_not_the_agents_phone(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="整层打印系统停机").ticket.id
        desk.triage(w.agent, tid, nature="network", severity=Severity.HIGH, production_stopped=True)
        assert desk.ticket(w.manager, tid).priority.value == "critical"
        for head in (w.agent, w.manager):
            with pytest.raises(PermissionDenied) as refused:
                desk.resolve(head, tid, summary="电话指导重启服务器")
            assert refused.value.rule == "critical_by_team"
        assert "应急小组" in render_error(refused.value, "zh_Hans")
        assert "emergency team" in render_error(refused.value, "en")
        assert desk.ticket(w.manager, tid).state == "triaged"


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_ordinary_request_is_still_solved_by_the_agent_on_the_phone(backend: str, tmp_path: Path) -> None:
    # 普通问题由客服专员或初级工程师处理: the agent's phone guidance closes an ordinary request.
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="打印颜色偏淡").ticket.id
        desk.triage(w.agent, tid, nature="toner", severity=Severity.LOW)
        assert desk.ticket(w.manager, tid).priority.value == "normal"
        desk.resolve(w.agent, tid, summary="电话指导客户调整浓度")
        assert desk.ticket(w.manager, tid).state == "resolved"


@pytest.mark.parametrize(
    ("backend", "pack"),
    [
        ("memory", "general_maintenance"),
        ("sqlite", "sanitary_ware"),
        ("postgres", "exhibition_services"),
        ("memory", "service_centre"),
    ],
)
def test_packs_whose_seed_names_no_handler_by_grade_keep_the_phone_resolution(
    backend: str, pack: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack=pack) as (desk, _clock, w):
        tid = _urgent(desk, w)
        desk.triage(w.agent, tid, nature="power", severity=Severity.MEDIUM)
        assert desk.ticket(w.manager, tid).priority.value == "expedited"
        # (seed 002's pack wants the fault record first, phone guidance included)
        desk.add_fault_record(w.agent, tid, symptom="no_power", cause="unplugged", action="guide_user")
        desk.resolve(w.agent, tid, summary="电话指导客户重新插电")
        assert desk.ticket(w.manager, tid).state == "resolved"


def test_the_setting_is_true_or_false_or_the_pack_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        '[pack]\nname = "p"\nextends = "office_equipment"\n\n[routing]\nremote_by_grade = "yes"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open("memory://", pack=str(path))
    assert "remote_by_grade" in str(refused.value)


def test_a_pack_extending_office_equipment_may_leave_the_phone_resolution_to_the_agent(
    tmp_path: Path,
) -> None:
    # The key is read: switched off, the agent's phone guidance closes the urgent request again.
    path = tmp_path / "p.toml"
    path.write_text(
        '[pack]\nname = "p"\nextends = "office_equipment"\n\n[routing]\nremote_by_grade = false\n',
        encoding="utf-8",
    )
    with world_desk("memory", tmp_path, pack=str(path)) as (desk, _clock, w):
        tid = _urgent(desk, w)
        desk.triage(w.agent, tid, nature="power", severity=Severity.MEDIUM)
        desk.resolve(w.agent, tid, summary="电话指导客户重新插电")
        assert desk.ticket(w.manager, tid).state == "resolved"
