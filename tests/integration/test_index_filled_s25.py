"""The day-index catch-ups remember they found none left (session 25, task c).

``index_marks`` (SLA alerts, job marks) and ``index_access_log`` ran before their daily purges and
scanned every document of their kinds each day, for ever, to find none left unindexed. Now a kind found
complete is remembered (``IndexFilled``) and not scanned again for ``RECHECK``: an older release may
still write unindexed documents (nothing in the store refuses it), so the marker runs out and those
are indexed at the next check, or at once by a person's run with ``recheck=True``.

SQLite and PostgreSQL (the stores that index as they write); memory has nothing to index.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from hostile import DSN, Opened, opened, seed
from test_lifecycle_sla import MANAGER, SYSTEM

from aftersales.domain.actors import Role
from aftersales.errors import ValidationError
from aftersales.service.access_log import AccessRecord
from aftersales.service.index_backfill import RECHECK, IndexFilled
from aftersales.service.jobs import JobMark

DAY = timedelta(days=1)


def _strip(store: Opened, kinds: tuple[str, ...]) -> None:
    """The kinds' documents as an older release wrote them: no ``day`` (nor ``job``) index row."""
    listed = ", ".join(f"'{k}'" for k in kinds)
    forget = f"DELETE FROM document_index WHERE kind IN ({listed}) AND field IN ('day', 'job')"
    if store.kind == "sqlite":
        conn = sqlite3.connect(store.path or "")
        with conn:
            conn.execute(forget)
        conn.close()
        return
    import psycopg

    with psycopg.connect(DSN or "", options=f"-c search_path={store.schema}", autocommit=True) as conn:
        conn.execute(forget)


def _markers(store: Opened) -> dict[str, object]:
    with store.desk.jobs.context.store() as uow:
        return {m.id: m.until for m in uow.documents.query(IndexFilled)}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_marks_catch_up_scans_a_kind_found_complete_again_only_after_the_recheck(
    kind: str, tmp_path: Path
) -> None:
    for store in opened(kind, tmp_path):
        seed(store.desk, store.clock)
        store.clock.advance(30 * DAY)
        assert store.desk.sla_watch.sweep(SYSTEM).breaches
        with store.desk.jobs.context.store() as uow:
            uow.documents.add(JobMark("monthly_feedback:2026-02", store.clock.now() - 20 * DAY))
            uow.commit()
        marks = store.desk.jobs.marks
        _strip(store, ("sla_alert", "job_mark"))
        stored = marks.index_marks(MANAGER)
        assert stored >= 2
        assert marks.index_marks(MANAGER) == 0  # both kinds found complete: remembered
        checked = store.clock.now()
        assert _markers(store) == {
            "sla_alert:day:ticket_id+day+moment": checked + RECHECK,
            "sla_alert:moment:ticket_id+day+moment": checked + RECHECK,  # the alert list's (session 29)
            "job_mark:day:job+day": checked + RECHECK,
        }
        _strip(store, ("sla_alert", "job_mark"))  # an older release wrote to the store since
        store.clock.advance(DAY)
        assert marks.index_marks(MANAGER) == 0  # not scanned the next day: it was, every day, before
        assert marks.index_marks(MANAGER, recheck=True) == stored  # a person's run scans at once
        _strip(store, ("sla_alert", "job_mark"))
        store.clock.advance(RECHECK)
        assert marks.index_marks(MANAGER) == stored  # the marker ran out: indexed at the check
        assert marks.index_marks(MANAGER) == 0
        assert set(_markers(store).values()) == {store.clock.now() + RECHECK}
        with pytest.raises(ValidationError) as bad:
            marks.index_marks(MANAGER, recheck="yes")  # type: ignore[arg-type]
        assert bad.value.field == "recheck"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_access_log_catch_up_scans_it_again_only_after_the_recheck(kind: str, tmp_path: Path) -> None:
    for store in opened(kind, tmp_path):
        with store.desk.jobs.context.store() as uow:
            for n in range(3):
                uow.documents.add(
                    AccessRecord(f"r-{n}", "c-1", "agent:a", Role.AGENT, "read", store.clock.now())
                )
            uow.commit()
        privacy = store.desk.privacy
        _strip(store, ("personal_data_access",))
        assert privacy.index_access_log(MANAGER) == 3
        assert privacy.index_access_log(MANAGER) == 0
        _strip(store, ("personal_data_access",))
        store.clock.advance(DAY)
        assert privacy.index_access_log(MANAGER) == 0  # remembered: 3 before
        store.clock.advance(RECHECK)
        assert privacy.index_access_log(MANAGER) == 3
        _strip(store, ("personal_data_access",))
        assert privacy.index_access_log(MANAGER, recheck=True) == 3
        with pytest.raises(ValidationError) as bad:
            privacy.index_access_log(MANAGER, recheck=1)  # type: ignore[arg-type]
        assert bad.value.field == "recheck"
