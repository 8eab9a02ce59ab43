"""A host's own store without a retention purge's method: every purge job degrades by one rule (s24, b).

The store port makes the purges' methods options (writing-an-adapter.md): ``idempotency.sweep``
(``Sweepable``), ``documents.purge_range`` (the access log), ``documents.query_range(after=)`` and
``documents.remove`` (the SLA alerts and job marks). On a store without one, ``purge_idempotency``
returned 0 as if it had purged, while ``purge_access_log`` failed every day. Now each such job does
nothing, fails nothing and says so (``JobsReport.unsupported`` names the job and the method its store
lacks, and a warning is logged once), and the same purge run by hand is refused (``ConfigurationError``
naming ``store``): the rows stay past the pack's retention until the store offers the method.

Memory, SQLite and PostgreSQL under the host's wrapper.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hostile import MANAGER, STORES, Opened, opened, seed

from aftersales import ServiceDesk
from aftersales.errors import ConfigurationError

PURGES = ("purge_idempotency", "purge_access_log", "purge_sla_alerts", "purge_job_marks")


class _Hiding:
    """A repository of the host's store: the bundled one's methods but ``hidden``."""

    def __init__(self, inner: object, hidden: frozenset[str]) -> None:
        self._inner, self._hidden = inner, hidden

    def __getattr__(self, name: str) -> Any:
        if name in self._hidden:
            raise AttributeError(name)
        return getattr(self._inner, name)


class _HostUnit:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __enter__(self) -> _HostUnit:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: object) -> Any:
        return self._inner.__exit__(*exc)

    @property
    def documents(self) -> Any:
        hidden = frozenset({"purge_range", "query_range", "remove", "backfill_index"})
        return _Hiding(self._inner.documents, hidden)

    @property
    def idempotency(self) -> Any:
        return _Hiding(self._inner.idempotency, frozenset({"sweep"}))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _HostStore:
    """A host's store: units of work of a bundled store without the purges' optional methods."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.url = inner.url

    def __call__(self) -> _HostUnit:
        return _HostUnit(self._inner())

    def close(self) -> None:
        self._inner.close()


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def _host_desk(store: Opened) -> ServiceDesk:
    seed(store.desk, store.clock)
    desk = store.desk
    return ServiceDesk(_HostStore(desk.store), policies=desk.context.policies, clock=store.clock)


def test_every_purge_job_the_store_cannot_do_is_reported_and_none_fails(store: Opened) -> None:
    desk = _host_desk(store)
    # The two purges that disagreed: the access log's failed every day, the idempotency rows' said 0.
    older = desk.jobs.run_due(only=("purge_idempotency", "purge_access_log"))
    assert older.failed == {} and set(older.unsupported) == {"purge_idempotency", "purge_access_log"}
    assert "purge_idempotency" not in older.counts
    store.clock.advance(timedelta(days=1))
    report = desk.jobs.run_due(only=PURGES)
    assert report.failed == {}
    assert set(report.unsupported) == set(PURGES) and report.ran == ()
    assert report.unsupported["purge_idempotency"] == "idempotency.sweep"
    assert report.unsupported["purge_access_log"] == "documents.purge_range"
    assert all(lease.last_error is None for lease in desk.jobs.leases())


def test_the_same_purges_run_by_hand_are_refused_naming_the_store(store: Opened) -> None:
    desk = _host_desk(store)
    for purge in (
        desk.privacy.purge_expired,
        desk.privacy.purge_access_log,
        desk.jobs.marks.purge_sla_alerts,
        desk.jobs.marks.purge_job_marks,
    ):
        with pytest.raises(ConfigurationError) as refused:
            purge(MANAGER)
        assert refused.value.key == "store"


def test_on_the_bundled_store_itself_the_purges_run(store: Opened) -> None:
    seed(store.desk, store.clock)
    report = store.desk.jobs.run_due(only=PURGES)
    assert report.failed == {} and report.unsupported == {} and set(report.ran) == set(PURGES)
