"""Each command's refusal by the library is written in the operator's locale (session 29, e).

Why: ``report``, ``demo`` and ``diagram`` printed ``str(error)`` — the developers' English — for a
refusal: ``report engineers --as dealer:d1`` read "dealer_staff:cli-d1 may not staff_kpi_report" under
``--locale zh_Hans`` (the default). Now every such refusal goes through ``render_error`` in the command's
locale (``cli/error_words``), as ``budget``'s did; the exit codes are unchanged.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from aftersales.cli import main
from aftersales.cli.budget import add_budget_parser, run_budget
from aftersales.cli.error_words import error_line
from aftersales.errors import ConfigurationError
from aftersales.service.desk import ServiceDesk

from .cli_runs import MONTH, run_cli


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "desk.db"
    ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware").shutdown()
    return path


@pytest.mark.parametrize(
    ("argv", "code", "words", "english"),
    [
        (["engineers", *MONTH, "--as", "dealer:d1"], 1, "无权执行此操作（查看员工考核报告）", "may not"),
        (["kpi", *MONTH, "--pack", "nope"], 2, "没有这个名称的策略包；已有：", "registered packs"),
        (["kpi", *MONTH, "--timezone", "Mars/x"], 2, "timezone（应为时区名称", "use an IANA name"),
        (["ledger", "--format", "csv", "--dealer", "bad id!"], 2, "dealer_id（应为编号", "not a valid id"),
        (["ledger", "--format", "csv", "--text", "a\x01"], 2, "text（包含不允许的控制字符", "refused"),
        (["feedback", "--month", "2026-13"], 2, "--month（月份格式应为 YYYY-MM）", "a month is written"),
    ],
)  # fmt: skip
def test_a_report_refusal_is_in_zh_hans(
    db: Path, argv: list[str], code: int, words: str, english: str
) -> None:
    got, out, err = run_cli([argv[0], "--db", str(db), *argv[1:]])
    assert (got, out) == (code, "")
    assert err.startswith("aftersales report：错误：") and words in err and english not in err, err


def test_a_report_refusal_follows_the_locale_asked_for(db: Path) -> None:
    _, _, err = run_cli(["engineers", "--db", str(db), *MONTH, "--as", "dealer:d1", "--locale", "zh_Hant"])
    assert err.startswith("aftersales report：錯誤：無權")
    _, _, err = run_cli(["engineers", "--db", str(db), *MONTH, "--as", "dealer:d1", "--locale", "en"])
    assert err == "aftersales report: error: You may not do this (read the staff KPI report)\n"


def test_the_demo_and_the_diagram_refuse_in_their_locale(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--tickets", "5"]) == 2
    assert "aftersales demo：错误：输入有误：tickets 应为 20 至 20,000 之间的整数" in capsys.readouterr().err
    assert main(["demo", "--tickets", "5", "--locale", "en"]) == 2
    assert "aftersales demo: error: Input refused: tickets is a whole number from 20 to 20,000" in (
        capsys.readouterr().err
    )
    assert main(["diagram", "spaceship"]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("aftersales diagram：错误：输入有误：workflow（应为以下之一：")
        and "unknown" not in err
    )


def test_a_budget_refusal_is_in_zh_hans(db: Path) -> None:
    parser = argparse.ArgumentParser()
    add_budget_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        [
            "budget",
            "approve",
            "--as",
            "auditor:a1",
            "--period",
            "2026",
            "--category",
            "materials",
            "--db",
            str(db),
        ]
    )
    out, err = io.StringIO(), io.StringIO()
    assert run_budget(args, out, err) == 1
    assert err.getvalue().startswith("aftersales budget：错误：") and "may not" not in err.getvalue()


@pytest.mark.parametrize("key", ["calendar", "sla", "callback"])
def test_a_store_on_another_policy_is_told_in_the_operators_words(key: str) -> None:
    # The guards of service/calendar_stamp (session 28 i for [callback]): the next step, not fingerprints.
    rules = {
        "calendar": "the store's due times are on the working calendar 'x' (fingerprint ab) since ...",
        "sla": "the store's due times come from the SLA policy of fingerprint ab (stamped ...) since ...",
        "callback": "the store's callbacks are planned by the callback policy of fingerprint ab …",
    }
    line = error_line(
        "aftersales budget", ConfigurationError(rules[key], key=key, rule=f"stamp_{key}"), "zh_Hans"
    )
    assert (
        line.startswith(f"aftersales budget：错误：配置错误：{key}（存储中的") and "fingerprint" not in line
    )
    assert "重新打开服务台" in line
