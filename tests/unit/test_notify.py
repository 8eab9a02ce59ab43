from __future__ import annotations

from aftersales.domain.actors import Role
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, EngineerId
from aftersales.domain.parties import Customer, Engineer
from aftersales.domain.reasons import Reason
from aftersales.domain.work import Assignee, AssigneeKind
from aftersales.i18n.notifications import default_renderer
from aftersales.policies.decision import Decision
from aftersales.policies.notification import DefaultNotification, NotificationFacts
from aftersales.ports import open_storage
from aftersales.service.notify import Notifications

from .factories import AGENT, at, new_ticket


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


def test_the_customer_is_told_who_the_ticket_was_dispatched_to() -> None:
    # The pack lists the customer for dispatch (office_equipment: assigned = ["customer", "engineer"]; seed
    # 003 派工, seed 000 反馈处理进度): the assignee's notice is theirs, the customer gets one of their own.
    notifications = Notifications(default_renderer())
    store = open_storage("memory://")
    ticket = new_ticket()
    ticket.step("triage", AGENT, at(2))
    with store() as uow:
        uow.customers.add(Customer(CustomerId("cust-1"), "李女士", Contact("李女士", email="li@example.cn")))
        uow.engineers.add(
            Engineer(EngineerId("e1"), "赵工", contact=Contact("赵工", email="zhao@example.cn"))
        )
        event = ticket.assign(AGENT, at(2, 10), Assignee(AssigneeKind.ENGINEER, "e1", "赵工"))
        sent = notifications.messages(uow, ticket, [event], at(2, 10), DefaultNotification())
        by_engineers = notifications.messages(uow, ticket, [event], at(2, 10), EngineersOnly())
    told = {m.payload["recipient"]: m.payload for m in sent if m.topic == "notification"}
    assert set(told) == {"li@example.cn", "zhao@example.cn"}
    assert told["li@example.cn"]["subject"] == "您的工单 T-1 已派工"
    assert "赵工" in told["li@example.cn"]["body"]
    assert told["zhao@example.cn"]["subject"].startswith("工单 T-1 已派给您")
    # A policy that leaves the customer out is obeyed.
    assert {m.payload["recipient"] for m in by_engineers if m.topic == "notification"} == {"zhao@example.cn"}


class EngineersOnly:
    """A host's policy: only the assignee hears of anything."""

    name = "host.engineers_only"

    def decide(self, facts: NotificationFacts) -> Decision[tuple[Role, ...]]:
        return Decision((Role.ENGINEER,), [Reason("engineers_only")], self.name)
