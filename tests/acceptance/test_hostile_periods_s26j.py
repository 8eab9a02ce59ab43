"""Session 26 (j): hostile periods and months — budgets, the budget CLI and the trends, three stores.

Seed 000 (售后维护费用管理, 费用预算) budgets a year or a month; a period written with full-width or
other non-ASCII digits (``２０２６``) matched ``\\d`` and was stored as a second spelling of the year that no
charge month (always ``2026-03``) ever lands in, so the budget report of ``２０２６`` answered an empty
year instead of refusing. Year ``0000`` has no dates: a trend over ``0000-01`` let Python's ``ValueError``
out of the public API. Both are a ``ValidationError`` naming the field now, and nothing is written.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.cli.budget import add_budget_parser, run_budget
from aftersales.domain.money import Money
from aftersales.errors import ValidationError
from aftersales.ports.reporting import FaultDimension
from aftersales.reports.budgets import budget_report, scoped_budget_report
from aftersales.reports.faults import scoped_fault_trend
from aftersales.reports.trend import scoped_kpi_trend
from aftersales.service.desk import ServiceDesk
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
BAD_PERIODS = ["２０２６", "٢٠٢٦", "2026-０３", "0000", "0000-01"]
BAD_MONTHS = ["０２０２６-01", "２０２６-０１", "2026-٠٣", "0000-01"]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("period", BAD_PERIODS)
def test_a_budget_period_in_other_digits_or_year_zero_is_refused_and_nothing_is_written(
    backend: str, period: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, _clock, w):
        charges = desk.charges
        amount = Money("1000", charges.currency)
        writes = (
            lambda: charges.draft_budget(w.manager, period, "materials", amount),
            lambda: charges.set_budget(w.general_manager, period, "materials", amount),
            lambda: charges.budgets(w.manager, period),
            lambda: charges.budget_drafts(w.manager, period),
            lambda: scoped_budget_report(desk, w.manager, period),
        )
        for call in writes:
            with pytest.raises(ValidationError) as refused:
                call()
            assert refused.value.field == "period"
        with desk.store() as uow, pytest.raises(ValidationError):
            budget_report(uow.documents, period)
        assert not charges.budgets(w.manager, "2026")
        assert not charges.budget_drafts(w.manager, "2026")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_trend_month_in_other_digits_or_year_zero_is_refused_typed(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        queries = reporting_for(desk.store)
        for month in BAD_MONTHS:
            for months in ([month], ["2026-01", month]):
                with pytest.raises(ValidationError) as refused:
                    scoped_kpi_trend(desk, w.manager, queries, months)
                assert refused.value.field == "month"
                with pytest.raises(ValidationError) as refused:
                    scoped_fault_trend(desk, w.manager, queries, months, FaultDimension.SYMPTOM)
                assert refused.value.field == "month"
        assert len(scoped_kpi_trend(desk, w.manager, queries, ["2026-01", "2026-02"]).months) == 2


def _budget_cli(db: Path, *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    add_budget_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["budget", *argv, "--db", str(db)])
    out, err = io.StringIO(), io.StringIO()
    return run_budget(args, out, err), out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("zh_Hans", "应为年份 YYYY 或月份 YYYY-MM"),
        ("zh_Hant", "應為年份 YYYY 或月份 YYYY-MM"),
        ("en", "a year YYYY or a month YYYY-MM"),
    ],
)
def test_the_budget_cli_refuses_a_full_width_period_as_usage(tmp_path: Path, locale: str, said: str) -> None:
    db = tmp_path / "desk.db"
    ServiceDesk.open(f"sqlite:///{db}", pack="sanitary_ware").shutdown()
    for period in ("２０２６", "0000"):
        code, out, err = _budget_cli(
            db, "draft", "--as", "manager:m1", "--period", period, "--category", "materials",
            "--amount", "100", "--locale", locale,
        )  # fmt: skip
        assert (code, out) == (2, "") and said in err and period in err
    code, out, _ = _budget_cli(db, "list", "--as", "manager:m1", "--period", "2026", "--locale", "en")
    assert (code, out) == (0, "Cost budgets of 2026\nNo budget and no draft in this period.\n")
