"""Session 23: a ticket reopened under a release before SQLite schema 17 / PostgreSQL 10 has its breach
announced by the jobs after an upgrade.

Such a release cleared a reopened ticket's due times (old_stores.CYCLES_KEPT_SQLITE): the workload's
T-000002, reopened by its callback and resolved again, awaits acceptance with no resolution due. After the
upgrade the ``recompute_due`` job derives it (the same instant a fresh store holds), but it lies behind the
SLA sweep's mark (the sweep had passed the settled tickets due after it), and the sweep, which starts past
the mark, never read the ticket again: its breach went unannounced for good. The due's write now moves the
mark back before it (service/sweep_mark.py), so the next sweep announces it, on every store.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from tests.acceptance.conftest import pg_schema_url
from tests.integration.old_stores import (
    POSTGRES_FIXTURES,
    REOPENED,
    SQLITE_FIXTURES,
    load_postgres,
    load_sqlite,
    open_desk,
)

from aftersales.adapters.clock import ManualClock
from aftersales.errors import NotFound
from aftersales.service.sla_watch import SlaAlert


def _announced_after_two_job_runs(url: str) -> tuple[bool, object]:
    """The jobs run twice, five minutes and more apart, on the upgraded store: whether the reopened
    ticket's resolution breach was announced, and its stored due."""
    desk = open_desk(url)
    try:
        clock = desk.context.clock
        assert isinstance(clock, ManualClock)
        for _ in range(2):
            assert desk.run_due_jobs().failed.keys() <= {"monthly_feedback"}  # no general manager listed
            clock.advance(timedelta(minutes=6))
        due = desk.ticket(desk.jobs.actor, REOPENED).resolution_due_at
        with desk.context.store() as uow:
            try:
                uow.documents.get(SlaAlert, f"{REOPENED}:resolution:sla_breach")
            except NotFound:
                return False, due
        return True, due
    finally:
        desk.shutdown()


@pytest.mark.parametrize("fixture", SQLITE_FIXTURES, ids=lambda path: path.name.split(".")[0])
def test_an_old_sqlite_files_reopened_ticket_is_swept_after_the_upgrade(
    fixture: Path, tmp_path: Path
) -> None:
    db = tmp_path / "desk.db"
    load_sqlite(fixture, db)
    announced, due = _announced_after_two_job_runs(f"sqlite:///{db}")
    assert due is not None and announced


@pytest.mark.parametrize("fixture", POSTGRES_FIXTURES, ids=lambda path: path.name.split(".")[0])
def test_an_old_postgres_schemas_reopened_ticket_is_swept_after_the_upgrade(fixture: Path) -> None:
    with pg_schema_url() as url, load_postgres(fixture, url):
        announced, due = _announced_after_two_job_runs(url)
    assert due is not None and announced
