# mypy: disable-error-code="arg-type"
"""A departure is not dated before a measure already decided; a report of a month not over has its code
(session 32 g). Memory, SQLite, PostgreSQL.

Seed 000 (人员激励与约束): 表彰、奖励 and 批评教育、处罚 are for the after-sales staff on the team, and a
measure decided after the day a person left is refused (``staff_left``, session 31). A departure recorded
late, dated before a measure already decided, was accepted and left a measure dated after the person left;
it is refused now (``left_on``, rule ``staff_records_after``) as one dated before an appraised month or a
training already was, which now carry the same code. Nothing changes: the departure is not recorded.

Seed 002 (每月3号之前将上月安装/维修情况报至售后服务部): a dealer's report of a month not over is refused
(``month``); the refusal now carries its rule (``month_not_over``) and is worded from the catalogs.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from test_staff_erasure_s30h import MANAGER, _desk, _kept

from aftersales.domain.ids import DealerId
from aftersales.domain.parties import Dealer
from aftersales.domain.staff_departure import StaffDeparture
from aftersales.domain.staff_records import MeasureKind, StaffKind
from aftersales.errors import NotFound, ValidationError
from aftersales.i18n.catalog import catalog_for
from aftersales.i18n.errors import render_error
from aftersales.i18n.rule_words import RULE_CODES
from aftersales.service.desk import ServiceDesk

BACKENDS = ["memory", "sqlite", "postgres"]
LOCALES = ["zh_Hans", "zh_Hant", "en"]


def _departure(desk: ServiceDesk, staff_id: str) -> StaffDeparture | None:
    with desk.store() as uow:
        try:
            found: StaffDeparture = uow.documents.get(StaffDeparture, staff_id)
        except NotFound:
            return None
        return found


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_departure_is_not_dated_before_a_measure_already_decided(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as (desk, _clock):  # today 2026-03-31
        _kept(desk)  # e1: trained 03-10, appraised for 2026-03, commended 03-10
        staff = desk.staff_records
        staff.record_measure(
            MANAGER, "e2", kind=StaffKind.ENGINEER, measure=MeasureKind.CRITICISM, reason="回访记录不全"
        )
        # e2's criticism is dated 03-31: a departure on 03-20, recorded late, would leave it after it
        with pytest.raises(ValidationError) as refused:
            staff.record_departure(MANAGER, "e2", date(2026, 3, 20))
        assert (refused.value.field, refused.value.rule) == ("left_on", "staff_records_after")
        assert "2026-03-31" in str(refused.value)
        assert _departure(desk, "e2") is None  # nothing recorded
        # the day of the measure itself is still theirs
        assert staff.record_departure(MANAGER, "e2", date(2026, 3, 31)).left_on == date(2026, 3, 31)
        # e1's earlier records carry the same code: the month appraised, the training attended
        with pytest.raises(ValidationError) as appraised:
            staff.record_departure(MANAGER, "e1", date(2026, 2, 27))
        assert (appraised.value.field, appraised.value.rule) == ("left_on", "staff_records_after")
        assert _departure(desk, "e1") is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_report_of_a_month_not_over_carries_its_rule(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as (desk, _clock):  # today 2026-03-31
        desk.register_dealer(MANAGER, Dealer(DealerId("d1"), "华东经销商", region="sh"))
        for month in ("2026-03", "2026-04"):
            with pytest.raises(ValidationError) as refused:
                desk.reports.submit_dealer_report(MANAGER, "d1", month, installations=1, repairs=2)
            assert (refused.value.field, refused.value.rule) == ("month", "month_not_over")
        assert desk.reports.submit_dealer_report(
            MANAGER, "d1", "2026-02", installations=1, repairs=2
        ).month == ("2026-02")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("code", ["staff_records_after", "month_not_over"])
def test_the_new_codes_are_published_and_worded_in_every_locale(code: str, locale: str) -> None:
    assert RULE_CODES[code] == frozenset()
    key = f"error_rule.{code}"
    words = catalog_for(locale).get(key)
    assert words
    shown = render_error(ValidationError("english", field="month", rule=code), locale)
    assert words in shown
