"""The upkeep of one SQLite file over years: the ``store_upkeep`` job and online backups (issue 21).

An operator runs ``desk.run_due_jobs()``: the job catches up what an upgrade left (rows stored in an
older format, the sweep's tables, the reporting rows) in short batches, and gathers the planner's
statistics again when the ticket table has grown past a factor of two. ``store.backup(path)`` writes a
consistent copy while commands go on, with the attachments beside it.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from aftersales import Actor, ServiceDesk
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.sqlite import SqliteStore
from aftersales.adapters.sqlite_upkeep import _verify, statistics_stale
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.errors import StorageError, ValidationError
from aftersales.testing.storage_contract import T0, ledger_tickets

MANAGER = Actor.manager("mgr-1")
AGENT = Actor.agent("agent-1")
_WHOLE_OPEN = "SELECT count(*) FROM tickets WHERE events IS NULL AND is_open = 1"


def _analysed(store: SqliteStore) -> int | None:
    conn = store.acquire()
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone() is None:
            return None
        rows = conn.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'tickets'").fetchall()
        # the largest index holds every row (partial indexes hold fewer)
        return max((int(str(row[0]).split()[0]) for row in rows), default=None)
    finally:
        store.release(conn)


def _add(store: SqliteStore, tickets: list) -> None:  # type: ignore[type-arg]
    with store() as uow:
        uow.tickets.add_many(tickets)
        uow.commit()


def test_statistics_are_gathered_when_missing_and_again_past_a_factor_of_two(tmp_path: Path) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'stats.db'}")
    try:
        assert store.upkeep().analyzed is False  # an empty file needs none
        tickets = ledger_tickets(400)
        _add(store, tickets[:100])
        first = store.upkeep()
        assert first.analyzed and _analysed(store) == 100
        assert store.upkeep().analyzed is False  # current: nothing to do
        _add(store, tickets[100:190])  # 1.9×: still current
        assert store.upkeep().analyzed is False and _analysed(store) == 100
        _add(store, tickets[190:200])  # 2×: planned for a table twice the size it was analysed at
        assert store.upkeep().analyzed is True and _analysed(store) == 200
    finally:
        store.close()


def test_statistics_shrinking_past_half_are_stale(tmp_path: Path) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'shrink.db'}")
    try:
        _add(store, ledger_tickets(120))
        assert store.upkeep().analyzed
        conn = store.acquire()
        try:
            assert not statistics_stale(conn)
            conn.execute("DELETE FROM tickets WHERE rowid IN (SELECT rowid FROM tickets LIMIT 60)")
            assert statistics_stale(conn)
        finally:
            store.release(conn)
    finally:
        store.close()


def test_upkeep_catches_up_in_bounded_batches_until_complete(tmp_path: Path) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'catch-up.db'}")
    try:
        # A file from before the event log (schema step 14): its rows carry their events, and the split
        # has not started (a new file marks it done at once: an import writes whole rows on purpose).
        _add(store, ledger_tickets(900))
        conn = store.acquire()
        try:
            conn.execute("UPDATE ticket_events_split SET after_id = '', done = 0")
            whole = conn.execute(_WHOLE_OPEN).fetchone()[0]
        finally:
            store.release(conn)
        assert whole > 200  # more than one batch of the split (200 tickets)
        first = store.upkeep(max_batches=1)
        assert first.batches >= 1 and first.rows >= 1 and not first.complete
        reports = [first]
        while not reports[-1].complete:
            reports.append(store.upkeep(max_batches=1))
            assert len(reports) < 50
        conn = store.acquire()
        try:
            left = conn.execute(_WHOLE_OPEN).fetchone()[0]
        finally:
            store.release(conn)
        assert left == 0
        assert store.upkeep(max_batches=1).batches == 0  # done: the next run has nothing to catch up
    finally:
        store.close()


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "2"])
def test_upkeep_refuses_a_batch_count_that_is_not_a_positive_integer(tmp_path: Path, bad: object) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'bad.db'}")
    try:
        with pytest.raises(ValidationError) as raised:
            store.upkeep(max_batches=bad)  # type: ignore[arg-type]
        assert raised.value.field == "max_batches"
    finally:
        store.close()


def _desk(url: str) -> ServiceDesk:
    desk = ServiceDesk.open(url, pack="sanitary_ware", clock=ManualClock(T0))
    contact = Contact("王女士", phone="13800000001")
    desk.register_customer(MANAGER, Customer(CustomerId("c1"), "王女士", contact))
    return desk


def test_the_job_runs_the_upkeep_of_a_sqlite_store_and_nothing_on_memory(tmp_path: Path) -> None:
    desk = _desk(f"sqlite:///{tmp_path / 'job.db'}")
    try:
        desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水")
        report = desk.jobs.run_due(only=("store_upkeep",))
        assert report.ran == ("store_upkeep",) and report.counts["store_upkeep"] >= 1  # first statistics
        assert desk.jobs.run_due(only=("store_upkeep",)).counts["store_upkeep"] == 0
    finally:
        desk.shutdown()
    memory = _desk("memory://")
    try:
        memory.open_ticket(AGENT, customer_id="c1", description="马桶漏水")
        assert memory.jobs.run_due(only=("store_upkeep",)).counts["store_upkeep"] == 0
    finally:
        memory.shutdown()


def test_a_backup_is_a_consistent_copy_taken_while_commands_go_on(tmp_path: Path) -> None:
    desk = _desk(f"sqlite:///{tmp_path / 'live.db'}")
    try:
        ids = [desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id for _ in range(30)]
        photo = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
        desk.attachments.attach(AGENT, ids[0], kind="photo", name="leak.png", content=photo)
        stop = threading.Event()
        notes: list[int] = []

        def write() -> None:
            n = 0
            while not stop.is_set():
                desk.note_to_customer(AGENT, ids[n % len(ids)], text=f"第{n}次进展")
                n += 1
            notes.append(n)

        writer = threading.Thread(target=write)
        writer.start()
        try:
            report = desk.context.store.backup(tmp_path / "copy.db")
        finally:
            stop.set()
            writer.join()
        assert report.bytes > 0 and report.attachments == 1 and report.verified
        # The copy is one committed state: every ticket reads whole, and no note is counted twice.
        copy = ServiceDesk.open(f"sqlite:///{tmp_path / 'copy.db'}", pack="sanitary_ware")
        try:
            with copy.store() as uow:
                noted = [len(uow.tickets.get(i).notes) for i in ids]
            assert sum(noted) <= notes[0]
            attachment, stream = copy.attachments.open(AGENT, ids[0], "att-1")
            with stream:
                assert stream.read() == photo and attachment.name == "leak.png"
        finally:
            copy.shutdown()
    finally:
        desk.shutdown()


def test_a_backup_refuses_to_overwrite_or_to_write_nowhere(tmp_path: Path) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'src.db'}")
    memory = SqliteStore("sqlite:///:memory:")
    try:
        (tmp_path / "taken.db").write_bytes(b"keep me")
        cases = [
            (store, tmp_path / "taken.db"),
            (store, tmp_path / "missing-folder" / "copy.db"),
            (store, tmp_path / "src.db"),
            (store, ""),
            (memory, tmp_path / "mem.db"),
        ]
        for source, target in cases:
            with pytest.raises(ValidationError) as raised:
                source.backup(target)
            assert raised.value.field == "target"
        assert (tmp_path / "taken.db").read_bytes() == b"keep me"
        assert not (tmp_path / "mem.db").exists()
    finally:
        store.close()
        memory.close()
    for closed in (lambda: store.backup(tmp_path / "late.db"), store.upkeep):
        with pytest.raises(StorageError):
            closed()
    assert not (tmp_path / "late.db").exists()


def test_a_backup_opens_as_a_plain_sqlite_file_without_a_journal_beside_it(tmp_path: Path) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'plain.db'}")
    try:
        _add(store, ledger_tickets(50))
        store.backup(tmp_path / "plain-copy.db", attachments=False)
    finally:
        store.close()
    assert not Path(f"{tmp_path / 'plain-copy.db'}-wal").exists()
    assert not Path(f"{tmp_path / 'plain-copy.db'}.attachments").exists()
    conn = sqlite3.connect(tmp_path / "plain-copy.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 50
    finally:
        conn.close()


def test_a_backup_that_fails_its_integrity_check_is_reported(tmp_path: Path) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'good.db'}")
    try:
        _add(store, ledger_tickets(200))
        report = store.backup(tmp_path / "copy.db", verify=True)
    finally:
        store.close()
    assert report.verified
    # The same check on a copy damaged afterwards (a torn write, a bad disk): a typed error, not "ok".
    data = bytearray((tmp_path / "copy.db").read_bytes())
    page = 4096
    for at in range(page * 3, len(data), page * 7):
        data[at + 100 : at + 400] = bytes(300)
    (tmp_path / "copy.db").write_bytes(bytes(data))
    with pytest.raises(StorageError) as raised:
        _verify(tmp_path / "copy.db")
    assert "integrity check" in str(raised.value)


def test_a_backup_damaged_in_its_schema_is_a_typed_error(tmp_path: Path) -> None:
    """A copy whose schema page is torn cannot even be checked: sqlite3.DatabaseError escaped the check
    (it did on session 16's schema, where the damage of the test above fell on the schema)."""
    store = SqliteStore(f"sqlite:///{tmp_path / 'good.db'}")
    try:
        _add(store, ledger_tickets(20))
        assert store.backup(tmp_path / "copy.db", verify=True).verified
    finally:
        store.close()
    data = bytearray((tmp_path / "copy.db").read_bytes())
    data[100:4096] = bytes(3996)  # the first page after the header: where the schema starts
    (tmp_path / "copy.db").write_bytes(bytes(data))
    with pytest.raises(StorageError) as raised:
        _verify(tmp_path / "copy.db")
    assert "integrity check" in str(raised.value)
