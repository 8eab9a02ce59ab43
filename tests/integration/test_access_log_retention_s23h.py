"""The access log of personal data is kept the pack's period, then purged (PIPL; session 23, task h).

Every read of personal data writes an access record, and none was ever dropped: over years the log
grew for ever (names of readers, customer ids). It is audit evidence, so it is kept the pack's
``[privacy] keep_access_log_days`` (default 1095: three years), then the ``purge_access_log`` job drops
it, the oldest days first, ``limit`` a transaction, refusing a ``now`` ahead of the clock like the other
purges. A store written before the records were indexed by day has them indexed by the job first.

Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hostile import AUDITOR, DSN, MANAGER, STORES, Opened, opened, seed
from test_privacy import AGENT, OFFICER, _pack

from aftersales import ServiceDesk
from aftersales.domain.actors import Role
from aftersales.errors import ConfigurationError, PermissionDenied, ValidationError
from aftersales.service.access_log import AccessRecord


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def _log(desk: ServiceDesk) -> list[str]:
    return [r.at.isoformat() for r in desk.privacy.access_log(AUDITOR, customer_id="c-1")]


def _read_on_days(store: Opened, days: int) -> list[str]:
    """One logged read (an export) a day for ``days`` days; the log as it then is."""
    for _ in range(days):
        store.desk.privacy.export_customer(OFFICER, "c-1")
        store.clock.advance(timedelta(days=1))
    return _log(store.desk)


def test_records_older_than_three_years_are_purged_by_the_job(store: Opened) -> None:
    seed(store.desk, store.clock)
    logged = _read_on_days(store, 2)
    assert len(logged) == 2
    store.clock.advance(timedelta(days=1094))  # the first read 1096 days ago, the second 1095
    report = store.desk.jobs.run_due(only=("purge_access_log",))
    assert report.ran == ("purge_access_log",) and report.counts["purge_access_log"] == 1
    assert _log(store.desk) == logged[1:]
    store.clock.advance(timedelta(days=1))
    assert store.desk.jobs.run_due(only=("purge_access_log",)).counts["purge_access_log"] == 1
    assert _log(store.desk) == []


def test_a_pass_takes_the_oldest_first_up_to_its_limit(store: Opened) -> None:
    seed(store.desk, store.clock)
    logged = _read_on_days(store, 3)
    store.clock.advance(timedelta(days=1200))
    assert store.desk.privacy.purge_access_log(MANAGER, limit=2) == 2
    assert _log(store.desk) == logged[2:]


def test_bad_calls_are_refused_and_delete_nothing(store: Opened) -> None:
    seed(store.desk, store.clock)
    logged = _read_on_days(store, 1)
    store.clock.advance(timedelta(days=1200))
    privacy = store.desk.privacy
    with pytest.raises(ValidationError) as ahead:
        privacy.purge_access_log(MANAGER, at=store.clock.now() + timedelta(days=1))
    assert ahead.value.field == "at"
    with pytest.raises(ValidationError) as ahead:
        store.desk.jobs.run_due(store.clock.now() + timedelta(days=1), only=("purge_access_log",))
    assert ahead.value.field == "now"
    for limit in (0, 100_001, "5"):
        with pytest.raises(ValidationError) as bad:
            privacy.purge_access_log(MANAGER, limit=limit)  # type: ignore[arg-type]
        assert bad.value.field == "limit"
    with pytest.raises(PermissionDenied):
        privacy.purge_access_log(AGENT)
    assert _log(store.desk) == logged


def _reopened(store: Opened, pack: Path) -> ServiceDesk:
    """``store``'s desk opened again on the same store with ``pack``."""
    store.desk.shutdown()
    if store.kind == "memory":
        url = "memory://"
    elif store.kind == "sqlite":
        url = f"sqlite:///{store.path}"
    else:
        sep = "&" if "?" in (DSN or "") else "?"
        url = f"{DSN}{sep}schema={store.schema}"
    store.desk = ServiceDesk.open(url, pack=pack, clock=store.clock)
    return store.desk


def test_the_period_is_the_packs(store: Opened, tmp_path: Path) -> None:
    desk = _reopened(store, _pack(tmp_path, "[privacy]\nkeep_access_log_days = 7"))
    seed(desk, store.clock)
    logged = _read_on_days(store, 1)
    store.clock.advance(timedelta(days=5))  # 6 days old: kept
    assert desk.jobs.run_due(only=("purge_access_log",)).counts["purge_access_log"] == 0
    assert _log(desk) == logged
    store.clock.advance(timedelta(days=2))  # 8 days old: past the pack's 7
    assert desk.jobs.run_due(only=("purge_access_log",)).counts["purge_access_log"] == 1
    assert _log(desk) == []


@pytest.mark.parametrize("value", ["0", "4000", '"30"', "1.5"])
def test_a_bad_period_is_refused_when_the_pack_loads(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ServiceDesk.open("memory://", pack=_pack(tmp_path, f"[privacy]\nkeep_access_log_days = {value}"))
    assert "keep_access_log_days" in str(caught.value)


def _forget_day_index(store: Opened) -> None:
    """The store as an older release wrote it: access records without their day index rows."""
    sql = "DELETE FROM document_index WHERE kind = 'personal_data_access' AND field = 'day'"
    if store.kind == "sqlite":
        conn = sqlite3.connect(store.path or "")
        with conn:
            conn.execute(sql)
        conn.close()
        return
    import psycopg

    with psycopg.connect(DSN or "", options=f"-c search_path={store.schema}", autocommit=True) as conn:
        conn.execute(sql)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_an_older_stores_records_are_indexed_then_purged(kind: str, tmp_path: Path) -> None:
    for store in opened(kind, tmp_path):
        seed(store.desk, store.clock)
        logged = _read_on_days(store, 2)
        _forget_day_index(store)
        store.clock.advance(timedelta(days=1094))
        assert store.desk.privacy.purge_access_log(MANAGER) == 0  # not found by day yet
        assert store.desk.jobs.run_due(only=("purge_access_log",)).counts["purge_access_log"] == 1
        assert _log(store.desk) == logged[1:]


def test_a_page_larger_than_a_statements_parameters_is_purged(store: Opened) -> None:
    """1,500 records in one page, deleted in chunks of 1,000 ids (a page of 100,000 would pass
    PostgreSQL's 65,535 bound parameters in one statement)."""
    when = store.clock.now() - timedelta(days=2000)
    with store.desk.store() as uow:
        for n in range(1500):
            uow.documents.add(AccessRecord(f"old-{n:05d}", "c-1", "agent:a", Role.AGENT, "old", when))
        uow.documents.add(AccessRecord("new", "c-1", "agent:a", Role.AGENT, "new", store.clock.now()))
        uow.commit()
    assert store.desk.privacy.purge_access_log(MANAGER, limit=100_000) == 1500
    assert [r.id for r in store.desk.privacy.access_log(AUDITOR, customer_id="c-1")] == ["new"]
