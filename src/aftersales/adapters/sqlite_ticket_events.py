"""A SQLite ticket stored as a current-state row and its events appended to a log (issue 21).

Events are append-only and most of a ticket's bytes. Kept inside the ticket's JSON, every command grew
the ``tickets`` row by one event (~280 bytes); a row that outgrows its page makes SQLite rebalance it
with its siblings, three leaves and their parent rewritten per command (pages written in order by an
import are full). Now ``tickets.data`` is the ticket's JSON without ``events`` (its size barely changes
from one command to the next) and a save appends the events it added as one row of ``ticket_events``:
its key is the next integer, so the row goes on the table's last page, the page the previous command
wrote too, and no insert into the middle of a full B-tree splits a page. ``tickets.events`` lists the
keys of the ticket's rows (``"17,90233"``), ascending: the ticket's event array is ``[`` + their texts
joined by ``,`` + ``]``, so a read hands the stored bytes back verbatim and the next save appends to
them without serializing the earlier events again. A read that misses the kept tickets reads one row
per save of the ticket (each a key lookup; a kept ticket reads none).

A row whose ``events`` is NULL carries its events in ``data``: a new ticket is written whole (``add``,
``add_many``: most tickets are saved a few times or never again, and whole a ticket is one row), as is
every row of a file written before this format. It is read as it is, and its first save (or
:func:`split_stored_events`, which converts open tickets in small resumable batches) moves them out. A
``data`` that carries ``"events"`` is always read from itself, whatever the log holds (a row another
program wrote whole); its next save writes it in this format.
"""

from __future__ import annotations

import sqlite3
import time

from aftersales.adapters.sqlite_write_batch import write_batch
from aftersales.domain.ticket import Ticket
from aftersales.serialization import (
    EventsText,
    StoredEvents,
    decode_json,
    encode_json_utf8,
    structure,
    ticket_state_utf8,
)

__all__ = [
    "DROP_EVENTS",
    "EVENTS_STEP",
    "INSERT_EVENTS",
    "SplitProgress",
    "events_of",
    "parse_stored",
    "save_texts",
    "split_stored_events",
    "state_text",
]

EVENTS_STEP: tuple[str, ...] = (
    "ALTER TABLE tickets ADD COLUMN events TEXT",
    "CREATE TABLE IF NOT EXISTS ticket_events (seq INTEGER PRIMARY KEY, data TEXT NOT NULL)",
    # The conversion's position (split_stored_events): done at once on a file with no ticket yet.
    """CREATE TABLE IF NOT EXISTS ticket_events_split (
        id INTEGER PRIMARY KEY CHECK (id = 1), after_id TEXT NOT NULL, done INTEGER NOT NULL)""",
    "INSERT OR IGNORE INTO ticket_events_split (id, after_id, done)"
    " VALUES (1, '', NOT EXISTS (SELECT 1 FROM tickets))",
)
"""The schema step: the log, the column listing a ticket's rows in it, the conversion's position (no
row is converted by the step itself: it stays quick on any file)."""

INSERT_EVENTS = "INSERT INTO ticket_events (data) VALUES (CAST(? AS TEXT))"
DROP_EVENTS = (
    "DELETE FROM ticket_events WHERE seq IN (SELECT value FROM json_each("
    "'[' || (SELECT events FROM tickets WHERE id = ? AND version = ?) || ']'))"
)
"""The log rows of a ticket (by id and the version read) whose events are all written again (its
``events`` list is about to be replaced): the key lookups of a short list, nothing else read."""

_KEY = b'"events":'


def events_of(table: str) -> str:
    """The SQL expression for the logged events of the ``table`` row as bytes (``[`` … ``]`` left out),
    NULL for none. ``seq IN (…)`` visits the keys in ascending order, which is the order they were
    written in (each save appends a key past every earlier one)."""
    return (
        "(SELECT CAST(group_concat(e.data, ',') AS BLOB) FROM ticket_events e WHERE e.seq IN"
        f" (SELECT value FROM json_each('[' || {table}.events || ']')))"
    )


def state_text(full: bytes, array: bytes) -> bytes:
    """The stored JSON ``full`` of a ticket without its ``events`` member (whose text is ``array``)."""
    # The short key found first, then the array compared in place: no copy of it as a search needle.
    size = len(_KEY)
    at = full.find(_KEY)
    while at >= 0 and not full.startswith(array, at + size):
        at = full.find(_KEY, at + 1)
    if at < 0:  # not a text the store wrote: refuse rather than store a wrong one
        raise ValueError("the ticket's JSON does not hold its events' text")
    end = at + size + len(array)
    if full[at - 1 : at] == b",":
        return full[: at - 1] + full[end:]
    return full[:at] + full[end + 1 :]  # the first member: drop the comma after it


