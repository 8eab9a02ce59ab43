"""The `aftersales report` command run in process, and the SQLite file its tests read."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from aftersales.adapters.sqlite import SqliteStore
from aftersales.cli.report import add_report_parser, run_report

from .reporting_data import fill

MONTH = ["--from", "2026-03-01", "--to", "2026-03-31"]
"""The month the report fixtures fall in, as the command's options."""


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``aftersales report <argv>``: its exit code, standard output and standard error."""
    parser = argparse.ArgumentParser()
    add_report_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["report", *argv])
    out, err = io.StringIO(), io.StringIO()
    return run_report(args, out, err), out.getvalue(), err.getvalue()


def filled_db(tmp_path: Path) -> Path:
    """A desk file in ``tmp_path`` holding the report fixtures (:func:`reporting_data.fill`)."""
    path = tmp_path / "desk.db"
    store = SqliteStore(f"sqlite:///{path}")
    fill(store)
    store.close()
    return path
