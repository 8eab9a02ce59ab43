"""Two desks on one store racing the same record: the harness of the session-23 two-desk tests.

A host runs one :class:`ServiceDesk` per process (or thread) on one SQLite file or PostgreSQL database.
:func:`race` runs two calls at once, one per desk, each in its own thread, and holds every write's
commit until the other write reached its own commit too (or :data:`HELD` passed): both transactions
have then made their reads and their writes before either commits — the interleaving that loses an
update or counts twice when a read takes no lock. A store that queues writers (SQLite's ``BEGIN
IMMEDIATE``, a row lock) makes the second wait: the first commits once :data:`HELD` passed.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from aftersales.service.desk import ServiceDesk

HELD = 0.6
"""Seconds a write waits at its commit for the other desk's write to reach its own."""


@attrs.define
class Outcome:
    """What one racing call returned or raised."""

    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        """It returned."""
        return self.error is None


@contextlib.contextmanager
def held_commits(*desks: ServiceDesk) -> Iterator[None]:
    """Hold each desk's commits at a barrier shared by the desks' writes (see the module docstring)."""
    barrier = threading.Barrier(2, timeout=HELD)
    runners = {id(d.runner): d.runner for d in desks}
    originals = {key: runner._commit for key, runner in runners.items()}

    def holding(original: Callable[..., None]) -> Callable[..., None]:
        def commit(uow: Any, now: Any) -> None:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
            original(uow, now)

        return commit

    for key, runner in runners.items():
        runner._commit = holding(originals[key])  # type: ignore[method-assign]
    try:
        yield
    finally:
        for key, runner in runners.items():
            runner._commit = originals[key]  # type: ignore[method-assign]


def race(
    first: ServiceDesk,
    second: ServiceDesk,
    one: Callable[[ServiceDesk], Any],
    other: Callable[[ServiceDesk], Any],
) -> tuple[Outcome, Outcome]:
    """``one(first)`` and ``other(second)`` at once, their commits held (:func:`held_commits`)."""
    outcomes = (Outcome(), Outcome())
    start = threading.Barrier(2)

    def run(n: int, call: Callable[[ServiceDesk], Any], desk: ServiceDesk) -> None:
        start.wait()
        try:
            outcomes[n].value = call(desk)
        except BaseException as error:  # the test reads what each racer was told
            outcomes[n].error = error

    with held_commits(first, second):
        threads = [
            threading.Thread(target=run, args=(0, one, first)),
            threading.Thread(target=run, args=(1, other, second)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return outcomes
