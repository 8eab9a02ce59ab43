"""A host's own ticket ids typed without their dashes find the ticket (session 35, g).

Session 34 read ``SR2026000001`` as the desk's number ``SR-2026-000001``
(:mod:`aftersales.ports.ticket_number_terms`), but a host numbering tickets its own way
(``ServiceDesk(ids=SequentialIds())``: ``T-000001``) was not: ``T000001`` is in neither indexed form (the
number as written, its digits), so the search found nothing. The host's generator now reads such a term
(:class:`aftersales.SpellsIds`); memory, SQLite and PostgreSQL answer alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.adapters.ids import SequentialIds, UuidIds
from aftersales.errors import ValidationError
from aftersales.ports.ids import IdGenerator
from conftest import world_desk

SPELLINGS = ["T-000001", "T000001", "t000001", "Ｔ０００００１", "T–000001", "展位 T000001"]


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_every_spelling_of_a_host_id_finds_the_ticket(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, ids=SequentialIds()) as (desk, _clock, w):
        first = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="展位大屏黑屏").ticket.id
        other = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="展位地毯").ticket.id
        assert (first, other) == ("T-000001", "T-000002")
        for spelling in SPELLINGS:
            assert [t.id for t in desk.search(w.agent, spelling).items] == [first], spelling
        assert [t.id for t in desk.search(w.agent, "T000002").items] == [other]
        assert list(desk.search(w.agent, "T000003").items) == []


def test_a_random_id_typed_without_its_dash_finds_the_ticket(tmp_path: Path) -> None:
    with world_desk("memory", tmp_path, ids=UuidIds()) as (desk, _clock, w):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="展位大屏黑屏").ticket.id
        assert [t.id for t in desk.search(w.agent, tid.replace("-", "").upper()).items] == [tid]


class _Odd:
    """A host's generator answering something that is not text."""

    def __init__(self) -> None:
        self.inner = SequentialIds()

    def next_id(self, kind: str) -> str:
        return self.inner.next_id(kind)

    def spelt_id(self, kind: str, term: str) -> object:
        return 42


@pytest.mark.parametrize("ids", [_Odd(), None], ids=["odd-answer", "desk-numbering"])
def test_other_generators_leave_terms_as_typed(ids: IdGenerator | None, tmp_path: Path) -> None:
    with world_desk("memory", tmp_path, ids=ids) as (desk, _clock, w):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="展位大屏黑屏").ticket.id
        assert [t.id for t in desk.search(w.agent, tid).items] == [tid]
        assert [t.id for t in desk.search(w.agent, "展位").items] == [tid]


def test_the_generator_reads_only_its_own_spelling() -> None:
    ids = SequentialIds({"ticket": "Hk"}, width=4)
    assert ids.spelt_id("ticket", "hk0042") == "hk-0042"
    assert ids.spelt_id("ticket", "hk042") is None  # fewer digits than it writes
    assert ids.spelt_id("ticket", "t000042") is None
    assert ids.spelt_id("complaint", "complaint0042") == "complaint-0042"
    assert UuidIds().spelt_id("ticket", "ticket" + "a" * 32) == "ticket-" + "a" * 32
    for generator in (ids, UuidIds()):
        with pytest.raises(ValidationError) as refused:
            generator.spelt_id("ticket", 42)  # type: ignore[arg-type]
        assert (refused.value.field, refused.value.rule) == ("term", "text")
