"""Seed 002 材料收费 2 b (填注付款方式信息), 发料 2 b (付款方式): one list of ways of paying.

Before session 32 any snake_case word was a payment method: ``refund_unused_part(method="bitcoin")``,
``desk.charges.record_payment(method="wechat_pay")`` beside ``wechat`` on the next slip — the monthly
figures could not add up by method. Now every path that records money (a payment, a refund, the way
of paying agreed on a slip) takes its method from the desk's list — the pack's ``[fees]
payment_methods``, default cash, transfer, wechat, alipay, card — and refuses another naming the
argument (``ValidationError``, rule ``one_of``), nothing changed. A pack's list that is not one is
refused when the pack loads. On memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from test_pack_parameters_used import pack_file
from test_seed002_money import FEES, _repair, story
from test_seed002_unused_paid_part_s31e import _sent_back_unused

from aftersales.adapters.clock import ManualClock
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.money import Money
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.policies.fees import DefaultFeesPolicy
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

__all__ = ["story"]

Story = tuple[ServiceDesk, ManualClock, World]
CNY = "CNY"
LABOUR = ChargeLine(ChargeKind.LABOUR, "repair_visit", Money("80.00", CNY))


def test_a_refund_or_a_payment_by_a_method_the_desk_does_not_know_is_refused(story: Story) -> None:
    desk, clock, world = story
    ticket_id, _request_id, return_id = _sent_back_unused(desk, clock, world)
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    with pytest.raises(ValidationError) as refund:
        desk.materials.refund_unused_part(world.manager, return_id, reason="未使用", method="bitcoin")
    assert (refund.value.field, refund.value.rule) == ("method", "one_of")
    assert "transfer" in str(refund.value.rule_params["allowed"])
    assert desk.fees.slips_of(world.manager, ticket_id) == [slip]  # no credit slip written
    repair = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, repair)
    quote = desk.charges.quote(world.agent, repair)
    with pytest.raises(ValidationError) as agreed:
        desk.charges.accept(world.customer_zh, repair, quote.id, payment_method="wechat_pay")
    assert agreed.value.field == "payment_method"
    desk.charges.accept(world.customer_zh, repair, quote.id, payment_method="wechat")
    version = desk.ticket(world.agent, repair).version
    with pytest.raises(ValidationError) as paid:
        desk.charges.record_payment(world.customer_zh, repair, quote.id, amount=quote.total, method="weixin")
    assert paid.value.field == "method"
    assert desk.ticket(world.agent, repair).version == version
    sheet = desk.charges.record_payment(
        world.customer_zh, repair, quote.id, amount=quote.total, method="wechat"
    )
    assert [p.method for p in sheet.payments] == ["wechat"]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def own_list(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, World]]:
    """A desk whose pack takes cash and bank drafts only (``[fees] payment_methods``)."""
    fees = DefaultFeesPolicy(attrs.evolve(FEES.params, payment_methods=["cash", "bank_draft"]))
    with store_url(request.param, tmp_path) as url:
        desk = ServiceDesk.open(
            url, pack="sanitary_ware", overrides={"fees": fees}, clock=ManualClock(START), staff=STAFF
        )
        world = make_world()
        register(desk, world)
        try:
            yield desk, world
        finally:
            desk.shutdown()


def test_a_packs_own_list_is_the_one_every_path_uses(own_list: tuple[ServiceDesk, World]) -> None:
    desk, world = own_list
    ticket_id = desk.open_ticket(world.agent, customer_id="cust-zh", description="马桶一直冲水").ticket.id
    slip = desk.fees.issue_slip(world.agent, ticket_id, lines=[LABOUR], payment_method="bank_draft")
    assert slip.payment_method == "bank_draft"
    with pytest.raises(ValidationError) as wechat:  # on the default list, not on this pack's
        desk.fees.issue_slip(world.agent, ticket_id, lines=[LABOUR], payment_method="wechat")
    assert (wechat.value.field, wechat.value.rule_params["allowed"]) == ("payment_method", "cash, bank_draft")
    with pytest.raises(ValidationError) as transfer:
        desk.fees.record_payment(world.agent, slip.id, Money("80.00", CNY), method="transfer")
    assert transfer.value.field == "method"
    assert desk.fees.slip(world.agent, slip.id).paid == Money(0, CNY)
    paid = desk.fees.record_payment(world.agent, slip.id, Money("80.00", CNY))  # the slip's own method
    assert [p.method for p in paid.payments] == ["bank_draft"]


@pytest.mark.parametrize(
    ("value", "why"),
    [("[]", "names no way of paying"), ('["WeChat"]', "snake_case"), ('"cash"', "an array")],
)
def test_a_pack_list_that_is_not_one_is_refused_when_the_pack_loads(
    tmp_path: Path, value: str, why: str
) -> None:
    path = pack_file(tmp_path, f"[fees]\npayment_methods = {value}\n")
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open("memory://", pack=str(path), clock=ManualClock(START))
    assert refused.value.key == "fees.payment_methods"
    assert why in str(refused.value)
