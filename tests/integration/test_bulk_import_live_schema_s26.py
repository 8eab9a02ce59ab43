"""A bulk import into a live SQLite file leaves its schema alone (issue 21, session 26).

An import batch at least as large as the table used to drop the ledger's secondary indexes (a host's own
included) and rebuild them before its commit: a schema change on a live file, which makes every other
connection prepare its statements again and, for the batch's duration, leaves the writer's own queries
without their indexes. Measured in session 26, the rebuild saved 15 % of the first 10,000-ticket
batch's store CPU into an empty file and nothing after (about 1 % of a 30,000-ticket import). Now every
batch goes into the indexes in place: the schema cookie does not move."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.parties import Customer
from aftersales.domain.ticket import Ticket
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
AGENT = ActorRef("agent-1", Role.AGENT)
MANAGER = Actor.manager("mgr-1")


def _ticket(n: int) -> Ticket:
    return Ticket.open(
        id=TicketId(f"LIVE-{n:05d}"),
        customer_id=CustomerId("c1"),
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description=f"旧系统工单 {n}",
        received_at=START + timedelta(minutes=n),
        taken_by=AGENT,
    )


def _schema_cookie(path: Path) -> tuple[int, list[tuple[str, str]]]:
    conn = sqlite3.connect(path)
    try:
        version = conn.execute("PRAGMA schema_version").fetchone()[0]
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tickets' ORDER BY name"
        ).fetchall()
        return int(version), indexes
    finally:
        conn.close()


def test_a_large_first_import_batch_leaves_the_schema_of_a_live_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    with ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware", clock=ManualClock(START)) as desk:
        desk.register_customer(
            MANAGER, Customer(CustomerId("c1"), "王芳", Contact("王芳", phone="13800000000"), region="SH")
        )
        reader = sqlite3.connect(path)  # another connection of the live file, statements prepared
        reader.execute("CREATE INDEX IF NOT EXISTS host_by_kind ON tickets (kind, id)")
        reader.commit()
        before = _schema_cookie(path)
        desk.import_tickets(MANAGER, [_ticket(n) for n in range(1500)], batch_size=1500)
        assert _schema_cookie(path) == before  # no index dropped and created again
        assert reader.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1500
        reader.close()
