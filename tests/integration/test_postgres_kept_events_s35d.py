# mypy: disable-error-code="attr-defined"
"""A ticket row another process changed, read again (issue 21, PostgreSQL with several clients).

The events and notes this process kept are reused when the row still begins with them — proved by the
bytes of the events' text written with sorted keys, and note by note — and never when anything of them
was rewritten behind the store's back (an erasure elsewhere). The first tests need no server; the
others are skipped without ``AFTERSALES_PG_DSN``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from tests.acceptance.conftest import pg_schema_url

from aftersales.adapters.postgres_kept_events import (
    reuse_kept_notes,
    same_first_events,
    sorted_events,
    sorted_saved,
)
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.domain.work import CustomerNote
from aftersales.serialization import EventsText
from aftersales.service.actors import Actor

DSN = os.environ.get("AFTERSALES_PG_DSN")
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")
needs_server = pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set")


def _text(events: list[dict[str, Any]]) -> EventsText:
    return EventsText(len(events), events[-1]["seq"], orjson.dumps(events))


def test_a_saved_events_text_is_kept_with_sorted_keys_whatever_order_it_was_written_in() -> None:
    first = [{"seq": 0, "at": "t0", "action": "opened", "payload": {"b": 1, "a": [{"y": 2, "x": 1}]}}]
    known = sorted_saved(_text(first), None)
    assert known.array == orjson.dumps(first, option=orjson.OPT_SORT_KEYS)
    both = [*first, {"seq": 1, "action": "note", "at": "t1", "payload": {"visible": True, "index": 0}}]
    # The save appended to the kept text as it was: only the appended event is sorted again.
    appended = EventsText(2, 1, known.array[:-1] + b"," + orjson.dumps(both[1:])[1:])
    kept = sorted_saved(appended, known)
    assert kept.array == orjson.dumps(both, option=orjson.OPT_SORT_KEYS)
    assert (kept.count, kept.last_seq) == (2, 1)
    assert sorted_saved(known, known) is known  # nothing appended
    # A save that wrote every event anew (the kept text did not describe them): all sorted.
    assert sorted_saved(_text(both), known).array == kept.array


def test_a_rows_events_begin_with_the_kept_ones_only_up_to_a_whole_event() -> None:
    kept = sorted_saved(_text([{"seq": 0, "n": 1}]), None)
    assert same_first_events(sorted_events([{"seq": 0, "n": 1}, {"seq": 1}]), kept, 1)
    assert same_first_events(sorted_events([{"n": 1, "seq": 0}]), kept, 1)  # the server's key order
    assert not same_first_events(sorted_events([{"seq": 0, "n": 12}]), kept, 1)  # same bytes, longer
    assert not same_first_events(sorted_events([{"seq": 0, "n": 2}, {"seq": 1}]), kept, 1)
    assert not same_first_events(sorted_events([{"seq": 0, "n": 1}]), kept, 2)  # another count
    assert not same_first_events(sorted_events([{"seq": 0, "n": 1}]), None, 1)
    assert sorted_events([{"seq": "0"}]) is None  # not events this store wrote


def test_kept_notes_are_reused_only_where_the_row_begins_with_them_field_for_field() -> None:
    notes = (CustomerNote("已联系客户"), CustomerNote("内部备注", visible_to_customer=False))
    earlier: Any = type("Kept", (), {"notes": notes})()
    rows = [
        {"text": "已联系客户", "visible_to_customer": True},
        {"text": "内部备注", "visible_to_customer": False},
    ]
    data: dict[str, Any] = {"notes": [*rows, {"text": "新的", "visible_to_customer": True}]}
    reused = reuse_kept_notes(data, earlier)
    assert reused == notes and all(a is b for a, b in zip(reused, notes, strict=True))
    assert data["notes"] == [{"text": "新的", "visible_to_customer": True}]  # only the new one is built
    for changed in (
        [{"text": "已联系客户 138****", "visible_to_customer": True}, rows[1]],  # rewritten (an erasure)
        [rows[0], {"text": "内部备注", "visible_to_customer": 0}],  # another type: built as stored
        [rows[0], {**rows[1], "extra": 1}],
        [rows[0]],  # fewer notes than kept
    ):
        data = {"notes": list(changed)}
        assert reuse_kept_notes(data, earlier) == () and data["notes"] == changed


@pytest.fixture
def url() -> Iterator[str]:
    with pg_schema_url() as schema_url:
        yield schema_url


def _stored(url: str, ticket: str) -> Any:
    import psycopg

    from aftersales.domain.ticket import Ticket
    from aftersales.serialization import loads

    schema = url.rsplit("schema=", 1)[1]
    with psycopg.connect(DSN or "", autocommit=True, options=f"-c search_path={schema}") as conn:
        row = conn.execute("SELECT version, data::text FROM tickets WHERE id = %s", (ticket,)).fetchone()
    assert row is not None
    whole = loads(row[1], Ticket)
    whole.version = row[0]
    return whole


@pytest.mark.postgres
@needs_server
def test_a_row_another_process_appended_to_reuses_the_kept_events_and_notes_without_comparing_them(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aftersales.adapters.postgres_tickets as tickets_module
    from aftersales.service.desk import ServiceDesk

    compared: list[int] = []
    field_by_field = tickets_module.events_stored_as

    def counting(events: Any, stored: Any) -> bool:
        compared.append(len(events))
        return field_by_field(events, stored)

    monkeypatch.setattr(tickets_module, "events_stored_as", counting)
    desk = ServiceDesk.open(url, pack="general_maintenance")
    other = ServiceDesk.open(url, pack="general_maintenance")  # another store: its own memo
    store: Any = desk.store
    try:
        desk.register_customer(
            MANAGER, Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13900000000"))
        )
        ticket = desk.open_ticket(AGENT, customer_id="c1", description="热水器漏水").ticket.id
        for n in range(3):
            desk.note_to_customer(AGENT, ticket, text=f"第 {n} 次")  # kept parsed by this process
        kept = store.tickets_kept.peek(ticket)[1]
        other.note_to_customer(AGENT, ticket, text="别处")
        compared.clear()
        with store() as uow:
            read = uow.tickets.get(ticket)
        whole = _stored(url, ticket)
        assert read.events == whole.events and read.notes == whole.notes and read.version == whole.version
        assert compared == []  # proved by the kept text's bytes, not event by event
        assert all(a is b for a, b in zip(read.events, kept.events, strict=False))
        assert len(kept.notes) == 3 and all(a is b for a, b in zip(read.notes, kept.notes, strict=False))
        assert read.notes[-1].text == "别处" and read.events[-1].action == "note_to_customer"
    finally:
        other.shutdown()
        desk.shutdown()


@pytest.mark.postgres
@needs_server
@pytest.mark.parametrize("rewrite", ["note", "event"])
def test_a_row_whose_kept_part_was_rewritten_elsewhere_is_read_as_stored(url: str, rewrite: str) -> None:
    import psycopg

    from aftersales.service.desk import ServiceDesk

    desk = ServiceDesk.open(url, pack="general_maintenance")
    store: Any = desk.store
    schema = url.rsplit("schema=", 1)[1]
    try:
        desk.register_customer(
            MANAGER, Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13900000000"))
        )
        ticket = desk.open_ticket(AGENT, customer_id="c1", description="热水器漏水").ticket.id
        desk.note_to_customer(AGENT, ticket, text="请拨打 13900000000")
        desk.note_to_customer(AGENT, ticket, text="已上门")
        # As an erasure on another desk: the kept part rewritten, no event appended, the version moved.
        path = "{notes,0,text}" if rewrite == "note" else "{events,0,actor,id}"
        with psycopg.connect(DSN or "", autocommit=True, options=f"-c search_path={schema}") as conn:
            conn.execute(
                "UPDATE tickets SET version = version + 1, data = jsonb_set(data, %s, '\"已删除\"')"
                " WHERE id = %s",
                (path, ticket),
            )
        with store() as uow:
            read = uow.tickets.get(ticket)
        whole = _stored(url, ticket)
        assert read.events == whole.events and read.notes == whole.notes
        if rewrite == "note":
            assert read.notes[0].text == "已删除"
        else:
            assert read.events[0].actor.id == "已删除"
    finally:
        desk.shutdown()
