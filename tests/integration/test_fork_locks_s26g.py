"""Session 26 (g): a process forked while one of its threads held a library lock gets free locks.

``os.fork`` copies a lock as it is and only the forking thread lives on: a lock a thread of the parent
held at that instant (a scheduler thread running the SLA sweep, a request compiling a calendar year, an
erasure reaching the caches) stayed held in the child — its first call taking it hung, and a job whose
run lock was held was skipped on every call. The stores renewed their own (``fork_guard``); the
module-level locks and the desk's other locks were not. Now every one is made anew in the child
(``service/fork_locks.py``, ``os.register_at_fork``). Each child below only tries the lock without
waiting, so a held one fails the test rather than hanging it; an alarm ends a child that hangs anyway.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import pytest

import aftersales.adapters.ticket_search_sqlite as search_sqlite
import aftersales.ports.erasure as erasure
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.holidays_cn import china_mainland_calendar
from aftersales.service.desk import ServiceDesk

SHANGHAI_2026 = datetime.fromisoformat("2026-03-02T09:00:00+08:00")


@contextmanager
def held(lock: object) -> Iterator[None]:
    """``lock`` held by another thread of this process for the duration."""
    taken, done = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:  # type: ignore[attr-defined]
            taken.set()
            done.wait()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    taken.wait()
    try:
        yield
    finally:
        done.set()
        thread.join()


def in_child(check: Callable[[], bool]) -> int:
    """Fork; the child runs ``check`` (0 if it holds, 1 if not, 2 if it raised); the child's exit code."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 2
        try:
            signal.alarm(60)  # a child that hangs ends instead of hanging the suite
            code = 0 if check() else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def free(get_lock: Callable[[], object]) -> Callable[[], bool]:
    def check() -> bool:
        lock = get_lock()
        if not lock.acquire(blocking=False):  # type: ignore[attr-defined]
            return False
        lock.release()  # type: ignore[attr-defined]
        return True

    return check


def test_the_module_level_locks_are_free_in_the_child() -> None:
    with held(erasure._HOLDERS_LOCK):
        assert in_child(free(lambda: erasure._HOLDERS_LOCK)) == 0
    with held(search_sqlite._known_lock):
        assert in_child(free(lambda: search_sqlite._known_lock)) == 0


def test_a_calendar_compiling_in_another_thread_compiles_in_the_child() -> None:
    calendar = china_mainland_calendar()
    with held(calendar._cache.lock):
        assert in_child(free(lambda: calendar._cache.lock)) == 0
        assert in_child(lambda: calendar.is_working_day(date(2003, 6, 3))) == 0  # compiles 2003


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_desk_forked_while_a_thread_ran_a_job_runs_its_jobs_in_the_child(
    backend: str, tmp_path: Path
) -> None:
    url = "memory://" if backend == "memory" else f"sqlite:///{tmp_path / 'desk.db'}"
    with ServiceDesk.open(url, pack="office_equipment", clock=ManualClock(SHANGHAI_2026)) as desk:
        calendar = desk.calendar
        assert calendar is not None
        locks = (desk.jobs._running["sla_sweep"], calendar._cache.lock, erasure._HOLDERS_LOCK)

        def child() -> bool:
            report = desk.run_due_jobs()
            return "sla_sweep" in report.ran and calendar.is_working_day(date(2004, 6, 3))  # compiles 2004

        with held(locks[0]), held(locks[1]), held(locks[2]):
            assert in_child(child) == 0
