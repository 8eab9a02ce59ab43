# mypy: disable-error-code="arg-type"
"""Two desks of a host started on a fresh store, sweeping the SLA clocks at once (session 31, g).

Seed 003 二 3 (响应/解决时限, 超时升级): each breach is announced once, whichever desk's sweep reaches it.
A desk opened before the store held anything stamps the store's books zone with its first write
(:mod:`aftersales.service.zone_stamp`); both desks here are so opened, and the second desk's first write
is a sweep racing the first desk's.

On PostgreSQL both sweeps wrote the sweep's mark, found absent by both: the second's insert, sent with
its next statement (the books zone's read, in its commit), failed on the first's. The zone stamp read that
``DuplicateError`` as "another desk stamped the zone" and read the stamp again in the transaction the
failed insert had aborted: the sweep failed with ``StorageError`` ("current transaction is aborted"), an
error the command runner does not run again, and the host's job lost its run. A statement refused because
its transaction was aborted by a lost race is now that lost race (``ConcurrencyConflict``): the runner
runs the page again, as after any other.
"""

from __future__ import annotations

import collections
import contextlib
from datetime import datetime
from pathlib import Path

import pytest
from two_desk_races import race

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Category, Severity
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, START, make_world, register, store_url


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_two_desks_first_sweeps_at_once_both_answer_and_announce_each_breach_once(
    backend: str, tmp_path: Path
) -> None:
    clock, world = ManualClock(START), make_world()
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(backend, tmp_path))

        def open_desk() -> ServiceDesk:
            return stack.enter_context(
                ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF)
            )

        first = open_desk()
        second = first if backend == "memory" else open_desk()  # both before the store's first write
        register(first, world)
        tickets = []
        for _ in range(2):
            tid = first.open_ticket(
                world.agent, customer_id=world.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
            ).ticket.id
            first.triage(world.agent, tid, nature="paper_feed", severity=Severity.HIGH)
            tickets.append(tid)
        clock.set(datetime(2026, 3, 5, 9, tzinfo=SHANGHAI))  # both tickets past their due times

        def sweep(desk: ServiceDesk) -> object:
            return desk.sla_watch.sweep(world.system, limit=1)

        told = race(first, second, sweep, sweep)
        assert [t.error for t in told] == [None, None]
        announced = [b for t in told for b in t.value.breaches]
        assert len(announced) == len(set(announced))
        assert {b.split(":")[0] for b in announced} == set(tickets)
        with first.store() as uow:
            pending = uow.outbox.pending(500)
        keys = collections.Counter(m.idempotency_key for m in pending if "sla_breach" in m.idempotency_key)
        assert keys and max(keys.values()) == 1
        assert {k.split(":")[0] for k in keys} == set(tickets)


def test_a_first_sweep_whose_mark_another_desk_wrote_meanwhile_runs_again(tmp_path: Path) -> None:
    """The same interleaving, made certain: another desk's mark is committed (a row written by a second
    connection) after this desk's sweep read it absent and before its commit reads the zone stamp."""
    import psycopg

    clock, world = ManualClock(START), make_world()
    with store_url("postgres", tmp_path) as url, contextlib.ExitStack() as stack:
        desk = stack.enter_context(ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF))
        with ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF) as other:
            register(other, world)  # the zone stamped by another desk: this one stamps at its first write
            tid = other.open_ticket(
                world.agent, customer_id=world.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
            ).ticket.id
            other.triage(world.agent, tid, nature="paper_feed", severity=Severity.HIGH)
        clock.set(datetime(2026, 3, 5, 9, tzinfo=SHANGHAI))
        dsn, _, schema = url.rpartition("schema=")
        commit, commits = desk.runner._commit, []

        def marked_meanwhile(uow: object, now: datetime) -> None:
            if not commits:  # the first page's: its mark read absent, its insert not sent yet
                with psycopg.connect(
                    dsn.rstrip("?&"), autocommit=True, options=f"-c search_path={schema}"
                ) as c:
                    c.execute(
                        "INSERT INTO documents (kind, id, version, data)"
                        " VALUES ('sla_sweep_mark', 'resolution', 0, %s)",
                        ('{"id": "resolution", "due_us": null, "ticket_id": null, "rewinds": 0}',),
                    )
            commits.append(now)
            commit(uow, now)

        desk.runner._commit = marked_meanwhile  # type: ignore[method-assign]
        report = desk.sla_watch.sweep(world.system)
        assert f"{tid}:response" in report.breaches
        assert len(commits) >= 2  # the first page was run again
