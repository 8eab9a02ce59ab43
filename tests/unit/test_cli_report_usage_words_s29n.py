"""``aftersales report``'s own usage refusals are in the words of its ``--locale`` (session 29, n).

A bad date, ``--out`` naming a folder, a wrong ``--as``, ``--month`` given to another report … were
written in English whatever the operator asked for (zh_Hans by default), while the library's refusals of
the same command were already in ``--locale`` (cli/error_words). Each is now a catalog entry
``cli.report.usage.<key>``, checked here in zh_Hans and en (and the catalog has it in zh_Hant).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from aftersales.cli import report
from aftersales.cli.report_usage import USAGE_KEYS
from aftersales.i18n.catalog import load_catalogs

from .cli_runs import MONTH, filled_db, run_cli

Args = Callable[[Path], list[str]]

CASES: list[tuple[str, Args, str, str]] = [
    (
        "no_db",
        lambda d: ["kpi", "--db", str(d.with_name("none.db")), *MONTH],
        "数据库文件不存在",
        "no such database file",
    ),
    (
        "needs_period",
        lambda d: ["kpi", "--db", str(d)],
        "kpi 报表需要 --from 和 --to",
        "kpi needs --from and --to",
    ),
    (
        "bad_date",
        lambda d: ["kpi", "--db", str(d), "--from", "2026-3-1", "--to", "2026-03-31"],
        "无效：请写作 YYYY-MM-DD",
        "bad date '2026-3-1'",
    ),
    (
        "to_before_from",
        lambda d: ["kpi", "--db", str(d), "--from", "2026-03-31", "--to", "2026-03-01"],
        "--to 早于 --from",
        "--to is before --from",
    ),
    (
        "out_folder",
        lambda d: ["kpi", "--db", str(d), *MONTH, "--out", str(d.parent)],
        "是文件夹",
        "is a folder",
    ),
    (
        "out_is_db",
        lambda d: ["kpi", "--db", str(d), *MONTH, "--format", "csv", "--out", str(d)],
        "就是 --db 数据库",
        "is the --db database",
    ),
    (
        "xlsx_out",
        lambda d: ["kpi", "--db", str(d), *MONTH, "--format", "xlsx"],
        "生成工作簿",
        "writes a workbook",
    ),
    ("ledger_formats", lambda d: ["ledger", "--db", str(d), "--format", "md"], "只导出", "ledger exports"),
    (
        "bom",
        lambda d: ["kpi", "--db", str(d), *MONTH, "--bom"],
        "--bom 仅用于 --format csv",
        "--bom is for --format csv",
    ),
    (
        "only_for",
        lambda d: ["kpi", "--db", str(d), *MONTH, "--month", "2026-03"],
        "--month 仅用于 feedback 报表",
        "--month is for the feedback report",
    ),
    (
        "only_for_two",
        lambda d: ["kpi", "--db", str(d), *MONTH, "--dimension", "batch"],
        "仅用于 faults 和 trend 报表",
        "is for the faults and trend reports",
    ),
    (
        "top",
        lambda d: ["faults", "--db", str(d), *MONTH, "--top", "0"],
        "--top 须为正整数",
        "--top is a positive number",
    ),
    (
        "trend_months",
        lambda d: ["kpi", "--db", str(d), *MONTH, "--trend-months", "40"],
        "须在 0 到 36 之间",
        "from 0 to 36",
    ),
    (
        "trend_last",
        lambda d: ["trend", "--db", str(d), "--from", "9999-10-01", "--to", "9999-12-30"],
        "按整月读取",
        "reads whole months",
    ),
    (
        "feedback_month",
        lambda d: ["feedback", "--db", str(d)],
        "feedback 报表需要 --month",
        "feedback needs --month",
    ),
    (  # session 39: a NUL (or a lone surrogate) given to main(argv) escaped as Python's ValueError
        "out_unwritable",
        lambda d: ["kpi", "--db", str(d), *MONTH, "--out", str(d.with_name("k\x00.txt"))],
        "无法写入 --out",
        "cannot write --out",
    ),
    (
        "as_roles",
        lambda d: ["sla", "--db", str(d), *MONTH, "--as", "boss"],
        "--as 应为 manager 或 dealer:ID",
        "--as is manager or dealer:ID",
    ),
    (
        "as_id",
        lambda d: ["sla", "--db", str(d), *MONTH, "--as", "dealer:-d1"],
        "的编号无效",
        "is not a valid id",
    ),
    (
        "as_scope",
        lambda d: ["feedback", "--db", str(d), "--month", "2026-03", "--as", "dealer:d1"],
        "只供负责人阅读",
        "is the heads'",
    ),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return filled_db(tmp_path_factory.mktemp("usage"))


@pytest.mark.parametrize(("key", "argv", "zh", "en"), CASES, ids=[c[0] for c in CASES])
def test_a_usage_refusal_is_in_the_operators_locale(db: Path, key: str, argv: Args, zh: str, en: str) -> None:
    code, out, err = run_cli(argv(db))  # zh_Hans by default
    assert (code, out) == (2, "")
    assert err.startswith("aftersales report：错误：") and zh in err and en not in err
    code, out, err = run_cli([*argv(db), "--locale", "en"])
    assert (code, out) == (2, "")
    assert err.startswith("aftersales report: error: ") and en in err


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_every_usage_refusal_has_chinese_words(locale: str) -> None:
    # A Chinese catalog falls back to English: the words must be its own (full-width punctuation at least).
    catalog = load_catalogs()[locale]
    for key, *_ in CASES:
        words = catalog.text(f"cli.report.usage.{key}")
        assert any(ord(c) >= 0x3000 for c in words), (key, words)


def test_every_key_the_command_writes_is_listed() -> None:
    # The keys are literals in cli/report.py: each must be in USAGE_KEYS, which the catalog scan expands.
    source = Path(report.__file__).read_text(encoding="utf-8")
    written = set(re.findall(r'_refuse\(\s*err, locale, "([a-z_]+)"', source))
    written |= set(re.findall(r'return "([a-z_]+)", \{', source))
    assert written and written <= set(USAGE_KEYS)
