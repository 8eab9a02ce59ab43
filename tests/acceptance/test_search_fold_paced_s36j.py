"""PostgreSQL folds the search rows an upgrade left in upkeep, and searches right meanwhile (s36 j).

Session 35 folded every stored search row before a process's first search (``fold_before_search``):
on a big store that search waited for the whole fold. PostgreSQL's search now looks for a term's
traditional spellings in the rows past the fold's position (``translate()`` with the fold's table for
a term of too many), so the fold is paced by the store's
``upkeep`` (the ``store_upkeep`` job) and the first search folds one short batch (the knowledge
documents come first); SQLite, whose search cannot, still folds before it (its upkeep runs it too).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import aftersales.ports.text_search as text_search
import aftersales.service.search_fold as search_fold
from aftersales.adapters.search_fold_step import unfolded_forms
from conftest import two_desks

TRADITIONAL = "馬桶沖水後裡面一直有異響"


def _unfolded_rows(store: object) -> int:
    with store() as uow:  # type: ignore[operator]
        return int(uow.run("SELECT count(*) FROM ticket_search WHERE text LIKE '%%馬%%'").fetchone()[0])


def test_postgres_searches_right_while_its_fold_is_pending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with two_desks("postgres", tmp_path) as (first, second, w):
        monkeypatch.setattr(text_search, "fold_script", lambda text: text)  # the old normalisation
        ids = [
            first.open_ticket(w.agent, customer_id=w.cust_zh.id, description=f"{TRADITIONAL} {n}").ticket.id
            for n in range(3)
        ]
        plain = first.open_ticket(w.agent, customer_id=w.cust_zh.id, description="龙头漏水").ticket.id
        first.note_to_customer(w.agent, plain, text="換了進水閥")
        monkeypatch.undo()
        with first.store() as uow:  # the upgrade's step: every row listed as to be folded
            uow.run("UPDATE search_fold_backfill SET after_pos = -1, done = FALSE")
            uow.commit()
        # A process past its first search (the fold would not run there again) while upkeep is pending.
        search_fold._folded.add(second.store)
        # Each spelling of a short term is looked for (the trigram indexes serve them); a term of more
        # spellings than UNFOLDED_FORMS reads the rows past the fold's position through translate().
        assert unfolded_forms("马桶冲水后里面") is None
        for query in ("马桶", "馬桶", "异响 马桶", "裏面", "马桶冲水后里面"):
            assert {t.id for t in second.search(w.agent, query).items} == set(ids), query
        assert [t.id for t in second.search(w.agent, "进水阀").items] == [plain]  # in a note kept apart
        assert [t.id for t in second.search(w.agent, "龙头 进水阀").items] == [plain]
        assert _unfolded_rows(second.store) == 3  # the search read them folded, wrote nothing
        report = second.store.upkeep(max_batches=1)  # type: ignore[attr-defined]
        assert (report.batches, report.complete) == (1, True)
        assert _unfolded_rows(second.store) == 0
        assert {t.id for t in second.search(w.agent, "馬桶").items} == set(ids)
        assert [t.id for t in second.search(w.agent, "进水阀").items] == [plain]


class _Store:
    """A store that searches right while folding: what the first search asks of it."""

    searches_while_folding = True

    def __init__(self) -> None:
        self.asked: list[int | None] = []

    def fold_search_keys(self, *, max_batches: int | None = None) -> object:
        self.asked.append(max_batches)
        return None


def test_the_first_search_folds_one_batch_of_a_store_that_searches_while_folding() -> None:
    store = _Store()
    search_fold.fold_before_search(store)
    search_fold.fold_before_search(store)
    assert store.asked == [1]
