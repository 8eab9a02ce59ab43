# mypy: disable-error-code="arg-type"
"""Own staff's training, appraisal, incentives and sanctions (seed 000: 人员招聘与培训, 人员绩效考核,
人员激励与约束; seed 001 六(三): 考核由售后经理负责, 每月进行一次考核评估,
考核结果与绩效奖金挂钩) given hostile input through ``desk.staff_records``, on memory, SQLite
and PostgreSQL: every refusal a typed error naming the field, nothing recorded, the stores agreeing.

Before: a registered engineer could be listed as an agent at a training (or appraised as one), so one
person's record was split in two and their appraisal kind with it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.ids import DealerId, EngineerId
from aftersales.domain.money import Money
from aftersales.domain.parties import Dealer, Engineer
from aftersales.domain.staff_records import StaffKind, Trainee
from aftersales.errors import AftersalesError, NotFound, PermissionDenied, ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import store_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
MANAGER = Actor.manager("m1")
AGENT = Actor.agent("a1")
ENGINEER = Actor.engineer("e1")
BACKENDS = ["memory", "sqlite", "postgres"]
ENG = StaffKind.ENGINEER


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[ServiceDesk]:
    with (
        store_url(backend, tmp_path, "staff.db") as url,
        ServiceDesk.open(url, pack="service_centre", clock=ManualClock(START)) as desk,
    ):
        desk.register_dealer(MANAGER, Dealer(DealerId("d-sh"), "浦东", "SH", frozenset({"SH"})))
        desk.register_engineer(MANAGER, Engineer(EngineerId("e1"), "赵工"))
        desk.register_engineer(MANAGER, Engineer(EngineerId("e-d"), "浦东师傅", dealer_id=DealerId("d-sh")))
        yield desk


def _records(desk: ServiceDesk, *ids: str) -> list[Any]:
    out: list[Any] = []
    for staff_id in ids:
        try:
            out.append(desk.staff_records.staff_record(MANAGER, staff_id))
        except NotFound:
            out.append(None)
    return out


@pytest.mark.parametrize("backend", BACKENDS)
def test_bad_staff_records_are_refused_and_nothing_is_recorded(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as desk:
        sr = desk.staff_records

        def train(actor: Actor = MANAGER, **changes: Any) -> object:
            given: dict[str, Any] = {
                "held_on": date(2026, 3, 1), "trainer": "李老师", "topics": ["repair_skills"],
                "trainees": [Trainee("e1", ENG, score=90)],
            }  # fmt: skip
            return sr.record_staff_training(actor, **{**given, **changes})

        refusals: list[tuple[Callable[[], object], type[AftersalesError], str | None]] = [
            (lambda: train(held_on=date(2026, 3, 3)), ValidationError, "held_on"),  # not held yet
            (lambda: train(held_on=datetime(2026, 3, 1, tzinfo=SHANGHAI)), ValidationError, "held_on"),
            (lambda: train(trainer=" \u3000"), ValidationError, "trainer"),
            (lambda: train(topics=[]), ValidationError, "topics"),
            (lambda: train(topics=["juggling"]), ValidationError, "topics"),
            (lambda: train(trainees=[]), ValidationError, "trainees"),
            (lambda: train(trainees=[Trainee("e1", ENG), Trainee("e1", ENG)]), ValidationError, "trainees"),
            (lambda: train(trainees=[Trainee("e1", StaffKind.AGENT)]), ValidationError, "trainees"),
            (lambda: train(trainees=[Trainee("e-d", ENG)]), ValidationError, "trainees"),  # a dealer's
            (lambda: train(trainees=[Trainee("e9", ENG)]), NotFound, None),
            (lambda: train(trainees=[Trainee("a\x00b", StaffKind.AGENT)]), ValidationError, None),
            (lambda: train(trainees=[Trainee("e1", ENG, score=Decimal("90"))]), ValidationError, "score"),
            (lambda: train(AGENT, trainees=[Trainee("a1", StaffKind.AGENT, score=100)]), PermissionDenied,
             None),  # one's own test score
            (lambda: train(ENGINEER), PermissionDenied, None),
            (lambda: sr.appraise(MANAGER, "e1", "2026-04", kind=ENG, score=80), ValidationError, "month"),
            (lambda: sr.appraise(MANAGER, "e1", "2026-4", kind=ENG, score=80), ValidationError, "month"),
            (lambda: sr.appraise(MANAGER, "e1", "2026-02", kind=ENG, score="NaN"), ValidationError, "score"),
            (lambda: sr.appraise(MANAGER, "e1", "2026-02", kind=ENG, score=100.0), ValidationError, "score"),
            (lambda: sr.appraise(MANAGER, "e1", "2026-02", kind=ENG, score="101"), ValidationError, "score"),
            (lambda: sr.appraise(MANAGER, "e1", "2026-02", kind=ENG, score=40, rating="excellent", note=" "),
             ValidationError, "note"),  # a rating against the score says why
            (lambda: sr.appraise(MANAGER, "e1", "2026-02", kind=ENG, score=80, metrics={"sat": "Infinity"}),
             ValidationError, "metrics"),
            # Typed text is read as money is (domain/number_text, session 38): no other script's digits,
            # spaces, underscores or exponents; a full-width ８０ is 80 (below).
            *[(lambda bad=bad: sr.appraise(MANAGER, "e1", "2026-02", kind=ENG, score=bad), ValidationError,
               "score") for bad in ["٨٠", " 80 ", "8_0", "8e1", "+80"]],
            *[(lambda bad=bad: sr.appraise(MANAGER, "e1", "2026-02", kind=ENG, score=80,
                                           metrics={"sat": bad}), ValidationError, "metrics")
              for bad in ["٩٥", "9_5", "9.5e1"]],
            (lambda: sr.appraise(MANAGER, "e1", "2026-02", kind=StaffKind.AGENT, score=80), ValidationError,
             "staff_id"),
            (lambda: sr.appraise(MANAGER, "e-d", "2026-02", kind=ENG, score=80), ValidationError, "staff_id"),
            (lambda: sr.appraise(Actor.manager("e1"), "e1", "2026-02", kind=ENG, score=99), PermissionDenied,
             None),  # nobody appraises themselves
            (lambda: sr.appraise(AGENT, "e1", "2026-02", kind=ENG, score=80), PermissionDenied, None),
            (lambda: sr.record_measure(MANAGER, "e1", kind=ENG, measure="reward", reason="  "),
             ValidationError, "reason"),
            (lambda: sr.record_measure(MANAGER, "e1", kind=ENG, measure="criticism", reason="态度差",
                                       amount=Money("100", "CNY")), ValidationError, "amount"),
            (lambda: sr.record_measure(MANAGER, "e1", kind=ENG, measure="penalty", reason="迟到",
                                       amount=Money("0", "CNY")), ValidationError, "amount"),
            (lambda: sr.record_measure(MANAGER, "e1", kind=ENG, measure="reward", reason="好",
                                       complaint_id="SR-nope"), NotFound, None),
        ]  # fmt: skip
        for call, error, field in refusals:
            with pytest.raises(error) as refused:
                call()
            if field is not None:
                assert refused.value.field == field
        assert _records(desk, "e1", "a1", "e-d") == [None, None, None]
        train()
        sr.appraise(MANAGER, "e1", "2026-02", kind=ENG, score="８０", metrics={"sat": "９５.５"})
        sr.record_measure(MANAGER, "e1", kind=ENG, measure="reward", reason="客户表扬", idempotency_key="m-1")
        sr.record_measure(MANAGER, "e1", kind=ENG, measure="reward", reason="客户表扬", idempotency_key="m-1")
        (record,) = _records(desk, "e1")
        assert (len(record.trainings), len(record.appraisals), len(record.measures)) == (1, 1, 1)
        with pytest.raises(ValidationError) as kind:  # appraised as an engineer: stays one
            sr.appraise(MANAGER, "e1", "2026-02", kind=StaffKind.AGENT, score=70)
        assert kind.value.field in ("kind", "staff_id")
        (appraisal,) = desk.staff_records.staff_record(ENGINEER, "e1").appraisals
        assert (appraisal.score, appraisal.metrics) == (Decimal(80), {"sat": Decimal("95.5")})
