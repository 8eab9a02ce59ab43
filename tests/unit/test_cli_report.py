from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from aftersales.adapters.sqlite import SqliteStore
from aftersales.cli.report import add_report_parser, run_report

from .reporting_data import assets, tickets


def _run(argv: list[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    add_report_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["report", *argv])
    out, err = io.StringIO(), io.StringIO()
    return run_report(args, out, err), out.getvalue(), err.getvalue()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "desk.db"
    store = SqliteStore(f"sqlite:///{path}")
    with store() as uow:
        for a in assets():
            uow.assets.add(a)
        for t in tickets():
            uow.tickets.add(t)
        uow.commit()
    store.close()
    return path


def test_kpi_csv(db: Path) -> None:
    code, out, _ = _run(
        ["kpi", "--db", str(db), "--from", "2026-03-01", "--to", "2026-03-31", "--format", "csv"]
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("group,tickets") and lines[-1].startswith("all,60,")


def test_faults_markdown_in_chinese(db: Path) -> None:
    code, out, _ = _run(["faults", "--db", str(db), "--from", "2026-03-01", "--to", "2026-03-31",
                         "--locale", "zh_Hans"])  # fmt: skip
    assert code == 0 and "| no_flush |" in out and "%" in out


def test_dealers_html(db: Path) -> None:
    code, out, _ = _run(
        ["dealers", "--db", str(db), "--from", "2026-03-01", "--to", "2026-03-31", "--format", "html"]
    )
    assert code == 0 and "dealer-a" in out and "<table>" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--db", "nope.db", "--from", "2026-03-01", "--to", "2026-03-31"], "no such database file"),
        (["--from", "2026-02-30", "--to", "2026-03-31"], "bad date '2026-02-30'"),
        (["--from", "2026-03-31", "--to", "2026-03-01"], "--to is before --from"),
        (["--from", "2026-03-01", "--to", "2026-03-31", "--pack", "spaceships"], "unknown pack 'spaceships'"),
    ],
)
def test_usage_errors(db: Path, argv: list[str], message: str) -> None:
    if "--db" not in argv:
        argv = ["--db", str(db), *argv]
    code, out, err = _run(["kpi", *argv])
    assert code == 2 and message in err and out == ""
