"""Session 27 (f): the command line's error lines show the caller's control characters, not send them.

A usage error quotes what was typed: ``--period``, ``--amount``, the ``--db`` file name, a workflow's
name. A value holding an escape sequence (``\\x1b[2J`` clears the screen; others retitle the window or
fake earlier output) reached the terminal as is. Now each control or format character is written as
its escape; Chinese text and Babel's spaces stay as they are.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from aftersales.cli import main
from aftersales.cli.budget import add_budget_parser, run_budget
from aftersales.cli.terminal_text import printable
from aftersales.service.desk import ServiceDesk

from .cli_runs import run_cli

ESC = "\x1b[2J"


def _budget(db: Path, *argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    add_budget_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["budget", *argv, "--db", str(db)])
    err = io.StringIO()
    return run_budget(args, io.StringIO(), err), err.getvalue()


@pytest.mark.parametrize(
    "argv",
    [
        ["draft", "--as", "manager:m1", "--period", f"{ESC}2026", "--category", "materials", "--amount", "1"],
        ["draft", "--as", "manager:m1", "--period", "2026", "--category", "materials", "--amount", f"{ESC}1"],
        ["list", "--as", "manager:m1", "--period", "2026", "--locale", f"en{ESC}"],
    ],
)
def test_the_budget_shows_an_escape_it_quotes(tmp_path: Path, argv: list[str]) -> None:
    db = tmp_path / "desk.db"
    ServiceDesk.open(f"sqlite:///{db}", pack="sanitary_ware").shutdown()
    code, err = _budget(db, *argv)
    assert code == 2
    assert "\x1b" not in err and "\\x1b[2J" in err
    assert err.endswith("\n") and err.count("\n") == 1


def test_the_report_shows_an_escape_in_a_file_name(tmp_path: Path) -> None:
    code, _, err = run_cli(
        ["kpi", "--db", str(tmp_path / f"x{ESC}.db"), "--from", "2026-03-01", "--to", "2026-03-31"]
    )
    assert code == 2 and "\x1b" not in err and "\\x1b[2J" in err


def test_main_shows_an_escape_in_a_workflow_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", f"ticket{ESC}"]) == 2
    err = capsys.readouterr().err
    # Worded in --locale since session 29 (e): the workflows there are, not the name typed, is said.
    assert "\x1b" not in err and "workflow" in err


def test_what_is_printable_stays() -> None:
    assert printable("--period 二〇二六：年份") == "--period 二〇二六：年份"
    assert printable("11:11\u202fPM") == "11:11\u202fPM"  # Babel's narrow no-break space
    assert printable("a\u202eb\nc") == "a\\u202eb\\nc"  # a bidi override and a line break are shown
