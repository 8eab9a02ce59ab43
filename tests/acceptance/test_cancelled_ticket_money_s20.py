# mypy: disable-error-code="arg-type"
"""Money left on a cancelled ticket (session 20), on memory, SQLite and PostgreSQL.

Seed 002 材料收费: 按月统计售后服务销售收入 — the month's income is what the fee slips charge. A customer who
accepted a quote and then called the job off owed nothing, yet the slip the acceptance wrote stayed
issued and counted as income in the month's figures and the revenue list.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_seed002_money import _repair, story  # noqa: F401  (the seed 002 money desk)

from aftersales.adapters.clock import ManualClock
from aftersales.domain.fee_slips import FeeSlip, SlipState
from aftersales.domain.money import Money
from aftersales.errors import LegalHold
from aftersales.reports.money import month_money
from aftersales.service.desk import ServiceDesk
from conftest import World

ZERO = Money(0, "CNY")


def _accepted(desk: ServiceDesk, clock: ManualClock, world: World) -> tuple[str, str]:
    """An out-of-warranty repair whose 250 yuan quote the customer accepted (a fee slip written)."""
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    quote = desk.charges.quote(world.agent, ticket_id)
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    assert accepted.fee_slip is not None and accepted.fee_slip.total == Money("250.00", "CNY")
    clock.advance(timedelta(hours=1))
    return ticket_id, quote.id


def _slips(desk: ServiceDesk, ticket_id: str) -> list[FeeSlip]:
    with desk.store() as uow:
        return list(uow.documents.query(FeeSlip, ticket_id=ticket_id))


def test_a_job_called_off_before_any_payment_leaves_no_income(
    story: tuple[ServiceDesk, ManualClock, World],  # noqa: F811
) -> None:
    desk, clock, world = story
    ticket_id, _quote = _accepted(desk, clock, world)
    desk.cancel(world.customer_zh, ticket_id, reason="客户自行修好")
    (slip,) = _slips(desk, ticket_id)
    assert slip.state is SlipState.CANCELLED
    assert (slip.cancelled_by, slip.cancel_reason) == (world.customer_zh.ref, "客户自行修好")
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
    assert march.income == ZERO
    assert desk.fees.monthly_revenue(world.manager, "2026-03").revenue_total == ZERO


def test_money_received_stays_for_the_office_to_pay_back(
    story: tuple[ServiceDesk, ManualClock, World],  # noqa: F811
) -> None:
    desk, clock, world = story
    ticket_id, quote_id = _accepted(desk, clock, world)
    desk.charges.record_payment(world.customer_zh, ticket_id, quote_id, amount=Money("100.00", "CNY"))
    desk.cancel(world.agent, ticket_id, reason="客户改约他人维修")
    (slip,) = _slips(desk, ticket_id)
    # Part of the money came in: the slip stays as it was, for a refund the office decides.
    assert slip.state is SlipState.ISSUED and slip.paid == Money("100.00", "CNY")
    with desk.store() as uow:
        assert month_money(uow.documents, "2026-03").income == Money("250.00", "CNY")


def test_an_erasure_that_cancels_the_job_cancels_its_unpaid_slip_too(
    story: tuple[ServiceDesk, ManualClock, World],  # noqa: F811
) -> None:
    # The erasure cancels the person's tickets still being worked as a cancellation does (session 20):
    # the unpaid slip of the job goes with it, and the month counts no income from it.
    desk, clock, world = story
    ticket_id, _quote = _accepted(desk, clock, world)
    record = desk.privacy.erase_customer(
        world.manager, "cust-zh", "客户要求删除个人信息", cancel_open_tickets=True
    )
    assert record.cancelled >= 1
    (slip,) = _slips(desk, ticket_id)
    assert slip.state is SlipState.CANCELLED
    with desk.store() as uow:
        assert month_money(uow.documents, "2026-03").income == ZERO


def test_an_erasure_held_by_money_received_cancels_nothing(
    story: tuple[ServiceDesk, ManualClock, World],  # noqa: F811
) -> None:
    # Part of the quote was paid: the slip stays owed after the cancellation, so the erasure is held and
    # the job it would have cancelled is still being worked.
    desk, clock, world = story
    ticket_id, quote_id = _accepted(desk, clock, world)
    desk.charges.record_payment(world.customer_zh, ticket_id, quote_id, amount=Money("100.00", "CNY"))
    state = desk.ticket(world.manager, ticket_id).state
    with pytest.raises(LegalHold) as caught:
        desk.privacy.erase_customer(
            world.manager, "cust-zh", "客户要求删除个人信息", cancel_open_tickets=True
        )
    assert caught.value.hold == "unpaid_fee_slip"
    assert desk.ticket(world.manager, ticket_id).state == state
    assert [s.state for s in _slips(desk, ticket_id)] == [SlipState.ISSUED]
