from __future__ import annotations

from aftersales.domain.actors import Role
from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, EngineerId
from aftersales.domain.parties import Customer, Engineer
from aftersales.domain.reasons import Reason
from aftersales.domain.work import Assessment, Assignee, AssigneeKind, CustomerNote
from aftersales.i18n.notifications import default_renderer
from aftersales.policies.decision import Decision
from aftersales.policies.notification import DefaultNotification, NotificationFacts
from aftersales.ports import open_storage
from aftersales.service.notify import Notifications

from .factories import AGENT, CUSTOMER, ENGINEER, at, new_ticket


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


def test_a_progress_note_the_customer_may_see_is_sent_to_them_and_an_internal_one_is_not() -> None:
    # Seeds 000/001: 在处理过程中及时向客户反馈处理进度 — the note is the feedback, so it must reach the
    # customer (the pack's ``progress`` recipients), not only wait in the progress view.
    notifications = Notifications(default_renderer())
    store = open_storage("memory://")
    ticket = new_ticket()
    visible = ticket.note_to_customer(ENGINEER, at(2, 10), CustomerNote("备件已到，明天上午上门更换"))
    internal = ticket.note_to_customer(ENGINEER, at(2, 11), CustomerNote("客户脾气急", False))
    with store() as uow:
        uow.customers.add(Customer(CustomerId("cust-1"), "李女士", Contact("李女士", email="li@example.cn")))
        told = notifications.messages(uow, ticket, [visible], at(2, 10), DefaultNotification())
        kept = notifications.messages(uow, ticket, [internal], at(2, 11), DefaultNotification())
    sent = [m.payload for m in told if m.topic == "notification"]
    assert [m["recipient"] for m in sent] == ["li@example.cn"]
    assert "备件已到，明天上午上门更换" in sent[0]["body"] and "T-1" in sent[0]["subject"]
    assert [m for m in kept if m.topic == "notification"] == []


def test_the_engineer_is_told_when_the_customer_sends_the_work_back() -> None:
    # Seed 000: 如客户对处理结果不满意,售后维护人员应重新进行处理 — the person who must redo the work hears
    # of it, with the customer's words; so too when a callback finds the problem back (reopen).
    notifications = Notifications(default_renderer())
    store = open_storage("memory://")
    ticket = new_ticket()
    assessment = Assessment("no_flush", Severity.MEDIUM, plan=Plan.ON_SITE)
    ticket.triage(AGENT, at(2, 9, 5), assessment, Priority.NORMAL)
    ticket.assign(AGENT, at(2, 9, 10), Assignee(AssigneeKind.ENGINEER, "eng-1", "张工"))
    ticket.step("start_work", ENGINEER, at(2, 14))
    ticket.resolve(ENGINEER, at(2, 16))
    rejected = ticket.reject(CUSTOMER, at(2, 17), "夜里还会自己冲水")
    with store() as uow:
        uow.customers.add(Customer(CustomerId("cust-1"), "李女士", Contact("李女士", email="li@example.cn")))
        engineer = Engineer(EngineerId("eng-1"), "张工", contact=Contact("张工", email="zhang@example.cn"))
        uow.engineers.add(engineer)
        sent = notifications.messages(uow, ticket, [rejected], at(2, 17), DefaultNotification())
    told = [m.payload for m in sent if m.topic == "notification"]
    assert [m["recipient"] for m in told] == ["zhang@example.cn"]  # not the customer who sent it back
    assert "T-1" in told[0]["subject"] and "夜里还会自己冲水" in told[0]["body"]


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
