"""Append-only ticket events on SQLite (issue 21): a save appends only its new events to the log and
rewrites a state row without them; rows written whole (older files, other programs) stay readable and
are converted by their next save or by the resumable conversion."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from aftersales.adapters.reporting_rows import REPORT_COLUMNS, fact_values
from aftersales.adapters.sqlite import SqliteStore
from aftersales.adapters.sqlite_ticket_events import split_stored_events
from aftersales.domain.work import CustomerNote
from aftersales.errors import ConcurrencyConflict
from aftersales.serialization import dumps, dumps_utf8
from aftersales.testing.storage_contract import AGENT, contract_ticket


def _rows(path: Path, ticket_id: str) -> tuple[int, bytes, str | None, list[tuple[int, str]]]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        version, data, events = conn.execute(
            "SELECT version, CAST(data AS BLOB), events FROM tickets WHERE id = ?", (ticket_id,)
        ).fetchone()
        logged = conn.execute("SELECT seq, data FROM ticket_events ORDER BY seq").fetchall()
    return version, data, events, logged


def _note(store: SqliteStore, ticket_id: str, text: str, *, cache: bool = True) -> None:
    with store() as uow:
        ticket = uow.tickets.get(ticket_id)
        ticket.note_to_customer(AGENT, ticket.last_event_at + timedelta(minutes=1), CustomerNote(text))
        uow.tickets.save(ticket)
        uow.commit()
    if not cache:
        store.tickets_kept._kept.clear()


@pytest.mark.parametrize("cache", [True, False])
def test_a_save_appends_only_its_new_events(tmp_path: Path, cache: bool) -> None:
    path = tmp_path / "log.db"
    store = SqliteStore(f"sqlite:///{path}?ticket_cache={4096 if cache else 0}")
    with store() as uow:
        uow.tickets.add(contract_ticket(1, state="triaged"))
        uow.commit()
    _, state, listed, logged = _rows(path, "T-0001")
    assert b'"events"' in state and listed is None and not logged  # a new ticket is written whole
    for n in range(3):
        _note(store, "T-0001", f"第{n}次", cache=cache)
    version, state, listed, logged = _rows(path, "T-0001")
    assert b'"events"' not in state
    assert version == 3 and len(logged) == 3  # the first save moved them all, then one row per save
    assert listed == ",".join(str(seq) for seq, _ in logged)
    assert logged[0][1].count('{"seq":') == 3  # opened, triage, the first note
    assert all(text.startswith('{"seq":') and '"note_to_customer"' in text for _, text in logged[1:])
    with store() as uow:
        ticket = uow.tickets.get("T-0001")
    assert [e.seq for e in ticket.events] == list(range(len(ticket.events)))
    assert [n.text for n in ticket.notes] == ["第0次", "第1次", "第2次"]
    # a fresh store (nothing kept) reads the same ticket
    other = SqliteStore(f"sqlite:///{path}")
    with other() as uow:
        assert dumps_utf8(uow.tickets.get("T-0001")) == dumps_utf8(ticket)
    with other.reader() as reader:
        assert dumps_utf8(reader.tickets.get("T-0001")) == dumps_utf8(ticket)
    other.close()
    store.close()


def _whole(path: Path, texts: dict[str, str]) -> None:
    """Write the rows as an older aftersales did: the whole JSON in ``data``, no log."""
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DELETE FROM ticket_events")
        conn.executemany(
            "UPDATE tickets SET data = ?, events = NULL WHERE id = ?", [(t, i) for i, t in texts.items()]
        )
        conn.execute("UPDATE ticket_events_split SET after_id = '', done = 0")


def test_a_row_written_whole_is_read_and_converted_by_its_next_save(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = SqliteStore(f"sqlite:///{path}")
    statements: list[str] = []
    with store() as uow:
        uow.tickets.add(contract_ticket(1, state="assigned"))
        uow.commit()
    with store() as uow:
        before = uow.tickets.get("T-0001")
    store.close()
    _whole(path, {"T-0001": dumps(before)})
    store = SqliteStore(f"sqlite:///{path}")
    conn = store.acquire()
    conn.set_trace_callback(statements.append)
    store.release(conn)
    _note(store, "T-0001", "已出发")
    assert not any(s.startswith("DELETE") for s in statements), statements  # no log rows to drop
    _, state, listed, logged = _rows(path, "T-0001")
    assert b'"events"' not in state and listed == str(logged[0][0]) and len(logged) == 1
    with store() as uow:
        after = uow.tickets.get("T-0001")
    assert len(after.events) == len(before.events) + 1
    assert after.events[:-1] == before.events
    store.close()


def test_a_row_another_program_wrote_whole_wins_over_the_log(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    store = SqliteStore(f"sqlite:///{path}")
    with store() as uow:
        uow.tickets.add(contract_ticket(1))
        uow.commit()
    _note(store, "T-0001", "一")
    changed = contract_ticket(1)
    changed.note_to_customer(AGENT, changed.last_event_at, CustomerNote("written elsewhere"))
    changed.version = 2
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE tickets SET version = 2, data = ? WHERE id = 'T-0001'", (dumps(changed),))
    with store() as uow:
        loaded = uow.tickets.get("T-0001")
        assert (loaded.version, [n.text for n in loaded.notes]) == (2, ["written elsewhere"])
    _note(store, "T-0001", "二")
    _, state, listed, logged = _rows(path, "T-0001")
    # the save wrote all its events again and dropped the log rows the whole row had replaced
    assert b'"events"' not in state and listed == str(logged[0][0]) and len(logged) == 1
    with store() as uow:
        assert [n.text for n in uow.tickets.get("T-0001").notes] == ["written elsewhere", "二"]
    store.close()


def test_a_concurrent_writer_s_events_are_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "race.db"
    first = SqliteStore(f"sqlite:///{path}")
    second = SqliteStore(f"sqlite:///{path}")
    with first() as uow:
        uow.tickets.add(contract_ticket(1, state="triaged"))
        uow.commit()
    stale = second()
    ticket = stale.tickets.get("T-0001")
    stale.rollback()  # the read's snapshot ends; the ticket in hand is now at version 0
    _note(first, "T-0001", "先到")
    stale_uow = second()
    stale_uow.tickets.get("T-0001")  # reads version 1 (its own bookkeeping), then saves the old copy
    ticket.note_to_customer(AGENT, ticket.last_event_at + timedelta(minutes=2), CustomerNote("后到"))
    with pytest.raises(ConcurrencyConflict):
        stale_uow.tickets.save(ticket)
    stale_uow.commit()  # even committed, the refused save left nothing behind
    _, _, listed, logged = _rows(path, "T-0001")
    assert listed == ",".join(str(seq) for seq, _ in logged) and len(logged) == 1
    with first() as uow:
        assert [n.text for n in uow.tickets.get("T-0001").notes] == ["先到"]
    first.close()
    second.close()


def test_the_conversion_is_resumable_and_changes_no_ticket(tmp_path: Path) -> None:
    path = tmp_path / "convert.db"
    store = SqliteStore(f"sqlite:///{path}")
    with store() as uow:
        uow.tickets.add_many([contract_ticket(n, state="assigned") for n in range(1, 26)])
        uow.commit()
    with store() as uow:
        tickets = [uow.tickets.get(f"T-{n:04d}") for n in range(1, 26)]
    before = {t.id: dumps_utf8(t) for t in tickets}
    store.close()
    _whole(path, {t.id: dumps(t) for t in tickets})
    conn = sqlite3.connect(path, isolation_level=None)
    # out of time at once: a batch still converts one ticket, and the next goes on after it
    assert split_stored_events(conn, batch=10, max_batches=1, batch_seconds=0).tickets == 1
    first = split_stored_events(conn, batch=10, max_batches=1)  # "killed" after one batch
    assert (first.batches, first.tickets) == (1, 10)
    assert conn.execute("SELECT count(*) FROM tickets WHERE events IS NULL").fetchone()[0] == 14
    rest = split_stored_events(conn, batch=10)
    assert rest.tickets == 14
    assert conn.execute("SELECT count(*) FROM tickets WHERE events IS NULL").fetchone()[0] == 0
    assert split_stored_events(conn).tickets == 0  # done: nothing more
    conn.close()
    store = SqliteStore(f"sqlite:///{path}?ticket_cache=0")
    with store() as uow:
        after = {t.id: dumps_utf8(t) for t in (uow.tickets.get(f"T-{n:04d}") for n in range(1, 26))}
    assert after == before
    store.close()


def test_the_store_counts_loads_its_kept_tickets_served(tmp_path: Path) -> None:
    path = tmp_path / "memo.db"
    store = SqliteStore(f"sqlite:///{path}")
    with store() as uow:
        uow.tickets.add(contract_ticket(1, state="triaged"))
        uow.commit()
    _note(store, "T-0001", "一")  # kept when added: served
    _note(store, "T-0001", "二")  # kept when saved: served
    assert (store.tickets_kept.hits, store.tickets_kept.misses) == (2, 0)
    other = SqliteStore(f"sqlite:///{path}")  # another process's store: nothing kept yet
    _note(other, "T-0001", "三")
    _note(other, "T-0001", "四")
    assert (other.tickets_kept.hits, other.tickets_kept.misses) == (1, 1)
    other.close()
    store.close()


def test_save_and_release_writes_what_save_writes_and_keeps_the_ticket_itself(tmp_path: Path) -> None:
    texts = []
    for name, release in (("copied", False), ("released", True)):
        path = tmp_path / f"{name}.db"
        store = SqliteStore(f"sqlite:///{path}")
        with store() as uow:
            uow.tickets.add(contract_ticket(1, state="triaged"))
            uow.commit()
        with store() as uow:
            mine = uow.tickets.get("T-0001")
            mine.note_to_customer(AGENT, mine.last_event_at + timedelta(minutes=1), CustomerNote("到"))
            (uow.tickets.save_and_release if release else uow.tickets.save)(mine)
            uow.commit()
        kept = store.tickets_kept.peek("T-0001")
        assert kept is not None and (kept[1] is mine) is release
        texts.append(_rows(path, "T-0001")[:3])
        with store() as uow:
            again = uow.tickets.get("T-0001")  # served by the kept ticket: a copy, never it
        assert again is not mine and again.events is not mine.events
        assert dumps_utf8(again) == dumps_utf8(mine)
        store.close()
    assert texts[0] == texts[1]


def test_a_save_encodes_the_state_without_writing_the_earlier_events_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 21 (session 28): the state row was cut out of the whole ticket's text, into which every
    earlier event's bytes had been copied once more on each save; it is made directly now, the same
    bytes the cut gave."""
    from aftersales import serialization
    from aftersales.adapters.sqlite_ticket_events import save_texts, state_text
    from aftersales.domain.work import CustomerNote
    from aftersales.serialization import ticket_text_utf8
    from aftersales.testing.storage_contract import ENGINEER

    ticket = contract_ticket(7, state="assigned")
    at = ticket.last_event_at
    for n in range(30):  # a long-lived ticket: its events are most of its bytes
        at += timedelta(minutes=1)
        ticket.note_to_customer(ENGINEER, at, CustomerNote(f"第{n}次上门前的说明"))
    _, known = ticket_text_utf8(ticket, ticket.version, None)
    ticket.note_to_customer(ENGINEER, at + timedelta(minutes=1), CustomerNote("已出发"))
    full, whole = ticket_text_utf8(ticket, ticket.version + 1, known)
    encoded: list[int] = []
    encode = serialization.encode_json_utf8

    def counting(data: object) -> bytes:
        text = encode(data)
        encoded.append(len(text))
        return text

    monkeypatch.setattr(serialization, "encode_json_utf8", counting)
    state, events, append, body = save_texts(ticket, ticket.version + 1, known, True)
    assert state == state_text(full, whole.array)  # the same bytes as before
    assert events == whole and append and body is not None and body == whole.array[len(known.array) : -1]
    # Encoded: the new event and the state, never the 31 earlier events' text again.
    assert sum(encoded) < len(state) + len(body) + 8 < len(known.array)


