"""A PostgreSQL desk outlives its server's connections: after a restart (or an administrator ending the
sessions), the next command runs on a fresh connection instead of failing with ``StorageError``.

The server ends a session by sending a fatal error and closing the socket; a pooled connection that was
idle then holds a dead socket, and libpq only finds out at the next query. A store that hands such a
connection to a command costs the operator one failed command per pooled connection after every
restart. Skipped only when ``AFTERSALES_PG_DSN`` is unset.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

DSN = os.environ.get("AFTERSALES_PG_DSN")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set"),
]
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")


@pytest.fixture
def app() -> Iterator[tuple[str, str]]:
    """A desk URL with its own schema and application name (to end only this desk's sessions)."""
    import psycopg

    name = f"rc_{uuid.uuid4().hex[:16]}"
    sep = "&" if "?" in (DSN or "") else "?"
    try:
        yield f"{DSN}{sep}schema={name}&application_name={name}&pool_min=2&pool_max=4", name
    finally:
        with psycopg.connect(DSN or "", autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def _end_sessions(application: str) -> int:
    """End every session of ``application`` as a server restart does (a fatal error, then the socket
    closed), from a connection of its own."""
    import psycopg

    with psycopg.connect(DSN or "", autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = %s",
            (application,),
        ).fetchall()
    return len(rows)


def test_commands_after_the_servers_sessions_ended_run_on_fresh_connections(app: tuple[str, str]) -> None:
    url, application = app
    desk = ServiceDesk.open(url, pack="general_maintenance")
    try:
        customer = Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13900000000"))
        desk.register_customer(MANAGER, customer)
        ticket = desk.open_ticket(AGENT, customer_id="c1", description="热水器漏水").ticket.id
        desk.note_to_customer(AGENT, ticket, text="工程师已出发")
        assert _end_sessions(application) >= 1
        # Every command after it succeeds: the writes, a read, and writes again.
        noted = desk.note_to_customer(AGENT, ticket, text="工程师已到达")
        assert desk.ticket(AGENT, ticket).version == noted.ticket.version
        assert _end_sessions(application) >= 1
        again = desk.note_to_customer(AGENT, ticket, text="已修复")
        assert again.ticket.version == noted.ticket.version + 1
        assert [n.text for n in desk.ticket(AGENT, ticket).notes][-3:] == [
            "工程师已出发",
            "工程师已到达",
            "已修复",
        ]
    finally:
        desk.shutdown()
