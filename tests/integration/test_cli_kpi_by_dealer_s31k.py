"""``aftersales report kpi --group dealer`` is by the dealer doing each job (session 31 k).

Seed 002 分工 9/10/12: a dealer reports the jobs it installed and repaired each month, and the maker
checks its service (甲方有权对乙方的服务情况进行抽查): a service manager reading KPIs "by dealer" judges each
dealer by the jobs it did. Since session 30 the library's dealer KPIs are by the dealer doing the job
(``GroupBy.SERVING_DEALER``), but the CLI's ``--group dealer`` (its default) still grouped by the
customer's dealer. Now ``dealer`` is the dealer doing the job and ``customer-dealer`` the customer's own
dealer, and the "grouped by" line says which in each locale. The CLI reads SQLite files only.
"""

from __future__ import annotations

import argparse
import io
import re
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.cli.demo_month import MONTH_END, MONTH_START, run_month_demo
from aftersales.cli.report import add_report_parser, run_report
from aftersales.ports.reporting import GroupBy, Period
from aftersales.reports.kpi import kpi_report
from aftersales.reports.names import group_names
from aftersales.service.desk import ServiceDesk

MONTH = ["--from", "2026-03-01", "--to", "2026-03-31"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kpi_by_dealer") / "month.db"
    assert run_month_demo("en", io.StringIO(), path, tickets=120) == 0
    return path


def _report(db: Path, *extra: str) -> str:
    parser = argparse.ArgumentParser()
    add_report_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["report", "kpi", "--db", str(db), *MONTH, "--format", "md", *extra])
    out, err = io.StringIO(), io.StringIO()
    assert run_report(args, out, err) == 0, err.getvalue()
    return out.getvalue()


def _rows(text: str) -> dict[str, int]:
    rows: dict[str, int] = {}
    for line in text.splitlines():
        found = re.match(r"^\| ([^|]+?) \| (\d+) \|", line)
        if found and found.group(1) not in ("Total", "合计", "合計"):
            rows[found.group(1)] = int(found.group(2))
    return rows


def _expected(db: Path, group: GroupBy) -> dict[str, int]:
    with ServiceDesk.open(f"sqlite:///{db}", pack="sanitary_ware") as desk:
        assert desk.calendar is not None
        names = group_names(desk.store)
        period = Period(MONTH_START, MONTH_END)
        report = kpi_report(reporting_for(desk.store), period, desk.calendar, group=group)
        return {names[r.group]: r.counts.tickets for r in report.rows if r.group}


def test_kpi_by_dealer_is_by_the_dealer_doing_the_job_and_the_customers_dealer_is_offered(db: Path) -> None:
    serving, customers = _expected(db, GroupBy.SERVING_DEALER), _expected(db, GroupBy.DEALER)
    assert (
        serving and serving != customers
    )  # the month has jobs one dealer did for another's (or the maker's) customer
    default = _report(db, "--locale", "en")
    assert "Grouped by: Dealer doing the job" in default
    by_dealer = _report(db, "--locale", "en", "--group", "dealer")
    for text in (default, by_dealer):
        assert {k: v for k, v in _rows(text).items() if k in serving} == serving
    theirs = _report(db, "--locale", "en", "--group", "customer-dealer")
    assert "Grouped by: Customer's dealer" in theirs
    assert {k: v for k, v in _rows(theirs).items() if k in customers} == customers


@pytest.mark.parametrize(
    ("locale", "doing", "customer"),
    [
        ("zh_Hans", "分组：承办承销商", "分组：客户所属承销商"),
        ("zh_Hant", "分組：承辦承銷商", "分組：客戶所屬承銷商"),
    ],
)
def test_the_grouped_by_line_names_which_dealer_in_each_locale(
    db: Path, locale: str, doing: str, customer: str
) -> None:
    assert doing in _report(db, "--locale", locale)
    assert customer in _report(db, "--locale", locale, "--group", "customer-dealer")
