# mypy: disable-error-code="arg-type"
"""The fee desk on both stores: slips, payments, invoices now / later, cancellation, monthly revenue."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.invoicing_memory import MemoryInvoiceIssuer
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.contact import Contact
from aftersales.domain.fee_slips import InvoiceState, InvoiceWish, SlipOrigin, SlipState
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer, Dealer
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.fee_desk import FeeDesk

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")
STAFF_D1 = Actor.dealer_staff("s1", "D1", {"SH"})
STAFF_D2 = Actor.dealer_staff("s2", "D2", {"BJ"})


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


VALVE = ChargeLine(ChargeKind.MATERIALS, "inlet_valve", cny("45.00"), 2)
LABOUR = ChargeLine(ChargeKind.LABOUR, "repair_visit", cny("80.00"))
SEAL_FREE = ChargeLine(ChargeKind.MATERIALS, "seal", cny("5.00"), 3, chargeable=False)


@pytest.fixture(params=["memory", "sqlite"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'fees.db'}"
    with ServiceDesk.open(url, pack="sanitary_ware", clock=ManualClock(T0)) as d:
        d.register_dealer(MANAGER, Dealer("D1", "上海经销商", "SH"))
        d.register_dealer(MANAGER, Dealer("D2", "北京经销商", "BJ"))
        d.register_customer(
            MANAGER, Customer("c1", "张伟", Contact("张伟", phone="13800000001"), region="SH", dealer_id="D1")
        )
        d.register_customer(
            MANAGER, Customer("c2", "李娜", Contact("李娜", phone="13800000002"), region="BJ", dealer_id="D2")
        )
        yield d


@pytest.fixture
def issuer() -> MemoryInvoiceIssuer:
    return MemoryInvoiceIssuer()


@pytest.fixture
def fees(desk: ServiceDesk, issuer: MemoryInvoiceIssuer) -> FeeDesk:
    desk.context.invoice_issuer = issuer
    return FeeDesk(desk.context, desk.runner)


def _ticket(desk: ServiceDesk, customer: str = "c1") -> str:
    return desk.open_ticket(AGENT, customer_id=customer, description="保修期外更换进水阀").ticket.id


def test_slips_are_numbered_and_later_ones_collected_into_one_invoice(
    desk: ServiceDesk, fees: FeeDesk, issuer: MemoryInvoiceIssuer
) -> None:
    first = fees.issue_slip(AGENT, _ticket(desk), lines=[VALVE], invoice=InvoiceWish.LATER)
    second = fees.issue_slip(AGENT, _ticket(desk), lines=[LABOUR], invoice=InvoiceWish.LATER)
    never = fees.issue_slip(AGENT, _ticket(desk), lines=[LABOUR], invoice=InvoiceWish.NEVER)
    assert (first.id, second.id) == ("FS-2026-000001", "FS-2026-000002")
    assert first.invoice_id is None and issuer.issued == {}

    record = fees.request_invoice(AGENT, "c1", title="张伟", tax_id="")
    assert record.state is InvoiceState.ISSUED and record.invoice_number == "INV00000001"
    assert record.slip_ids == (first.id, second.id) and record.total == cny("170.00")
    ((request, _),) = issuer.issued.values()
    assert request.lines == (VALVE, LABOUR)
    assert fees.slip(AGENT, first.id).invoice_id == record.id
    assert fees.slip(AGENT, never.id).invoice_id is None
    with pytest.raises(ValidationError):
        fees.request_invoice(AGENT, "c1")  # nothing left waiting
    with pytest.raises(ValidationError):
        fees.request_invoice(AGENT, "c1", slip_ids=[never.id])


def test_an_invoice_wanted_now_is_requested_with_the_slip(desk: ServiceDesk, fees: FeeDesk) -> None:
    slip = fees.issue_slip(AGENT, _ticket(desk), lines=[VALVE, SEAL_FREE], invoice=InvoiceWish.NOW)
    assert slip.invoice_id is not None
    assert fees.invoice(AGENT, slip.invoice_id).state is InvoiceState.ISSUED


def test_a_finance_outage_loses_nothing_and_is_retried(
    desk: ServiceDesk, fees: FeeDesk, issuer: MemoryInvoiceIssuer
) -> None:
    issuer.fail_next = 1
    slip = fees.issue_slip(AGENT, _ticket(desk), lines=[VALVE], invoice=InvoiceWish.NOW)
    assert slip.invoice_id is not None
    record = fees.invoice(AGENT, slip.invoice_id)
    assert record.state is InvoiceState.FAILED and record.failure
    (retried,) = fees.retry_invoices(Actor.system())
    assert retried.state is InvoiceState.ISSUED and retried.id == record.id
    assert fees.retry_invoices(Actor.system()) == []


def test_payments_and_cancellation(desk: ServiceDesk, fees: FeeDesk) -> None:
    slip = fees.issue_slip(AGENT, _ticket(desk), lines=[VALVE], payment_method="wechat")
    desk.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    paid = fees.record_payment(AGENT, slip.id, cny("90.00"))
    assert paid.is_paid and paid.payments[0].method == "wechat"
    with pytest.raises(ValidationError):
        fees.record_payment(AGENT, slip.id, cny("0.01"))
    with pytest.raises(ValidationError):
        fees.cancel_slip(AGENT, slip.id, "")
    cancelled = fees.cancel_slip(AGENT, slip.id, "duplicate slip")
    assert cancelled.state is SlipState.CANCELLED
    assert [s.id for s in fees.slips_of(AGENT, slip.ticket_id)] == [slip.id]  # never deleted


def test_dealers_and_customers_see_only_their_own_slips(desk: ServiceDesk, fees: FeeDesk) -> None:
    slip = fees.issue_slip(STAFF_D1, _ticket(desk, "c1"), lines=[VALVE], invoice=InvoiceWish.LATER)
    assert slip.dealer_id == "D1"
    with pytest.raises(NotFound):
        fees.slip(STAFF_D2, slip.id)
    with pytest.raises(NotFound):
        fees.slip(Actor.customer("c2"), slip.id)
    assert fees.slip(Actor.customer("c1"), slip.id).id == slip.id
    with pytest.raises(NotFound):
        fees.issue_slip(STAFF_D2, slip.ticket_id, lines=[VALVE])
    with pytest.raises(NotFound):
        fees.request_invoice(Actor.customer("c2"), "c1")
    with pytest.raises(PermissionDenied):
        fees.cancel_slip(Actor.customer("c1"), slip.id, "no")
    assert fees.request_invoice(Actor.customer("c1"), "c1").slip_ids == (slip.id,)


def test_monthly_revenue_equals_the_charged_lines(desk: ServiceDesk, fees: FeeDesk) -> None:
    t1, t2, t3 = _ticket(desk), _ticket(desk, "c2"), _ticket(desk)
    a = fees.issue_slip(AGENT, t1, lines=[VALVE, LABOUR, SEAL_FREE])
    b = fees.issue_slip(AGENT, t2, lines=[VALVE])
    c = fees.issue_slip(AGENT, t3, lines=[LABOUR])
    fees.cancel_slip(MANAGER, c.id, "issued by mistake")
    fees.record_free_issue(
        AGENT, t2, [ChargeLine(ChargeKind.MATERIALS, "seal", cny("5.00"), 2, chargeable=False)]
    )
    fees.record_return(
        AGENT, t1, [ChargeLine(ChargeKind.MATERIALS, "seal", cny("5.00"), 4, chargeable=False)]
    )
    fees.issue_slip(
        AGENT,
        t1,
        lines=[ChargeLine(ChargeKind.MATERIALS, "seal", cny("5.00"), 1)],
        origin=SlipOrigin.UNRETURNED_MATERIALS,
    )
    fees.record_payment(AGENT, b.id, cny("90.00"))
    desk.clock.set(datetime(2026, 4, 1, 10, 0, tzinfo=SH))  # type: ignore[attr-defined]
    fees.issue_slip(AGENT, t1, lines=[VALVE])  # April: not in March

    report = fees.monthly_revenue(MANAGER, "2026-03")
    charged = [line for s in (a, b) for line in s.charged_lines()] + [
        ChargeLine(ChargeKind.MATERIALS, "seal", cny("5.00"), 1)
    ]
    assert report.revenue_total == Money.total((ln.amount for ln in charged), "CNY") == cny("265.00")
    assert report.reconciled and report.slips_total == report.revenue_total
    assert report.materials_revenue == cny("185.00")
    assert report.received == cny("90.00")
    assert report.cancelled_slips == (c.id,)
    assert [(e.item, e.quantity) for e in report.free_issued] == [("seal", 3), ("seal", 2)]
    assert [(e.item, e.quantity) for e in report.returns] == [("seal", 4)]
    (seal,) = [b for b in report.balances if b.item == "seal"]
    assert (seal.issued_free, seal.returned, seal.charged_unreturned, seal.outstanding) == (5, 4, 1, 0)
    assert len(report.issued) == 3 + 2  # charged materials (valve ×2 slips, seal) + free lists

    dealer_view = fees.monthly_revenue(STAFF_D2, "2026-03")
    assert dealer_view.revenue_total == cny("90.00")
    with pytest.raises(PermissionDenied):
        fees.monthly_revenue(AGENT, "2026-03")
    with pytest.raises(ValidationError):
        fees.monthly_revenue(MANAGER, "2026-13")
