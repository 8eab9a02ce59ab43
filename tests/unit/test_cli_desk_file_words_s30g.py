"""A ``--db`` that is not a desk's file, a ledger filter the desk refuses, a demo over a file: in words.

Why (session 30, g): ``report`` and ``budget`` refused a text file, an empty file or another
application's SQLite file with the SQLite adapter's English reason inside a Chinese sentence
("不是售后服务数据库：not a SQLite database"); ``report ledger --state bogus`` (or a blank ``--text``)
printed the filter's ``ValueError`` in English whatever ``--locale``; ``demo --db`` naming a file
that exists printed "exists already: the demo writes a new file" inside the Chinese sentence.
"""

from __future__ import annotations

import argparse
import io
import sqlite3
from pathlib import Path

import pytest

from aftersales.adapters.sqlite_schema import SCHEMA_VERSION, not_a_desk_file, not_current_schema
from aftersales.cli import main
from aftersales.cli.budget import add_budget_parser, run_budget
from aftersales.cli.desk_file_words import REASONS, desk_file_reason
from aftersales.service.desk import ServiceDesk

from .cli_runs import MONTH, run_cli

ENGLISH = ("SQLite database", "schema", "empty", "exists already", "unknown state", "text search")


def _text_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n", encoding="utf-8")
    return path


def _empty_file(tmp_path: Path) -> Path:
    path = tmp_path / "blank.db"
    path.write_bytes(b"")
    return path


def _other_app(tmp_path: Path) -> Path:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("create table t (x)")
    conn.commit()
    conn.close()
    return path


def _newer_desk(tmp_path: Path) -> Path:
    path = tmp_path / "newer.db"
    ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware").shutdown()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    return path


MAKERS = {
    "text": (_text_file, "不是 SQLite 数据库"),
    "empty": (_empty_file, "文件是空的"),
    "other_app": (_other_app, "是 SQLite 数据库，但没有售后服务的数据表"),
    "newer": (
        _newer_desk,
        f"其数据库结构为第 {SCHEMA_VERSION + 1} 版，新于本程序所知的第 {SCHEMA_VERSION} 版",
    ),
}


def _budget(argv: list[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    add_budget_parser(parser.add_subparsers(dest="command"))
    out, err = io.StringIO(), io.StringIO()
    code = run_budget(parser.parse_args(["budget", *argv]), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_a_file_that_is_no_desk_is_refused_in_words(tmp_path: Path, kind: str) -> None:
    make, words = MAKERS[kind]
    db = make(tmp_path)
    before = db.read_bytes()
    code, out, err = run_cli(["kpi", "--db", str(db), *MONTH])
    assert (code, out) == (2, "")
    assert err.startswith("aftersales report：错误：--db") and words in err, err
    assert not any(english in err for english in ENGLISH), err
    code, out, err = _budget(["list", "--db", str(db), "--as", "manager:m1", "--period", "2026"])
    assert (code, out) == (2, "")
    assert words in err and not any(english in err for english in ENGLISH), err
    assert db.read_bytes() == before  # nothing was created or migrated in it


def test_the_reasons_follow_the_locale(tmp_path: Path) -> None:
    db = _text_file(tmp_path)
    _, _, err = run_cli(["kpi", "--db", str(db), *MONTH, "--locale", "zh_Hant"])
    assert "不是 SQLite 資料庫" in err
    _, _, err = run_cli(["kpi", "--db", str(db), *MONTH, "--locale", "en"])
    assert err.endswith("holds no aftersales database: not a SQLite database\n"), err


def test_every_reason_the_adapter_gives_has_words(tmp_path: Path) -> None:
    older = tmp_path / "older.db"
    ServiceDesk.open(f"sqlite:///{older}", pack="sanitary_ware").shutdown()
    conn = sqlite3.connect(older)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    (tmp_path / "folder").mkdir()
    reasons = [
        not_a_desk_file(tmp_path / "missing.db"),
        not_a_desk_file(tmp_path / "folder"),
        not_a_desk_file(_text_file(tmp_path)),
        not_a_desk_file(_empty_file(tmp_path)),
        not_a_desk_file(_other_app(tmp_path)),
        not_current_schema(older),
        not_current_schema(_newer_desk(tmp_path)),
    ]
    for why in reasons:
        assert why is not None
        assert any(pattern.fullmatch(why) for _, pattern in REASONS), why
        for locale in ("zh_Hans", "zh_Hant"):
            worded = desk_file_reason(why, locale)
            assert worded != why and not any(english in worded for english in ENGLISH), (why, worded)


def test_a_reason_of_no_known_shape_is_kept() -> None:
    assert desk_file_reason("something else", "zh_Hans") == "something else"


@pytest.mark.parametrize(
    ("filters", "field"),
    [(["--state", "bogus"], "states"), (["--priority", "x"], "priorities"), (["--text", " "], "text")],
)
def test_a_ledger_filter_the_desk_refuses_is_worded(tmp_path: Path, filters: list[str], field: str) -> None:
    db = tmp_path / "desk.db"
    ServiceDesk.open(f"sqlite:///{db}", pack="sanitary_ware").shutdown()
    code, out, err = run_cli(["ledger", "--db", str(db), "--format", "csv", *filters])
    assert (code, out) == (2, "")
    assert err.startswith(f"aftersales report：错误：输入有误：{field}"), err
    _, _, err = run_cli(["ledger", "--db", str(db), "--format", "csv", "--locale", "zh_Hant", *filters])
    assert err.startswith(f"aftersales report：錯誤：輸入有誤：{field}"), err


def test_the_demo_refuses_a_file_that_exists_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _text_file(tmp_path)
    assert main(["demo", "--db", str(db), "--tickets", "20"]) == 2
    err = capsys.readouterr().err
    assert err == f"aftersales demo：错误：--db {db} 已存在：演示只写入新文件\n"
    assert main(["demo", "--db", str(db), "--tickets", "20", "--locale", "zh_Hant"]) == 2
    assert "已存在：示範只寫入新檔案" in capsys.readouterr().err
    assert db.read_text(encoding="utf-8") == "hello\n"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["demo", "--one", "--db", "x.db"], "aftersales demo：错误：--db 仅用于月度演示，不能与 --one 同用"),
        (["demo", "--one", "--tickets", "30", "--db", "x.db"], "--db, --tickets 仅用于月度演示"),
        (["demo", "--db", "a?b.db"], "aftersales demo：错误：--db a?b.db：含“?”的文件名不能用作数据库"),
    ],
)
def test_the_demos_own_refusals_are_worded(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "error:" not in err and "cannot" not in err, err


@pytest.mark.parametrize(
    ("option", "words"),
    [
        (["--timezone", "Mars/X"], "aftersales budget：错误：--timezone：输入有误：timezone"),
        (["--pack", "nope"], "aftersales budget：错误：--pack：配置错误"),
        (["--timezone", "Mars/X", "--locale", "en"], "aftersales budget: error: --timezone: "),
    ],
)
def test_a_budget_option_refused_is_worded_with_the_locales_colon(
    tmp_path: Path, option: list[str], words: str
) -> None:
    db = tmp_path / "desk.db"
    ServiceDesk.open(f"sqlite:///{db}", pack="sanitary_ware").shutdown()
    code, out, err = _budget(["list", "--db", str(db), "--as", "manager:m1", "--period", "2026", *option])
    assert (code, out) == (2, "")
    assert err.startswith(words), err
