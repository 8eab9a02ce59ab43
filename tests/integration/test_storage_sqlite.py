"""The storage contract against SQLite, plus what only a file database can show."""

from __future__ import annotations

from pathlib import Path

from tests.acceptance.store_templates import fresh_sqlite_file

from aftersales.adapters.sqlite import SqliteStore, open_sqlite
from aftersales.testing.storage_contract import StorageContract


class TestSqliteStorage(StorageContract):
    def make_store(self, tmp_path: Path) -> SqliteStore:
        return open_sqlite(f"sqlite:///{fresh_sqlite_file(tmp_path / 'contract.db')}")  # a migrated copy


class TestSqliteMemoryStorage(StorageContract):
    def make_store(self, tmp_path: Path) -> SqliteStore:
        return open_sqlite("sqlite:///:memory:")


# -- files: migration, foreign and corrupt files ------------------------------------------------

import contextlib  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import textwrap  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import attrs  # noqa: E402
import pytest  # noqa: E402

from aftersales.adapters.sql_ledger import ROW_COLUMNS  # noqa: E402
from aftersales.adapters.sqlite import _translated  # noqa: E402
from aftersales.adapters.sqlite_schema import SCHEMA_VERSION, migrate, ticket_indexes  # noqa: E402
from aftersales.errors import (  # noqa: E402
    ConfigurationError,
    DuplicateError,
    StorageError,
    ValidationError,
)
from aftersales.ports import PageRequest, TicketFilter, open_storage  # noqa: E402
from aftersales.ports.ticket_index import ticket_row  # noqa: E402
from aftersales.serialization import dumps, unstructure  # noqa: E402
from aftersales.testing.storage_contract import AGENT, ContractDoc, contract_ticket  # noqa: E402


def test_a_version_1_file_opens_and_migrates(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, target=1) == 0
    ticket = contract_ticket(3, state="assigned")
    columns = ROW_COLUMNS[: ROW_COLUMNS.index("dispatched_dealer")]  # the columns of version 1
    marks = ", ".join("?" * (len(columns) + 1))
    conn.execute(
        f"INSERT INTO tickets ({', '.join(columns)}, data) VALUES ({marks})",
        (*attrs.astuple(ticket_row(ticket), recurse=False)[: len(columns)], dumps(ticket)),
    )
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    store = open_sqlite(f"sqlite:///{path}")
    try:
        with store() as uow:
            assert unstructure(uow.tickets.get(ticket.id)) == unstructure(ticket)
            assert uow.tickets.count(TicketFilter(engineer_id="E0")) == 1
            uow.documents.add(ContractDoc("MR1", ticket.id, "draft"))  # a table of step 2
            uow.commit()
    finally:
        store.close()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    indexes = {r[0] for r in check.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"tickets_dealer", "tickets_due"} <= indexes  # step 3
    check.close()


def test_a_newer_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    open_sqlite(f"sqlite:///{path}").close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match="newer"):
        open_sqlite(f"sqlite:///{path}")
    assert path.read_bytes() == before


def test_a_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "foreign.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match="another application"):
        open_sqlite(f"sqlite:///{path}")
    assert path.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("这不是数据库 — just notes\n" * 100)
    before = path.read_bytes()
    with pytest.raises(StorageError, match="not a SQLite database"):
        open_sqlite(f"sqlite:///{path}")
    assert path.read_bytes() == before


def test_a_corrupt_database_gives_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    store = open_sqlite(f"sqlite:///{path}")
    with store() as uow:
        uow.tickets.add(contract_ticket(1))
        uow.commit()
    store.close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xa5" * (4096 - 100)  # the schema page, after the intact header
    path.write_bytes(bytes(data))
    with pytest.raises(StorageError):
        open_sqlite(f"sqlite:///{path}")


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (sqlite3.IntegrityError("UNIQUE constraint failed"), DuplicateError),
        (sqlite3.OperationalError("database is locked"), StorageError),
        (sqlite3.OperationalError("no such table: tickets"), StorageError),
        (sqlite3.DatabaseError("file is not a database"), StorageError),
        (ValidationError("bad"), ValidationError),
    ],
)
def test_driver_errors_are_translated(raised: Exception, expected: type[Exception]) -> None:
    with pytest.raises(expected), _translated("test"):
        raise raised


