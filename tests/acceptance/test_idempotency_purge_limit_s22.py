"""The idempotency purge keeps the jobs' ``limit``: the oldest rows first, the rest on the next pass, on
memory, SQLite and PostgreSQL (session 22).

``purge_idempotency`` deleted every expired row in one statement whatever ``JobSettings.limit`` said,
while the other jobs (the outbox purges, reminders, chargebacks) do at most ``limit`` a transaction: on a
store whose rows expired by the million after a long pause, one run held the write lock for all of them.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.errors import ValidationError
from conftest import START, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_idempotency_purge_drops_at_most_the_limit_a_run(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, world):
        for n in range(5):
            desk.open_ticket(
                world.agent,
                customer_id=world.cust_zh.id,
                description=f"复印机卡纸 {n}",
                idempotency_key=f"k-{n}",
            )
        assert desk.jobs.run_due(START, only=("purge_idempotency",)).counts["purge_idempotency"] == 0
        clock.advance(timedelta(days=400))
        # Session 23: the job takes pages of its limit until none is left (test_job_backlogs_s23); each
        # pass of the purge, the job's transaction, drops at most the limit.
        counts: list[int] = []
        while not counts or counts[-1]:
            counts.append(desk.privacy.purge_expired(world.manager, at=START + timedelta(days=100), limit=2))
        assert counts[0] == 2 and max(counts) == 2  # never more than the limit in one pass
        assert sum(counts) >= 5  # every expired row went in the end (the five tickets' and any other)
        # A key purged is a new request: the ticket is opened again (not replayed).
        again = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="复印机卡纸 0", idempotency_key="k-0"
        )
        assert not again.replayed


@pytest.mark.parametrize("limit", [0, -1, True, 100_001, "2"])
def test_a_limit_outside_the_bound_is_refused_naming_it(limit: object, tmp_path: Path) -> None:
    with world_desk("memory", tmp_path) as (desk, _clock, world):
        with pytest.raises(ValidationError) as refused:
            desk.privacy.purge_expired(world.manager, limit=limit)  # type: ignore[arg-type]
        assert refused.value.field == "limit"
