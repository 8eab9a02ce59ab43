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
import multiprocessing
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol

import attrs

from aftersales.errors import AftersalesError
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


class Barrier(Protocol):
    """A thread's or a process's barrier (both raise ``threading.BrokenBarrierError`` once broken)."""

    def wait(self, timeout: float | None = None) -> int: ...


@contextlib.contextmanager
def held_commits(*desks: ServiceDesk, barrier: Barrier | None = None) -> Iterator[None]:
    """Hold each desk's commits at a barrier shared by the desks' writes (see the module docstring);
    ``barrier``: one shared with another process's desk (two parties, :data:`HELD` as its timeout)."""
    barrier = barrier if barrier is not None else threading.Barrier(2, timeout=HELD)
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
    outcomes = race_all([(first, one), (second, other)])
    return outcomes[0], outcomes[1]


def race_all(calls: Sequence[tuple[ServiceDesk, Callable[[ServiceDesk], Any]]]) -> list[Outcome]:
    """Each ``call(desk)`` of ``calls`` at once, one thread each, every write's commit held until a write
    of each call reached its own (or :data:`HELD` passed): three desks racing three commands."""
    outcomes = [Outcome() for _ in calls]
    start = threading.Barrier(len(calls))

    def run(n: int, call: Callable[[ServiceDesk], Any], desk: ServiceDesk) -> None:
        start.wait()
        try:
            outcomes[n].value = call(desk)
        except BaseException as error:  # the test reads what each racer was told
            outcomes[n].error = error

    desks = list({id(desk): desk for desk, _ in calls}.values())
    with held_commits(*desks, barrier=threading.Barrier(len(calls), timeout=HELD)):
        threads = [threading.Thread(target=run, args=(n, call, desk)) for n, (desk, call) in enumerate(calls)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return outcomes


# -- two processes ------------------------------------------------------------------------------------


@attrs.frozen
class Told:
    """What a racing process was told: the id of what it returned, or its error's class, field and code
    (plain values: they cross the process boundary)."""

    id: str | None = None
    error: str | None = None
    field: str | None = None
    code: str | None = None

    @property
    def ok(self) -> bool:
        """It returned."""
        return self.error is None


def _in_process(
    url: str,
    options: Mapping[str, Any],
    call: Callable[[ServiceDesk], Any],
    start: Barrier,
    commits: Barrier,
    answers: Any,
    n: int,
) -> None:
    """One process of :func:`race_processes`: its own desk, started with the other's, commits held."""
    with ServiceDesk.open(url, **options) as desk, held_commits(desk, barrier=commits):
        start.wait()
        try:
            found = call(desk)
        except AftersalesError as error:
            told = Told(
                error=type(error).__name__,
                field=getattr(error, "field", None),
                code=getattr(error, "code", None),
            )
        else:
            told = Told(id=getattr(found, "id", None))
    answers.put((n, told))


def race_processes(
    url: str,
    options: Mapping[str, Any],
    one: Callable[[ServiceDesk], Any],
    other: Callable[[ServiceDesk], Any],
) -> tuple[Told, Told]:
    """``one`` and ``other`` at once, each on a desk of its own process (``ServiceDesk.open(url,
    **options)``), their commits held as :func:`race` holds them. The calls and ``options`` are
    pickled (module-level functions of this module, ``functools.partial`` of them; library values): the
    processes are spawned, not forked (a fork copies the parent's threads' locks and pools), and a
    spawned process imports nothing of the tests but this module (a test module's ``conftest`` import
    would find the suite's root one there)."""
    context = multiprocessing.get_context("spawn")
    start, commits = context.Barrier(2), context.Barrier(2, timeout=HELD)
    answers = context.Queue()
    processes = [
        context.Process(target=_in_process, args=(url, options, call, start, commits, answers, n))
        for n, call in enumerate((one, other))
    ]
    for process in processes:
        process.start()
    told = dict(answers.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0, f"a racing process ended with {process.exitcode}"
    return told[0], told[1]


def issue_slip(
    actor: Any, ticket_id: str, lines: Any, quote_id: str | None, key: str | None, desk: ServiceDesk
) -> Any:
    """``desk.fees.issue_slip`` (for :func:`race_processes`: bound with ``functools.partial``)."""
    return desk.fees.issue_slip(actor, ticket_id, lines=lines, quote_id=quote_id, idempotency_key=key)


def record_payment(actor: Any, slip_id: str, amount: Any, key: str | None, desk: ServiceDesk) -> Any:
    """``desk.fees.record_payment`` (for :func:`race_processes`)."""
    return desk.fees.record_payment(actor, slip_id, amount, idempotency_key=key)
