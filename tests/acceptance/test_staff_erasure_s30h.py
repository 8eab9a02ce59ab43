# mypy: disable-error-code="arg-type"
"""A departed staff member's data is erased, the pay records after their retention (session 30 h).

PIPL art. 47 (保存期限已届满 … 应当主动删除), with a retention set by law deferring it: appraisals and
incentives or sanctions are pay records (seed 001 六(三) 考核结果与绩效奖金挂钩; seed 000 考核结果与薪酬、
晋升挂钩; 工资支付暂行规定 第六条: at least two years). Before, a person who left kept everything for ever.
Now the heads record the departure, and an erasure pseudonymises what is not a pay record at once (the
engineer record and its history, test scores, shift lines, their name in dealer trainings), the pay
records once the pack's ``[privacy] keep_staff_pay_records_days`` after the departure have passed;
refused while they hold open tickets, are on a team or are still active; logged. Seed 002/003 (培训): a
dealer's engineer's dealer trainings are in their export too. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from two_desk_races import race

from aftersales.adapters.clock import ManualClock
from aftersales.domain.agent_shifts import AgentShift
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId, EngineerId
from aftersales.domain.parties import Customer, Dealer, Engineer
from aftersales.domain.staff_records import MeasureKind, StaffKind, Trainee
from aftersales.domain.training import Attendee, TrainingKind, TrainingTopic
from aftersales.errors import ConcurrencyConflict, NotFound, PermissionDenied, ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import store_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 31, 10, 0, tzinfo=SHANGHAI)
MANAGER = Actor.manager("mgr-1", "售后经理")
DPO = Actor.privacy_officer("dpo")
BACKENDS = ["memory", "sqlite", "postgres"]
PHONE = "13912345678"


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock]]:
    clock = ManualClock(NOW)
    with (
        store_url(backend, tmp_path, "staff-erasure.db") as url,
        ServiceDesk.open(url, pack="exhibition_services", clock=clock) as desk,
    ):
        yield desk, clock


def _kept(desk: ServiceDesk) -> str:
    """Engineer e1 (own staff, with a phone and a note), appraised, commended (03-10), trained, on call; a
    ticket."""
    contact = Contact("赵大勇", phone=PHONE)
    desk.register_engineer(
        MANAGER,
        Engineer(EngineerId("e1"), "赵大勇", team="t-east", contact=contact, note="赵大勇腰伤勿派高空"),
    )
    desk.register_engineer(MANAGER, Engineer(EngineerId("e2"), "钱工", team="t-east"))
    staff = desk.staff_records
    staff.record_staff_training(
        MANAGER, held_on=date(2026, 3, 10), trainer="培训部", topics=[TrainingTopic.REPAIR_SKILLS],
        trainees=[Trainee("e1", StaffKind.ENGINEER, 85), Trainee("e2", StaffKind.ENGINEER, 61)],
    )  # fmt: skip
    staff.appraise(MANAGER, "e1", "2026-03", kind=StaffKind.ENGINEER, score=92)
    # Decided on the training's day (03-10), no later than the departures the tests record: a departure
    # dated before a measure is refused (session 32 g, rule staff_records_after).
    desk.clock.set(NOW - timedelta(days=21))  # type: ignore[attr-defined]
    staff.record_measure(
        MANAGER, "e1", kind=StaffKind.ENGINEER, measure=MeasureKind.COMMENDATION, reason="表扬"
    )
    desk.clock.set(NOW)  # type: ignore[attr-defined]
    start = datetime(2026, 3, 31, 18, tzinfo=SHANGHAI)
    desk.agent_shifts.plan(
        MANAGER, start, start + timedelta(days=1), [AgentShift("e1", start, start + timedelta(hours=6))]
    )
    desk.register_customer(MANAGER, Customer(CustomerId("c1"), "张三", Contact("张三", phone="13800000000")))
    tid = desk.open_ticket(Actor.agent("a1"), customer_id="c1", description="展位断电").ticket.id
    desk.triage(Actor.agent("a1"), tid, nature="network", severity=Severity.MEDIUM)
    desk.dispatch(Actor.agent("a1"), tid, engineer_id="e1")
    return tid


def _export(desk: ServiceDesk) -> dict[str, object]:
    data: dict[str, object] = json.loads(desk.staff_records.export_staff(MANAGER, "e1"))["data"]
    return data


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_departed_engineer_is_erased_and_the_pay_records_after_their_retention(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as (desk, clock):
        tid = _kept(desk)
        staff = desk.staff_records
        with pytest.raises(ValidationError) as refused:
            staff.erase_staff(DPO, "e1", "left the company")
        assert refused.value.field == "staff_id" and "departure" in str(refused.value)
        with pytest.raises(ValidationError) as refused:
            staff.record_departure(MANAGER, "e1", date(2026, 4, 1))
        assert refused.value.field == "left_on"
        departure = staff.record_departure(MANAGER, "e1", date(2026, 3, 30), reason="合同到期")
        assert departure.left_on == date(2026, 3, 30)

        before = _export(desk)
        desk.master_data.deactivate_engineer(MANAGER, "e1", reason="离职")
        with pytest.raises(ValidationError) as refused:  # the ticket still his: nothing changes
            staff.erase_staff(DPO, "e1", "left the company")
        assert refused.value.field == "staff_id" and tid in str(refused.value)
        assert _export(desk)["engineer"] == json.loads(json.dumps(before["engineer"])) | {"active": False}
        desk.dispatch(Actor.agent("a1"), tid, engineer_id="e2", reason="赵工离职")

        record = staff.erase_staff(DPO, "e1", "left the company")
        assert (record.pay_records_removed, record.pay_records_until) == (0, date(2028, 3, 29))
        after = _export(desk)
        text = json.dumps(after, ensure_ascii=False)
        assert PHONE not in text and "赵大勇" not in text and "腰伤" not in text
        assert after["engineer"]["name"] == "[erased]"  # type: ignore[index]
        assert [t["trainees"][0]["score"] for t in after["staff_training"]] == [None]  # type: ignore[attr-defined]
        assert after["agent_shifts"] == []
        assert len(after["staff_appraisal"]) == 1 and len(after["staff_measure"]) == 1  # pay records kept
        assert [e["id"] for e in after["erasures"]] == [record.id]  # type: ignore[attr-defined]
        # the team-mate's line and the ticket keep their ids and figures
        assert desk.ticket(MANAGER, tid).assignee.id == "e2"  # type: ignore[union-attr]
        with pytest.raises(ValidationError) as refused:  # nothing left until the retention has passed
            staff.erase_staff(DPO, "e1", "again")
        assert "2028-03-29" in str(refused.value)

        clock.set(datetime(2028, 3, 30, 9, tzinfo=SHANGHAI))
        later = staff.erase_staff(DPO, "e1", "retention passed")
        assert (later.pay_records_removed, later.pay_records_until) == (2, None)
        final = _export(desk)
        assert final["staff_appraisal"] == [] and final["staff_measure"] == []
        assert [r.id for r in staff.staff_erasures(Actor.auditor("au"), "e1")] == [record.id, later.id]


@pytest.mark.parametrize("backend", BACKENDS)
def test_who_may_record_a_departure_and_erase(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as (desk, _):
        _kept(desk)
        staff = desk.staff_records
        with pytest.raises(PermissionDenied):
            staff.record_departure(Actor.agent("a1"), "e1", date(2026, 3, 30))
        with pytest.raises(NotFound):
            staff.record_departure(MANAGER, "nobody", date(2026, 3, 30))
        staff.record_departure(MANAGER, "e1", date(2026, 3, 30))
        for actor in (Actor.engineer("e1"), Actor.auditor("au"), Actor.agent("a1")):
            with pytest.raises(PermissionDenied):
                staff.erase_staff(actor, "e1", "left")
        with pytest.raises(ValidationError) as refused:
            staff.erase_staff(DPO, "e1", " ")
        assert refused.value.field == "reason"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_dealer_engineer_exports_their_dealer_trainings_and_is_erased_from_them(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as (desk, _):
        desk.register_dealer(MANAGER, Dealer(DealerId("d1"), "华东经销", "east", frozenset({"east"})))
        desk.register_engineer(MANAGER, Engineer(EngineerId("de1"), "孙师傅", dealer_id=DealerId("d1")))
        desk.archives.record_training(
            MANAGER, kind=TrainingKind.ON_SITE, held_on=date(2026, 3, 12), trainer="厂家培训部",
            dealer_ids=["d1"], topics=[TrainingTopic.WARRANTY_RULES],
            attendees=[Attendee("孙师傅", "d1"), Attendee("周师傅", "d1")],
        )  # fmt: skip
        data = json.loads(desk.staff_records.export_staff(Actor.engineer("de1"), "de1"))["data"]
        [training] = data["dealer_training"]
        assert training["attendees"] == [{"name": "孙师傅", "dealer_id": "d1"}]  # not the colleague's line
        desk.staff_records.record_departure(MANAGER, "de1", date(2026, 3, 30))
        desk.master_data.deactivate_engineer(MANAGER, "de1", reason="离职")
        desk.staff_records.erase_staff(DPO, "de1", "left the dealer")
        [kept] = desk.archives.dealer_archive(
            MANAGER, "d1", start=date(2026, 3, 1), end=date(2026, 4, 1)
        ).training
        assert [a.name for a in kept.attendees] == ["[erased]", "周师傅"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_desks_erasing_at_once_remove_the_pay_records_once(backend: str, tmp_path: Path) -> None:
    clock = ManualClock(NOW)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(backend, tmp_path, "staff-erasure-race.db"))
        first = stack.enter_context(ServiceDesk.open(url, pack="exhibition_services", clock=clock))
        second = (
            first
            if backend == "memory"
            else stack.enter_context(ServiceDesk.open(url, pack="exhibition_services", clock=clock))
        )
        tid = _kept(first)
        first.dispatch(Actor.agent("a1"), tid, engineer_id="e2", reason="赵工离职")
        first.staff_records.record_departure(MANAGER, "e1", date(2026, 3, 30))
        first.master_data.deactivate_engineer(MANAGER, "e1", reason="离职")
        first.staff_records.erase_staff(DPO, "e1", "left the company")
        clock.set(datetime(2028, 3, 30, 9, tzinfo=SHANGHAI))

        def erase(desk: ServiceDesk) -> object:
            return desk.staff_records.erase_staff(DPO, "e1", "retention passed")

        told = race(first, second, erase, erase)
        assert [t.ok for t in told].count(True) == 1, [t.error for t in told]
        [lost] = [t.error for t in told if not t.ok]
        assert isinstance(lost, ValidationError | ConcurrencyConflict), lost
        erasures = second.staff_records.staff_erasures(DPO, "e1")
        assert [e.pay_records_removed for e in erasures] == [0, 2]


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_training_or_appraisal_is_filed_for_days_after_the_departure(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as (desk, clock):
        _kept(desk)
        staff = desk.staff_records
        staff.record_departure(MANAGER, "e1", date(2026, 3, 30))
        clock.set(datetime(2026, 4, 15, 10, tzinfo=SHANGHAI))
        with pytest.raises(ValidationError) as refused:
            staff.record_staff_training(
                MANAGER, held_on=date(2026, 4, 10), trainer="培训部", topics=[TrainingTopic.REPAIR_SKILLS],
                trainees=[Trainee("e1", StaffKind.ENGINEER, 70), Trainee("e2", StaffKind.ENGINEER, 80)],
            )  # fmt: skip
        assert refused.value.field == "trainees"
        with pytest.raises(ValidationError) as refused:
            staff.appraise(MANAGER, "e1", "2026-04", kind=StaffKind.ENGINEER, score=80)
        assert refused.value.field == "month"
        # the month they left is still theirs to be appraised for (the last bonus)
        assert staff.appraise(MANAGER, "e1", "2026-03", kind=StaffKind.ENGINEER, score=88).score == 88
        assert len(staff.staff_record(MANAGER, "e1").trainings) == 1
