"""Session 31 (f): every CLI command that takes a desk reads ``--db`` as a file name or as the
``sqlite:///`` URL the library opens it by.

Before, ``report --db sqlite:///desk.db`` answered "no such database file" (the URL taken for a file
name), ``budget`` the same, and ``demo --db sqlite:///x.db`` made a folder named ``sqlite:``. Another
store's URL (``memory://``, a PostgreSQL DSN) is refused by name, exit 2, nothing made.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from aftersales.cli import main
from aftersales.cli.budget import add_budget_parser, run_budget

from .cli_runs import MONTH, filled_db, run_cli


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return filled_db(tmp_path)


def _budget(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    add_budget_parser(parser.add_subparsers(dest="command"))
    out, err = io.StringIO(), io.StringIO()
    return run_budget(parser.parse_args(["budget", *argv]), out, err), out.getvalue(), err.getvalue()


@pytest.mark.parametrize("kind", ["kpi", "faults", "dealers"])
def test_a_report_reads_the_desk_by_its_sqlite_url_as_by_its_file_name(db: Path, kind: str) -> None:
    by_name = run_cli([kind, "--db", str(db), *MONTH, "--format", "csv", "--locale", "en"])
    by_url = run_cli([kind, "--db", f"sqlite:///{db}", *MONTH, "--format", "csv", "--locale", "en"])
    assert by_url == by_name and by_url[0] == 0 and by_url[1]


def test_the_ledger_by_url_is_checked_as_the_file_is(db: Path, tmp_path: Path) -> None:
    code, _, err = run_cli(["ledger", "--db", f"sqlite:///{db}", "--format", "csv", "--out", str(db)])
    assert code == 2 and "--out" in err  # written over, the desk's data would be gone: refused as by name
    missing = tmp_path / "nope.db"
    code, _, err = run_cli(["kpi", "--db", f"sqlite:///{missing}", *MONTH, "--locale", "en"])
    assert code == 2 and f"no such database file: {missing}" in err and not missing.exists()


@pytest.mark.parametrize("url", ["memory://", "postgresql://aftersales@127.0.0.1:1/none"])
def test_another_stores_url_is_refused_by_name(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["kpi", "--db", url, *MONTH, "--locale", "en"])
    assert (code, out) == (2, "") and "SQLite file" in err and url in err
    code, out, err = _budget("list", "--as", "manager:m1", "--period", "2026", "--db", url, "--locale", "en")
    assert (code, out) == (2, "") and "SQLite file" in err
    assert main(["demo", "--db", url, "--locale", "en", "--tickets", "1"]) == 2
    assert list(tmp_path.iterdir()) == []  # nothing made


def test_budget_and_demo_take_the_url_too(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = _budget("list", "--as", "manager:m1", "--period", "2026", "--db", f"sqlite:///{db}")
    assert (code, err) == (0, "") and "2026" in out
    monkeypatch.chdir(tmp_path)
    before = db.read_bytes()
    assert main(["demo", "--db", f"sqlite:///{db}", "--tickets", "1"]) == 2  # exists: never written over
    assert db.read_bytes() == before and not (tmp_path / "sqlite:").exists()