def parse_stored(state: bytes, chunks: bytes | None) -> tuple[Ticket, EventsText | StoredEvents | None, bool]:
    """The ticket stored as ``state`` (``tickets.data``) and ``chunks`` (:func:`events_of`); its events
    as stored (their text, or for a row written whole the parsed list, turned into text only if it is
    saved: a save then writes them without converting each event again); and whether the log holds
    them (else its next save writes them all there)."""
    data = decode_json(state)
    raw = data.get("events")
    if raw is not None:  # written whole: the log is not its record
        return structure(data, Ticket), StoredEvents(raw) if isinstance(raw, list) else None, False
    array = b"[" + chunks + b"]" if chunks else b"[]"
    events = data["events"] = decode_json(array)
    ticket = structure(data, Ticket)
    if not events:
        return ticket, None, False
    return ticket, EventsText(len(events), ticket.events[-1].seq, array), True


def _appends(known: EventsText | None, ticket: Ticket) -> bool:
    # The same test serialization._events_text makes before it appends to the known text.
    events = ticket.events
    if known is None or not 0 < known.count <= len(events):
        return False
    return events[known.count - 1].seq == known.last_seq


def save_texts(
    ticket: Ticket, version: int, known: EventsText | StoredEvents | None, logged: bool
) -> tuple[bytes, EventsText, bool, bytes | None]:
    """What a save of ``ticket`` at ``version`` writes, given ``known``, its events as stored (None:
    unknown), and whether the log holds them (``logged``). Returns the state row's JSON, the text of
    all its events (for the next save), whether the new log row is appended to the ticket's list (else
    it replaces the list: all events again) and that row's text (None: no event was added)."""
    if isinstance(known, StoredEvents):
        known = known.text()
    state, events = ticket_state_utf8(ticket, version, known)
    if logged and known is not None and _appends(known, ticket):
        size = len(known.array)
        return state, events, True, events.array[size:-1] if len(events.array) > size else None
    return state, events, False, events.array[1:-1] or None


class SplitProgress:
    """What :func:`split_stored_events` did: batches committed, tickets converted, the longest lock."""

    def __init__(self) -> None:
        self.batches = 0
        self.tickets = 0
        self.longest = 0.0
        """Seconds the longest batch held the write lock."""


# Open tickets only: a closed one is rarely saved again, and whole it is one row.
_SPLIT_READ = (
    "SELECT id, CAST(data AS BLOB) FROM tickets WHERE id > ? AND events IS NULL AND is_open = 1"
    " ORDER BY id LIMIT ?"
)


def _converted(data: bytes) -> tuple[bytes, bytes] | None:
    """The state text and the events' text of a row stored whole (None: it holds no event array)."""
    found = decode_json(data)
    if not isinstance(found, dict) or not isinstance(found.get("events"), list):
        return None
    # Re-encoded, the events are the very bytes the store wrote (the same encoder), so the state row is
    # the stored text with the member cut out; a text written otherwise is re-encoded without it.
    array = encode_json_utf8(found["events"])
    try:
        state = state_text(data, array)
    except ValueError:
        del found["events"]
        state = encode_json_utf8(found)
    return state, array[1:-1]


def _split_batch(conn: sqlite3.Connection, batch: int, batch_seconds: float) -> tuple[int | None, bool]:
    """Under the write lock: move the events of up to ``batch`` rows after the committed position (about
    ``batch_seconds`` of work) and move the position; (rows converted, done), or ``(None, True)`` when
    the split is already complete."""
    began = time.perf_counter()
    row = conn.execute("SELECT after_id, done FROM ticket_events_split WHERE id = 1").fetchone()
    if row is None or row[1]:
        return None, True
    rows = conn.execute(_SPLIT_READ, (row[0], batch)).fetchall()
    converted = 0
    last = row[0]
    done = len(rows) < batch
    for ticket_id, data in rows:
        if converted and time.perf_counter() - began > batch_seconds:
            done = False  # out of time: the rest waits for the next batch
            break
        last = ticket_id
        found = _converted(data)
        if found is None:
            continue
        state, body = found
        seq = conn.execute(INSERT_EVENTS, (body,)).lastrowid if body else None
        conn.execute(
            "UPDATE tickets SET data = CAST(? AS TEXT), events = ? WHERE id = ?",
            (state, "" if seq is None else str(seq), ticket_id),
        )
        converted += 1
    conn.execute("UPDATE ticket_events_split SET after_id = ?, done = ? WHERE id = 1", (last, done))
    return converted, done


def split_stored_events(
    conn: sqlite3.Connection,
    *,
    batch: int = 200,
    max_batches: int | None = None,
    batch_seconds: float = 0.02,
    pause: float = 0.0,
) -> SplitProgress:
    """Move the events of open tickets' rows that still carry them into the log (a closed ticket's stay,
    until a save, if any), at most ``batch`` tickets and about
    ``batch_seconds`` of work per transaction (the write lock is held that long; writers wait at most
    one batch), in id order, the position committed with each batch: killed half-way, the next call
    goes on from the last committed batch. A converted row keeps its version (the ticket is the same).
    ``conn`` is outside any transaction."""
    progress = SplitProgress()
    while max_batches is None or progress.batches < max_batches:
        if progress.batches and pause:
            time.sleep(pause)
        (converted, done), took = write_batch(conn, _split_batch, conn, batch, batch_seconds)
        if converted is None:  # nothing left to move
            break
        progress.longest = max(progress.longest, took)
        progress.batches += 1
        progress.tickets += converted
        if done:
            break
    return progress
