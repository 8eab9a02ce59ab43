"""A command aborted by a deadlock on PostgreSQL runs again on the same connection (session 31, o).

The adapter prepares a command's locking ticket read once per connection, its ``PREPARE`` travelling at
the head of the query that first runs it, and records which names it prepared. A ``PREPARE`` is not
undone when the transaction it was sent in aborts. A deadlock broken by the server (SQLSTATE 40P01,
``ConcurrencyConflict``) in that query's locking read left the record saying "not prepared" while the
session held the statement: the runner's retry prepared it again and failed with ``StorageError``
(``prepared statement "aftersales_ticket_…" already exists``, 42P05) instead of running.

The deadlock is made, not hoped for: another session holds the ticket's row; the command (which takes
its customer first, ``customer_first``) waits for it in the locking read; once it waits (PostgreSQL's own
``pg_stat_activity``, a backend of the test's own schema: a wait of another test process sharing the
database let the test go on before the command waited, and no deadlock formed) the other session asks
for the customer. The command's session has the shorter ``deadlock_timeout``, so it is the one the
server aborts. Memory and SQLite stores prepare nothing and take writers one at a time: there is nothing
to test there.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aftersales.adapters.clock import ManualClock
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, lock_waited, make_world, register, store_url


def test_a_command_aborted_by_a_deadlock_after_its_prepare_runs_again(tmp_path: Path) -> None:
    import psycopg

    clock, world = ManualClock(START), make_world()
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url("postgres", tmp_path))
        schema = parse_qs(urlsplit(url).query)["schema"][0]
        first = stack.enter_context(ServiceDesk.open(url, pack="sanitary_ware", clock=clock, staff=STAFF))
        register(first, world)
        opened = first.open_ticket(
            world.agent, customer_id="cust-zh", description="马桶漏水", asset_id="asset-1"
        )
        tid = opened.ticket.id
        # One connection: the retry meets the session that holds what the aborted query prepared.
        second = stack.enter_context(
            ServiceDesk.open(f"{url}&pool_min=1&pool_max=1", pack="sanitary_ware", clock=clock, staff=STAFF)
        )
        attempts = [0]
        runner = second.runner
        load = runner.load

        def counting_load(uow: Any, ticket_id: str, *, lock: bool = False, shared: bool = False) -> Any:
            if lock:
                attempts[0] += 1
            return load(uow, ticket_id, lock=lock, shared=shared)

        runner.load = counting_load
        told: list[Any] = [None]

        def hand_over() -> None:
            try:
                told[0] = second.reclassify(world.agent, tid, category="complaint", reason="客户投诉安装态度")
            except BaseException as error:  # the test reads what it was told
                told[0] = error

        dsn = os.environ["AFTERSALES_PG_DSN"]
        with psycopg.connect(dsn, autocommit=True) as other:
            other.execute(f'SET search_path TO "{schema}"')
            other.execute("SET deadlock_timeout = '20s'")  # the command's session detects it, not this one
            pid = other.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
            other.execute("BEGIN")
            other.execute("SELECT 1 FROM tickets WHERE id = %s FOR UPDATE", (tid,))
            thread = threading.Thread(target=hand_over)
            thread.start()
            try:
                assert lock_waited(dsn, schema, besides=(pid,)), "the command never waited for the ticket"
                # The command holds its customer and waits for the ticket: asking for the customer
                # closes the circle; the server aborts the command's transaction, then this one goes on.
                held = other.execute("SELECT id FROM entities WHERE id = 'cust-zh' FOR UPDATE")
                assert held.fetchall()
            finally:
                other.execute("ROLLBACK")
                thread.join(30)
        del runner.load
        assert not isinstance(told[0], BaseException), told[0]
        assert attempts[0] >= 2  # aborted once, then run again
        with second.store() as uow:  # the complaint it opened, once: the aborted attempt left nothing
            found = uow.tickets.query(TicketFilter(customer_id="cust-zh"), PageRequest(limit=50)).items
        assert len(found) == 2
