# mypy: disable-error-code="arg-type"
"""A staff member gets what is kept about them, session 29 f, on memory, SQLite and PostgreSQL.

Staff are persons too (PIPL art. 45: 个人有权向个人信息处理者查阅、复制其个人信息). The desk keeps an
engineer's and an agent's trainings and test scores (seed 001 七), monthly appraisals with the figures a
correction replaced (seed 001 六(三): 考核结果与绩效奖金挂钩), incentives and sanctions with the complaint
behind them (seed 000 人员激励与约束; seed 001 四(二)), teams and shifts — and had no way to give it to the
person: a customer could export their data, a staff member could not. Now
``desk.staff_records.export_staff`` gives it as JSON to the person themself or the after-sales manager (its
own permission, ``export_staff``), each record as theirs (not the other trainees' scores, not the other
members of a team), and logs the read (``subject="staff"``); anyone else is refused.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from test_engineer_kpis_s28e import MARCH, READ_AT, _late_response_passed_on, _opened, _rework_redone

from aftersales import staff_figures
from aftersales.adapters.clock import ManualClock
from aftersales.domain.agent_shifts import AgentShift
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, EngineerId
from aftersales.domain.parties import Customer, Engineer
from aftersales.domain.staff_records import MeasureKind, StaffKind, Trainee
from aftersales.domain.surveys import CallbackChecklist
from aftersales.domain.teams import OnCallShift, Team, TeamKind
from aftersales.domain.training import TrainingTopic
from aftersales.errors import ConfigurationError, NotFound, PermissionDenied
from aftersales.i18n.errors import render_error
from aftersales.reports import scoped_engineer_kpis, scoped_service_conduct
from aftersales.serialization import unstructure
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.permissions import PERMISSIONS, Workflow
from conftest import World, store_url, world_desk

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH_END = datetime(2026, 3, 31, 23, 30, tzinfo=SHANGHAI)
MANAGER = Actor.manager("mgr-1", "售后经理")
HEAD = Actor.department_head("head-1")
ENGINEER = Actor.engineer("e1")
MATE = Actor.engineer("e2")
AGENT = Actor.agent("a7")
BACKENDS = ["memory", "sqlite", "postgres"]
DIRECTORY = {"agent:a7": [Contact(name="客服", email="a7@example.com")]}


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[ServiceDesk]:
    with (
        store_url(backend, tmp_path, "staff-export.db") as url,
        ServiceDesk.open(
            url, pack="exhibition_services", clock=ManualClock(MONTH_END), staff=DIRECTORY
        ) as desk,
    ):
        desk.register_engineer(MANAGER, Engineer(EngineerId("e1"), "赵工", team="t-east"))
        desk.register_engineer(MANAGER, Engineer(EngineerId("e2"), "钱工", team="t-east"))
        yield desk


def _kept(desk: ServiceDesk) -> str:
    """An engineer's records of every kind, beside a team-mate's; the complaint behind a sanction."""
    staff = desk.staff_records
    staff.record_staff_training(
        MANAGER, held_on=date(2026, 3, 10), trainer="培训部", topics=[TrainingTopic.SERVICE_AWARENESS],
        trainees=[Trainee("e1", StaffKind.ENGINEER, 85), Trainee("e2", StaffKind.ENGINEER, 61),
                  Trainee("a7", StaffKind.AGENT, 90)],
    )  # fmt: skip
    staff.appraise(
        MANAGER, "e1", "2026-03", kind=StaffKind.ENGINEER, score=92, metrics={"satisfaction": "0.95"}
    )
    staff.appraise(MANAGER, "e1", "2026-03", kind=StaffKind.ENGINEER, score=78, note="回访复核后更正")
    desk.register_customer(MANAGER, Customer(CustomerId("c1"), "张三", Contact("张三", phone="13800000000")))
    complaint = desk.complaints.open_complaint(Actor.agent("a1"), "c1", "赵工上门态度恶劣").ticket.id
    staff.record_measure(
        MANAGER, "e1", kind=StaffKind.ENGINEER, measure=MeasureKind.CRITICISM, reason="上门服务态度恶劣",
        complaint_id=complaint,
    )  # fmt: skip
    start = datetime(2026, 4, 1, 0, tzinfo=SHANGHAI)
    desk.teams.save_team(
        MANAGER,
        Team("t-east", "东区", TeamKind.REGION, lead="e2", members=["e1", "e2"], shifts=[
            OnCallShift("e1", start, start + timedelta(hours=12)),
            OnCallShift("e2", start + timedelta(hours=12), start + timedelta(hours=24)),
        ]),
    )  # fmt: skip
    desk.agent_shifts.plan(
        MANAGER, start, start + timedelta(days=1),
        [AgentShift("a7", start + timedelta(hours=9), start + timedelta(hours=17))],
    )  # fmt: skip
    return complaint


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_engineer_exports_what_is_kept_about_them(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as desk:
        complaint = _kept(desk)
        exported = json.loads(desk.staff_records.export_staff(ENGINEER, "e1"))
        assert exported["staff_id"] == "e1"
        data: dict[str, Any] = exported["data"]
        assert data["engineer"]["name"] == "赵工" and data["master_data_changes"]
        (training,) = data["staff_training"]
        assert training["trainees"] == [{"staff_id": "e1", "kind": "engineer", "score": 85}]  # not e2's 61
        (appraisal,) = data["staff_appraisal"]
        assert appraisal["score"] == "78" and appraisal["note"] == "回访复核后更正"
        assert [r["score"] for r in appraisal["revisions"]] == ["92"]  # the figures the bonus may rest on
        assert [r["metrics"] for r in appraisal["revisions"]] == [{"satisfaction": "0.95"}]
        (measure,) = data["staff_measure"]
        assert measure["reason"] == "上门服务态度恶劣"
        assert data["complaints"] == [{"complaint_id": complaint, "measure_id": measure["id"]}]
        (team,) = data["teams"]
        assert (team["team_id"], team["member"], team["lead"]) == ("t-east", True, False)
        assert [s["engineer_id"] for s in team["on_call"]] == ["e1"]  # not the lead's shift
        assert "e2" not in json.dumps(team) and "61" not in json.dumps(data["staff_training"])
        assert data["agent_shifts"] == [] and data["reads"] == []
        # The manager exports it too; each export is in the access log, and the next export lists it.
        clock = desk.clock
        assert isinstance(clock, ManualClock)
        clock.advance(timedelta(minutes=5))
        again = json.loads(desk.staff_records.export_staff(MANAGER, "e1"))
        assert again["data"]["staff_appraisal"] == data["staff_appraisal"]
        assert [(r["actor"], r["what"], r["subject"]) for r in again["data"]["reads"]] == [
            ("engineer:e1", "export_staff", "staff")
        ]
        log = desk.privacy.access_log(Actor.auditor("au-1"), staff_id="e1")
        assert [(r.actor, r.subject) for r in log] == [("engineer:e1", "staff"), ("manager:mgr-1", "staff")]
        assert desk.privacy.access_log(Actor.auditor("au-1"), customer_id="e1") == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_agent_exports_theirs_and_nobody_else_reads_them(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as desk:
        _kept(desk)
        staff = desk.staff_records
        data = json.loads(staff.export_staff(AGENT, "a7"))["data"]
        assert data["engineer"] is None and data["staff_appraisal"] == []
        assert [t["trainees"][0]["score"] for t in data["staff_training"]] == [90]
        assert [s["agent_id"] for s in data["agent_shifts"]] == ["a7"]
        # A team-mate, the agent or a head other than the manager: someone else's export is unknown to them.
        for asker in (MATE, AGENT, HEAD):
            with pytest.raises(NotFound):
                staff.export_staff(asker, "e1")
        # Roles outside the table: refused by name.
        for outsider in (Actor.auditor("au-1"), Actor.customer("c1"), Actor.privacy_officer("po-1")):
            with pytest.raises(PermissionDenied) as refused:
                staff.export_staff(outsider, "e1")
            assert "导出员工个人信息" in render_error(refused.value, "zh_Hans")
        with pytest.raises(NotFound):  # nobody the desk knows
            staff.export_staff(MANAGER, "nobody")
        assert desk.privacy.access_log(Actor.auditor("au-1"), staff_id="e1") == []


def test_the_export_has_its_own_permission() -> None:
    assert PERMISSIONS[Workflow.DOCUMENTS]["export_staff"] >= {
        *(Actor.manager("m").roles),
        *(ENGINEER.roles),
        *(AGENT.roles),
    }


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_engineer_reads_the_figures_measured_of_their_own_work(backend: str, tmp_path: Path) -> None:
    # Seed 003 三 2 / seed 001 六: the appraisal rests on each engineer's KPI row; the row was the
    # appraisers' table only (staff_kpi_report). The person's own row, with the tickets behind it, is theirs.
    with world_desk(backend, tmp_path) as (desk, clock, w):
        _late_response_passed_on(desk, clock, w)
        _rework_redone(desk, clock, w)
        _impolite(desk, clock, w)
        clock.set(READ_AT)
        table = scoped_engineer_kpis(desk, w.manager, MARCH, as_of=READ_AT)
        (junior,) = [r for r in table.rows if r.engineer_id == w.eng_junior.id]
        mine = json.loads(staff_figures(desk, w.junior, w.eng_junior.id, MARCH))
        figures = mine["figures"]
        assert figures["engineer"] == unstructure(junior) and figures["agent"] is None
        assert figures["engineer_tickets"] == unstructure(table.tickets(w.eng_junior.id))
        (conduct,) = [
            r for r in scoped_service_conduct(desk, w.manager, MARCH).rows if r.engineer_id == w.eng_junior.id
        ]
        assert figures["conduct"] == unstructure(conduct) and conduct.breaches == {"polite": 1}
        assert json.loads(staff_figures(desk, w.manager, w.eng_junior.id, MARCH))["figures"] == figures
        with pytest.raises(NotFound):  # a colleague's row is not theirs
            staff_figures(desk, w.senior, w.eng_junior.id, MARCH)
        with pytest.raises(PermissionDenied):
            staff_figures(desk, Actor.auditor("au-1"), w.eng_junior.id, MARCH)
        log = desk.privacy.access_log(Actor.auditor("au-1"), staff_id=w.eng_junior.id)
        assert sorted((r.actor, r.what) for r in log) == sorted(
            [(str(w.junior.ref), "staff_figures"), (str(w.manager.ref), "staff_figures")]
        )  # one instant: the order of the two reads is the ids'
        with pytest.raises(ConfigurationError) as refused:  # no working calendar: no working time measured
            staff_figures(_Uncalendared(desk), w.junior, w.eng_junior.id, MARCH)
        assert refused.value.key == "calendar"


def _impolite(desk: ServiceDesk, clock: ManualClock, w: World) -> None:
    """The junior fixes a jam in one visit; the customer says he was not polite."""
    clock.set(datetime(2026, 3, 16, 10, tzinfo=SHANGHAI))
    tid = _opened(desk, w, "复印机卡纸")
    desk.contact_customer(w.junior, tid, note="今日上门")
    desk.start_work(w.junior, tid)
    desk.resolve(w.junior, tid, summary="清理搓纸轮")
    desk.confirm(w.junior, tid, channel="service_slip")
    checklist = CallbackChecklist(product_works=True, polite=False, on_time=True)
    desk.callbacks.record(w.agent, tid, checklist=checklist, problem_back=False, satisfaction=4)


class _Uncalendared:
    """A desk without a working calendar (otherwise the desk's)."""

    def __init__(self, desk: ServiceDesk) -> None:
        self.store, self.staff_records, self.policies, self.clock = (
            desk.store, desk.staff_records, desk.policies, desk.clock
        )  # fmt: skip
        self.calendar = None
