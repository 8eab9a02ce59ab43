"""Issue 21: a desk's first answer to the customer (a note, a logged contact) stops the response clock on
the clocks it measured at the ticket's last command, without measuring the log again; the due times it
stores are those a fresh measuring of the log gives, on every store (seed 003 二 3 响应时限)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import aftersales.service.sla as sla_module
from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId
from aftersales.domain.parties import Customer, CustomerTier, Dealer
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.sla import SlaService

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 11, 40, tzinfo=SH)  # a Monday, twenty minutes before the lunch break
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")
DSN = os.environ.get("AFTERSALES_PG_DSN")


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def desk(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[tuple[ServiceDesk, ManualClock]]:
    schema = None
    if request.param == "memory":
        url = "memory://"
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'answer.db'}"
    else:
        if not DSN:
            pytest.skip("AFTERSALES_PG_DSN is not set")
        schema = f"a_{uuid.uuid4().hex[:16]}"
        url = f"{DSN}{'&' if '?' in DSN else '?'}schema={schema}"
    clock = ManualClock(START)
    opened = ServiceDesk.open(url, pack="sanitary_ware", clock=clock)
    dealer = Dealer(
        DealerId("dealer-sh"),
        "浦东特约承销商",
        "SH",
        frozenset({"SH"}),
        Contact("陈店长", phone="13900000001"),
    )
    opened.register_dealer(MANAGER, dealer)
    contact = Contact("客户", email="c@example.cn", locale="zh_Hans")
    opened.register_customer(
        MANAGER, Customer(CustomerId("c1"), "客户", contact, region="SH", dealer_id=dealer.id)
    )
    try:
        yield opened, clock
    finally:
        opened.shutdown()
        if schema is not None:
            import psycopg

            with psycopg.connect(DSN or "", autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_the_first_note_is_derived_without_measuring_the_log_and_stores_the_fresh_dues(
    desk: tuple[ServiceDesk, ManualClock], monkeypatch: pytest.MonkeyPatch
) -> None:
    service_desk, clock = desk
    ticket_id = service_desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    clock.advance(timedelta(minutes=5))
    service_desk.triage(AGENT, ticket_id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    clock.advance(timedelta(minutes=10))
    service_desk.dispatch(AGENT, ticket_id, dealer_id="dealer-sh")
    measured: list[int] = []
    real = sla_module.sla_timeline

    def counted(*args: Any, **kwargs: Any) -> Any:
        measured.append(len(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(sla_module, "sla_timeline", counted)
    clock.advance(timedelta(minutes=50))  # past noon: the answer falls in the lunch break
    noted = service_desk.note_to_customer(AGENT, ticket_id, text="工程师已出发").ticket
    assert measured == []  # the response clock stopped on the kept clocks
    with service_desk.store() as uow:
        stored = uow.tickets.get(ticket_id)
    fresh = SlaService(service_desk.sla_service.policy, service_desk.sla_service.calendar)
    fresh.derive(stored, CustomerTier.REGULAR, clock.now())
    assert measured  # the fresh service measured the whole log
    for name in ("response_due_at", "resolution_due_at", "response_late_after", "resolution_late_after"):
        assert getattr(noted, name) == getattr(stored, name)
    assert service_desk.sla(AGENT, ticket_id)["response"].met_at == clock.now()
