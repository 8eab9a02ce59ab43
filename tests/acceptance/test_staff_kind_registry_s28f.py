# mypy: disable-error-code="arg-type"
"""Seed 001 六(三) 1 with 二(二) 1: the kind an appraisal files a person under is the staff registry's, not
the filer's word alone (session 28, f).

售后团队成员的考核由售后经理负责 — the manager appraises the team; the 售后经理 reports to the 上级
(定期向上级汇报), who appraises them (the pack's ``[staff] manager_appraisers``).
Before: the appraisal took the kind
from the call, so another manager filing the 售后经理 as an agent appraised them under the agents'
appraisers, bypassing ``manager_appraisers``. Now the host's staff directory (``"manager:mgr-1"``) and,
for a person it does not list, their earlier records say the kind; a filing under another kind is a
``ValidationError`` naming ``kind`` (``trainees`` for a training), nothing written — memory, SQLite,
PostgreSQL alike.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.contact import Contact
from aftersales.domain.staff_records import MeasureKind, StaffKind, Trainee
from aftersales.domain.training import TrainingTopic
from aftersales.errors import NotFound, ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import store_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH_END = datetime(2026, 4, 30, 23, 30, tzinfo=SHANGHAI)
MANAGER = Actor.manager("mgr-1", "售后经理")
OTHER_MANAGER = Actor.manager("mgr-2")
GM = Actor.general_manager("gm-1")
BACKENDS = ["memory", "sqlite", "postgres"]
DIRECTORY = {
    "manager:mgr-1": [Contact(name="售后经理", email="mgr-1@example.com")],
    "agent:a7": [Contact(name="客服", email="a7@example.com")],
}


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path, staff: object = None) -> Iterator[ServiceDesk]:
    with (
        store_url(backend, tmp_path, "staff-kind-s28f.db") as url,
        ServiceDesk.open(url, pack="exhibition_services", clock=ManualClock(MONTH_END), staff=staff) as desk,
    ):
        yield desk


def _appraisals(desk: ServiceDesk, staff_id: str) -> list[tuple[str, StaffKind]]:
    try:
        record = desk.staff_records.staff_record(GM, staff_id)
    except NotFound:
        return []
    return [(a.month, a.kind) for a in record.appraisals]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_manager_the_directory_lists_is_not_appraised_as_an_agent(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path, DIRECTORY) as desk:
        staff = desk.staff_records
        with pytest.raises(ValidationError) as refused:
            staff.appraise(OTHER_MANAGER, "mgr-1", "2026-03", kind=StaffKind.AGENT, score=95)
        assert refused.value.field == "kind"
        assert "mgr-1" in str(refused.value) and "manager" in str(refused.value)
        with pytest.raises(ValidationError) as refused:
            staff.record_measure(
                OTHER_MANAGER, "mgr-1", kind=StaffKind.AGENT, measure=MeasureKind.REWARD, reason="满意度高"
            )
        assert refused.value.field == "kind"
        # An agent is not made a head to be appraised by the general manager either.
        with pytest.raises(ValidationError) as refused:
            staff.appraise(GM, "a7", "2026-03", kind=StaffKind.MANAGER, score=60)
        assert refused.value.field == "kind"
        with pytest.raises(ValidationError) as refused:
            staff.record_staff_training(
                MANAGER, held_on=date(2026, 4, 1), trainer="培训部", topics=[TrainingTopic.SERVICE_AWARENESS],
                trainees=[Trainee("a7", StaffKind.MANAGER)],
            )  # fmt: skip
        assert refused.value.field == "trainees"
        assert _appraisals(desk, "mgr-1") == [] and _appraisals(desk, "a7") == []
        # Filed as the directory says, each is appraised by whom the pack names.
        staff.appraise(GM, "mgr-1", "2026-03", kind=StaffKind.MANAGER, score=88)
        staff.appraise(MANAGER, "a7", "2026-03", kind=StaffKind.AGENT, score=80)
        assert _appraisals(desk, "mgr-1") == [("2026-03", StaffKind.MANAGER)]
        assert _appraisals(desk, "a7") == [("2026-03", StaffKind.AGENT)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_person_the_directory_does_not_list_keeps_the_kind_of_their_records(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as desk:
        staff = desk.staff_records
        staff.appraise(GM, "mgr-1", "2026-03", kind=StaffKind.MANAGER, score=88)
        # Next month another manager files the same person as an agent: refused, nothing written.
        with pytest.raises(ValidationError) as refused:
            staff.appraise(OTHER_MANAGER, "mgr-1", "2026-04", kind=StaffKind.AGENT, score=99)
        assert refused.value.field == "kind"
        with pytest.raises(ValidationError):
            staff.record_measure(
                OTHER_MANAGER, "mgr-1", kind=StaffKind.AGENT, measure=MeasureKind.PENALTY, reason="迟到"
            )
        assert _appraisals(desk, "mgr-1") == [("2026-03", StaffKind.MANAGER)]
        assert desk.staff_records.staff_record(GM, "mgr-1").measures == ()
        staff.appraise(GM, "mgr-1", "2026-04", kind=StaffKind.MANAGER, score=90)
        assert [m for m, _ in _appraisals(desk, "mgr-1")] == ["2026-03", "2026-04"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_directory_decides_a_promotion(backend: str, tmp_path: Path) -> None:
    # An agent appraised as one, then listed by the host as a manager: the directory is the host's word.
    promoted = {**DIRECTORY, "manager:a8": [Contact(name="新经理", email="a8@example.com")]}
    with _desk(backend, tmp_path, DIRECTORY) as desk:
        desk.staff_records.appraise(MANAGER, "a8", "2026-03", kind=StaffKind.AGENT, score=80)
        later = ServiceDesk(desk.store, policies=desk.policies, clock=ManualClock(MONTH_END), staff=promoted)
        with pytest.raises(ValidationError):
            later.staff_records.appraise(MANAGER, "a8", "2026-04", kind=StaffKind.AGENT, score=80)
        later.staff_records.appraise(GM, "a8", "2026-04", kind=StaffKind.MANAGER, score=85)
        assert _appraisals(desk, "a8") == [("2026-03", StaffKind.AGENT), ("2026-04", StaffKind.MANAGER)]
