"""The command line with bad arguments: a clear message and a non-zero exit, never a traceback.

``python -m aftersales`` is a public entry point like the desk: argparse refuses what it can parse (exit
2), the report's checks refuse the rest before a store is opened (exit 2), and an aftersales error met
while running is one line on standard error (exit 1). A shell passes bytes that are not UTF-8 as lone
surrogates (``\\udcff``), which no store can encode: those must be refused as words, not as a
``UnicodeEncodeError``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aftersales.cli import main

from .cli_runs import MONTH, filled_db


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return filled_db(tmp_path)


def _cases(db: Path, tmp_path: Path) -> list[list[str]]:
    foreign = tmp_path / "foreign.db"
    foreign.write_text("not a database " * 100)
    d = str(db)
    return [
        [],
        ["bogus"],
        ["demo", "--tickets", "-5"],
        ["demo", "--tickets", "abc"],
        ["demo", "--locale", "xx"],
        ["demo", "--db", str(tmp_path), "--tickets", "20"],
        ["demo", "--db", str(tmp_path / "no" / "such" / "dir.db"), "--tickets", "20"],
        ["diagram", "\x00"],
        ["diagram", "\udcff"],
        ["report", "kpi", "--db", str(tmp_path / "missing.db"), *MONTH],
        ["report", "kpi", "--db", str(foreign), *MONTH],
        ["report", "kpi", "--db", d, "--from", "2026-13-01", "--to", "2026-03-31"],
        ["report", "kpi", "--db", d, *MONTH, "--timezone", "Mars/Base"],
        ["report", "kpi", "--db", d, *MONTH, "--locale", "\udcff"],
        ["report", "kpi", "--db", d, *MONTH, "--pack", "../../etc"],
        ["report", "faults", "--db", d, *MONTH, "--top", "0"],
        ["report", "kpi", "--db", d, *MONTH, "--trend-months", "99999"],
        ["report", "sla", "--db", d, *MONTH, "--as", "dealer:\udcff"],
        ["report", "sla", "--db", d, *MONTH, "--as", "dealer:a\x01b"],
        ["report", "ledger", "--db", d, "--format", "csv", "--as", "dealer:" + "x" * 1000],
        ["report", "ledger", "--db", d, "--format", "csv", "--state", "bogus"],
        ["report", "ledger", "--db", d, "--format", "csv", "--dealer", "\udcff"],
        ["report", "ledger", "--db", d, "--format", "csv", "--region", "a\x01"],
        ["report", "ledger", "--db", d, "--format", "csv", "--text", ""],
        ["report", "kpi", "--db", d, *MONTH, "--out", str(tmp_path / "no" / "x.csv"), "--format", "csv"],
        ["report", "kpi", "--db", "x" * 5000, *MONTH],  # a name too long for the file system
        ["demo", "--db", str(tmp_path / ("x" * 5000)), "--tickets", "20"],
    ]


def test_bad_arguments_get_a_message_and_a_non_zero_exit(
    db: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    failures = []
    for argv in _cases(db, tmp_path):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code  # type: ignore[assignment]
        except Exception as exc:  # a traceback is what the test looks for
            failures.append(f"{argv!r}: {type(exc).__name__}: {exc}")
            continue
        err = capfd.readouterr().err
        said = "error" in err or "错误" in err  # the library's refusals are in --locale (session 29, e)
        if code in (0, None) or not said or "Traceback" in err:
            failures.append(f"{argv!r}: exit {code}, stderr {err[-200:]!r}")
    assert failures == []


def test_a_dealer_id_that_is_not_utf8_is_a_usage_error_from_the_shell(db: Path) -> None:
    argv = [
        b"report",
        b"sla",
        b"--db",
        str(db).encode(),
        *(m.encode() for m in MONTH),
        b"--as",
        b"dealer:\xff",
        b"--locale",
        b"en",
    ]
    done = subprocess.run(
        [sys.executable.encode(), b"-m", b"aftersales", *argv], capture_output=True, timeout=120
    )
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2 and "Traceback" not in err
    assert "--as dealer:ID" in err and "not a valid id" in err
