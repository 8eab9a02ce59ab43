"""Issue 26: a service contract's SLA targets apply to its units' tickets, on memory, SQLite and PostgreSQL.

The contract covering the unit on the call's local date sets the targets (overriding the pack's); the
``opened`` event and the SLA decision's reasons name it; the stored due times, ``desk.sla``, the sweep and
the breach report all measure the same targets. A call before the contract starts, a unit it does not
cover and a complaint keep the pack's targets.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import TicketKind
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer, Dealer
from aftersales.domain.products import Asset, Product
from aftersales.domain.service_contracts import ContractSla, ServiceContract
from aftersales.errors import ValidationError
from aftersales.ports.reporting import Period
from aftersales.reports.sla import sla_breaches
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

SH = ZoneInfo("Asia/Shanghai")
DSN = os.environ.get("AFTERSALES_PG_DSN")
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
AGENT = Actor.agent("a1", "王客服")
MANAGER = Actor.manager("m1")
SYSTEM = Actor.system()
H = timedelta(hours=1)
STORES = [
    "memory",
    "sqlite",
    pytest.param("postgresql", marks=[pytest.mark.postgres,
                                      pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set")]),
]  # fmt: skip


@pytest.fixture(params=STORES)
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    kind = str(request.param)
    schema = f"c26_{uuid.uuid4().hex[:12]}"
    if kind == "memory":
        url = "memory://"
    elif kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'contract_sla.db'}"
    else:
        url = f"{DSN}{'&' if '?' in (DSN or '') else '?'}schema={schema}"
    desk = ServiceDesk.open(url, pack="sanitary_ware", clock=ManualClock(MONDAY))
    try:
        desk.register_dealer(MANAGER, Dealer("D1", "浦东网点", "SH", frozenset({"SH"})))
        desk.register_customer(
            MANAGER, Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13800000001"), region="SH")
        )
        desk.register_product(MANAGER, Product("wc-100", "WC-100", "智能马桶", "toilet"))
        for unit in ("u1", "u2"):
            desk.register_asset(MANAGER, Asset(AssetId(unit), "wc-100", f"SN-{unit}", customer_id="c1"))
        desk.contracts.sign(
            MANAGER,
            ServiceContract(
                id="HT-1", starts_on=date(2026, 3, 3), ends_on=date(2027, 3, 2), price=Money("800", "CNY"),
                customer_id="c1", assets=("u1",), sla=ContractSla(response_hours=1, resolution_hours=6),
            ),
        )  # fmt: skip
        yield desk
    finally:
        desk.shutdown()
        if kind == "postgresql":
            import psycopg

            with psycopg.connect(DSN or "", autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _clock(desk: ServiceDesk) -> ManualClock:
    assert isinstance(desk.clock, ManualClock)
    return desk.clock


def _open(desk: ServiceDesk, unit: str) -> str:
    return desk.open_ticket(AGENT, customer_id="c1", asset_id=unit, description="马桶漏水").ticket.id


def test_the_contracts_targets_replace_the_packs_and_every_reader_agrees(desk: ServiceDesk) -> None:
    before = _open(desk, "u1")  # Monday: the contract starts on Tuesday
    pack = desk.sla(AGENT, before)
    assert pack["response"].budget != H
    _clock(desk).advance(timedelta(days=1))  # Tuesday 09:00
    covered, other = _open(desk, "u1"), _open(desk, "u2")
    status = desk.sla(AGENT, covered)
    assert status["response"].budget == H and status["resolution"].budget == 6 * H
    assert status["response"].target.basis == "working"
    assert desk.sla(AGENT, other)["resolution"].budget == pack["resolution"].budget
    assert desk.sla(AGENT, other)["response"].budget == pack["response"].budget
    # Stored due times are the status's due times (the ledger and the reports read them).
    view = desk.ticket(AGENT, covered)
    assert view.response_due_at == status["response"].due_at
    assert view.resolution_due_at == status["resolution"].due_at
    calendar = desk.context.calendar
    assert calendar is not None
    assert view.resolution_due_at == calendar.add(view.received_at, 6 * H)
    # The history and the decision's reasons name the contract.
    opened = view.events[0]
    assert opened.payload["sla_terms"]["id"] == "HT-1"  # type: ignore[index,call-overload]
    with desk.context.store() as uow:
        ticket = uow.tickets.get(covered)
        decision = desk.sla_service.targets(ticket, uow.customers.get("c1").tier)
    assert decision is not None
    named = [r for r in decision.reasons if r.code == "sla_service_contract"]
    assert {r.params["target"] for r in named} == {"response", "resolution"}
    assert {r.params["id"] for r in named} == {"HT-1"}
    # Two working hours later the covered ticket has missed its response, the other has not.
    _clock(desk).advance(2 * H)
    sweep = desk.sla_watch.sweep(SYSTEM)
    assert f"{covered}:response" in sweep.breaches
    assert f"{other}:response" not in sweep.breaches
    # By Wednesday the covered ticket is past its 6 working hours; the report counts it, alone.
    _clock(desk).advance(timedelta(days=1))
    now = desk.clock.now()
    report = sla_breaches(desk, MANAGER, Period(MONDAY, now), as_of=now)
    assert report.total.open_breached == 1
    assert report.total.due == 3


def test_a_complaint_on_a_covered_unit_keeps_the_packs_targets(desk: ServiceDesk) -> None:
    _clock(desk).advance(timedelta(days=1))
    covered = _open(desk, "u1")
    complaint = desk.complaints.open_complaint(
        AGENT, customer_id="c1", description="工程师迟到", asset_id="u1"
    ).ticket
    assert complaint.kind is TicketKind.COMPLAINT
    assert "sla_terms" not in complaint.events[0].payload
    assert desk.sla(AGENT, complaint.id)["response"].budget != desk.sla(AGENT, covered)["response"].budget


def test_a_contract_target_out_of_range_is_refused() -> None:
    with pytest.raises(ValidationError) as zero:
        ContractSla(arrival_hours=0)
    assert zero.value.field == "arrival_hours"


def test_visits_are_generated_in_batches_with_their_own_sla(
    desk: ServiceDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aftersales.service.maintenance as maintenance

    monkeypatch.setattr(maintenance, "_BATCH", 2)  # five plans: three transactions
    for unit in ("u3", "u4", "u5"):
        desk.register_asset(MANAGER, Asset(AssetId(unit), "wc-100", f"SN-{unit}", customer_id="c1"))
    dues = {"u1": date(2026, 3, 10), "u2": date(2026, 3, 12), "u3": date(2026, 3, 16)}
    dues |= {"u4": date(2026, 3, 14), "u5": date(2026, 3, 30)}  # u5 is generated on 16 March, not yet
    for unit, due in dues.items():
        desk.maintenance.create_plan(MANAGER, asset_id=unit, first_due=due)
    report = desk.maintenance.generate_due(SYSTEM)
    assert sorted(v.asset_id for v in report.generated) == ["u1", "u2", "u3", "u4"]
    assert report.days == 1 and desk.maintenance.generate_due(SYSTEM).generated == ()
    for visit in report.generated:
        assert visit.ticket_id is not None
        view = desk.ticket(AGENT, visit.ticket_id)
        assert [e.action for e in view.events] == ["opened", "triage", "assign"]
        # The visit's own SLA: done by the end of its due day (not the pack's three working days).
        midnight = datetime.combine(visit.due_on + timedelta(days=1), datetime.min.time(), SH)
        status = desk.sla(AGENT, visit.ticket_id)
        assert status["resolution"].due_at == midnight and status["arrival"].due_at == midnight
        assert view.resolution_due_at == midnight
        assert view.assignee is not None and view.priority is not None
