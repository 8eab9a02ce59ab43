"""What of a ticket kept parsed still holds when another process changed its row (issue 21).

A ticket row another process wrote since this one kept the ticket (most reads with 8 clients) is
parsed again, but its events are append-only: the kept events are reused when the row's first events
are still exactly the kept ones, and only those appended are parsed
(:func:`aftersales.adapters.postgres_tickets._load`). Proving "exactly" compared every kept event with
its stored JSON field by field (``events_stored_as``), and the ticket's notes — one more per note, never
changed but by an erasure — were built again one by one: together most of such a read's client time on a
ticket with a few dozen notes and events (session 32).

Here the proof is a byte comparison. The events' text this store keeps with a ticket is written with
sorted keys (:func:`sorted_events`, :func:`sorted_saved`), whatever order the JSON came in (``jsonb``
hands keys back in its own order, the serializer writes them in the fields' order): the same events
give the same bytes. A changed row's events, written the same way, begin with the kept text when, and
only when, their first events are the kept ones, value for value (:func:`same_first_events`). When the
bytes differ — an erasure rewrote them, or a number comes back from the server written another way —
the field-by-field comparison decides, as before. Kept notes are reused when the stored ones begin
with them, field for field (:func:`reuse_kept_notes`). Only what a whole parse would give is reused:
the kept events were parsed from (or saved as) those very values.
"""

from __future__ import annotations

from typing import Any

import attrs
import orjson

from aftersales.domain.ticket import Ticket
from aftersales.domain.work import CustomerNote
from aftersales.serialization import EventsText

__all__ = ["reuse_kept_notes", "same_first_events", "sorted_events", "sorted_saved"]

_SORTED = orjson.OPT_SORT_KEYS
_NOTE_FIELDS = tuple(field.name for field in attrs.fields(CustomerNote))


def sorted_events(stored: list[Any]) -> EventsText | None:
    """The text of a row's events as parsed (``stored``), keys sorted; ``None`` when the last one has
    no whole-number ``seq`` (not events this store wrote: nothing is reused)."""
    last = stored[-1] if stored else None
    if not isinstance(last, dict) or type(last.get("seq")) is not int:
        return None
    return EventsText(len(stored), last["seq"], orjson.dumps(stored, option=_SORTED))


def sorted_saved(events: EventsText, known: EventsText | None) -> EventsText:
    """``events``, the text a save wrote of a ticket's events, with sorted keys as the memo keeps it.

    ``known`` (the kept text the save appended to, sorted already) is taken as it is when the save
    appended to it, and only the events appended are written again; otherwise all of them."""
    array = known.array if known is not None else b""
    end = len(array) - 1
    if known is not None and known.count and events.array[:end] == array[:end]:
        if events.array[end : end + 1] == b",":  # new events after the kept ones
            tail = orjson.dumps(orjson.loads(b"[" + events.array[end + 1 :]), option=_SORTED)
            return EventsText(events.count, events.last_seq, array[:end] + b"," + tail[1:])
        if events.array == array:
            return known
    return EventsText(events.count, events.last_seq, orjson.dumps(orjson.loads(events.array), option=_SORTED))


def same_first_events(events: EventsText | None, kept: EventsText | None, count: int) -> bool:
    """Whether a row's events (``events``, from :func:`sorted_events`) begin with the ``count`` events
    whose sorted text is ``kept``: their bytes up to the end of the last kept event, which ends there
    (the next byte closes the array or begins another event)."""
    if events is None or kept is None or kept.count != count or count <= 0:
        return False
    end = len(kept.array) - 1  # without the kept array's closing bracket
    return events.array[:end] == kept.array[:end] and events.array[end : end + 1] in (b",", b"]")


def reuse_kept_notes(data: dict[str, Any], earlier: Ticket) -> tuple[CustomerNote, ...]:
    """The kept notes of ``earlier`` when the row's notes (``data["notes"]``, as parsed) begin with them,
    field for field; those are then cut from ``data`` (only the rest is built). Empty: none reused."""
    notes = earlier.notes
    stored = data.get("notes")
    if not notes or type(stored) is not list or len(stored) < len(notes):
        return ()
    width = len(_NOTE_FIELDS)
    for row, note in zip(stored, notes, strict=False):
        if type(row) is not dict or len(row) != width:
            return ()
        for name in _NOTE_FIELDS:
            value = getattr(note, name)
            found = row.get(name)
            if found != value or type(found) is not type(value):
                return ()
    data["notes"] = stored[len(notes) :]
    return notes
