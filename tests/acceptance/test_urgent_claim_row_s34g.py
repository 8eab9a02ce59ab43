"""A customer's own urgent claim shows in the ticket lists served from the ledger's rows (session 34, g).

Seed 001 三(二)2: 对于紧急问题,售后专员应立即标记,并优先处理. Since session 32 the ticket view says whether
the customer's own request claimed "urgent" (``TicketView.urgent_claimed``), but the lists an agent scans
all day (``desk.ticket_rows``: :class:`~aftersales.TicketRow`, served from the ledger's columns without
building the tickets) had no such column. ``TicketRow.urgent_claimed`` is a ledger column now (memory,
SQLite, PostgreSQL); a store from before it gets the column from a migration step and its rows' values
from a small-batch, resumable back-fill.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.sqlite_schema import MIGRATIONS
from aftersales.adapters.urgent_claim_step import (
    SQLITE_URGENT_CLAIM_STEP,
    backfill_urgent_claims,
    backfill_urgent_claims_postgres,
    urgent_claims_state,
)
from aftersales.domain.classification import Channel, Severity
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, noticed_desk


def _rows(desk: ServiceDesk, actor: object) -> dict[str, bool]:
    return {r.id: r.urgent_claimed for r in desk.ticket_rows(actor).items}  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_the_list_shows_the_claim_until_the_specialist_marks_it(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "exhibition_services") as (desk, _clock, w, _):
        claimed = desk.open_ticket(
            w.customer_zh, customer_id=w.cust_zh.id, description="展位大屏黑屏", channel=Channel.PORTAL,
            urgent=True,
        ).ticket.id  # fmt: skip
        plain = desk.open_ticket(
            w.customer_zh, customer_id=w.cust_zh.id, description="展位地毯有污渍"
        ).ticket.id
        registered = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="断电", urgent=True
        ).ticket.id
        assert _rows(desk, w.agent) == {claimed: True, plain: False, registered: False}
        desk.triage(w.agent, claimed, nature="display", severity=Severity.MEDIUM, urgent=True)
        assert _rows(desk, w.agent)[claimed] is False  # marked: nothing left to decide
        assert desk.ticket(w.agent, claimed).urgent_claimed is False


def test_a_file_from_before_the_column_is_filled_by_a_resumable_back_fill(tmp_path: Path) -> None:
    with noticed_desk("sqlite", tmp_path, "exhibition_services") as (desk, _clock, w, _):
        claimed = [
            desk.open_ticket(
                w.customer_zh, customer_id=w.cust_zh.id, description=f"展位大屏黑屏 {n}", urgent=True
            ).ticket.id
            for n in range(5)
        ]
        plain = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="断电").ticket.id
        path = Path(str(desk.context.store.path))  # type: ignore[attr-defined]
    # The file as the release before step 34 left it: no column, the version before the step.
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("ALTER TABLE tickets DROP COLUMN urgent_claimed")
        conn.execute("DROP TABLE urgent_claim_backfill")
        conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(SQLITE_URGENT_CLAIM_STEP)}")
    finally:
        conn.close()
    with ServiceDesk.open(
        f"sqlite:///{path}", pack="exhibition_services", clock=ManualClock(START), staff=STAFF
    ) as desk:
        assert set(_rows(desk, w.agent).values()) == {False}  # the step's default, until the back-fill
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            assert urgent_claims_state(conn) == ("", False)
            progress = backfill_urgent_claims(conn, max_batches=1)
            assert progress.batches == 1
            # killed here: the next call continues from the committed position
            assert backfill_urgent_claims(conn).rewritten + progress.rewritten == len(claimed)
            assert urgent_claims_state(conn)[1] is True
        finally:
            conn.close()
        rows = _rows(desk, w.agent)
        assert {i for i, c in rows.items() if c} == set(claimed) and rows[plain] is False


def test_postgres_rows_from_before_the_column_are_filled_by_the_back_fill(tmp_path: Path) -> None:
    with noticed_desk("postgres", tmp_path, "exhibition_services") as (desk, _clock, w, _):
        claimed = [
            desk.open_ticket(
                w.customer_zh, customer_id=w.cust_zh.id, description=f"展位大屏黑屏 {n}", urgent=True
            ).ticket.id
            for n in range(3)
        ]
        plain = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="断电").ticket.id
        store = desk.context.store
        with store() as uow:  # as the step leaves a database stored before it
            uow.run("UPDATE tickets SET urgent_claimed = FALSE")  # type: ignore[attr-defined]
            uow.run("UPDATE urgent_claim_backfill SET after_id = '', done = FALSE")  # type: ignore[attr-defined]
            uow.commit()
        assert set(_rows(desk, w.agent).values()) == {False}
        assert backfill_urgent_claims_postgres(store, batch=2, max_batches=1) == 2  # type: ignore[arg-type]
        assert backfill_urgent_claims_postgres(store, batch=2) == 2  # type: ignore[arg-type]
        assert backfill_urgent_claims_postgres(store, batch=2) == 0  # type: ignore[arg-type]  # done
        rows = _rows(desk, w.agent)
        assert {i for i, c in rows.items() if c} == set(claimed) and rows[plain] is False
