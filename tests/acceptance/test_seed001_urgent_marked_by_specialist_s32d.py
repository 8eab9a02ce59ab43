"""Seed 001 三(二)2, session 32 (d): the specialist marks a problem urgent, not the customer's own request.

对于紧急问题,售后专员应立即标记,并优先处理. Before session 32 a customer opening its own request on the portal
could pass ``urgent=True`` and so give itself the expedited grade, the head of the queue and the
30-minute contact clock (五(一)2) — every customer would. Now a customer's own "urgent" is kept as what
the customer said (``urgent_claimed`` on the ``opened`` event) and grades nothing; the specialist reads
it and marks the problem urgent at the assessment (``triage(urgent=True)``), which grades it as an urgent
call with its contact clock. A call the specialist registers as urgent is flagged as before. Memory,
SQLite and PostgreSQL, with the ``exhibition_services`` pack.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.domain.classification import Channel, Priority, Severity
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.service.intake import URGENT_CLAIMED_KEY
from conftest import SHANGHAI, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_customers_own_urgent_is_a_claim_the_specialist_marks(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "exhibition_services") as (desk, clock, w, _):
        received = clock.now()
        claimed = desk.open_ticket(
            w.customer_zh, customer_id=w.cust_zh.id, description="展位大屏黑屏", channel=Channel.PORTAL,
            urgent=True,
        ).ticket.id  # fmt: skip
        view = desk.ticket(w.manager, claimed)
        # Recorded as the customer said it; no grade, no urgent flag, the ordinary response time.
        assert view.events[0].payload[URGENT_CLAIMED_KEY] is True
        assert (view.urgent, view.priority) == (False, None)
        ordinary = view.response_due_at
        assert ordinary is not None and ordinary - received > timedelta(minutes=30)
        # The customer cannot mark it at the assessment either (the specialist's step).
        with pytest.raises((PermissionDenied, ValidationError)):
            desk.triage(w.customer_zh, claimed, nature="display", severity=Severity.MEDIUM, urgent=True)
        # 售后专员应立即标记: the specialist marks it; it is graded and timed as an urgent call.
        clock.advance(timedelta(minutes=5))
        desk.triage(w.agent, claimed, nature="display", severity=Severity.MEDIUM, urgent=True)
        marked = desk.ticket(w.manager, claimed)
        assert (marked.urgent, marked.priority) == (True, Priority.EXPEDITED)
        assert marked.events[-1].payload["urgent"] is True
        assert marked.response_due_at is not None and marked.response_due_at < ordinary
        assert marked.response_due_at - received <= timedelta(minutes=30)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_claim_the_specialist_does_not_mark_stays_ordinary_and_a_registered_urgent_call_is_flagged(
    backend: str, tmp_path: Path
) -> None:
    with noticed_desk(backend, tmp_path, "exhibition_services") as (desk, _clock, w, _):
        claimed = desk.open_ticket(
            w.customer_zh, customer_id=w.cust_zh.id, description="展位地毯有污渍", channel=Channel.PORTAL,
            urgent=True,
        ).ticket.id  # fmt: skip
        desk.triage(w.agent, claimed, nature="carpet", severity=Severity.LOW)
        assert (desk.ticket(w.manager, claimed).urgent, desk.ticket(w.manager, claimed).priority) == (
            False,
            Priority.NORMAL,
        )
        called = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="展位断电", urgent=True)
        assert (called.ticket.urgent, called.ticket.priority) == (True, Priority.EXPEDITED)
        assert URGENT_CLAIMED_KEY not in (called.ticket.events[0].payload or {})


def test_urgent_at_the_assessment_is_true_or_false() -> None:
    with noticed_desk("memory", Path("."), "exhibition_services") as (desk, _clock, w, _):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="展位断电").ticket.id
        with pytest.raises(ValidationError) as refused:
            desk.triage(w.agent, tid, nature="power", severity=Severity.LOW, urgent="yes")  # type: ignore[arg-type]
        assert (refused.value.field, refused.value.rule) == ("urgent", "true_or_false")
        assert desk.ticket(w.manager, tid).state == "new"
