"""argparse's own refusals are in the command's ``--locale``; counts are in ASCII digits (session 30, g).

Why: an unknown option, a missing value, a bad choice or a missing required option printed argparse's
English ("unrecognized arguments", "invalid choice") under ``--locale zh_Hans`` (the default), while
every other refusal of the command was in the locale. ``--tickets``, ``--top`` and ``--trend-months``
were read by ``int``, which takes ``１２``, `` 12`` and ``1_000``: months and budget periods are ASCII
only (sessions 26, 29).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.cli import main
from aftersales.cli.argv_words import SHAPES, argv_locale, count, worded_refusal
from aftersales.service.desk import ServiceDesk

ENGLISH = ("unrecognized", "invalid choice", "expected one argument", "are required", "invalid", "usage:")


def _refusal(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    return err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["report", "kpi", "--db", "x.db", "--bogus"], "无法识别的参数：--bogus"),
        (["report", "kpi", "--db"], "--db 缺少取值"),
        (["report", "nope", "--db", "x.db"], "kind 的值 'nope' 无效，可选：'kpi'"),
        (["report", "kpi", "--db", "x.db", "--format", "pdf"], "--format 的值 'pdf' 无效"),
        (["budget", "list"], "缺少必需的参数：--db, --as, --period"),
        ([], "缺少必需的参数：COMMAND"),
        (["demo", "--tickets", "abc"], "--tickets 的值 'abc' 应为用 ASCII 数字"),
        (["demo", "--tickets", "２０００"], "--tickets 的值 '２０００' 应为用 ASCII 数字"),
        (["report", "faults", "--db", "x.db", "--top", "１２"], "--top 的值 '１２' 应为用 ASCII 数字"),
        (["report", "kpi", "--db", "x.db", "--trend-months", " 3"], "--trend-months 的值 ' 3' 应为"),
        (["demo", "--one=yes"], "--one 不带取值"),
    ],
)  # fmt: skip
def test_argparse_refusals_are_in_zh_hans_by_default(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _refusal(argv, capsys)
    assert err.startswith("用法：aftersales"), err
    line = err.splitlines()[-1]
    assert line.startswith("aftersales") and "：错误：" in line and words in line, err
    assert not any(english in err for english in ENGLISH), err


def test_the_locale_asked_for_words_the_refusal(capsys: pytest.CaptureFixture[str]) -> None:
    err = _refusal(["report", "kpi", "--locale", "zh_Hant", "--db", "x.db", "--bogus"], capsys)
    assert err.splitlines()[-1] == "aftersales：錯誤：無法識別的參數：--bogus"  # the top parser finds it
    err = _refusal(["report", "kpi", "--locale=en", "--db"], capsys)
    assert err.startswith("usage: aftersales report")
    assert err.splitlines()[-1] == "aftersales report: error: --db needs a value"
    # a refused --locale itself is worded in the default
    err = _refusal(["demo", "--locale", "fr"], capsys)
    assert err.splitlines()[-1].startswith("aftersales demo：错误：--locale 的值 'fr' 无效，可选：")


def test_a_value_is_shown_as_typed_even_when_it_looks_like_a_slot() -> None:
    line = worded_refusal("aftersales x", "argument --a: invalid choice: '{choices}' (choose from 'b')", "en")
    assert line == "aftersales x: error: --a: '{choices}' is not one of 'b'"


def test_an_unknown_shape_keeps_argparses_text_in_the_locales_sentence() -> None:
    assert (
        worded_refusal("aftersales", "something new", "zh_Hans")
        == "aftersales：错误：用法有误：something new"
    )


def test_every_shape_has_words_in_every_locale() -> None:
    from aftersales.reports.labels import report_labels

    for locale in ("zh_Hans", "zh_Hant", "en"):
        catalog = report_labels(locale).catalog
        for shape, _ in SHAPES:
            assert catalog.get(f"cli.usage.{shape}"), (locale, shape)


@pytest.mark.parametrize("text", ["１２", " 12", "12 ", "1_000", "+3", "٣", "", "1" * 10])
def test_a_count_is_ascii_digits(text: str) -> None:
    with pytest.raises(ValueError):
        count(text)


def test_a_count_in_ascii_digits_is_read() -> None:
    assert (count("12"), count("0"), count("-3")) == (12, 0, -3)


def test_an_ascii_top_still_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "desk.db"
    ServiceDesk.open(f"sqlite:///{db}", pack="sanitary_ware").shutdown()
    argv = ["report", "faults", "--db", str(db), "--from", "2026-03-01", "--to", "2026-03-31", "--top", "3"]
    assert main(argv) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("command", ["report", "budget", "demo"])
def test_a_locale_without_a_catalog_is_refused_in_the_clis_default_words(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "desk.db"
    ServiceDesk.open(f"sqlite:///{db}", pack="sanitary_ware").shutdown()
    argv = {
        "report": ["report", "kpi", "--db", str(db), "--from", "2026-03-01", "--to", "2026-03-31"],
        "budget": ["budget", "list", "--db", str(db), "--as", "manager:m1", "--period", "2026"],
        "demo": ["demo"],
    }[command]
    try:
        code = main([*argv, "--locale", "fr"])
    except SystemExit as exited:  # the demo's --locale is argparse's choice
        code = exited.code  # type: ignore[assignment]
    err = capsys.readouterr().err
    assert code == 2
    last = err.splitlines()[-1]
    assert last.startswith(f"aftersales {command}：错误：--locale ") and "'fr'" in last, err
    assert "error" not in last and "catalog" not in last, err


@pytest.mark.parametrize(
    ("argv", "locale"),
    [
        (["report", "--locale", "zh_Hant"], "zh_Hant"),
        (["report", "--locale=en"], "en"),
        (["report", "--loc", "en"], "en"),
        (["report", "--lo=zh_Hant"], "zh_Hant"),
        (["report", "--locale", "en", "--locale", "zh_Hant"], "zh_Hant"),
        (["report", "--", "--locale", "en"], "zh_Hans"),
        (["report", "--l", "en"], "zh_Hans"),
        (["report", "--locale", "fr"], "zh_Hans"),
        (["report", "--locale"], "zh_Hans"),
    ],
)
def test_the_locale_is_read_before_parsing(argv: list[str], locale: str) -> None:
    assert argv_locale(argv) == locale
