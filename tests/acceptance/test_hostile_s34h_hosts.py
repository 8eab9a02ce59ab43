"""Hostile round, session 34 h: hosts sharing one desk between threads and asyncio, and closing it.

Broken before: ``desk.run_due_jobs()`` after ``desk.shutdown()`` answered a report of every job failed
(each with the closed store's error) where every other command and read raises ``StorageError``: a
scheduler still ticking while the process stops had no sign the desk was gone. It raises now
(``DeskContext.shut_down``). The rest passed and is kept so it stays passing, on memory, SQLite and
PostgreSQL (the embedding guide named memory and SQLite): an asyncio host running commands and searches
through ``asyncio.to_thread`` on one desk gets distinct ticket numbers and no error; a shutdown while
threads are inside commands lets them end, refuses their next command with ``StorageError`` only, and a
new desk on the store sees every ticket they were told was opened.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.errors import StorageError
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, register, store_url, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_jobs_of_a_shut_down_desk_are_refused_as_every_command_is(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _, world):
        desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸")
        assert not desk.run_due_jobs().failed
        desk.shutdown()
        with pytest.raises(StorageError):
            desk.run_due_jobs()
        with pytest.raises(StorageError):
            desk.jobs.run_due(only=("sla_sweep",))
        with pytest.raises(StorageError):
            desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸")


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_asyncio_host_sharing_one_desk_gets_distinct_numbers_and_no_error(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, _, world):
        opened: list[str] = []
        errors: list[BaseException] = []

        async def flow(i: int) -> None:
            try:
                result = await asyncio.to_thread(
                    desk.open_ticket, world.agent, customer_id=world.cust_zh.id, description=f"卡纸 {i}"
                )
                opened.append(str(result.ticket.id))
                await asyncio.to_thread(desk.search, world.agent, "卡纸")
                await asyncio.to_thread(desk.ticket, world.agent, result.ticket.id)
            except Exception as exc:  # kept to be asserted on
                errors.append(exc)

        async def host() -> None:
            await asyncio.gather(*(flow(i) for i in range(40)))

        asyncio.run(host())
        assert errors == []
        assert len(opened) == len(set(opened)) == 40
        assert {str(v.id) for v in desk.search(world.agent, "卡纸", page=None).items} <= set(opened)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_shutdown_while_threads_are_inside_commands_refuses_only_with_storage_error(
    backend: str, tmp_path: Path
) -> None:
    world = make_world()
    with store_url(backend, tmp_path) as url:
        desk = ServiceDesk.open(url, pack="office_equipment", clock=ManualClock(START), staff=STAFF)
        register(desk, world)
        started = threading.Barrier(5)
        told: list[str] = []
        outcome: Counter[str] = Counter()
        lock = threading.Lock()

        def worker(i: int) -> None:
            started.wait()
            for n in range(200):
                try:
                    result = desk.open_ticket(
                        world.agent, customer_id=world.cust_zh.id, description=f"卡纸 {i}-{n}"
                    )
                except StorageError:
                    with lock:
                        outcome["storage_error"] += 1
                    return
                except Exception as exc:  # anything else is the defect
                    with lock:
                        outcome[type(exc).__name__] += 1
                    return
                with lock:
                    told.append(str(result.ticket.id))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        started.wait()
        while len(told) < 8:  # the workers are well inside their loops
            threading.Event().wait(0.01)
        desk.shutdown()
        for thread in threads:
            thread.join(60)
        assert not any(thread.is_alive() for thread in threads)
        assert set(outcome) <= {"storage_error"}
        with ServiceDesk.open(url, pack="office_equipment", clock=ManualClock(START), staff=STAFF) as again:
            for ticket_id in told:  # every ticket a worker was told was opened is there
                assert again.ticket(world.manager, ticket_id).id == ticket_id
