"""Session 27 (f): the locks inside objects a host builds are free in a forked child too.

Session 26 renewed the library's own locks at a fork (``service/fork_locks.py``) but left those of the
objects a host builds and passes in — a ``MemoryNotifier``, ``SequentialIds``, a ``memory://`` store,
the webhook notifier's connection pool — only documented: a lock a thread of the parent held at the
fork stayed held in the child, and its first send, id or command waited forever. The pool's idle
connections were the parent's sockets, and a child's request went out on them among the parent's.
They now join the same registry (``ports/fork_renewal.py``). A child tries each lock without waiting,
so a held one fails the test; an alarm ends a child that hangs anyway.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from tests.integration.test_fork_locks_s26g import free, held, in_child

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.http_pool import KeepAlivePool
from aftersales.adapters.ids import SequentialIds
from aftersales.adapters.memory import MemoryStore
from aftersales.adapters.notifiers import LoggingNotifier, MemoryNotifier
from aftersales.service.desk import ServiceDesk

SHANGHAI_2026 = datetime.fromisoformat("2026-03-02T09:00:00+08:00")


@pytest.mark.parametrize("make", [MemoryNotifier, LoggingNotifier, SequentialIds])
def test_a_host_objects_lock_is_free_in_the_child(make: type) -> None:
    holder = make()
    with held(holder._lock):
        assert in_child(free(lambda: holder._lock)) == 0


def test_ids_go_on_in_the_child() -> None:
    ids = SequentialIds()
    assert ids.next_id("complaint").endswith("000001")
    with held(ids._lock):
        assert in_child(lambda: ids.next_id("complaint").endswith("000002")) == 0


def test_a_memory_store_forked_while_a_thread_held_it_takes_commands_in_the_child() -> None:
    notifier = MemoryNotifier()
    desk = ServiceDesk.open(
        "memory://", pack="office_equipment", clock=ManualClock(SHANGHAI_2026), notifier=notifier
    )
    store = desk.store
    assert isinstance(store, MemoryStore)
    try:

        def child() -> bool:
            report = desk.run_due_jobs()
            return "sla_sweep" in report.ran and free(lambda: store._turn)() and free(lambda: store._lock)()

        with held(store._turn), held(store._lock), held(notifier._lock), held(store._attachments._lock):
            assert in_child(child) == 0
    finally:
        desk.shutdown()


def test_the_pool_in_the_child_has_its_own_connections_and_every_slot() -> None:
    pool = KeepAlivePool("http://127.0.0.1:9/hook", size=2)
    parents = object()
    pool._idle.append(parents)  # type: ignore[arg-type]  # stands for a parent's open connection
    taken = pool._slots.acquire(blocking=False)  # a parent's sender is mid-request
    assert taken

    def child() -> bool:
        slots = [pool._slots.acquire(blocking=False) for _ in range(2)]
        return all(slots) and pool._idle == [] and free(lambda: pool._lock)()

    with held(pool._lock):
        assert in_child(child) == 0
    assert pool._idle == [parents]  # the parent's are untouched
    pool._slots.release()


def test_renewal_is_weak() -> None:
    from aftersales.ports import fork_renewal

    before = len(fork_renewal._HOLDERS)
    holder = MemoryNotifier()
    assert len(fork_renewal._HOLDERS) == before + 1
    del holder
    assert len(fork_renewal._HOLDERS) == before
