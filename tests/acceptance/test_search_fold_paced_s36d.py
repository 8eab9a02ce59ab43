"""The SQLite search fold (schema step 36) paced by the write lock it holds (session 36, issue 21).

Until session 36 each batch read, folded and re-worded 500 search rows under the write lock: on a file
of traditional Chinese tickets (a Hong Kong or Taiwan desk) a batch held it 1.4-1.8 s on a 5,000-ticket
copy, and writers waited as long (``benchmarks/bench_search_fold.py``). A batch is now read and folded,
and its FTS words made, outside the lock; the lock holds the writes, and the next batch is sized by how
long the last one held it (``adapters/lock_paced_batch.py``). A row a command changed between the read
and the write is folded again under the lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import aftersales.adapters.search_fold_step as fold_step
import aftersales.ports.text_search as text_search
from aftersales.adapters.search_fold_step import SQLITE_SEARCH_FOLD_STEP, fold_search_keys
from aftersales.ports.ticket_search import SearchRequest
from aftersales.service.desk import ServiceDesk
from conftest import World, noticed_desk

TRADITIONAL = "馬桶沖水後裡面一直有異響"


def _unfolded_desk(desk: ServiceDesk, w: World, count: int, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``count`` tickets written by the old normalisation (traditional kept), the step applied."""
    monkeypatch.setattr(text_search, "fold_script", lambda text: text)
    ids = [
        desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description=f"{TRADITIONAL} {n}").ticket.id
        for n in range(count)
    ]
    monkeypatch.undo()
    conn = desk.store.acquire()  # type: ignore[attr-defined]
    try:
        for statement in SQLITE_SEARCH_FOLD_STEP:
            conn.execute(statement)
        conn.commit()
    finally:
        desk.store.release(conn)  # type: ignore[attr-defined]
    return ids


def test_a_batch_that_held_the_lock_too_long_halves_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with noticed_desk("sqlite", tmp_path, "sanitary_ware") as (desk, _clock, w, _):
        ids = _unfolded_desk(desk, w, 40, monkeypatch)
        real = fold_step.write_batch

        def slow(*args: Any, **kwargs: Any) -> Any:
            result, _took = real(*args, **kwargs)
            return result, 0.2  # as a batch held 200 ms on a loaded machine

        monkeypatch.setattr(fold_step, "write_batch", slow)
        conn = desk.store.acquire()  # type: ignore[attr-defined]
        try:
            first = fold_search_keys(conn, batch=20, max_batches=2)
        finally:
            desk.store.release(conn)  # type: ignore[attr-defined]
        assert (first.batches, first.rows) == (2, 30)  # 20, then half: not another 20
        monkeypatch.undo()
        desk.store.fold_search_keys()  # type: ignore[attr-defined]
        assert {t.id for t in desk.search(w.agent, "马桶", page=SearchRequest(50)).items} == set(ids)


def test_a_row_a_command_changes_between_the_read_and_the_write_is_folded_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with noticed_desk("sqlite", tmp_path, "sanitary_ware") as (desk, _clock, w, _):
        ids = _unfolded_desk(desk, w, 3, monkeypatch)
        real = fold_step._read_batch
        noted: list[str] = []

        def read_then_note(*args: Any) -> Any:
            found = real(*args)
            if not noted:  # a command between this batch's read and its write
                desk.note_to_customer(w.agent, ids[1], text="換了進水閥")
                noted.append(ids[1])
            return found

        monkeypatch.setattr(fold_step, "_read_batch", read_then_note)
        progress = desk.store.fold_search_keys()  # type: ignore[attr-defined]
        assert noted and progress.rewritten == 3
        monkeypatch.undo()
        conn = desk.store.acquire()  # type: ignore[attr-defined]
        try:
            texts = [r[0] for r in conn.execute("SELECT text FROM ticket_search")]
        finally:
            desk.store.release(conn)  # type: ignore[attr-defined]
        assert texts and not any("馬" in t or "閥" in t for t in texts)
        for query in ("马桶", "馬桶", "异响"):
            assert {t.id for t in desk.search(w.agent, query).items} == set(ids), query
        assert [t.id for t in desk.search(w.agent, "进水阀").items] == [ids[1]]
        assert [t.id for t in desk.search(w.agent, "進水閥").items] == [ids[1]]
