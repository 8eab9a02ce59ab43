"""Stores written by older releases open, migrate and answer as a fresh store written with the same commands.

Each fixture (tests/fixtures/old_stores) is the workload of :mod:`old_store_workload` played by an older
release into SQLite or PostgreSQL. Today's desk opens it (migrating it), and what it answers (tickets,
ledger, KPI month, fault Pareto, materials ledger) is compared with a fresh store of the same backend
written by today's code with the same commands; then both take the same new commands and are compared
again; and a migration or back-fill interrupted midway resumes and ends the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.acceptance.conftest import pg_schema_url
from tests.integration import old_store_workload as workload
from tests.integration.old_stores import (
    CYCLES_KEPT_POSTGRES,
    CYCLES_KEPT_SQLITE,
    HISTORY_POSTGRES,
    HISTORY_SQLITE,
    POSTGRES_FIXTURES,
    SQLITE_FIXTURES,
    answers,
    follow_up,
    load_postgres,
    load_sqlite,
    open_desk,
    schema_version,
    without_reopen_dues,
    without_reopen_sweep,
)


Answers = tuple[dict[str, Any], dict[str, Any], dict[str, Any]]
"""What a store answers about the workload, what today's follow-up commands returned, and the answers
after them."""


def _upgraded(url: str) -> Answers:
    """Today's desk opened on ``url`` (migrating it): its answers, the follow-up, its answers after."""
    desk = open_desk(url)
    try:
        return answers(desk), follow_up(desk), answers(desk)
    finally:
        desk.shutdown()


def _fresh(url: str) -> Answers:
    workload.play(url)
    return _upgraded(url)


@pytest.fixture(scope="module")
def fresh_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Answers:
    """What a fresh SQLite store written by today's code answers about the workload."""
    return _fresh(f"sqlite:///{tmp_path_factory.mktemp('fresh') / 'desk.db'}")


@pytest.fixture(scope="module")
def fresh_postgres() -> Iterator[Answers]:
    """What a fresh PostgreSQL schema written by today's code answers about the workload."""
    with pg_schema_url() as url:
        yield _fresh(url)


def assert_agree(got: Answers, want: Answers, *, cycles_kept: bool, history: bool) -> None:
    """``got`` (an old store's answers) is ``want`` (a fresh store's), before and after the follow-up,
    but for what its release wrote differently: without ``cycles_kept`` the reopened ticket's due times
    (without them, the sweep has no breach of it to announce), without ``history`` the histories (see old_stores)."""
    before, follow, after = got
    fresh_before, fresh_follow, fresh_after = want
    if not cycles_kept:
        before, fresh_before = without_reopen_dues(before), without_reopen_dues(fresh_before)
        after, fresh_after = without_reopen_dues(after), without_reopen_dues(fresh_after)
        follow, fresh_follow = without_reopen_sweep(follow), without_reopen_sweep(fresh_follow)
    for side, fresh in ((before, fresh_before), (after, fresh_after)):
        assert side.keys() == fresh.keys()
        for key in fresh:
            if history or not key.startswith("history "):
                assert side[key] == fresh[key], key
    assert follow == fresh_follow


def test_the_fixtures_are_there_and_small() -> None:
    assert len(SQLITE_FIXTURES) >= 5 and len(POSTGRES_FIXTURES) >= 4
    assert sum(path.stat().st_size for path in SQLITE_FIXTURES + POSTGRES_FIXTURES) < 300_000


@pytest.mark.parametrize("fixture", SQLITE_FIXTURES, ids=lambda path: path.name.split(".")[0])
def test_an_old_sqlite_file_answers_as_a_fresh_one(
    fixture: Path, tmp_path: Path, fresh_sqlite: Answers
) -> None:
    db = tmp_path / "desk.db"
    load_sqlite(fixture, db)
    got = _upgraded(f"sqlite:///{db}")
    version = schema_version(fixture)
    assert_agree(
        got, fresh_sqlite, cycles_kept=version >= CYCLES_KEPT_SQLITE, history=version >= HISTORY_SQLITE
    )


@pytest.mark.parametrize("fixture", POSTGRES_FIXTURES, ids=lambda path: path.name.split(".")[0])
def test_an_old_postgres_schema_answers_as_a_fresh_one(fixture: Path, fresh_postgres: Answers) -> None:
    with pg_schema_url() as url, load_postgres(fixture, url):
        got = _upgraded(url)
    version = schema_version(fixture)
    assert_agree(
        got, fresh_postgres, cycles_kept=version >= CYCLES_KEPT_POSTGRES, history=version >= HISTORY_POSTGRES
    )
