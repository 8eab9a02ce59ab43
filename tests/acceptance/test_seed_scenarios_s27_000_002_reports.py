# mypy: disable-error-code="arg-type"
"""Seed 002 用户档案 a–b read again (session 27): 各级销售单位每月3号之前将上月安装情况统计报至售后服务部;
每月3日之前将上月维修情况汇总报至售后服务部 — on memory, SQLite and PostgreSQL with the sanitary-ware pack.

The reading kept (session 23's, checked again): "3号之前" is "by the 3rd", the whole 3rd included. In Chinese
commercial practice "X日之前报送" is met by a filing on day X (民法典 第二百零三条: 期限的最后一日的截止
时间为二十四时 — a period ending on a day ends at its 24:00). Reading it
as "by the end of the 2nd" would make a dealer filing on the morning of the 3rd late, which no service
department asking for the month's figures "before the 3rd" would hold against it. The seed names a calendar
day, not working days: 3 October 2026 is a Saturday in the National Day holiday and the report is still due
by its end. A report filed at 00:00 on the 3rd, or at 23:59:59, is on time; at 00:00 on the 4th it is late,
and a report not filed by then is missing (before then it is pending).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.reports.dealer_monthly import ReportStatus, scoped_dealer_monthly
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

SH = ZoneInfo("Asia/Shanghai")
BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.fixture(params=BACKENDS)
def host(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    """The bathroom-fixture maker's desk (sanitary_ware)."""
    with world_desk(request.param, tmp_path, pack="sanitary_ware") as (desk, clock, world):
        yield desk, clock, world


def _status(desk: ServiceDesk, world: World) -> dict[str, ReportStatus]:
    summary = scoped_dealer_monthly(desk, world.manager, reporting_for(desk.store), "2026-09")
    assert summary.due_at == datetime(2026, 10, 4, 0, 0, tzinfo=SH)
    return {row.dealer_id: row.status for row in summary.rows}


def test_septembers_report_is_on_time_all_through_3_october_a_holiday_and_late_from_the_4th(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    clock.set(datetime(2026, 10, 3, 0, 0, tzinfo=SH))  # 00:00 of the 3rd: the day itself has begun
    assert _status(desk, world) == {"dealer-bj": ReportStatus.PENDING, "dealer-sh": ReportStatus.PENDING}
    desk.reports.submit_dealer_report(
        world.dealer_sh_staff, "dealer-sh", "2026-09", installations=2, repairs=5
    )
    assert _status(desk, world) == {"dealer-bj": ReportStatus.PENDING, "dealer-sh": ReportStatus.ON_TIME}
    clock.set(datetime(2026, 10, 3, 23, 59, 59, tzinfo=SH))
    assert _status(desk, world)["dealer-bj"] is ReportStatus.PENDING
    clock.set(datetime(2026, 10, 4, 0, 0, tzinfo=SH))  # 00:00 of the 4th: the 3rd is over
    assert _status(desk, world) == {"dealer-bj": ReportStatus.MISSING, "dealer-sh": ReportStatus.ON_TIME}
    desk.reports.submit_dealer_report(
        world.dealer_bj_staff, "dealer-bj", "2026-09", installations=0, repairs=1
    )
    assert _status(desk, world) == {"dealer-bj": ReportStatus.LATE, "dealer-sh": ReportStatus.ON_TIME}
