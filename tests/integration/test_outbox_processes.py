"""Deliverers in separate processes, on one SQLite file and on one PostgreSQL database.

Two processes deliver the same outbox at once: every message reaches the receiver exactly once.
A process killed in the middle of a batch (after sending, before recording) loses nothing: once its
lease runs out the next deliverer sends those messages again, marked as retries.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.ports import open_storage
from aftersales.ports.outbox_dispatch import dispatch_outbox
from aftersales.testing.outbox_contract import LEASE, T0, CountingNotifier, ManualClock, notification

DSN = os.environ.get("AFTERSALES_PG_DSN")

_CHILD = textwrap.dedent(
    """
    import os, sys
    from datetime import datetime, timedelta
    from aftersales.ports import open_storage
    from aftersales.ports.outbox_dispatch import DeliveryRules, dispatch_outbox
    from aftersales.testing.outbox_contract import ManualClock

    url, log, at, crash_after = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    done = 0

    class FileNotifier:
        def send(self, message):
            global done
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(f"{message.idempotency_key} {message.attempt} {os.getpid()}\\n")
            done += 1
            if done == crash_after:
                os._exit(9)  # killed after sending, before the batch is recorded

    store = open_storage(url)
    clock = ManualClock(datetime.fromisoformat(at))
    rules = DeliveryRules(batch=25)
    while dispatch_outbox(store, FileNotifier(), clock, 50, rules=rules).sent:
        pass
    store.close()
    """
)


def _spawn(url: str, log: Path, at: str, crash_after: int = 0) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", _CHILD, url, str(log), at, str(crash_after)])


def _lines(log: Path) -> list[tuple[str, int]]:
    return [(k, int(a)) for k, a, _ in (line.split() for line in log.read_text().splitlines())]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/shared.db"
        return
    if not DSN:
        pytest.skip("AFTERSALES_PG_DSN is not set")
    import psycopg

    schema = f"p_{uuid.uuid4().hex[:16]}"
    sep = "&" if "?" in DSN else "?"
    yield f"{DSN}{sep}schema={schema}"
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _fill(url: str, count: int) -> None:
    store = open_storage(url)
    try:
        with store() as uow:
            uow.outbox.put([notification(n, f"r{n}@example.com") for n in range(1, count + 1)])
            uow.commit()
    finally:
        store.close()


def test_two_deliverer_processes_send_each_message_exactly_once(url: str, tmp_path: Path) -> None:
    _fill(url, 300)
    log = tmp_path / "received.log"
    at = (T0 + timedelta(hours=1)).isoformat()
    children = [_spawn(url, log, at), _spawn(url, log, at)]
    assert [child.wait(timeout=120) for child in children] == [0, 0]
    counts = Counter(key for key, _ in _lines(log))
    assert len(counts) == 300
    assert set(counts.values()) == {1}
    store = open_storage(url)
    try:
        with store() as uow:
            assert uow.outbox.pending() == []
    finally:
        store.close()


def test_a_killed_deliverer_loses_nothing_and_the_retry_is_marked(url: str, tmp_path: Path) -> None:
    _fill(url, 60)
    log = tmp_path / "received.log"
    at = T0 + timedelta(hours=1)
    child = _spawn(url, log, at.isoformat(), crash_after=10)
    assert child.wait(timeout=120) == 9
    before_crash = [key for key, _ in _lines(log)]
    assert len(before_crash) == 10
    store = open_storage(url)
    try:
        notifier = CountingNotifier()
        clock = ManualClock(at + timedelta(minutes=1))
        first = dispatch_outbox(store, notifier, clock, 1000)
        # Only the messages no one holds went out; the dead process's batch waits for its lease.
        assert len(first.sent) == 60 - 25
        assert not set(notifier.counts) & set(before_crash)
        clock.at = at + LEASE
        second = dispatch_outbox(store, notifier, clock, 1000)
        assert len(second.sent) == len(second.retried) == 25
        assert set(before_crash) <= set(notifier.counts)
        assert {tuple(notifier.attempts[key]) for key in before_crash} == {(2,)}
        assert len(notifier.counts) == 60
        with store() as uow:
            assert uow.outbox.pending() == []
    finally:
        store.close()
