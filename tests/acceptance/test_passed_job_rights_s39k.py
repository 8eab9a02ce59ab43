"""Session 39 (k): a job the maker's office passed to another dealer is that dealer's to work; the
customer's own dealer reads it. Memory, SQLite and PostgreSQL.

Seed 002: 乙方负责所售产品的全过程服务 (the selling dealer serves its customers), but the dealer given the
maker's notice is the one bound to solve the call (6: 乙方接到用户的叫修(或者是甲方的电话通知)后,必须保证在24
小时之内给用户解决问题) and to record the repair (7). The customer's own dealer could still record faults on
and resolve a job passed to another dealer, while its money acts on it were refused; now it reads the job
and is refused (``PermissionDenied`` rule ``job_passed_on``) every write but its region's callbacks.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_seed002_money import story  # noqa: F401  (the fixture)

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import DealerId, EngineerId
from aftersales.domain.parties import Engineer, EngineerLevel
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import PermissionDenied
from aftersales.service.desk import ServiceDesk
from conftest import World

_CHAOYANG_FITTER = Engineer(
    EngineerId("eng-dealer-bj"), "朝阳师傅", EngineerLevel.JUNIOR, frozenset({"plumbing"}), "BJ",
    dealer_id=DealerId("dealer-bj"), contact=Contact("朝阳师傅", phone="13600000002"),
)  # fmt: skip


def test_the_dealer_a_job_is_passed_to_works_it_and_the_customer_s_dealer_reads_it(
    story: tuple[ServiceDesk, ManualClock, World],  # noqa: F811
) -> None:
    desk, clock, world = story
    pudong, chaoyang = world.dealer_sh_staff, world.dealer_bj_staff
    ticket_id = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="马桶一直冲水", asset_id="unit-in"
    ).ticket.id
    desk.triage(
        world.agent, ticket_id, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE
    )
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-sh")
    clock.advance(timedelta(hours=1))
    desk.start_work(pudong, ticket_id)  # the customer's own dealer works it while it holds it
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-bj", reason="客户在北京")
    with pytest.raises(PermissionDenied) as refused:
        desk.add_fault_record(pudong, ticket_id, symptom="keeps_flushing", cause="flush_valve_worn",
                              action="replace_flush_valve")  # fmt: skip
    assert refused.value.rule == "job_passed_on"
    with pytest.raises(PermissionDenied) as refused:
        desk.resolve(pudong, ticket_id, summary="已修好")
    assert refused.value.rule == "job_passed_on"
    assert desk.ticket(pudong, ticket_id).state == TicketState.IN_PROGRESS.value  # it still reads the job
    desk.add_fault_record(chaoyang, ticket_id, symptom="keeps_flushing", cause="flush_valve_worn",
                          action="replace_flush_valve")  # fmt: skip
    # s39t: given to Chaoyang's own engineer, the job is Chaoyang's to work (holds_job), so Chaoyang reads
    # it too (it was NotFound for the dealer allowed to change it); Pudong reads it and is refused writes.
    desk.register_engineer(world.manager, _CHAOYANG_FITTER)
    desk.dispatch(world.agent, ticket_id, engineer_id="eng-dealer-bj", reason="朝阳师傅上门")
    assert desk.ticket(chaoyang, ticket_id).state == TicketState.IN_PROGRESS.value
    with pytest.raises(PermissionDenied) as refused:
        desk.resolve(pudong, ticket_id, summary="已修好")
    assert refused.value.rule == "job_passed_on"
    assert desk.ticket(pudong, ticket_id).state == TicketState.IN_PROGRESS.value
    desk.resolve(chaoyang, ticket_id, summary="更换冲水阀")
    assert desk.ticket(chaoyang, ticket_id).state == TicketState.RESOLVED.value
