"""A cancelled call's recurrence on a closed quality incident is withdrawn (seed 002 反馈信息的处理).

Once an incident is closed, a fault of its problem on the product is recorded against it as a
``recurred`` event: the follow-up that checks the corrective action (再跟踪相关项及目标). A call cancelled
afterwards — logged by mistake, withdrawn, its customer's data erased — is no fault evidence: session 22
took its unit out of the batch count, but its recurrence stayed listed, telling the quality manager the
problem came back when it had not. The cancellation (by hand or by an erasure) now records a
``recurrence_withdrawn`` event naming the ticket, and ``recurrences`` no longer lists it. Memory, SQLite
and PostgreSQL.
"""

from __future__ import annotations

import pytest
from test_quality_follow_up_s18 import _closed
from test_quality_incidents import MANAGER, _build, _fault, url

from aftersales.domain.quality_incidents import IncidentState
from aftersales.service.actors import Actor

__all__ = ["url"]  # the fixture: memory, SQLite, PostgreSQL

AGENT = Actor.agent("a1")


@pytest.mark.parametrize("by_erasure", [False, True])
def test_a_cancelled_calls_recurrence_is_withdrawn(url: str, by_erasure: bool) -> None:
    with _build(url) as desk:
        iid = _closed(desk)
        kept = _fault(desk, 60)
        mistaken = _fault(desk, 61)
        recurred = desk.quality_incidents.incident(MANAGER, iid).recurrences
        assert [e.payload["ticket_id"] for e in recurred] == [kept, mistaken]
        if by_erasure:
            officer = Actor.privacy_officer("dpo")
            desk.privacy.erase_customer(officer, "c061", "the customer asked", cancel_open_tickets=True)
        else:
            desk.cancel(AGENT, mistaken, reason="登记错了客户")

        incident = desk.quality_incidents.incident(MANAGER, iid)
        assert incident.state is IncidentState.CLOSED
        assert [e.payload["ticket_id"] for e in incident.recurrences] == [kept]
        last = incident.events[-1]
        assert (last.action, last.payload["ticket_id"], last.payload["cause"]) == (
            "recurrence_withdrawn", mistaken, "seal_defect",
        )  # fmt: skip
        # The history keeps the recurrence as it was recorded.
        assert [e.payload["ticket_id"] for e in incident.events if e.action == "recurred"] == [kept, mistaken]
