"""A note's search text on PostgreSQL is a row of its own (session 32, issue 21), and every store still
finds the same tickets.

A note used to be appended to the ticket's search row: PostgreSQL then wrote a new version of the row and
both trigram (GIN) indexes learnt the row's whole text and identifiers again — about 150 µs of server time
per note on the development server, a quarter of a note's. Now the note's text goes to
``ticket_search_notes`` (its index learns the note's trigrams alone), a search finds each term in the
row or in any of the ticket's notes, and the next re-index writes the document's own text and drops the
notes' rows. Terms spread over the ticket's text, its notes and its tags must find the same tickets on
memory, SQLite and PostgreSQL, before and after a re-index, across pages, and after an upgrade from a
schema whose notes are in the rows' text.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from tests.acceptance.conftest import START, World, make_world, register, store_url

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.postgres import MIGRATIONS as PG_MIGRATIONS
from aftersales.adapters.ticket_search_postgres import SEARCH_NOTES_STEP
from aftersales.ports.text_search import FIELD_SEPARATOR
from aftersales.ports.ticket_search import SearchRequest
from aftersales.service.desk import ServiceDesk

STORES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _open(url: str, clock: ManualClock) -> ServiceDesk:
    return ServiceDesk.open(url, pack="sanitary_ware", clock=clock)


def _found(desk: ServiceDesk, world: World, query: str, limit: int = 20) -> list[str]:
    """Every ticket ``query`` finds, page by page (``limit`` a page), in the order given."""
    found: list[str] = []
    cursor = None
    while True:
        page = desk.search(world.manager, query, page=SearchRequest(limit=limit, cursor=cursor))
        found += [view.id for view in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return found


def _schema(url: str) -> tuple[str, str]:
    dsn, _, query = url.partition("?")
    return dsn, dict(p.split("=", 1) for p in query.split("&"))["schema"]


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    dsn, schema = _schema(url)
    with psycopg.connect(dsn, autocommit=True, options=f"-c search_path={schema}") as conn:
        return list(conn.execute(sql).fetchall())


@pytest.fixture
def world() -> World:
    return make_world()


def _tickets(desk: ServiceDesk, clock: ManualClock, world: World) -> list[str]:
    """Five tickets: notes on some (one with two), a tag after a note on one."""
    ids = []
    for n, description in enumerate(["马桶漏水", "水箱漏水", "龙头滴水", "花洒堵塞", "马桶堵塞"]):
        clock.advance(timedelta(minutes=1))
        customer = world.cust_zh.id if n % 2 == 0 else world.cust_en.id
        ids.append(desk.open_ticket(world.agent, customer_id=customer, description=description).ticket.id)
    desk.note_to_customer(world.agent, ids[0], text="工程师已出发")
    desk.note_to_customer(world.agent, ids[0], text="更换密封圈")
    desk.tag(world.agent, ids[1], add=["加急"])
    desk.note_to_customer(world.agent, ids[1], text="工程师改约明天")
    desk.note_to_customer(world.agent, ids[3], text="已更换密封圈")
    return ids


QUERIES = {
    "密封": [3, 0],  # in notes only (two characters: no trigram)
    "密封圈": [3, 0],  # in notes only (a trigram: the notes' index)
    "更换密封圈 漏水": [0],
    "工程师": [1, 0],
    "漏水 密封": [0],  # one term in the ticket's text, one in a note
    "密封 工程师": [0],  # two notes of one ticket
    "改约 加急": [1],  # a note and a tag (the tag came first)
    "漏水 加急": [1],
    "堵塞 密封": [3],
    "漏水": [1, 0],  # the ticket's text only
    "工程师 堵塞": [],  # in two different tickets: none
    "明天 漏水 工程师": [1],
}


@pytest.mark.parametrize("backend", STORES)
def test_terms_in_the_text_notes_and_tags_find_the_same_tickets(
    backend: str, tmp_path: Path, world: World
) -> None:
    clock = ManualClock(START)
    with store_url(backend, tmp_path) as url, _open(url, clock) as desk:
        register(desk, world)
        ids = _tickets(desk, clock, world)
        for query, expected in QUERIES.items():
            assert _found(desk, world, query) == [ids[n] for n in expected], query
            assert _found(desk, world, query, limit=1) == [ids[n] for n in expected], query
        # Another note after the tag, then a re-index of every ticket (a triage changes the text): the
        # same tickets, the notes now in the tickets' own text.
        desk.note_to_customer(world.agent, ids[2], text="密封件缺货")
        for ticket in ids:
            desk.tag(world.agent, ticket, add=["复查"])
        expected_after = {**QUERIES, "密封": [3, 2, 0], "密封 工程师": [0], "复查 密封": [3, 2, 0]}
        for query, expected in expected_after.items():
            assert _found(desk, world, query) == [ids[n] for n in expected], query


@pytest.mark.postgres
def test_a_note_is_a_row_of_its_own_until_the_ticket_is_indexed_again(tmp_path: Path, world: World) -> None:
    clock = ManualClock(START)
    with store_url("postgres", tmp_path) as url, _open(url, clock) as desk:
        register(desk, world)
        ticket = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="马桶漏水").ticket.id
        before = _rows(url, "SELECT text, idents, xmin::text FROM ticket_search")
        desk.note_to_customer(world.agent, ticket, text="工程师已出发")
        desk.note_to_customer(world.agent, ticket, text="请拨打 13912345678")
        # The search row is the very row version it was: not rewritten, not re-indexed.
        assert _rows(url, "SELECT text, idents, xmin::text FROM ticket_search") == before
        assert _rows(url, "SELECT text FROM ticket_search_notes ORDER BY n") == [
            ("工程师已出发",),
            ("请拨打 13912345678",),
        ]
        assert _found(desk, world, "拨打 漏水") == [ticket]
        desk.tag(world.agent, ticket, add=["加急"])  # a re-index: the document's text, notes included
        assert _rows(url, "SELECT text FROM ticket_search_notes") == []
        (text,) = _rows(url, "SELECT text FROM ticket_search")[0]
        assert "工程师已出发" in str(text).split(FIELD_SEPARATOR)
        assert _found(desk, world, "拨打 加急") == [ticket]


@pytest.mark.postgres
def test_an_erasure_leaves_no_note_text_beside_the_search_row(tmp_path: Path, world: World) -> None:
    """The customer's number in a note is personal data: the erasure's re-index drops the note's row
    with the text it writes (a row of its own must not outlive the erasure)."""
    clock = ManualClock(START)
    with store_url("postgres", tmp_path) as url, _open(url, clock) as desk:
        register(desk, world)
        ticket = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="马桶漏水").ticket.id
        desk.note_to_customer(world.agent, ticket, text="张伟 请拨打 13912345678")
        assert _found(desk, world, "13912345678") == [ticket]
        desk.privacy.erase_customer(world.manager, world.cust_zh.id, "PIPL art. 47", cancel_open_tickets=True)
        assert _rows(url, "SELECT text FROM ticket_search_notes") == []
        assert _found(desk, world, "张伟") == []


@pytest.mark.postgres
def test_a_schema_whose_notes_are_in_the_rows_text_upgrades(tmp_path: Path, world: World) -> None:
    """A schema of the release before: no ``ticket_search_notes``, a note appended to its row's text.
    Opened by this release, the note is still found, a new note goes to a row of its own, and a search
    finds terms across both."""
    clock = ManualClock(START)
    with store_url("postgres", tmp_path) as url:
        with _open(url, clock) as desk:
            register(desk, world)
            ticket = desk.open_ticket(
                world.agent, customer_id=world.cust_zh.id, description="马桶漏水"
            ).ticket.id
        dsn, schema = _schema(url)
        with psycopg.connect(dsn, autocommit=True, options=f"-c search_path={schema}") as conn:
            conn.execute("DROP TABLE ticket_search_notes")  # as the release before left it
            conn.execute("UPDATE ticket_search SET text = text || %s", (FIELD_SEPARATOR + "工程师已出发",))
            conn.execute(
                "UPDATE aftersales_schema SET version = %s", (PG_MIGRATIONS.index(SEARCH_NOTES_STEP),)
            )
        with _open(url, clock) as desk:
            assert _rows(url, "SELECT version FROM aftersales_schema") == [(len(PG_MIGRATIONS),)]
            assert _found(desk, world, "出发 漏水") == [ticket]
            desk.note_to_customer(world.agent, ticket, text="更换密封圈")
            assert _rows(url, "SELECT text FROM ticket_search_notes") == [("更换密封圈",)]
            assert _found(desk, world, "出发 密封") == [ticket]
