"""The month demo's KPI table is by the dealer doing the job, as the library's KPIs are since session 30.

Seed 002 分工 9/10/12: a dealer reports the jobs it installed and repaired each month, and the maker
checks and guides its service (甲方有权对乙方的服务情况进行抽查和指导): a dealer is judged by the jobs it did.
The demo printed a month's KPI grouped by the customer's dealer, so a dealer's row counted its customers'
calls the maker's own engineers or the phone solved, and the maker's row said "no dealer (direct
customers)". Now each printed row is the dealer doing the job (``GroupBy.SERVING_DEALER``), with the
maker's own work in its row. The demo writes SQLite only (a file the CLI creates).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.cli.demo_month import MONTH_END, MONTH_START, run_month_demo
from aftersales.ports.reporting import GroupBy, Period
from aftersales.reports.kpi import kpi_report
from aftersales.reports.names import group_names
from aftersales.service.desk import ServiceDesk


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    db = tmp_path_factory.mktemp("demo_serving") / "month.db"
    out = io.StringIO()
    assert run_month_demo("en", out, db, tickets=120) == 0
    return out.getvalue(), db


def _printed_rows(text: str) -> dict[str, int]:
    """The KPI table's rows: group label → tickets (the first table with a Tickets column)."""
    section = text.split("## KPIs of 2026-03", 1)[1].split("## Fault Pareto", 1)[0]
    rows: dict[str, int] = {}
    for line in section.splitlines():
        found = re.match(r"^\| ([^|]+?) \| (\d+) \|", line)
        if found and found.group(1) != "Total":
            rows[found.group(1)] = int(found.group(2))
    return rows


def _rows_by(db: Path, group: GroupBy) -> dict[str, int]:
    with ServiceDesk.open(f"sqlite:///{db}", pack="sanitary_ware") as desk:
        assert desk.calendar is not None
        names = group_names(desk.store)
        report = kpi_report(
            reporting_for(desk.store), Period(MONTH_START, MONTH_END), desk.calendar, group=group
        )
        return {names.get(r.group, r.group): r.counts.tickets for r in report.rows}


def test_the_months_kpi_rows_are_the_dealers_doing_the_jobs(printed: tuple[str, Path]) -> None:
    text, db = printed
    assert "by the dealer doing the job" in text
    shown = _printed_rows(text)
    serving = _rows_by(db, GroupBy.SERVING_DEALER)
    customers = _rows_by(db, GroupBy.DEALER)
    # the maker's own work has its row, named for what it holds
    assert serving.pop("") == shown.pop("The maker")
    assert shown == serving  # every dealer's row counts the jobs it did
    customers.pop("")
    assert customers != serving  # the customer's dealer would count other jobs: the demo shows a difference
