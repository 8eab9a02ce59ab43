"""No incentive or sanction is decided for someone who has left (session 31 k). Memory, SQLite, PostgreSQL.

Seed 000 人员激励与约束: 表彰、奖励 spur the after-sales staff's 工作积极性和主动性; 批评教育和相应的处罚
hold them to the service rules. Seed 001 六(三) decides them on the monthly appraisal of the team's
members (售后团队成员的考核…对于考核成绩优秀的员工，给予表彰和奖励…进行批评教育…处罚). Neither reaches a
person no longer on the team: ``record_measure`` refused only an erased person, and took any measure for
one who had left. A measure is dated the day it is decided; from the day after the departure it is
refused (``staff_id``, ``rule="staff_left"``) and nothing is recorded. The departure day is still theirs,
and what they earned in their last month is their appraisal (still allowed for every month they worked).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from test_staff_erasure_s30h import MANAGER, SHANGHAI, _desk, _kept

from aftersales.domain.money import Money
from aftersales.domain.staff_records import MeasureKind, StaffKind
from aftersales.errors import ValidationError
from aftersales.i18n.rule_words import RULE_CODES

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_measure_is_decided_for_someone_after_the_day_they_left(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as (desk, clock):  # today 2026-03-31
        _kept(desk)  # e1 commended once already
        staff = desk.staff_records
        staff.record_departure(MANAGER, "e1", date(2026, 3, 31))
        # the day they leave is still theirs
        farewell = staff.record_measure(
            MANAGER, "e1", kind=StaffKind.ENGINEER, measure=MeasureKind.COMMENDATION, reason="离职表彰"
        )
        assert farewell.decided_on == date(2026, 3, 31)
        before = staff.staff_record(MANAGER, "e1").measures
        clock.set(datetime(2026, 4, 1, 0, 30, tzinfo=SHANGHAI))  # the next day in Shanghai
        for measure, amount in (
            (MeasureKind.COMMENDATION, None),
            (MeasureKind.REWARD, Money(500, "CNY")),
            (MeasureKind.CRITICISM, None),
            (MeasureKind.PENALTY, Money(200, "CNY")),
        ):
            with pytest.raises(ValidationError) as refused:
                staff.record_measure(
                    MANAGER, "e1", kind=StaffKind.ENGINEER, measure=measure, reason="月度考核", amount=amount
                )
            assert (refused.value.field, refused.value.rule) == ("staff_id", "staff_left")
            assert "2026-03-31" in str(refused.value)
        assert staff.staff_record(MANAGER, "e1").measures == before  # nothing recorded
        # the colleague still on the team is measured as before; the leaver's last month is still appraised
        assert (
            staff.record_measure(
                MANAGER,
                "e2",
                kind=StaffKind.ENGINEER,
                measure=MeasureKind.REWARD,
                reason="优秀",
                amount=Money(300, "CNY"),
            ).staff_id
            == "e2"
        )
        assert staff.appraise(MANAGER, "e1", "2026-03", kind=StaffKind.ENGINEER, score=90).score == 90


def test_staff_left_is_a_published_rule_code() -> None:
    assert RULE_CODES["staff_left"] == frozenset()
