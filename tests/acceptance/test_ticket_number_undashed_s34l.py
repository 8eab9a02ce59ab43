"""A ticket number typed without its dashes finds the ticket (session 34, l).

A number read off a slip or over the phone is often typed ``SR2026000001``; the search index keeps
the number as written (``sr-2026-000001``) and as its digits (``2026000001``), neither of which contains
the undashed spelling, so the search found nothing. Such a term is now read as the number written, in
half- or full-width; memory, SQLite and PostgreSQL answer alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.ports.ticket_search import parse_query
from conftest import noticed_desk

SPELLINGS = [
    "SR-2026-000001", "SR2026000001", "sr2026000001", "SR-2026000001", "SR2026-000001",
    "ＳＲ２０２６０００００１", "ＳＲ－２０２６－０００００１", "维修 SR2026000001",
    "SR–2026–000001",
]  # fmt: skip


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_every_spelling_of_the_number_finds_the_ticket(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "exhibition_services") as (desk, _clock, w, _):
        first = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="展位大屏黑屏需要维修"
        ).ticket.id
        other = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="展位地毯需要维修").ticket.id
        assert first == "SR-2026-000001" and other == "SR-2026-000002"
        for spelling in SPELLINGS:
            found = [t.id for t in desk.search(w.agent, spelling).items]
            assert found == [first], spelling
        assert [t.id for t in desk.search(w.agent, "SR2026000002").items] == [other]
        assert list(desk.search(w.agent, "SR2026000003").items) == []


def test_other_terms_are_left_as_typed() -> None:
    assert parse_query("SN88001234 AB2026").terms == ("sn88001234", "ab2026")
    assert parse_query("SR2026000001").terms == ("sr-2026-000001",)
    assert parse_query("138 1234 5678").terms == ("13812345678",)
