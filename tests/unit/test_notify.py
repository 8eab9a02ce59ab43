from __future__ import annotations

from aftersales.domain.actors import Role
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.domain.reasons import Reason
from aftersales.i18n.notifications import default_renderer
from aftersales.policies.decision import Decision
from aftersales.policies.notification import DefaultNotification, NotificationFacts
from aftersales.ports import open_storage
from aftersales.service.notify import Notifications

from .factories import at, new_ticket


class ManagersOnly:
    """A host's policy: every notification goes to the managers alone."""

    name = "host.managers_only"

    def decide(self, facts: NotificationFacts) -> Decision[tuple[Role, ...]]:
        return Decision((Role.MANAGER,), [Reason("managers_only")], self.name)


def test_each_policy_gets_its_own_answer_however_often_it_is_asked() -> None:
    manager = Contact("王经理", email="wang@example.cn")
    notifications = Notifications(default_renderer(), staff={Role.MANAGER: [manager]})
    store = open_storage("memory://")
    ticket = new_ticket()
    with store() as uow:
        uow.customers.add(Customer(CustomerId("cust-1"), "李女士", Contact("李女士", email="li@example.cn")))
        for _ in range(3):  # the answers are remembered per policy: asking again changes nothing
            by_default = notifications.messages(uow, ticket, ticket.events, at(2), DefaultNotification())
            by_host = notifications.messages(uow, ticket, ticket.events, at(2), ManagersOnly())
            to = {m.payload["recipient"] for m in by_default if m.topic == "notification"}
            assert to == {"li@example.cn"}
            to = {m.payload["recipient"] for m in by_host if m.topic == "notification"}
            assert to == {"wang@example.cn"}


def test_a_contact_stored_before_locales_were_checked_is_written_to_in_english() -> None:
    # Registration refuses a locale Babel does not know; one stored earlier must not make every
    # command that notifies the person fail: the message goes out in the default locale.
    notifications = Notifications(default_renderer())
    store = open_storage("memory://")
    ticket = new_ticket()
    with store() as uow:
        uow.customers.add(
            Customer(CustomerId("cust-1"), "Ana", Contact("Ana", email="ana@example.cn", locale="sh"))
        )
        sent = notifications.messages(uow, ticket, ticket.events, at(2), DefaultNotification())
    to_her = [
        m.payload for m in sent if m.topic == "notification" and m.payload["recipient"] == "ana@example.cn"
    ]
    assert to_her and {m["locale"] for m in to_her} == {"en"}
