"""SQLite searches right while an upgrade's fold is pending, and its batches are bounded by time (s38 d).

Session 35 folded every stored search row of a SQLite file before a process's first search
(``fold_before_search``): on a large file that search waited for the whole fold (issue 21). The SQLite
search now matches and checks each of a term's traditional spellings too while the fold is pending (a
term of more spellings than ``UNFOLDED_FORMS``: the rows past the fold's position read folded), as
PostgreSQL's has since session 36, so the fold is paced by the store's ``upkeep``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import aftersales.adapters.search_fold_step as search_fold_step
import aftersales.ports.text_search as text_search
import aftersales.service.search_fold as search_fold
from aftersales.adapters.search_fold_step import SQLITE_SEARCH_REFOLD_38_STEP, unfolded_forms
from aftersales.ports.script_folding import fold_script
from conftest import noticed_desk, two_desks

TRADITIONAL = "馬桶沖水後裡面一直有異響"


def _unfolded_rows(store: object) -> int:
    with store() as uow:  # type: ignore[operator]
        return int(uow.run("SELECT count(*) FROM ticket_search WHERE instr(text, '馬') > 0").fetchone()[0])


def test_sqlite_searches_right_while_its_fold_is_pending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with two_desks("sqlite", tmp_path) as (first, second, w):
        monkeypatch.setattr(text_search, "fold_script", lambda text: text)  # the old normalisation
        ids = [
            first.open_ticket(w.agent, customer_id=w.cust_zh.id, description=f"{TRADITIONAL} {n}").ticket.id
            for n in range(3)
        ]
        plain = first.open_ticket(w.agent, customer_id=w.cust_zh.id, description="龙头漏水").ticket.id
        first.note_to_customer(w.agent, plain, text="換了進水閥")
        monkeypatch.undo()
        with first.store() as uow:  # the upgrade's step: every row listed as to be folded
            uow.run("UPDATE search_fold_backfill SET after_pos = -1, done = 0")
            uow.commit()
        # A process past its first search (the fold would not run there again) while upkeep is pending.
        search_fold._folded.add(second.store)
        assert unfolded_forms("马桶冲水后里面") is None  # read folded, through the fold as a SQL function
        for query in ("马桶", "馬桶", "异响 马桶", "裏面", "马桶冲水后里面"):
            assert {t.id for t in second.search(w.agent, query).items} == set(ids), query
        assert [t.id for t in second.search(w.agent, "进水阀").items] == [plain]
        assert [t.id for t in second.search(w.agent, "龙头 进水阀").items] == [plain]
        assert list(second.search(w.agent, "马桶漏水").items) == []  # the checks still decide
        assert _unfolded_rows(second.store) == 3  # the search read them, wrote nothing
        second.store.upkeep(max_batches=1)  # type: ignore[attr-defined]
        assert _unfolded_rows(second.store) == 0
        assert {t.id for t in second.search(w.agent, "馬桶").items} == set(ids)
        assert [t.id for t in second.search(w.agent, "进水阀").items] == [plain]


def test_a_batch_stops_writing_when_its_time_under_the_lock_is_spent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch writes its rows a few at a time and stops once its time under the write lock is spent
    (here at once: after the first few), its position just before the first row it did not write; the
    next batch goes on from there and the search is right at every step."""
    with noticed_desk("sqlite", tmp_path, "sanitary_ware") as (desk, _clock, w, _):
        monkeypatch.setattr(text_search, "fold_script", lambda text: text)  # the old normalisation
        ids = [
            desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description=f"{TRADITIONAL} {n}").ticket.id
            for n in range(7)
        ]
        monkeypatch.undo()
        store = desk.store
        with store() as uow:
            uow.run("UPDATE search_fold_backfill SET after_pos = -1, done = 0")
            uow.commit()
        search_fold._folded.add(store)
        monkeypatch.setattr(search_fold_step, "_WRITE_SECONDS", 0.0)
        monkeypatch.setattr(search_fold_step, "_WRITE_CHUNK", 2)
        left = [7]
        while left[-1]:
            first = store.fold_search_keys(max_batches=1)  # type: ignore[attr-defined]
            assert first.rewritten <= 2, first.rewritten
            left.append(_unfolded_rows(store))
            assert {t.id for t in desk.search(w.agent, "马桶 异响").items} == set(ids)
        assert left == [7, 5, 3, 1, 0]


HONG_KONG = "衹有熱水，祇要修好；彷彿漏電，甦醒後再試"


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_the_four_variants_fold_and_a_store_keyed_before_is_folded_again(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """衹 and 祇 (只), 彷 (仿), 甦 (苏): OpenCC lists them with a second choice, kept by session 36's fold, so
    a mainland 只有, 仿佛 or 苏醒 missed a Hong Kong or Taiwan ticket. They fold now; a SQLite file keyed
    by session 36's fold is folded again by step 40, its search right before and after."""
    with noticed_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, w, _):

        def session_36(text: str) -> str:  # the fold before session 38: the four kept
            return "".join(ch if ch in "衹祇彷甦" else fold_script(ch) for ch in text)

        monkeypatch.setattr(text_search, "fold_script", session_36)
        old = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description=HONG_KONG).ticket.id
        monkeypatch.undo()
        new = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description=HONG_KONG).ticket.id
        found = {new} if backend == "memory" else {old, new}  # memory re-folds nothing stored
        if backend == "sqlite":
            conn = desk.store.acquire()  # type: ignore[attr-defined]
            try:
                for statement in SQLITE_SEARCH_REFOLD_38_STEP:
                    conn.execute(statement)
                conn.commit()
            finally:
                desk.store.release(conn)  # type: ignore[attr-defined]
            search_fold._folded.add(desk.store)  # the fold pending: searched meanwhile
        for query in ("只有", "衹有", "只要", "仿佛", "彷彿", "苏醒", "甦醒"):
            assert {t.id for t in desk.search(w.agent, query).items} >= found, query
        if backend == "sqlite":
            assert desk.store.fold_search_keys().rewritten >= 1  # type: ignore[attr-defined]
            for query in ("只有", "彷彿", "苏醒"):
                assert {t.id for t in desk.search(w.agent, query).items} == found, query
    assert fold_script("神祇 彷徨 复甦") == "神只 仿徨 复苏"  # one for one, as the query folds
