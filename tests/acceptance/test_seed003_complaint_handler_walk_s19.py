"""A complaint followed up by a designated person (seed 003 完善售后问题的闭环管理 · 投诉处理).

对于客户投诉,设立专门的投诉处理流程,由指定人员负责跟进,确保"事事有回音,件件有着落",并在规定时限内给出解决方案.
Before, a complaint's handler was whoever started the investigation: nobody could designate one, and any
agent could take any step of a complaint someone else was following. Now a head designates the handler
(``desk.complaints.assign_handler``); the complaint file and the complaint log name them; the follow-up
steps are theirs (another agent is refused, a head may step in without taking it over); handing it on
needs a reason. Office-equipment pack, on memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales.domain.actors import Role
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
DESIGNATED = Actor.agent("agent-2", "客服小王")
OTHER_AGENT = Actor.agent("agent-3", "客服小赵")


@pytest.fixture(params=BACKENDS)
def office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, World]]:
    with world_desk(request.param, tmp_path, pack="office_equipment") as (desk, _clock, world):
        yield desk, world


def _complaint(desk: ServiceDesk, world: World) -> str:
    return desk.complaints.open_complaint(world.agent, "cust-zh", "工程师上门迟到两小时且未告知").ticket.id


def test_a_head_designates_the_handler_who_then_follows_the_complaint_through(
    office: tuple[ServiceDesk, World],
) -> None:
    desk, world = office
    cid = _complaint(desk, world)
    assigned = desk.complaints.assign_handler(world.manager, cid, handler_id="agent-2")
    step = assigned.events[-1]
    assert (step.action, step.payload["handler"], step.payload["previous"]) == (
        "assign_handler",
        "agent:agent-2",
        None,
    )
    assert str(desk.complaints.complaint_file(world.manager, cid).handler) == "agent:agent-2"
    # The designated agent follows it through to the end; the log names them as the handler.
    desk.complaints.investigate(DESIGNATED, cid)
    desk.complaints.propose_solution(DESIGNATED, cid, solution="致歉，并免费上门保养一次")
    desk.complaints.agree_solution(world.customer_zh, cid)
    desk.complaints.give_feedback(DESIGNATED, cid, outcome="客户接受致歉与免费保养")
    desk.complaints.review(
        DESIGNATED, cid, root_cause="late_dispatch", improvement="派工时同步告知预计到达时间"
    )
    assert desk.complaints.close(DESIGNATED, cid).ticket.state == "closed"
    (entry,) = [e for e in desk.complaints.complaint_log(world.manager) if e.complaint_id == cid]
    assert entry.handler == "agent:agent-2"


def test_another_agent_may_not_take_the_designated_handlers_steps(office: tuple[ServiceDesk, World]) -> None:
    desk, world = office
    cid = _complaint(desk, world)
    desk.complaints.assign_handler(world.manager, cid, handler_id="agent-2")
    before = len(desk.ticket(world.manager, cid).events)
    with pytest.raises(PermissionDenied):
        desk.complaints.investigate(OTHER_AGENT, cid)
    desk.complaints.investigate(DESIGNATED, cid)
    with pytest.raises(PermissionDenied):
        desk.complaints.propose_solution(OTHER_AGENT, cid, solution="换一个工程师")
    view = desk.ticket(world.manager, cid)
    assert view.state == "investigating" and len(view.events) == before + 1  # only the handler's step
    # Talking to the customer is not the handler's alone: a colleague on the next shift logs the call.
    desk.contact_customer(OTHER_AGENT, cid, note="客户来电询问进度，已告知专人跟进")


def test_a_head_steps_in_without_taking_the_complaint_over(office: tuple[ServiceDesk, World]) -> None:
    desk, world = office
    cid = _complaint(desk, world)
    desk.complaints.assign_handler(world.manager, cid, handler_id="agent-2")
    desk.complaints.investigate(world.department_head, cid)
    assert str(desk.complaints.complaint_file(world.manager, cid).handler) == "agent:agent-2"
    desk.complaints.propose_solution(DESIGNATED, cid, solution="致歉")


def test_without_a_designation_the_investigator_handles_it_as_before(
    office: tuple[ServiceDesk, World],
) -> None:
    desk, world = office
    cid = _complaint(desk, world)
    desk.complaints.investigate(world.agent, cid)
    assert str(desk.complaints.complaint_file(world.manager, cid).handler) == "agent:agent-1"
    desk.complaints.propose_solution(OTHER_AGENT, cid, solution="致歉")  # nobody designated: not refused


def test_handing_the_complaint_on_needs_a_reason_and_moves_the_follow_up(
    office: tuple[ServiceDesk, World],
) -> None:
    desk, world = office
    cid = _complaint(desk, world)
    desk.complaints.investigate(world.agent, cid)  # agent-1 handles it, undesignated
    with pytest.raises(ValidationError) as refused:
        desk.complaints.assign_handler(world.manager, cid, handler_id="agent-2")
    assert refused.value.field == "reason"
    handed = desk.complaints.assign_handler(
        world.manager, cid, handler_id="agent-2", reason="小李轮休，由小王跟进"
    )
    assert handed.events[-1].payload["previous"] == "agent:agent-1"
    assert handed.events[-1].reason == "小李轮休，由小王跟进"
    with pytest.raises(PermissionDenied):
        desk.complaints.propose_solution(world.agent, cid, solution="致歉")
    desk.complaints.propose_solution(DESIGNATED, cid, solution="致歉")


def test_who_may_designate_and_whom(office: tuple[ServiceDesk, World]) -> None:
    desk, world = office
    cid = _complaint(desk, world)
    for actor in (world.agent, world.junior, world.customer_zh, world.auditor, world.dealer_sh_staff):
        with pytest.raises((PermissionDenied, NotFound)):  # unseen is NotFound
            desk.complaints.assign_handler(actor, cid, handler_id="agent-2")
    with pytest.raises(ValidationError) as refused:
        desk.complaints.assign_handler(world.manager, cid, handler_id="eng-jr", role=Role.ENGINEER)
    assert refused.value.field == "role"
    desk.complaints.assign_handler(world.manager, cid, handler_id="agent-2")
    with pytest.raises(ValidationError) as again:
        desk.complaints.assign_handler(world.general_manager, cid, handler_id="agent-2")
    assert again.value.field == "handler_id"
    assert [e.action for e in desk.ticket(world.manager, cid).events].count("assign_handler") == 1
    # A head may be the designated handler too (a hard case the department head follows up).
    desk.complaints.assign_handler(
        world.general_manager, cid, handler_id="head-1", role=Role.DEPARTMENT_HEAD, reason="涉及多个部门"
    )
    with pytest.raises(PermissionDenied):
        desk.complaints.investigate(DESIGNATED, cid)
    desk.complaints.investigate(world.department_head, cid)
