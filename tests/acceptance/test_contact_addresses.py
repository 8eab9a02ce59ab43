"""A person's contact addresses are where a command's notifications go: a customer registered with a
blank WeChat id (seen by the hostile-input test: every later intake failed on "recipient must not be
empty") is refused at registration, naming the field, and the store is unchanged."""

from __future__ import annotations

import pytest

from aftersales import Actor, Contact, Customer, CustomerId, NotFound, ServiceDesk, ValidationError

MANAGER = Actor.manager("mgr-1")
AGENT = Actor.agent("agent-1")


@pytest.mark.parametrize("blank", [" ", "\u3000"])
def test_a_blank_wechat_id_is_refused_and_the_customer_can_still_be_served(blank: str) -> None:
    desk = ServiceDesk.open("memory://", pack="sanitary_ware")
    contact = Contact("王五", phone="13800000000", wechat="wx_wang")
    object.__setattr__(contact, "wechat", blank)  # as a host bypassing the constructor could
    with pytest.raises(ValidationError) as error:
        desk.register_customer(MANAGER, Customer(CustomerId("c-1"), "王五", contact, region="SH"))
    assert error.value.field == "customer.contact.wechat"
    with pytest.raises(NotFound):
        desk.archives.customer_archive(MANAGER, "c-1")  # nothing stored
    good = Contact("王五", phone="13800000000", wechat="wx_wang")
    desk.register_customer(MANAGER, Customer(CustomerId("c-1"), "王五", good, region="SH"))
    opened = desk.open_ticket(AGENT, customer_id="c-1", description="漏水", asset_id=None)
    assert desk.ticket(MANAGER, opened.ticket.id).customer_id == "c-1"