def test_open_storage_finds_adapters_by_scheme(tmp_path: Path) -> None:
    store = open_storage(f"sqlite:///{tmp_path}/by-url.db")
    assert isinstance(store, SqliteStore)
    store.close()
    assert type(open_storage("memory://")).__name__ == "MemoryStore"
    with pytest.raises(ConfigurationError, match="no storage adapter"):
        open_storage("mongodb://localhost/x")
    with pytest.raises(ConfigurationError):
        open_storage("service.db")


# -- several processes, and crashes -----------------------------------------------------------

_WORKER = textwrap.dedent(
    """
    import sys, time, pathlib
    from aftersales.adapters.sqlite import open_sqlite
    from aftersales.errors import ConcurrencyConflict
    from aftersales.testing.storage_contract import AGENT
    url, ready, go = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    store = open_sqlite(url)
    with store() as uow:
        ticket = uow.tickets.get("T-0001")
    ready.touch()
    while not go.exists():
        time.sleep(0.01)
    try:
        with store() as uow:
            ticket.cancel(AGENT, ticket.last_event_at, "worker " + ready.name)
            uow.tickets.save(ticket)
            uow.commit()
        print("saved")
    except ConcurrencyConflict:
        print("conflict")
    """
)


def test_two_processes_update_one_ticket_exactly_one_wins(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/shared.db"
    store = open_sqlite(url)
    with store() as uow:
        uow.tickets.add(contract_ticket(1))
        uow.commit()
    go = tmp_path / "go"
    readies = [tmp_path / f"ready-{n}" for n in range(2)]
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, url, str(ready), str(go)], stdout=subprocess.PIPE, text=True
        )
        for ready in readies
    ]
    deadline = time.monotonic() + 60
    while not all(r.exists() for r in readies) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    outcomes = sorted(w.communicate(timeout=60)[0].strip() for w in workers)
    assert outcomes == ["conflict", "saved"]
    with store() as uow:
        ticket = uow.tickets.get("T-0001")
    store.close()
    assert (ticket.state, ticket.version) == ("cancelled", 1)


_CRASHER = textwrap.dedent(
    """
    import os, sys
    from aftersales.adapters.sqlite import open_sqlite
    from aftersales.testing.storage_contract import AGENT, contract_ticket, _message
    url, hook = sys.argv[1], sys.argv[2]
    store = open_sqlite(url)
    with store() as uow:
        ticket = uow.tickets.get("T-0001")
        ticket.cancel(AGENT, ticket.last_event_at, "crash test")
        uow.tickets.save(ticket)
        if hook == "after_save":
            os._exit(9)
        uow.tickets.add(contract_ticket(2))
        uow.outbox.put([_message(1)])
        if hook == "before_commit":
            os._exit(9)
        if hook == "sigkill":
            print("written", flush=True)
            sys.stdin.readline()  # wait to be killed
        uow.commit()
        if hook == "after_commit":
            os._exit(9)
    """
)


