# mypy: disable-error-code="arg-type"
"""Dead letters have a retention of their own, like sent messages, on memory, SQLite and PostgreSQL.

A message given up on after the pack's maximum attempts stayed in the outbox for ever (names, phone
numbers and addresses in it): sent messages were purged after ``[notification] keep_sent_days``, dead
letters never. They are now kept ``[notification] keep_dead_days`` (default 90) after they were given up
on, for a manager to list and retry, then the daily ``purge_dead`` job deletes them;
``desk.outbox.purge_dead_letters(manager)`` does the same by hand.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Severity
from aftersales.errors import ConfigurationError, PermissionDenied
from aftersales.policies.notification import DefaultNotification, NotificationParams
from aftersales.service.desk import ServiceDesk
from aftersales.service.jobs import JOB_NAMES
from conftest import STAFF, START, World, make_world, register, store_url


class _Down:
    def send(self, message: object) -> None:
        raise ConnectionError("gateway down")


def _desk(url: str, clock: ManualClock, **params: int) -> ServiceDesk:
    notification = DefaultNotification(NotificationParams(max_attempts=1, **params))
    return ServiceDesk.open(
        url, pack="office_equipment", clock=clock, staff=STAFF, notifier=_Down(),
        overrides={"notification": notification},
    )  # fmt: skip


def _dead_letters(desk: ServiceDesk, world: World) -> set[str]:
    """A ticket whose notices all fail once: the dead letters' ids."""
    tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket.id
    desk.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
    dead = set(desk.deliver().dead)
    assert dead and {m.id for m in desk.outbox.dead_letters(world.manager, limit=1000)} >= dead
    return dead


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_the_job_purges_dead_letters_past_their_retention(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url, _desk(url, clock, keep_dead_days=30) as desk:
        register(desk, world)
        old = _dead_letters(desk, world)
        clock.advance(timedelta(days=20))
        young = _dead_letters(desk, world)
        desk.jobs.run_due(only=("purge_dead",))
        kept = {m.id for m in desk.outbox.dead_letters(world.manager, limit=1000)}
        assert kept >= old | young  # none is 30 days dead yet
        clock.advance(timedelta(days=11))  # the first ones 31 days dead, the others 11
        report = desk.jobs.run_due(only=("purge_dead",))
        assert report.ran == ("purge_dead",) and report.counts["purge_dead"] == len(old)
        kept = {m.id for m in desk.outbox.dead_letters(world.manager, limit=1000)}
        assert kept >= young and not kept & old
        # A dead letter retried and sent is a sent message: keep_sent_days, not keep_dead_days, for it.
        assert desk.outbox.retry_dead_letters(world.manager, sorted(young)) == len(young)
        desk.notifier = MemoryNotifier()
        assert set(desk.deliver().sent) >= young
        clock.advance(timedelta(days=40))
        desk.jobs.run_due(only=("purge_dead",))
        assert desk.outbox.purge_sent(world.manager) == 0  # sent 40 days ago, kept 90


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_manager_purges_dead_letters_by_hand_at_the_packs_retention(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url, _desk(url, clock) as desk:
        register(desk, world)
        dead = _dead_letters(desk, world)
        with pytest.raises(PermissionDenied):
            desk.outbox.purge_dead_letters(world.agent)
        clock.advance(timedelta(days=89))
        assert desk.outbox.purge_dead_letters(world.manager) == 0  # the default: kept 90 days
        with pytest.raises(ConfigurationError) as raised:
            desk.outbox.purge_dead_letters(world.manager, keep=timedelta(days=10))
        assert raised.value.key == "notification.keep_dead_days"
        assert {m.id for m in desk.outbox.dead_letters(world.manager, limit=1000)} >= dead  # nothing changed
        clock.advance(timedelta(days=2))
        assert desk.outbox.purge_dead_letters(world.manager, keep=timedelta(days=90), limit=1) == 1
        assert desk.outbox.purge_dead_letters(world.manager) == len(dead) - 1
        assert desk.outbox.dead_letters(world.manager) == []


@pytest.mark.parametrize("days", [0, -1, True, "30"])
def test_a_bad_retention_of_dead_letters_is_refused(days: object) -> None:
    with pytest.raises(ConfigurationError) as raised:
        NotificationParams(keep_dead_days=days)
    assert raised.value.key == "notification.keep_dead_days"


def test_the_purge_of_dead_letters_is_a_daily_job() -> None:
    assert "purge_dead" in JOB_NAMES
