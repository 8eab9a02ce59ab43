"""Session 26 (g): ``aftersales budget draft|approve|return|list`` — the seed-000 budget steps from the CLI.

Seed 000 (售后维护费用管理, 费用预算): 售后维护管理部门…编制售后维护费用预算, 报公司管理层审批. The desk had
the commands (``desk.charges.draft_budget`` …) but the CLI had none: a department without a host
application could not draft, approve or send back a budget. The CLI runs the desk's commands as the
``--as`` actor (the permission table and the pack's approvers decide), its words through the catalogs.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from aftersales.cli import main
from aftersales.cli.budget import add_budget_parser, run_budget
from aftersales.service.desk import ServiceDesk

DRAFT = ["--period", "2026", "--category", "materials"]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "desk.db"
    ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware").shutdown()
    return path


def budget(db: Path, *argv: str) -> tuple[int, str, str]:
    """``aftersales budget <argv> --db db``: exit code, standard output, standard error."""
    parser = argparse.ArgumentParser()
    add_budget_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["budget", *argv, "--db", str(db)])
    out, err = io.StringIO(), io.StringIO()
    return run_budget(args, out, err), out.getvalue(), err.getvalue()


def test_the_department_drafts_management_sends_back_then_approves(db: Path) -> None:
    code, out, err = budget(db, "draft", "--as", "manager:m1", *DRAFT, "--amount", "12000", "--note", "全年")
    assert (code, err) == (0, "")
    assert out == "2026 材料费 费用预算草稿 ¥12,000.00 已提交，待管理层审批\n"
    code, out, _ = budget(db, "list", "--as", "manager:m1", "--period", "2026")
    assert (code, out) == (0, "2026 费用预算\n材料费：预算 —；草稿 ¥12,000.00（待审批）\n")

    code, out, _ = budget(
        db, "return", "--as", "general_manager:gm", *DRAFT, "--reason", "偏高", "--locale", "en"
    )
    assert (code, out) == (0, "Budget draft 2026 materials (CN¥12,000.00) sent back: 偏高\n")
    code, out, _ = budget(db, "list", "--as", "auditor:a1", "--period", "2026", "--locale", "zh_Hant")
    assert out.splitlines()[1] == "材料費：預算 —；草稿 CN¥12,000.00（已退回）；退回原因：偏高"

    assert budget(db, "draft", "--as", "manager:m1", *DRAFT, "--amount", "9,000.50")[0] == 0
    code, out, _ = budget(db, "approve", "--as", "general_manager:gm", *DRAFT)
    assert (code, out) == (0, "2026 材料费 费用预算 ¥9,000.50 已批准，现行有效\n")
    with ServiceDesk.open(f"sqlite:///{db}", pack="sanitary_ware") as desk:
        from aftersales import Actor

        (approved,) = desk.charges.budgets(Actor.manager("m1"), "2026")
        assert (str(approved.amount.amount), approved.approved_by.id) == ("9000.50", "gm")


def test_the_desk_refusing_is_exit_code_1_in_the_locale_s_words(db: Path) -> None:
    code, out, err = budget(db, "approve", "--as", "general_manager:gm", *DRAFT)
    assert (code, out) == (1, "")  # no draft to approve
    assert err.startswith("aftersales budget：错误：")
    budget(db, "draft", "--as", "manager:m1", *DRAFT, "--amount", "100")
    code, _, err = budget(db, "approve", "--as", "auditor:a1", *DRAFT)
    assert code == 1 and "审批费用预算" in err  # the auditor reads, it does not approve
    assert budget(db, "approve", "--as", "general_manager:gm", *DRAFT)[0] == 0
    code, _, err = budget(db, "approve", "--as", "general_manager:gm", *DRAFT, "--locale", "en")
    assert code == 1 and err.startswith("aftersales budget: error: ")  # approved already


def test_a_retried_write_with_its_key_returns_its_first_result(db: Path) -> None:
    first = budget(db, "draft", "--as", "manager:m1", *DRAFT, "--amount", "100", "--idempotency-key", "k1")
    again = budget(db, "draft", "--as", "manager:m1", *DRAFT, "--amount", "100", "--idempotency-key", "k1")
    assert first == again and first[0] == 0
    with ServiceDesk.open(f"sqlite:///{db}", pack="sanitary_ware") as desk:
        from aftersales import Actor

        (draft,) = desk.charges.budget_drafts(Actor.manager("m1"), "2026")
        assert len(draft.steps) == 1


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["draft", "--as", "manager:m1", "--period", "2026", "--amount", "1"],
            "budget draft 需要 --category",
        ),
        (["return", "--as", "manager:m1", *DRAFT], "budget return 需要 --reason"),
        (["list", "--as", "manager:m1", "--period", "2026", "--amount", "5"], "--amount 只用于 budget draft"),
        (["approve", "--as", "manager:m1", *DRAFT, "--reason", "x"], "--reason 只用于 budget return"),
        (["list", "--as", "engineer:e1", "--period", "2026"], "--as 写作 角色:编号"),
        (["list", "--as", "manager", "--period", "2026"], "--as 写作 角色:编号"),
        (["list", "--as", "manager:m1", "--period", "26"], "--period 26：应为年份 YYYY 或月份 YYYY-MM"),
        (["draft", "--as", "manager:m1", *DRAFT, "--amount", "abc"], "--amount abc：应为正数金额"),
        (["draft", "--as", "manager:m1", *DRAFT, "--amount", "-5"], "--amount -5：应为正数金额"),
        (["draft", "--as", "manager:m1", *DRAFT, "--amount", "NaN"], "--amount NaN：应为正数金额"),
        (["list", "--as", "manager:m1", "--period", "2026", "--pack", "nope"], "--pack"),
        (["list", "--as", "manager:m1", "--period", "2026", "--timezone", "Mars/Base"], "--timezone"),
    ],
)
def test_usage_errors_are_exit_code_2_and_change_nothing(db: Path, argv: list[str], said: str) -> None:
    code, out, err = budget(db, *argv)
    assert (code, out) == (2, "")
    assert said in err
    assert budget(db, "list", "--as", "manager:m1", "--period", "2026")[1].endswith(
        "本期没有预算，也没有预算草稿。\n"
    )


def test_a_missing_or_foreign_file_is_refused_before_anything_is_made(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    code, _, err = budget(missing, "list", "--as", "manager:m1", "--period", "2026", "--locale", "en")
    assert code == 2 and "no such database file" in err
    assert not missing.exists()
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a database")
    code, _, err = budget(foreign, "list", "--as", "manager:m1", "--period", "2026", "--locale", "en")
    assert code == 2 and "cannot be opened as the desk's store" in err
    assert foreign.read_text() == "not a database"


def test_the_command_is_wired_into_the_cli(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["budget", "list", "--db", str(db), "--as", "manager:m1", "--period", "2026-03", "--locale", "en"]
    )
    assert code == 0
    assert capsys.readouterr().out == "Cost budgets of 2026-03\nNo budget and no draft in this period.\n"
