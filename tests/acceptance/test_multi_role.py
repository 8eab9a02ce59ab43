"""One person, several roles: permission checks accept any of them; events record the person once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, EngineerId, ProductId
from aftersales.domain.parties import Customer, CustomerTier, Engineer
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
MANAGER = Actor.manager("m1")


@pytest.fixture
def desk() -> Iterator[ServiceDesk]:
    with ServiceDesk.open("memory://", pack="service_centre", clock=ManualClock(START)) as d:
        d.register_product(
            MANAGER, Product(ProductId("P-1"), "WC-100", "连体马桶", "toilet", (WarrantyTerm(12),))
        )
        d.register_engineer(MANAGER, Engineer(EngineerId("e1"), "赵工"))
        for cid in ("c1", "c2"):
            contact = Contact(cid, phone="13800000000", address="上海市浦东新区 1 号")
            d.register_customer(MANAGER, Customer(CustomerId(cid), cid, contact, CustomerTier.REGULAR))
        d.register_asset(
            MANAGER,
            Asset(AssetId("A-1"), ProductId("P-1"), "SN-1", CustomerId("c1"), purchase_date=date(2025, 4, 1)),
        )
        yield d


def test_roles_are_kept_and_the_classmethods_still_build_single_role_actors() -> None:
    head = Actor.department_head("h1", "李部长")
    assert head.roles == {Role.DEPARTMENT_HEAD} and head.ref == ActorRef("h1", Role.DEPARTMENT_HEAD)
    both = head.with_roles(Role.MANAGER)
    assert both.role is Role.DEPARTMENT_HEAD and both.roles == {Role.DEPARTMENT_HEAD, Role.MANAGER}
    assert both.has_role(Role.MANAGER) and not both.has_role(Role.GENERAL_MANAGER)
    as_manager = both.acting_as(Role.MANAGER)
    assert as_manager.role is Role.MANAGER and as_manager.roles == both.roles
    with pytest.raises(ValidationError):
        both.acting_as(Role.GENERAL_MANAGER)
    with pytest.raises(ValueError):
        head.with_roles("chef")


def test_a_command_open_to_any_of_the_roles_is_permitted(desk: ServiceDesk) -> None:
    head = Actor.department_head("h1")
    with pytest.raises(PermissionDenied):
        desk.transfer_asset(head, "A-1", customer_id="c2", reason="转卖")
    desk.transfer_asset(head.with_roles(Role.MANAGER), "A-1", customer_id="c2", reason="转卖")
    with desk.store() as uow:
        assert uow.assets.get("A-1").customer_id == "c2"


def test_each_event_records_the_person_once_in_the_role_they_acted_in(desk: ServiceDesk) -> None:
    # A dispatcher who also goes out on jobs: agent for intake, engineer on site.
    person = Actor("e1", Role.AGENT, "赵工", engineer_id=EngineerId("e1")).with_roles(Role.ENGINEER)
    tid = desk.open_ticket(person, customer_id="c1", description="漏水", asset_id="A-1").ticket.id
    desk.triage(person, tid, nature="leak", severity=Severity.MEDIUM)
    desk.dispatch(person, tid, engineer_id="e1")
    desk.start_work(person, tid)
    events = desk.ticket(MANAGER, tid).events
    by_action = {e.action: e.actor for e in events}
    assert by_action["triage"] == ActorRef("e1", Role.AGENT)
    assert by_action["start_work"] == ActorRef("e1", Role.ENGINEER)
    assert {e.actor.id for e in events} == {"e1"}


def test_the_exhibition_packs_after_sales_manager_decides_the_hard_case() -> None:
    # Seed 001: 售后经理对重大售后问题进行决策 — the pack refers hard cases to the manager, who decides.
    with ServiceDesk.open("memory://", pack="exhibition_services", clock=ManualClock(START)) as desk:
        contact = Contact("c1", phone="13800000000", address="上海市浦东新区 1 号")
        desk.register_customer(MANAGER, Customer(CustomerId("c1"), "c1", contact, CustomerTier.REGULAR))
        agent = Actor.agent("a1")
        complaints = desk.complaints
        cid = complaints.open_complaint(agent, "c1", "展台搭建延误，要求赔偿").ticket.id
        complaints.investigate(agent, cid)
        complaints.refer_to_general_manager(agent, cid, question="是否同意赔偿？")
        with pytest.raises(PermissionDenied):  # a department head was not addressed
            complaints.record_gm_decision(Actor.department_head("h1"), cid, decision="同意")
        decided = complaints.record_gm_decision(MANAGER, cid, decision="同意部分赔偿")
        assert decided.ticket.state == "solution_proposed"
        assert decided.events[-1].actor == ActorRef("m1", Role.MANAGER)


def test_the_acting_role_ends_with_its_command(desk: ServiceDesk) -> None:
    # A department head who is also the manager transfers a unit (a manager's command) …
    both = Actor.department_head("h1").with_roles(Role.MANAGER)
    desk.transfer_asset(both, "A-1", customer_id="c2", reason="转卖")
    # … and once the command is over its role names nobody: the person is back in their primary role.
    assert both.ref == ActorRef("h1", Role.DEPARTMENT_HEAD)
    # A command that fails after the check does not leave its role behind either.
    with pytest.raises(ValidationError):
        desk.transfer_asset(both, "A-1", customer_id="c2", reason="")
    assert both.ref == ActorRef("h1", Role.DEPARTMENT_HEAD)
    with desk.store() as uow:
        history = uow.assets.get("A-1")
    assert history.customer_id == "c2"


def test_the_exhibition_packs_after_sales_manager_takes_up_a_major_complaint() -> None:
    # Seed 001: the after-sales manager decides major issues; a crisis waits for nobody else.
    from aftersales.domain.complaints import ComplaintSeverity, CrisisFacts, CrisisProblem, Recourse

    with ServiceDesk.open("memory://", pack="exhibition_services", clock=ManualClock(START)) as desk:
        contact = Contact("c1", phone="13800000000", address="上海市浦东新区 1 号")
        desk.register_customer(MANAGER, Customer(CustomerId("c1"), "c1", contact, CustomerTier.REGULAR))
        crisis = CrisisFacts(
            problems={CrisisProblem.PROPERTY_LOSS}, economic_loss=True, recourse={Recourse.PRESS}
        )
        cid = desk.complaints.open_complaint(
            Actor.agent("a1"), "c1", "展台倒塌砸坏展品", crisis=crisis
        ).ticket.id
        file = desk.complaints.complaint_file(MANAGER, cid)
        assert file.severity is ComplaintSeverity.MAJOR
        assert [e.to for e in file.escalations] == [(Role.MANAGER,)]
        with pytest.raises(ValidationError):  # nothing is addressed to the general manager here
            desk.complaints.acknowledge_escalation(Actor.general_manager("g1"), cid)
        taken = desk.complaints.acknowledge_escalation(MANAGER, cid)
        assert taken.events[-1].actor == ActorRef("m1", Role.MANAGER)
        assert desk.complaints.overdue_escalations(MANAGER, START.replace(year=2027)) == []
