# mypy: disable-error-code="arg-type"
"""Session 23: the retention purges keep up with a national network's daily volume, on memory, SQLite and
PostgreSQL.

The purge jobs (``purge_sent``, ``purge_dead``, ``purge_idempotency``) run once a day and deleted one page
of ``JobSettings.limit`` rows a run: 500 a day at the defaults, while 5,000 tickets a day write some 50,000
messages and as many keyed commands. The backlog, and the names and addresses in it, grew for ever past the
pack's retention. A run now deletes page after page (one transaction of at most ``limit`` rows each) until
nothing older than the retention is left, or half the job's lease has passed on the desk's clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.policies.notification import DefaultNotification, NotificationParams
from aftersales.service.desk import ServiceDesk
from aftersales.service.jobs import JobSettings
from conftest import STAFF, START, make_world, register, store_url, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


class _Down:
    def send(self, message: object) -> None:
        raise ConnectionError("gateway down")


def _pages(desk: ServiceDesk, monkeypatch: pytest.MonkeyPatch, step: Callable[[], None]) -> list[int]:
    """Each idempotency purge transaction's count, ``step`` called after each (the jobs' own desk)."""
    privacy, seen = desk.jobs.privacy, []
    assert privacy is not None
    purge = privacy.purge_expired

    def counted(*args: object, **kwargs: object) -> int:
        seen.append(purge(*args, **kwargs))
        step()
        return seen[-1]

    monkeypatch.setattr(privacy, "purge_expired", counted)
    return seen


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_outbox_purge_run_drains_a_backlog_of_several_pages(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    notification = DefaultNotification(
        NotificationParams(max_attempts=1, keep_sent_days=30, keep_dead_days=30)
    )
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(
            url, pack="office_equipment", clock=clock, staff=STAFF, notifier=_Down(),
            overrides={"notification": notification},
        ) as desk,
    ):  # fmt: skip
        register(desk, world)
        for n in range(3):
            desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description=f"整机不开 {n}")
        dead = desk.deliver(limit=1000).dead
        desk.notifier = MemoryNotifier()
        for n in range(3):
            desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description=f"复印机卡纸 {n}")
        sent = desk.deliver(limit=1000).sent
        assert len(dead) >= 3 and len(sent) >= 3
        clock.advance(timedelta(days=40))
        desk.jobs.configure(JobSettings(limit=2))  # each backlog is more than one page
        report = desk.jobs.run_due(only=("purge_sent", "purge_dead"))
        assert report.failed == {}
        # All of it in one run (the sent count includes what the desk sent besides the deliveries here).
        assert report.counts["purge_sent"] >= len(sent) and report.counts["purge_dead"] == len(dead)
        assert desk.outbox.dead_letters(world.manager) == []
        again = desk.jobs.run_due(only=("purge_sent", "purge_dead"))
        assert again.counts == {"purge_sent": 0, "purge_dead": 0}


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_idempotency_purge_run_drains_its_backlog_a_page_a_transaction(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, world):
        for n in range(5):
            desk.open_ticket(
                world.agent,
                customer_id=world.cust_zh.id,
                description=f"复印机卡纸 {n}",
                idempotency_key=f"k-{n}",
            )
        assert desk.jobs.run_due(only=("purge_idempotency",)).counts["purge_idempotency"] == 0  # stamped
        clock.advance(timedelta(days=100))
        desk.jobs.configure(JobSettings(limit=2))
        pages = _pages(desk, monkeypatch, lambda: None)
        report = desk.jobs.run_due(only=("purge_idempotency",))
        assert report.failed == {}
        assert report.counts["purge_idempotency"] == sum(pages) >= 5  # the whole backlog in one run
        assert max(pages) == 2 and pages[-1] < 2  # never more than the limit a transaction; to the end
        assert desk.jobs.run_due(only=("purge_idempotency",)).counts["purge_idempotency"] == 0
        again = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="复印机卡纸 0", idempotency_key="k-0"
        )
        assert not again.replayed  # purged: a new request


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_purge_run_stops_after_half_its_lease_and_the_next_run_goes_on(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Beyond its lease another process may take the job: a run stops at half of it, by the desk's clock.
    with world_desk(backend, tmp_path) as (desk, clock, world):
        for n in range(7):
            desk.open_ticket(
                world.agent,
                customer_id=world.cust_zh.id,
                description=f"复印机卡纸 {n}",
                idempotency_key=f"k-{n}",
            )
        desk.jobs.run_due(only=("purge_idempotency",))
        clock.advance(timedelta(days=100))
        desk.jobs.configure(JobSettings(limit=2, lease=timedelta(minutes=10)))
        pages = _pages(desk, monkeypatch, lambda: clock.advance(timedelta(minutes=3)))
        first = desk.jobs.run_due(only=("purge_idempotency",)).counts["purge_idempotency"]
        assert pages == [2, 2] and first == 4  # 3 minutes, then 6 of the 5 minutes: stopped
        rest = desk.jobs.run_due(only=("purge_idempotency",)).counts["purge_idempotency"]
        assert rest >= 3 and pages[-1] < 2  # the next run went on to the end
