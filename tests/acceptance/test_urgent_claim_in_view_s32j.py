"""A customer's own urgent claim shows in the ticket view the specialist triages from (session 32, j).

Seed 001 三(二)2: 对于紧急问题,售后专员应立即标记,并优先处理. Since session 32 (d) a customer's own "urgent"
is kept as a claim (``urgent_claimed`` on the ``opened`` event) for the specialist to mark; the view showed
it only inside the event log's payload, so the specialist reading the ticket or the ledger did not see
it. ``TicketView.urgent_claimed`` says it, until the ticket is marked urgent. Memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Channel, Severity
from conftest import noticed_desk


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_the_specialist_sees_the_claim_until_marking_it(backend: str, tmp_path: Path) -> None:
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
        view = desk.ticket(w.agent, claimed)
        assert (view.urgent_claimed, view.urgent) == (True, False)
        on_ledger = {v.id: v.urgent_claimed for v in desk.ledger(w.agent).items}
        assert on_ledger == {claimed: True, plain: False, registered: False}
        # The specialist marks it: nothing left to decide.
        desk.triage(w.agent, claimed, nature="display", severity=Severity.MEDIUM, urgent=True)
        assert (desk.ticket(w.agent, claimed).urgent_claimed, desk.ticket(w.agent, claimed).urgent) == (
            False,
            True,
        )
