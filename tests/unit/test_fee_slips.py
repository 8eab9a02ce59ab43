"""Fee slips (售后服务材料收费暨报销单): totals, payments, invoice wishes, cancellation, movements."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.fee_slips import (
    FeeSlip,
    InvoiceRecord,
    InvoiceState,
    InvoiceWish,
    MaterialsMovement,
    MovementKind,
    SlipPayment,
    SlipState,
)
from aftersales.domain.money import Money
from aftersales.errors import CurrencyMismatch, InvalidTransition, ValidationError
from aftersales.serialization import dumps, loads

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
AGENT = ActorRef("agent-1", Role.AGENT)


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


VALVE = ChargeLine(ChargeKind.MATERIALS, "inlet_valve", cny("45.00"), 2)
LABOUR = ChargeLine(ChargeKind.LABOUR, "repair_visit", cny("80.00"))
FREE_SEAL = ChargeLine(ChargeKind.MATERIALS, "seal", cny("5.00"), 1, chargeable=False)


def slip(wish: InvoiceWish = InvoiceWish.LATER) -> FeeSlip:
    return FeeSlip(
        "FS-1", "T-1", "c1", "CNY", T0, AGENT, "2026-03", (VALVE, LABOUR, FREE_SEAL), "wechat", wish
    )


def test_the_total_is_the_chargeable_lines() -> None:
    s = slip()
    assert s.total == cny("170.00")
    assert s.charged_lines(ChargeKind.MATERIALS) == (VALVE,)
    assert s.free_lines() == (FREE_SEAL,)
    assert not s.is_paid


def test_payments_add_up_and_never_exceed_the_balance() -> None:
    s = slip()
    s.record_payment(SlipPayment(cny("100.00"), "cash", T0, AGENT))
    assert s.balance == cny("70.00")
    with pytest.raises(ValidationError):
        s.record_payment(SlipPayment(cny("70.01"), "cash", T0, AGENT))
    with pytest.raises(CurrencyMismatch):
        s.record_payment(SlipPayment(Money(Decimal("70"), "USD"), "cash", T0, AGENT))
    with pytest.raises(ValidationError):
        s.record_payment(SlipPayment(cny("1.00"), "cash", T0 - timedelta(days=1), AGENT))
    s.record_payment(SlipPayment(cny("70.00"), "wechat", T0, AGENT))
    assert s.is_paid and len(s.payments) == 2


def test_a_slip_needs_a_chargeable_line_in_its_currency() -> None:
    with pytest.raises(ValidationError):
        FeeSlip("FS-2", "T-1", "c1", "CNY", T0, AGENT, "2026-03", (FREE_SEAL,))
    with pytest.raises(ValidationError):
        FeeSlip("FS-2", "T-1", "c1", "CNY", T0, AGENT, "2026-03", ())
    with pytest.raises(CurrencyMismatch):
        FeeSlip("FS-2", "T-1", "c1", "USD", T0, AGENT, "2026-03", (VALVE,))
    with pytest.raises(ValidationError):
        SlipPayment(cny("0"), "cash", T0, AGENT)


def test_cancelling_needs_a_reason_and_keeps_the_slip() -> None:
    s = slip()
    with pytest.raises(ValidationError):
        s.cancel(AGENT, T0, "  ")
    assert s.state is SlipState.ISSUED
    s.cancel(AGENT, T0 + timedelta(hours=1), "wrong customer")
    assert s.state.value == "cancelled" and s.cancel_reason == "wrong customer"
    with pytest.raises(InvalidTransition):
        s.cancel(AGENT, T0 + timedelta(hours=2), "again")
    with pytest.raises(InvalidTransition):
        s.record_payment(SlipPayment(cny("1.00"), "cash", T0 + timedelta(hours=2), AGENT))
    assert not s.can_invoice()


def test_an_invoiced_slip_cannot_be_cancelled_and_never_means_never() -> None:
    s = slip()
    s.attach_invoice("IR-1")
    with pytest.raises(ValidationError):
        s.cancel(AGENT, T0, "customer changed their mind")
    with pytest.raises(InvalidTransition):
        s.attach_invoice("IR-2")
    s.detach_invoice("IR-1")
    assert s.can_invoice()
    never = slip(InvoiceWish.NEVER)
    assert not never.can_invoice()
    with pytest.raises(ValidationError):
        never.attach_invoice("IR-3")


def test_invoice_records_move_from_requested_to_issued_or_failed() -> None:
    record = InvoiceRecord("IR-1", "c1", ("FS-1",), cny("170.00"), T0, AGENT)
    record.failed("finance down")
    assert record.state is InvoiceState.FAILED
    record.issued("INV-9", T0)
    assert record.state.value == "issued" and record.failure is None
    with pytest.raises(InvalidTransition):
        record.issued("INV-10", T0)
    with pytest.raises(ValidationError):
        InvoiceRecord("IR-2", "c1", (), cny("1.00"), T0, AGENT)
    with pytest.raises(ValidationError):
        InvoiceRecord("IR-2", "c1", ("FS-1", "FS-1"), cny("1.00"), T0, AGENT)


def test_movements_are_never_charged() -> None:
    with pytest.raises(ValidationError):
        MaterialsMovement("MV-1", MovementKind.RETURNED, "T-1", "2026-03", T0, AGENT, (VALVE,))
    movement = MaterialsMovement("MV-1", MovementKind.RETURNED, "T-1", "2026-03", T0, AGENT, (FREE_SEAL,))
    assert loads(dumps(movement), MaterialsMovement) == movement


def test_slips_round_trip() -> None:
    s = slip()
    s.record_payment(SlipPayment(cny("10.00"), "cash", T0, AGENT, "receipt 7"))
    assert loads(dumps(s), FeeSlip) == s
