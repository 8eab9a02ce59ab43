from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from aftersales.cli import main
from aftersales.cli.demo import demo_ticket, run_demo


def test_demo_ticket_walks_from_call_to_close() -> None:
    ticket = demo_ticket()
    assert ticket.state == "closed"
    actions = [e.action for e in ticket.events]
    assert actions[0] == "opened" and "await_parts" in actions and "confirm" in actions
    assert ticket.replay_state() == "closed"


def test_demo_prints_the_ledger() -> None:
    out = io.StringIO()
    assert run_demo(locale="en", out=out) == 0
    text = out.getvalue()
    assert "SR-2026-000001" in text
    assert "waiting for parts" in text and "fill valve ordered from maker" in text
    assert "awaiting_parts" not in text  # states and actions in words, not codes
    assert text.count("\n") > 14


def test_demo_one_walks_the_single_ticket(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--one"]) == 0  # in Chinese by default
    text = capsys.readouterr().out
    assert "SR-2026-000001" in text and "待备件" in text and "等待备件" in text and "张师傅" in text
    assert "awaiting_parts" not in text and "await_parts" not in text
    assert main(["demo", "--one", "--locale", "zh_Hant"]) == 0
    assert "待備件" in capsys.readouterr().out


def test_diagram_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", "ticket"]) == 0
    assert "stateDiagram-v2" in capsys.readouterr().out


def test_unknown_workflow_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", "spaceship"]) == 2  # a usage error, as argparse's own
    assert "workflow（应为以下之一：complaint, materials" in capsys.readouterr().err  # session 29, e
    assert main(["diagram", "spaceship", "--locale", "en"]) == 2
    assert "workflow: must be one of complaint, materials" in capsys.readouterr().err


def test_python_dash_m_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "aftersales", "diagram"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "[*] --> new" in result.stdout


@pytest.mark.parametrize(
    ("argv", "flags"),
    [
        (["--db", "x.db"], "--db"),
        (["--tickets", "50"], "--tickets"),
        (["--db", "x.db", "--tickets", "50"], "--db, --tickets"),
    ],
)
def test_demo_one_refuses_the_month_demo_options(
    argv: list[str], flags: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Before, `demo --one --db x.db` walked the ticket in memory and wrote no file, silently.
    argv = [str(tmp_path / a) if a == "x.db" else a for a in argv]
    assert main(["demo", "--one", "--locale", "en", *argv]) == 2  # zh_Hans: test_cli_desk_file_words_s30g
    captured = capsys.readouterr()
    assert captured.out == "" and f"{flags}: for the month demo, not --one" in captured.err
    assert list(tmp_path.iterdir()) == []


def test_demo_refuses_a_db_name_the_store_would_read_as_url_options(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Before, --db 'kept.db?checkpoint=inline' passed the "must not exist" guard (no such file) and the
    # month was then played into kept.db, an existing desk.
    kept = tmp_path / "kept.db"
    kept.write_bytes(b"")
    assert main(["demo", "--db", f"{kept}?checkpoint=inline", "--tickets", "20", "--locale", "en"]) == 2
    assert "cannot be a store" in capsys.readouterr().err
    assert kept.read_bytes() == b"" and sorted(p.name for p in tmp_path.iterdir()) == ["kept.db"]
