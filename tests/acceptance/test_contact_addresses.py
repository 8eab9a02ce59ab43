"""A person's contact is where a command's notifications go, in the person's language: a contact no
message could be sent to or written for is refused when it is registered (naming the field, nothing
stored), not found out later by every command that notifies the person. Found by trying hostile
master data: a blank WeChat id ("recipient must not be empty") and a locale Babel does not know."""

from __future__ import annotations

from typing import Any

import pytest

from aftersales import (
    Actor,
    ConfigurationError,
    Contact,
    Customer,
    CustomerId,
    Dealer,
    DealerId,
    Engineer,
    EngineerId,
    NotFound,
    Role,
    ServiceDesk,
    ValidationError,
)

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


@pytest.mark.parametrize(
    ("command", "record", "field"),
    [
        (
            "register_customer",
            lambda c: Customer(CustomerId("c-1"), "王五", c, region="SH"),
            "customer.contact.locale",
        ),
        (
            "register_dealer",
            lambda c: Dealer(DealerId("d-1"), "服务站", "SH", contact=c),
            "dealer.contact.locale",
        ),
        (
            "register_engineer",
            lambda c: Engineer(EngineerId("e-1"), "赵工", contact=c),
            "engineer.contact.locale",
        ),
    ],
)
def test_a_locale_no_message_can_be_written_in_is_refused_at_registration(
    command: str, record: Any, field: str
) -> None:
    # "sh" has a locale's shape, but Babel knows no such locale: every message to the person would fail.
    desk = ServiceDesk.open("memory://", pack="sanitary_ware")
    with pytest.raises(ValidationError) as error:
        getattr(desk, command)(MANAGER, record(Contact("王五", phone="13800000000", locale="sh")))
    assert error.value.field == field
    getattr(desk, command)(MANAGER, record(Contact("王五", phone="13800000000", locale="zh_CN")))


def test_staff_whose_messages_cannot_be_written_are_refused_when_the_desk_opens() -> None:
    with pytest.raises(ConfigurationError) as error:
        ServiceDesk.open(
            "memory://", pack="sanitary_ware", staff={Role.MANAGER: [Contact("王经理", locale="xx")]}
        )
    assert error.value.key == "staff.manager[0].locale"


@pytest.mark.parametrize(
    ("staff", "key"),
    [
        (5, "staff"),
        ({"chef": []}, "staff"),  # an unknown role would never be notified
        ({Role.MANAGER: ["manager@example.cn"]}, "staff.manager[0]"),
        ({Role.MANAGER: Contact("王经理", email="m@example.cn")}, "staff.manager"),
    ],
)
def test_staff_that_are_not_contacts_by_role_are_refused(staff: Any, key: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        ServiceDesk.open("memory://", pack="sanitary_ware", staff=staff)
    assert error.value.key == key
    roles = {"manager": [Contact("王经理", email="m@example.cn")]}  # a role by its code is fine
    assert ServiceDesk.open("memory://", pack="sanitary_ware", staff=roles).notifications.staff
    as_set = {Role.AGENT: {Contact("客服", email="cs@example.cn")}}  # any collection of contacts
    assert ServiceDesk.open("memory://", pack="sanitary_ware", staff=as_set).notifications.staff


@pytest.mark.parametrize("key", ["clock", "notifier", "ids", "invoice_issuer", "renderer"])
def test_wiring_of_the_wrong_kind_is_refused_when_the_desk_opens(key: str) -> None:
    # Accepted before, it failed with an AttributeError at its first use, far from the mistake.
    with pytest.raises(ConfigurationError) as error:
        ServiceDesk.open("memory://", pack="sanitary_ware", **{key: "now"})
    assert error.value.key == key