@pytest.mark.parametrize("cache", [True, False])
def test_a_save_reads_only_the_events_it_added_for_the_reporting_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: bool
) -> None:
    """Issue 21 (session 28): each save read the whole history again for the reporting row (~0.4 µs an
    event, a long-lived ticket's 40th save read 40); it reads the events past what its read read."""
    from aftersales.adapters import reporting_rows

    path = tmp_path / "reads.db"
    store = SqliteStore(f"sqlite:///{path}?ticket_cache={4096 if cache else 0}")
    with store() as uow:
        uow.tickets.add(contract_ticket(1, state="assigned"))
        uow.commit()
    for n in range(40):
        _note(store, "T-0001", f"第{n}次")
    asked: list[int] = []
    real = reporting_rows.answers

    def counting(event: Any, steps: frozenset[str]) -> bool:
        asked.append(event.seq)
        return real(event, steps)

    monkeypatch.setattr(reporting_rows, "answers", counting)
    with store() as uow:
        ticket = uow.tickets.get("T-0001")
        read = len(asked)  # a ticket not kept is read whole once
        ticket.note_to_customer(AGENT, ticket.last_event_at + timedelta(minutes=1), CustomerNote("最后"))
        uow.tickets.save(ticket)
        uow.commit()
    assert read == (0 if cache else 40)  # its 40 notes are the responses it holds
    assert asked[read:] == [ticket.events[-1].seq]  # the save: only the note it added
    with contextlib.closing(sqlite3.connect(path)) as conn:
        row = conn.execute(f"SELECT {', '.join(REPORT_COLUMNS)} FROM report_tickets").fetchone()
    monkeypatch.undo()
    assert row == fact_values(ticket)  # the row read from the whole history
    store.close()
