"""Session 29 (g): a month is ``YYYY-MM`` in ASCII digits at every entry point, on every store.

``checked_month`` read the year and month with ``int()``, which takes full-width digits
(``"２０２６-０２"``, as a Chinese input method types them), a sign and spaces (``"2026-+2"``,
``"2026- 2"``), and kept the text as written: the manager's appraisal of February 2026 was stored three
times beside ``"2026-02"`` (seed 001 六: 每月进行一次考核评估, one appraisal a month), and the full-width
one was refused as a month that "has not begun". The revenue report's and the materials summary's own
checks (``isdigit()``) took them too, and answered a month no record is
filed under. Now every month check reads ASCII digits only, as budget periods do (session 26): anything
else is a ``ValidationError`` naming ``month``; nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.errors import NotFound, ValidationError
from aftersales.reports.money import scoped_month_money
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
SPELLINGS = ["２０２６-０２", "2026-０２", "2026-+2", "2026- 2", "+202-02", "2026-2 "]


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_appraisal_month_in_another_spelling_is_refused_and_nothing_is_written(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        staff, engineer = desk.staff_records, w.eng_junior.id
        for month in SPELLINGS:
            with pytest.raises(ValidationError) as refused:
                staff.appraise(w.manager, engineer, month, kind="engineer", score=60)
            assert refused.value.field == "month" and "YYYY-MM" in str(refused.value)
        with pytest.raises(NotFound):  # no record was begun
            staff.staff_record(w.manager, engineer)
        staff.appraise(w.manager, engineer, "2026-02", kind="engineer", score=80)
        assert [a.month for a in staff.staff_record(w.manager, engineer).appraisals] == ["2026-02"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_month_reads_refuse_them_too(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        for month in SPELLINGS:
            with pytest.raises(ValidationError) as refused:
                scoped_month_money(desk, w.manager, month)
            assert refused.value.field == "month"
            with pytest.raises(ValidationError) as refused:
                desk.materials.outbound_summary(w.manager, month)
            assert refused.value.field == "month"
        assert scoped_month_money(desk, w.manager, "2026-02").month == "2026-02"
