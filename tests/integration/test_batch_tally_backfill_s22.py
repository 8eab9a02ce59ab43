"""An older store's recorded faults are counted into the batch-incident detector's tallies (session 22).

A release before SQLite schema 12 (PostgreSQL 8) kept no :class:`BatchFaultTally` / :class:`BatchFaultUnit`
documents: after the upgrade the detector counted only the faults recorded from then on (seed 004 第七条
5(2) 批量质量事故: the history already showing the problem counted for nothing). The back-fill
(``desk.batch_tallies.backfill``, the ``batch_tallies`` job) counts them: afterwards the old store's
tallies are what a fresh store given the same commands holds, whether it ran straight through or page by
page, and a store whose tallies were kept gains nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from tests.acceptance.conftest import pg_schema_url
from tests.integration import old_store_workload as workload
from tests.integration.old_stores import (
    POSTGRES_FIXTURES,
    SQLITE_FIXTURES,
    load_postgres,
    load_sqlite,
    open_desk,
    schema_version,
)

from aftersales.adapters.clock import ManualClock
from aftersales.domain.quality_incidents import BatchFaultTally, BatchFaultUnit
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

TALLIES_KEPT_SQLITE = 12
"""The first SQLite schema whose release kept the detector's tallies (PostgreSQL 8)."""
TALLIES_KEPT_POSTGRES = 8


def tallies(desk: ServiceDesk) -> dict[str, Any]:
    """Every tally and counted unit of ``desk``'s store, as data."""
    with desk.context.reader(snapshot=False) as uow:
        found = [*uow.documents.query(BatchFaultTally), *uow.documents.query(BatchFaultUnit)]
    return {f"{type(doc).__name__} {doc.id}": attrs.asdict(doc) for doc in found}


def as_batch_code_keys(found: dict[str, Any], product_id: str = "wc-100") -> dict[str, Any]:
    """``found`` (a fresh store's tallies) as a store that kept tallies before session 33 holds them: keyed
    by the batch code alone (``B|cause|v``, not ``B|cause|v|wc-100``). Such a store goes on counting under
    the keys it has (service/batch_keys.py: nothing re-keyed, nothing counted or raised twice)."""
    suffix = f"|{product_id}"

    def legacy(text: str) -> str:
        head, bar, asset = text.rpartition("|")
        if text.endswith(suffix):
            return text[: -len(suffix)]
        if head.endswith(suffix):  # a unit's id: key|asset
            return f"{head[: -len(suffix)]}{bar}{asset}"
        return text

    out: dict[str, Any] = {}
    for name, doc in found.items():
        kind, _, id_ = name.partition(" ")
        doc = {**doc, "id": legacy(doc["id"])}
        if "key" in doc:
            doc["key"] = legacy(doc["key"])
        out[f"{kind} {legacy(id_)}"] = doc
    return out


def _fresh(url: str) -> dict[str, Any]:
    workload.play(url)
    desk = open_desk(url)
    try:
        return tallies(desk)
    finally:
        desk.shutdown()


@pytest.fixture(scope="module")
def fresh_memory() -> dict[str, Any]:
    clock = ManualClock(workload.START)
    desk = workload.open_desk("memory://", clock)
    try:
        workload.play_on(desk, clock)
        return tallies(desk)
    finally:
        desk.shutdown()


@pytest.fixture(scope="module")
def fresh_sqlite(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _fresh(f"sqlite:///{tmp_path_factory.mktemp('fresh') / 'desk.db'}")


@pytest.fixture(scope="module")
def fresh_postgres() -> Iterator[dict[str, Any]]:
    with pg_schema_url() as url:
        yield _fresh(url)


def test_the_fresh_stores_count_the_workloads_faults_alike(
    fresh_memory: dict[str, Any], fresh_sqlite: dict[str, Any], fresh_postgres: dict[str, Any]
) -> None:
    # Three problems of two batches (the cancelled inquiry names no unit), one unit each.
    assert len([key for key in fresh_memory if key.startswith("BatchFaultTally")]) == 3
    assert fresh_sqlite == fresh_memory and fresh_postgres == fresh_memory


def _backfilled(desk: ServiceDesk, version: int, kept_from: int) -> int:
    """Run the back-fill on the upgraded ``desk``: first one page, then the job, then by hand (nothing
    left). Returns the units counted."""
    if version < kept_from:
        assert tallies(desk) == {}  # the release kept none: the detector starts from nothing
    counted = desk.batch_tallies.backfill(workload.MANAGER, batch=2, max_batches=1)
    report = desk.jobs.run_due(only=("batch_tallies",))
    assert report.failed == {} and report.ran == ("batch_tallies",)
    counted += report.counts["batch_tallies"]
    assert desk.batch_tallies.backfill(workload.MANAGER) == 0  # complete: nothing counted twice
    return counted


@pytest.mark.parametrize("fixture", SQLITE_FIXTURES, ids=lambda path: path.name.split(".")[0])
def test_an_old_sqlite_files_tallies_are_back_filled_as_a_fresh_one_holds_them(
    fixture: Path, tmp_path: Path, fresh_sqlite: dict[str, Any]
) -> None:
    db = tmp_path / "desk.db"
    load_sqlite(fixture, db)
    version = schema_version(fixture)
    desk = open_desk(f"sqlite:///{db}")
    try:
        counted = _backfilled(desk, version, TALLIES_KEPT_SQLITE)
        kept = version >= TALLIES_KEPT_SQLITE  # counted under the batch code's keys then, and still
        assert tallies(desk) == (as_batch_code_keys(fresh_sqlite) if kept else fresh_sqlite)
    finally:
        desk.shutdown()
    assert counted == (3 if version < TALLIES_KEPT_SQLITE else 0)


@pytest.mark.parametrize("fixture", POSTGRES_FIXTURES, ids=lambda path: path.name.split(".")[0])
def test_an_old_postgres_schemas_tallies_are_back_filled_as_a_fresh_one_holds_them(
    fixture: Path, fresh_postgres: dict[str, Any]
) -> None:
    version = schema_version(fixture)
    with pg_schema_url() as url, load_postgres(fixture, url):
        desk = open_desk(url)
        try:
            counted = _backfilled(desk, version, TALLIES_KEPT_POSTGRES)
            kept = version >= TALLIES_KEPT_POSTGRES  # counted under the batch code's keys, and still
            assert tallies(desk) == (as_batch_code_keys(fresh_postgres) if kept else fresh_postgres)
        finally:
            desk.shutdown()
    assert counted == (3 if version < TALLIES_KEPT_POSTGRES else 0)


def test_a_fresh_store_gains_nothing_and_the_back_fill_is_the_heads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    workload.play(url)
    desk = open_desk(url)
    try:
        before = tallies(desk)
        with pytest.raises(PermissionDenied):
            desk.batch_tallies.backfill(workload.AGENT)
        for bad in ({"batch": 0}, {"batch": 1001}, {"batch": True}, {"max_batches": 0}):
            with pytest.raises(ValidationError):
                desk.batch_tallies.backfill(workload.MANAGER, **bad)  # type: ignore[arg-type]
        assert desk.batch_tallies.backfill(Actor.system()) == 0
        assert tallies(desk) == before
    finally:
        desk.shutdown()
