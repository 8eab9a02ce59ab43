"""``aftersales report`` reads the desk file and nothing else; the months it reads are whole (session 18).

1. A report read the file through a desk opened as for work: the desk made its attachments folder beside
   the file (``desk.db.attachments``), and a file of an older schema was migrated, a write to a file
   the report only meant to read (a backup, a copy, a file an older service still writes). The report
   now keeps the attachments it never reads in memory and refuses a file whose schema is not this
   aftersales's (exit 2, saying to open it with the desk), leaving the file and its folder as they were.
2. The months of ``trend``, ``dealers`` and ``kpi --trend-months`` were written with ``strftime("%Y")``,
   which writes year 999 as "999": a period in the first millennium failed with "a month is written
   YYYY-MM", and ``--trend-months`` reaching back past year 1 ended in a traceback. A month whose end
   is past 9999-12-31 is refused as a usage error, and so is a trend longer than the 36 months it may
   cover (exit 1 before, as if the store had failed).
3. ``report ledger --from D`` (or ``--to D``) alone was ignored and the whole ledger exported: either end
   now bounds the export by itself.
4. ``--out`` naming the database itself (by any spelling, a link, or its ``-wal`` file) wrote the report
   over the desk's data; it is refused before anything is opened.
5. A report failed ("the database stayed locked by another writer") while any command of another process
   held the write lock: opening the store took the lock to check a schema already current, and the
   names of dealers and products were read in a unit of work for commands. Both now only read.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from aftersales.adapters.sqlite_schema import SCHEMA_VERSION
from aftersales.cli import main

from .cli_runs import MONTH, filled_db, run_cli


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return filled_db(tmp_path)


def _version(path: Path) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize(
    "argv",
    [
        ["kpi", *MONTH, "--format", "csv"],
        ["sla", *MONTH, "--format", "html"],
        ["ledger", "--format", "csv"],
    ],
)
def test_a_report_leaves_the_file_and_its_folder_as_they_were(db: Path, argv: list[str]) -> None:
    before = db.read_bytes()
    kind, *rest = argv
    code, out, err = run_cli([kind, "--db", str(db), *rest])
    assert code == 0, err
    assert out
    assert sorted(p.name for p in db.parent.iterdir()) == ["desk.db"]  # no desk.db.attachments
    assert db.read_bytes() == before


def test_a_file_of_an_older_schema_is_refused_not_migrated(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")  # as an older aftersales left it
    conn.close()
    before = db.read_bytes()
    code, out, err = run_cli(["kpi", "--db", str(db), *MONTH, "--locale", "en"])  # zh_Hans: s30g's test
    assert code == 2 and out == ""
    assert f"schema is version {SCHEMA_VERSION - 1}, older" in err and "ServiceDesk.open" in err
    assert _version(db) == SCHEMA_VERSION - 1
    assert db.read_bytes() == before


def test_a_file_of_a_newer_schema_is_refused_and_left_alone(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    code, out, err = run_cli(["ledger", "--db", str(db), "--format", "csv", "--locale", "en"])
    assert code == 2 and out == "" and "newer than this aftersales knows" in err
    assert _version(db) == SCHEMA_VERSION + 1


@pytest.mark.parametrize(
    "argv",
    [
        ["dealers", "--from", "0999-02-01", "--to", "0999-02-28"],
        ["trend", "--from", "0001-01-01", "--to", "0001-03-31"],
        ["kpi", "--from", "0001-02-01", "--to", "0001-02-28", "--trend-months", "2"],
        ["trend", "--from", "9999-09-01", "--to", "9999-11-30"],
    ],
)
def test_months_of_any_four_digit_year_are_read(db: Path, argv: list[str]) -> None:
    kind, *rest = argv
    code, out, err = run_cli([kind, "--db", str(db), *rest, "--format", "csv", "--locale", "en"])
    assert code == 0, err
    assert out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["kpi", "--from", "0001-02-01", "--to", "0001-02-28", "--trend-months", "3"], "before 0001-01"),
        (["trend", "--from", "9999-10-01", "--to", "9999-12-30"], "the last of them is 9999-11"),
        (["dealers", "--from", "9999-12-01", "--to", "9999-12-30"], "the last of them is 9999-11"),
        (["kpi", "--from", "9999-12-01", "--to", "9999-12-30", "--trend-months", "2"], "9999-11"),
        (["trend", "--from", "2020-01-01", "--to", "2026-12-31"], "at most 36 months"),
    ],
)
def test_months_a_report_cannot_read_are_a_usage_error(
    db: Path, argv: list[str], says: str, capfd: pytest.CaptureFixture[str]
) -> None:
    kind, *rest = argv
    code = main(["report", kind, "--db", str(db), *rest, "--locale", "en"])  # the words checked are English
    err = capfd.readouterr().err
    assert code == 2 and says in err and "Traceback" not in err


def _ledger_rows(db: Path, *period: str) -> int:
    code, out, err = run_cli(["ledger", "--db", str(db), "--format", "csv", "--locale", "en", *period])
    assert code == 0, err
    return len(out.splitlines()) - 1  # less the header


def test_the_ledger_is_bounded_by_either_end_of_its_period_alone(db: Path) -> None:
    # --from or --to alone was dropped without a word: the whole ledger came out.
    everything = _ledger_rows(db)
    since = _ledger_rows(db, "--from", "2026-03-15")
    until = _ledger_rows(db, "--to", "2026-03-14")
    assert everything == 60
    assert 0 < since < everything and 0 < until < everything
    assert since + until == everything  # the 15th is in one of the two, and only in one
    assert since == _ledger_rows(db, "--from", "2026-03-15", "--to", "2026-12-31")
    assert _ledger_rows(db, "--from", "2027-01-01") == 0


@pytest.mark.parametrize("kind", ["kpi", "ledger"])
@pytest.mark.parametrize("spelling", ["itself", "dotted", "link", "wal"])
def test_out_naming_the_database_is_refused_and_the_database_kept(db: Path, kind: str, spelling: str) -> None:
    # `--out desk.db` wrote the CSV over the database (the ledger then failed with an untyped
    # sqlite3.DatabaseError, "database disk image is malformed"): the desk's data was gone.
    link = db.with_name("link.db")
    link.symlink_to(db)
    target = {
        "itself": db,
        "dotted": db.parent / "." / ".." / db.parent.name / db.name,
        "link": link,
        "wal": db.with_name(db.name + "-wal"),
    }[spelling]
    before = db.read_bytes()
    period = MONTH if kind != "ledger" else []
    code, out, err = run_cli(
        [kind, "--db", str(db), *period, "--format", "csv", "--locale", "en", "--out", str(target)]
    )
    assert code == 2 and out == "" and "is the --db database" in err
    assert db.read_bytes() == before
    assert run_cli([kind, "--db", str(db), *period, "--format", "csv"])[0] == 0


@pytest.mark.parametrize(
    "argv", [["kpi", *MONTH, "--format", "csv"], ["sla", *MONTH], ["ledger", "--format", "csv"]]
)
def test_a_report_reads_while_a_command_holds_the_write_lock(db: Path, argv: list[str]) -> None:
    # Opening the store took the write lock to check its schema, and the names were read in a unit of
    # work for commands: behind any command in another process the report failed, "stayed locked".
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        kind, *rest = argv
        code, out, err = run_cli([kind, "--db", str(db), *rest])
        assert code == 0, err
        assert out
    finally:
        writer.execute("ROLLBACK")
        writer.close()
