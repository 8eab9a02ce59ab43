"""Adding reporting to an existing SQLite file: a quick migration, then a back-fill in small batches
that a kill interrupts without harm (the next run continues where the last commit left it)."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.adapters.reporting_rows import (
    ATTITUDE_COLUMNS,
    EXPECTED_COLUMNS,
    FACT_COLUMNS,
    HANDOVER_COLUMNS,
    LATER_FACT_COLUMNS,
    LEDGER_COLUMNS,
    LEDGER_DUE_COLUMNS,
    SOLUTION_COLUMNS,
    TIMING_COLUMNS,
    fact_values,
    fault_values,
)
from aftersales.adapters.reporting_sqlite_schema import REPORTING_STEP, backfill_state
from aftersales.adapters.sqlite import SqliteStore
from aftersales.adapters.sqlite_schema import MIGRATIONS
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import CustomerNote, FaultRecord
from aftersales.testing.storage_contract import ENGINEER, ledger_tickets

BEFORE_REPORTING = MIGRATIONS.index(REPORTING_STEP)


def _tickets(count: int) -> list[Ticket]:
    tickets = ledger_tickets(count)
    for n, ticket in enumerate(tickets):
        if n % 4 == 2 and ticket.state == "assigned":
            at = ticket.last_event_at + timedelta(minutes=5)
            ticket.step("start_work", ENGINEER, at)
            ticket.record_fault(ENGINEER, at, FaultRecord("leak", f"cause{n % 3}", "fix", at, ENGINEER))
    return tickets


def _old_file(path: Path, tickets: list[Ticket]) -> None:
    """A file as an aftersales without reporting left it: tickets, no report tables."""
    store = SqliteStore(f"sqlite:///{path}")
    with store() as uow:
        uow.tickets.add_many(tickets)
        uow.commit()
    store.close()
    conn = sqlite3.connect(path, isolation_level=None)
    for table in ("report_tickets", "report_faults", "report_backfill"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute(f"PRAGMA user_version = {BEFORE_REPORTING}")
    conn.close()


def _report_rows(path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    facts = conn.execute("SELECT * FROM report_tickets ORDER BY id").fetchall()
    faults = conn.execute("SELECT * FROM report_faults ORDER BY ticket_id, seq").fetchall()
    conn.close()
    return facts, faults


def _expected(tickets: list[Ticket]) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    ordered = sorted(tickets, key=lambda t: t.id)
    facts = [tuple(int(v) if isinstance(v, bool) else v for v in fact_values(t)) for t in ordered]
    faults = [f for t in ordered for f in fault_values(t)]
    return facts, faults


def test_the_migration_only_records_the_backfill_and_the_first_report_does_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    tickets = _tickets(400)
    _old_file(path, tickets)
    store = SqliteStore(f"sqlite:///{path}")
    conn = store.acquire()
    assert backfill_state(conn) == ("", False)
    store.release(conn)
    assert _report_rows(path) == ([], [])
    reporting_for(store)  # the first report back-fills
    conn = store.acquire()
    assert backfill_state(conn) == (max(t.id for t in tickets), True)
    store.release(conn)
    assert _report_rows(path) == _expected(tickets)
    assert any(fault_values(t) for t in tickets)
    store.close()


def test_backfill_commits_in_small_batches(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    tickets = _tickets(1500)
    _old_file(path, tickets)
    store = SqliteStore(f"sqlite:///{path}")
    first = store.backfill_reporting(max_batches=2)
    assert first.batches == 2 and 0 < first.tickets < len(tickets)
    rest = store.backfill_reporting()
    # A batch at most doubles: 50, 100, 200, ... so 1,500 tickets take several transactions.
    assert rest.batches >= 3 and first.tickets + rest.tickets == len(tickets)
    assert store.backfill_reporting().tickets == 0  # done: nothing more to write
    store.close()
    assert _report_rows(path) == _expected(tickets)


def test_a_batch_whose_writes_held_the_lock_too_long_shrinks_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With a lock budget nothing fits in, every batch after the first is the floor of 10 tickets,
    # however fast the reading and parsing were.
    from aftersales.adapters import reporting_sqlite_schema

    monkeypatch.setattr(reporting_sqlite_schema, "_LOCK_SECONDS", 1e-12)
    path = tmp_path / "old.db"
    tickets = _tickets(300)
    _old_file(path, tickets)
    store = SqliteStore(f"sqlite:///{path}")
    done = store.backfill_reporting()
    store.close()
    assert done.tickets == 300 and done.batches >= 1 + (300 - 50) // 10  # unbounded: about 5
    assert _report_rows(path) == _expected(tickets)


def test_writes_during_the_backfill_keep_their_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    tickets = _tickets(600)
    _old_file(path, tickets)
    store = SqliteStore(f"sqlite:///{path}")
    store.backfill_reporting(max_batches=1)
    for ticket in (tickets[6], tickets[594]):  # new tickets: one already back-filled, one not yet
        at = ticket.last_event_at + timedelta(minutes=1)
        ticket.cancel(ENGINEER, at, "customer withdrew")
        with store() as uow:
            stored = uow.tickets.get(ticket.id)
            stored.cancel(ENGINEER, at, "customer withdrew")
            uow.tickets.save(stored)
            uow.commit()
    store.backfill_reporting()
    store.close()
    assert _report_rows(path) == _expected(tickets)


_KILLED = textwrap.dedent(
    """
    import sys, time
    from aftersales.adapters.sqlite import SqliteStore
    from aftersales.adapters.reporting_sqlite_schema import backfill_reporting

    store = SqliteStore("sqlite:///" + sys.argv[1])
    conn = store.acquire()

    def slowly(progress):
        print(progress.batches, flush=True)
        time.sleep(0.3)  # the parent kills us here, between commits

    backfill_reporting(conn, after_batch=slowly)
    print("finished", flush=True)
    """
)


def test_backfill_resumes_after_a_kill(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    tickets = _tickets(3000)
    _old_file(path, tickets)
    child = subprocess.Popen([sys.executable, "-c", _KILLED, str(path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "1"
    assert child.stdout.readline().strip() == "2"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()
    store = SqliteStore(f"sqlite:///{path}")
    conn = store.acquire()
    after, done = backfill_state(conn)
    written = conn.execute("SELECT count(*) FROM report_tickets").fetchone()[0]
    store.release(conn)
    assert not done and after
    # Exactly the committed batches are there: every ticket up to the position, none after it.
    assert written == sum(1 for t in tickets if t.id <= after) < len(tickets)
    resumed = store.backfill_reporting()
    assert resumed.tickets == sum(1 for t in tickets if t.id > after)
    store.close()
    assert _report_rows(path) == _expected(tickets)


def test_a_file_whose_triggers_kept_reporting_back_fills_only_the_ledger_columns(tmp_path: Path) -> None:
    path = tmp_path / "triggers.db"
    tickets = _tickets(120)
    store = SqliteStore(f"sqlite:///{path}")
    with store() as uow:
        uow.tickets.add_many(tickets)
        uow.commit()
    store.close()
    # What an older aftersales left: complete side tables kept by triggers on tickets.
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TABLE report_backfill")
    # added later (24, s11, s16, s20, s21, s22)
    for column in (
        *LEDGER_COLUMNS,
        *TIMING_COLUMNS,
        *LATER_FACT_COLUMNS,
        *EXPECTED_COLUMNS,
        *ATTITUDE_COLUMNS,
        *LEDGER_DUE_COLUMNS,
        *SOLUTION_COLUMNS,
        *HANDOVER_COLUMNS,
    ):
        conn.execute(f"ALTER TABLE report_tickets DROP COLUMN {column}")
    for name, when in (("report_tickets_insert", "INSERT"), ("report_tickets_update", "UPDATE")):
        conn.execute(f"CREATE TRIGGER {name} AFTER {when} ON tickets BEGIN SELECT 1; END")
    conn.execute(f"PRAGMA user_version = {BEFORE_REPORTING}")
    conn.close()
    store = SqliteStore(f"sqlite:///{path}")
    conn = store.acquire()
    # The triggers' rows are kept (REPORTING_STEP needs no back-fill); the ledger columns added after
    # them are filled by rewriting every row once.
    assert backfill_state(conn) == ("", False)
    # (the search index's own trigger is on ticket_search; the SLA sweep's copy columns, no JSON)
    triggers = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tickets'"
        " AND name NOT LIKE 'sla!_%' ESCAPE '!'"
    ).fetchone()[0]
    store.release(conn)
    assert triggers == 0
    assert store.backfill_reporting().tickets == len(tickets)
    assert store.backfill_reporting().tickets == 0
    store.close()
    assert _report_rows(path) == _expected(tickets)


def test_the_stores_rows_are_the_reference_facts() -> None:
    import attrs

    from aftersales.ports.ledger_rows import LEDGER_FIELDS, ticket_record
    from aftersales.ports.reporting import counts_as_call, solution_us, ticket_facts, timing_stops

    ledger = [LEDGER_FIELDS.index(c.removesuffix("_id")) for c in LEDGER_COLUMNS]
    # the later facts, then the promised times, the attitude and the ledger's due times are the table's
    # last columns
    first = len(FACT_COLUMNS) - len(LATER_FACT_COLUMNS) - len(ATTITUDE_COLUMNS)
    end = first + len(LEDGER_COLUMNS)
    for ticket in _tickets(300):
        values = fact_values(ticket)
        facts = attrs.astuple(ticket_facts(ticket), recurse=False)
        handed = len(values) - len(HANDOVER_COLUMNS)  # the last column (session 36)
        assert values[handed:] == (not counts_as_call(ticket),)
        values = values[:handed]
        solution = len(values) - len(SOLUTION_COLUMNS)  # then session 35's
        assert values[solution:] == (solution_us(ticket),)
        values = values[:solution]
        dues = len(values) - len(LEDGER_DUE_COLUMNS)
        attitude = dues - len(ATTITUDE_COLUMNS)
        promised = attitude - len(EXPECTED_COLUMNS)
        assert values[:first] + values[end + 1 : promised] + values[attitude:dues] == facts
        record = ticket_record(ticket)
        assert values[first:end] == tuple(record[i] for i in ledger)
        assert values[promised:attitude] == tuple(record[LEDGER_FIELDS.index(c)] for c in EXPECTED_COLUMNS)
        # the ledger's due times are the ticket's own (the export's), not the KPI's judged ones
        assert values[dues:] == tuple(
            record[LEDGER_FIELDS.index(c.removeprefix("ledger_"))] for c in LEDGER_DUE_COLUMNS
        )
        assert values[end] == timing_stops(ticket)[0]  # the response stop the KPI reads


def test_a_batch_cut_short_by_its_time_budget_leaves_nothing_out(tmp_path: Path) -> None:
    from aftersales.adapters.reporting_sqlite_schema import backfill_reporting

    path = tmp_path / "old.db"
    tickets = _tickets(700)
    _old_file(path, tickets)
    store = SqliteStore(f"sqlite:///{path}")
    conn = store.acquire()
    # No time at all: every batch stops after its first ticket, yet every ticket gets its rows.
    progress = backfill_reporting(conn, batch_seconds=0.0, pause=0.0)
    assert backfill_state(conn) == (max(t.id for t in tickets), True)
    store.release(conn)
    store.close()
    assert progress.tickets == len(tickets) and progress.batches >= len(tickets) // 2
    assert _report_rows(path) == _expected(tickets)


def test_a_save_writes_only_the_reporting_columns_that_changed(tmp_path: Path) -> None:
    path = tmp_path / "changes.db"
    tickets = ledger_tickets(6)
    store = SqliteStore(f"sqlite:///{path}")
    with store() as uow:
        uow.tickets.add_many(tickets)
        uow.commit()
    log = sqlite3.connect(path, isolation_level=None)
    log.execute("CREATE TABLE fact_writes (id TEXT, state TEXT)")
    log.execute(
        "CREATE TRIGGER fact_written AFTER UPDATE ON report_tickets"
        " BEGIN INSERT INTO fact_writes VALUES (new.id, new.state); END"
    )
    ticket = next(t for t in tickets if t.state == "assigned")
    at = ticket.last_event_at + timedelta(minutes=5)
    with store() as uow:  # an internal note changes no reporting fact: no reporting write at all
        loaded = uow.tickets.get(ticket.id)  # (a visible one would: the customer's first response)
        loaded.note_to_customer(ENGINEER, at, CustomerNote("客户脾气急", visible_to_customer=False))
        uow.tickets.save(loaded)
        uow.commit()
    assert log.execute("SELECT * FROM fact_writes").fetchall() == []
    with store() as uow:  # a step changes the state: that column is written, and the row is right
        loaded = uow.tickets.get(ticket.id)
        loaded.step("start_work", ENGINEER, at + timedelta(minutes=1))
        uow.tickets.save(loaded)
        uow.commit()
    assert log.execute("SELECT * FROM fact_writes").fetchall() == [(ticket.id, "in_progress")]
    row = log.execute("SELECT * FROM report_tickets WHERE id = ?", (ticket.id,)).fetchone()
    assert row == tuple(int(v) if isinstance(v, bool) else v for v in fact_values(loaded))
    log.close()
    store.close()
