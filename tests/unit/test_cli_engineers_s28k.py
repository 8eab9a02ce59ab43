"""``aftersales report engineers``: the engineers' appraisal from the command line, session 28 k.

Seed 003 三 2 绩效考核 / seed 001 六 (售後團隊成員的考核由售後經理負責): the manager had no way to print
the appraisal (``--group engineer`` of ``kpi`` is the holders' workload); now ``report engineers`` reads
``scoped_engineer_kpis`` as the ``--as`` actor, and the permission table's ``staff_kpi_report`` refuses a
dealer and an engineer (exit 1, as a refused ``budget`` command) — the appraised do not read the table.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, time
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.adapters.attachments_memory import MemoryAttachmentStore
from aftersales.adapters.clock import ManualClock
from aftersales.domain.contact import zone
from aftersales.ports.reporting import Period
from aftersales.reports.engineer_kpi import EngineerKpiReport, scoped_engineer_kpis
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

from .cli_runs import MONTH, filled_db, run_cli


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return filled_db(tmp_path)


def _appraisal(db: Path) -> EngineerKpiReport:
    """The report as the command reads it: the manager's, judged now (every clock is long settled)."""
    tz = zone("Asia/Shanghai")
    period = Period(
        datetime.combine(datetime(2026, 3, 1).date(), time(), tz),
        datetime.combine(datetime(2026, 4, 1).date(), time(), tz),
    )
    with ServiceDesk.open(
        f"sqlite:///{db}", pack="sanitary_ware", clock=ManualClock(datetime.now(tz)),
        settings={"timezone": "Asia/Shanghai"}, attachments=MemoryAttachmentStore(),
    ) as desk:  # fmt: skip
        return scoped_engineer_kpis(desk, Actor.manager("t"), period, as_of=desk.clock.now())


def _percent(value: Decimal | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def test_the_manager_reads_each_engineers_figures(db: Path) -> None:
    code, out, err = run_cli(["engineers", "--db", str(db), *MONTH, "--format", "csv", "--locale", "en"])
    assert code == 0 and err == ""
    header, *rows, total = list(csv.reader(io.StringIO(out)))
    assert header[:4] == ["Engineer", "Tickets", "Resolved", "Resolution rate"]
    report = _appraisal(db)
    assert len(rows) == len(report.rows) > 1
    for printed, row in zip(rows, report.rows, strict=True):
        assert printed[0] == (row.engineer_id or "Not set")
        figures = (row.tickets, row.resolved, row.response_met, row.response_missed, row.resolution_met,
                   row.resolution_missed, row.first_repairs, row.first_time_fixed, row.reworks, row.rated,
                   row.satisfied)  # fmt: skip
        assert tuple(int(printed[i]) for i in (1, 2, 4, 5, 7, 8, 10, 11, 13, 14, 15)) == figures
        rates = (row.resolution_rate, row.response_on_time_rate, row.resolution_on_time_rate,
                 row.first_time_fix_rate, row.satisfaction_rate)  # fmt: skip
        assert tuple(printed[i] for i in (3, 6, 9, 12, 16)) == tuple(_percent(r) for r in rates)
    assert total[:3] == ["Total", str(report.total.counts.tickets), str(report.total.counts.resolved)]


def test_the_page_is_in_chinese_by_default_with_the_goals_judged(db: Path) -> None:
    code, out, _ = run_cli(["engineers", "--db", str(db), *MONTH])
    assert code == 0 and out.startswith("工程师考核报表") and "✓" in out and "合计" in out


@pytest.mark.parametrize("who", ["engineer:eng-0", "dealer:dealer-a"])
def test_the_appraised_are_refused_by_the_permission_table(db: Path, who: str) -> None:
    code, out, err = run_cli(["engineers", "--db", str(db), *MONTH, "--as", who])
    assert code == 1 and out == "" and "无权执行此操作（查看员工考核报告）" in err  # in words (session 29, e)


def test_a_role_the_command_does_not_know_is_a_usage_error(db: Path) -> None:
    code, out, err = run_cli(["engineers", "--db", str(db), *MONTH, "--as", "boss:b1", "--locale", "en"])
    assert code == 2 and out == "" and "--as is manager or dealer:ID or engineer:ID" in err
    code, _, err = run_cli(["kpi", "--db", str(db), *MONTH, "--as", "engineer:eng-0", "--locale", "en"])
    assert code == 2 and "--as is manager or dealer:ID" in err  # the other reports keep their roles
    code, _, err = run_cli(["engineers", "--db", str(db), "--from", "2026-03-01", "--locale", "en"])
    assert code == 2 and "engineers needs --from and --to" in err