@pytest.mark.parametrize(
    ("hook", "committed"),
    [("after_save", False), ("before_commit", False), ("sigkill", False), ("after_commit", True)],
)
def test_a_process_killed_mid_command_leaves_all_or_nothing(
    tmp_path: Path, hook: str, committed: bool
) -> None:
    url = f"sqlite:///{tmp_path}/crash.db"
    store = open_sqlite(url)
    with store() as uow:
        uow.tickets.add(contract_ticket(1))
        uow.commit()
    with subprocess.Popen(
        [sys.executable, "-c", _CRASHER, url, hook], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as worker:
        if hook == "sigkill":
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "written"
            worker.kill()
        worker.wait(timeout=60)
    assert worker.returncode != 0
    with store() as uow:
        ticket = uow.tickets.get("T-0001")
        count = uow.tickets.count(TicketFilter())
        pending = list(uow.outbox.pending())
    store.close()
    if committed:
        assert (ticket.state, ticket.version, count, len(pending)) == ("cancelled", 1, 2, 1)
    else:
        assert (ticket.state, ticket.version, count, len(pending)) == ("new", 0, 1, 0)


def test_checkpoint_mode_comes_from_the_url(tmp_path: Path) -> None:
    inline = open_sqlite(f"sqlite:///{tmp_path}/inline.db?checkpoint=inline")
    assert inline._checkpointer is None
    inline.close()
    default = open_sqlite(f"sqlite:///{tmp_path}/default.db")  # no thread unless asked (fork-safe)
    assert default._checkpointer is None
    default.close()
    for bad in ("?checkpoint=sometimes", "?mode=fast"):
        with pytest.raises(ValidationError):
            open_sqlite(f"sqlite:///{tmp_path}/bad.db{bad}")


def test_the_background_thread_checkpoints_the_wal_and_stops_on_close(tmp_path: Path) -> None:
    store = open_sqlite(f"sqlite:///{tmp_path}/bg.db?checkpoint=background")
    checkpointer = store._checkpointer
    assert checkpointer is not None
    with store() as uow:
        uow.tickets.add_many([contract_ticket(n) for n in range(1, 300)])
        uow.commit()
    for n in range(300):  # more commits than the thread waits for
        with store() as uow:
            uow.documents.add(ContractDoc(f"D{n}", "T-1", "draft"))
            uow.commit()
    deadline = time.monotonic() + 10
    while checkpointer.checkpoints == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert checkpointer.checkpoints > 0
    store.close()
    assert not checkpointer._thread.is_alive()
    check = sqlite3.connect(tmp_path / "bg.db")
    assert check.execute("SELECT count(*) FROM tickets").fetchone()[0] == 299
    check.close()


def _ticket_indexes(path: Path) -> set[tuple[str, str]]:
    check = sqlite3.connect(path)
    found = ticket_indexes(check)
    check.close()
    return set(found)


@contextlib.contextmanager
def _actions_prepared(conn: sqlite3.Connection) -> Iterator[list[tuple[int, str | None]]]:
    """The (action code, table or index) of every statement ``conn`` prepares meanwhile.

    An authorizer sees each statement's actions when it is prepared, without the expanded SQL text a
    trace callback gets: tracing a 500-row INSERT expanded every bound value (hundreds of MB per
    import). Setting an authorizer expires the connection's cached statements, so those re-prepare.
    """
    actions: list[tuple[int, str | None]] = []

    def record(action: int, arg1: str | None, arg2: str | None, db: str | None, trigger: str | None) -> int:
        actions.append((action, arg1))
        return sqlite3.SQLITE_OK

    conn.set_authorizer(record)
    try:
        yield actions
    finally:
        conn.set_authorizer(None)


def _index_drops(actions: list[tuple[int, str | None]]) -> list[str | None]:
    """The indexes ``actions`` drop."""
    return [
        name for code, name in actions if code in (sqlite3.SQLITE_DROP_INDEX, sqlite3.SQLITE_DROP_TEMP_INDEX)
    ]


def test_a_bulk_import_keeps_every_ledger_index_a_host_index_included(tmp_path: Path) -> None:
    store = open_sqlite(f"sqlite:///{tmp_path}/bulk.db")
    with store() as uow:
        uow.run("CREATE INDEX host_by_kind ON tickets (kind, id)")
        uow.commit()
    before = _ticket_indexes(tmp_path / "bulk.db")
    with store() as uow:
        with _actions_prepared(uow.conn()) as actions:
            uow.tickets.add_many([contract_ticket(n) for n in range(1, 1501)])
        uow.commit()
    assert (sqlite3.SQLITE_INSERT, "tickets") in actions  # the bulk path was taken
    assert not _index_drops(actions)  # a live file: indexes in place
    assert _ticket_indexes(tmp_path / "bulk.db") == before
    with store() as uow:
        plan = uow.run(
            "EXPLAIN QUERY PLAN SELECT id FROM tickets WHERE dealer_id = ? ORDER BY received_us DESC", ("D1",)
        ).fetchall()
        assert "tickets_dealer" in str(plan)
        assert uow.tickets.count(TicketFilter(dealer_id="D1")) == sum(
            1 for n in range(1, 1501) if n % 7 and n % 2
        )
    store.close()


def test_a_failed_bulk_import_keeps_the_indexes(tmp_path: Path) -> None:
    store = open_sqlite(f"sqlite:///{tmp_path}/bulk.db")
    before = _ticket_indexes(tmp_path / "bulk.db")
    with store() as uow:
        uow.tickets.add(contract_ticket(1400))
        uow.commit()
    with store() as uow, pytest.raises(DuplicateError, match="T-1400"):
        uow.tickets.add_many([contract_ticket(n) for n in range(1, 1501)])
    assert _ticket_indexes(tmp_path / "bulk.db") == before
    store.close()


def test_a_batch_smaller_than_the_table_keeps_the_indexes_in_place(tmp_path: Path) -> None:
    store = open_sqlite(f"sqlite:///{tmp_path}/bulk.db")
    with store() as uow:
        uow.tickets.add_many([contract_ticket(n) for n in range(1, 3001)])
        uow.commit()
    with store() as uow:
        with _actions_prepared(uow.conn()) as actions:
            uow.tickets.add_many([contract_ticket(n) for n in range(3001, 4501)])
        uow.commit()
    assert (sqlite3.SQLITE_INSERT, "tickets") in actions
    assert not _index_drops(actions)
    store.close()


def test_a_kept_ticket_is_never_served_stale(tmp_path: Path) -> None:
    store = open_sqlite(f"sqlite:///{tmp_path}/kept.db")
    with store() as uow:
        uow.tickets.add(contract_ticket(1))
        uow.commit()
    assert len(store.tickets_kept) == 1
    # Another writer (another process, a host's script) changes the stored ticket.
    other = sqlite3.connect(tmp_path / "kept.db")
    changed = contract_ticket(1)
    changed.cancel(AGENT, changed.last_event_at, "changed elsewhere")
    changed.version = 1
    with other:
        other.execute("UPDATE tickets SET version = 1, data = ? WHERE id = 'T-0001'", (dumps(changed),))
    other.close()
    with store() as uow:
        (listed,) = uow.tickets.query(TicketFilter(), PageRequest()).items
        assert (listed.version, listed.state) == (1, "cancelled")
        loaded = uow.tickets.get("T-0001")
        assert (loaded.version, loaded.state) == (1, "cancelled")
        # A change this unit of work makes and then rolls back is not served either.
        loaded.state = "new"  # whatever the change, it is rolled back
        uow.tickets.save(loaded)
        uow.rollback()
    with store() as uow:
        again = uow.tickets.get("T-0001")
        assert (again.version, again.state) == (1, "cancelled")
        again.events.clear()  # a caller's change to what it was given stays its own
    with store() as uow:
        assert len(uow.tickets.get("T-0001").events) == 2
    store.close()


def test_ticket_cache_comes_from_the_url(tmp_path: Path) -> None:
    store = open_sqlite(f"sqlite:///{tmp_path}/off.db?ticket_cache=0")
    with store() as uow:
        uow.tickets.add(contract_ticket(1))
        uow.commit()
    with store() as uow:
        assert uow.tickets.get("T-0001").id == "T-0001"
    assert len(store.tickets_kept) == 0
    store.close()
    for bad in (
        "?ticket_cache=-1",
        "?ticket_cache=many",
        "?ticket_cache=²",
        "?ticket_cache=5&ticket_cache=6",
    ):
        with pytest.raises(ValidationError, match="ticket_cache"):
            open_sqlite(f"sqlite:///{tmp_path}/bad.db{bad}")
