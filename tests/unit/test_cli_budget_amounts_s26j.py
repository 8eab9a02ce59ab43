"""Session 26 (j): the budget CLI's ``--amount`` is an amount as a person writes it, or a usage error.

Seed 000 (费用预算…报公司管理层审批): what management approves is the figure the department typed. The CLI
read ``--amount`` with ``Decimal`` after dropping every comma: ``12000.001`` became ¥12,000.00 (the tenth of
a fen rounded away without a word), ``1,2,3`` became ¥123, and ``1_000``, ``1E+3`` and full-width
``１２０００`` passed as numbers. Now the amount is ASCII digits, thousands grouped by commas or not, and
at most the currency's places; anything else is exit code 2 in the locale's words, nothing drafted.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from aftersales.cli.budget import add_budget_parser, run_budget
from aftersales.service.desk import ServiceDesk

DRAFT = ["draft", "--as", "manager:m1", "--period", "2026", "--category", "materials"]
NOTHING = "Cost budgets of 2026\nNo budget and no draft in this period.\n"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "desk.db"
    ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware").shutdown()
    return path


def budget(db: Path, *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    add_budget_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["budget", *argv, "--db", str(db)])
    out, err = io.StringIO(), io.StringIO()
    return run_budget(args, out, err), out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "amount",
    [
        "12000.001",
        "0.001",
        "1,2,3",
        "1,,000",
        "12,00",
        "1_000",
        "1E+3",
        "１２０００",
        "١٢٣",
        " 12",
        "+12",
        ".5",
        "1e400",
    ],
)
@pytest.mark.parametrize(
    ("locale", "said"),
    [("en", "a positive amount such as 12000.00"), ("zh_Hans", "应为正数金额"), ("zh_Hant", "應為正數金額")],
)
def test_an_amount_not_written_as_money_is_a_usage_error_and_nothing_is_drafted(
    db: Path, amount: str, locale: str, said: str
) -> None:
    code, out, err = budget(db, *DRAFT, "--amount", amount, "--locale", locale)
    assert (code, out) == (2, "")
    assert f"--amount {amount}" in err and said in err
    assert budget(db, "list", "--as", "manager:m1", "--period", "2026", "--locale", "en")[1] == NOTHING


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("12000", "CN¥12,000.00"),
        ("12,000.5", "CN¥12,000.50"),
        ("1,234,567.89", "CN¥1,234,567.89"),
        ("0.01", "CN¥0.01"),
    ],
)
def test_an_amount_written_as_money_is_drafted_as_written(db: Path, amount: str, shown: str) -> None:
    code, out, err = budget(db, *DRAFT, "--amount", amount, "--locale", "en")
    assert (code, err) == (0, "")
    assert out == f"Budget 2026 materials: {shown} drafted, awaiting management's approval\n"
