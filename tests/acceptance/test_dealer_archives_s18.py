# mypy: disable-error-code="arg-type"
"""Session 18: the dealers' obligations and the archives (seed 002 档案管理 / 特约承销商), on all three stores.

The monthly report is of a month that is over (每月3号之前将上月…报至售后服务部); the dealer archive
(经销商档案) shows a dealer its own region's calls, callbacks and training — not another dealer's staff;
the maker's spot-checks of a dealer's service (甲方有权对乙方的服务情况进行抽查和指导) are recorded and read
back in the dealer's archive.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from aftersales.domain.quality_reports import DealerMonthlyReport
from aftersales.domain.training import Attendee
from aftersales.errors import ValidationError
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _reports(desk: object) -> list[tuple[str, str]]:
    with desk.store() as uow:  # type: ignore[attr-defined]
        return sorted((r.dealer_id, r.month) for r in uow.documents.query(DealerMonthlyReport))


# -- the monthly report is of a month that is over -------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_month_not_over_cannot_be_reported(backend: str, tmp_path: Path) -> None:
    """On 2 March the dealer reports February; March (still running) and April are refused, and nothing is
    stored. At 00:30 on 1 April in Shanghai (16:30 UTC on 31 March) March is over in the desk's zone."""
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, clock, w):
        staff = w.dealer_sh_staff
        for month in ("2026-03", "2026-04", "2027-01"):
            with pytest.raises(ValidationError) as refused:
                desk.reports.submit_dealer_report(staff, w.dealer_sh.id, month, installations=1, repairs=2)
            assert refused.value.field == "month"
        assert _reports(desk) == []
        desk.reports.submit_dealer_report(staff, w.dealer_sh.id, "2026-02", installations=1, repairs=2)
        clock.set(datetime(2026, 3, 31, 16, 30, tzinfo=UTC))
        desk.reports.submit_dealer_report(staff, w.dealer_sh.id, "2026-03", installations=0, repairs=0)
        assert _reports(desk) == [(w.dealer_sh.id, "2026-02"), (w.dealer_sh.id, "2026-03")]


# -- the dealer archive shows a dealer its own staff ------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_dealer_reads_its_own_attendees_of_a_shared_training(backend: str, tmp_path: Path) -> None:
    """A central training (集训) of both dealers' staff is in both archives; each dealer reads the names of
    its own staff who attended, not the other dealer's. The office reads every attendee."""
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, w):
        sh, bj = w.dealer_sh.id, w.dealer_bj.id
        desk.archives.record_training(
            w.manager,
            kind="central",
            held_on=date(2026, 3, 1),
            trainer="售后服务部",
            dealer_ids=[sh, bj],
            topics=["etiquette", "product_knowledge"],
            attendees=[Attendee("小赵", sh), Attendee("老钱", bj)],
        )
        march = {"start": date(2026, 3, 1), "end": date(2026, 4, 1)}
        own = desk.archives.dealer_archive(w.dealer_bj_staff, bj, **march)
        assert own.total.trainings == 1
        assert [a.name for a in own.training[0].attendees] == ["老钱"]
        shanghai = desk.archives.dealer_archive(w.dealer_sh_staff, sh, **march)
        assert [a.name for a in shanghai.training[0].attendees] == ["小赵"]
        office = desk.archives.dealer_archive(w.manager, bj, **march)
        assert [a.name for a in office.training[0].attendees] == ["小赵", "老钱"]
