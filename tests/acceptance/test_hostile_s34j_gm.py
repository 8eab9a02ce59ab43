"""Hostile attacks on the general manager's instruction (seed 004 第八条 2(4)), session 34 j against s34 f.

Broke (fails on the old code): the general manager who is also the after-sales manager (one person, one
``Actor`` holding both roles: ``Actor.manager(...).with_roles(Role.GENERAL_MANAGER)``) recorded the
referral's decision; the event names the person in the role the command ran under — the manager, his
primary role — and the gate looked for an event by the ``general_manager`` role only: his instruction did
not count, the centre's agreement of it was refused (``major_awaits_gm_instruction``) and nobody could go
on. The instruction is his as the general manager whatever role his event is recorded under: the decision
(``decide``) is recorded only by the general manager on such a complaint (anyone else is refused), so it is
his instruction; a solution he proposes or revises counts when recorded in the general manager's role.

Held (kept as tests): the reopen after the general manager decided asks again (a test of s34 f covers it);
a referral while no general manager is listed in the staff directory still refers (the referral is
recorded and escalated to whoever can be reached), and the decision waits for one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import Role
from aftersales.errors import PermissionDenied
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _major(desk: ServiceDesk, w: World) -> str:
    cid = desk.complaints.open_complaint(
        w.agent, w.cust_zh.id, "同一小区多户马桶漏水, 业主群已在讨论"
    ).ticket.id
    desk.complaints.investigate(w.manager, cid)
    desk.complaints.classify(w.manager, cid, major_by_judgement="有重要影响: 整个小区的业主都在关注")
    return cid


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_general_manager_who_is_also_the_manager_gives_an_instruction_that_counts(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack="service_centre") as (desk, _clock, w):
        boss = Actor.manager("boss-1", name="兼任总经理").with_roles(Role.GENERAL_MANAGER)
        cid = _major(desk, w)
        desk.complaints.refer_to_general_manager(w.manager, cid, question="是否为全小区免费更换阀门?")
        desk.complaints.record_gm_decision(boss, cid, decision="全小区免费更换阀门")
        desk.complaints.agree_solution(w.manager, cid)  # the centre arranges the handling on his instruction
        assert desk.ticket(w.manager, cid).state == "implementing"


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_manager_alone_still_cannot_instruct(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="service_centre") as (desk, _clock, w):
        cid = _major(desk, w)
        desk.complaints.propose_solution(w.general_manager, cid, solution="全小区免费更换阀门")
        desk.complaints.agree_solution(w.manager, cid)
        # A manager's own proposal in a new cycle is not the general manager's instruction.
        desk.complaints.give_feedback(w.manager, cid, outcome="已更换")
        desk.complaints.reopen(w.manager, cid, reason="问题复发")
        with pytest.raises(PermissionDenied) as refused:
            desk.complaints.propose_solution(w.manager, cid, solution="再换一次")
        assert refused.value.rule == "major_awaits_gm_instruction"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_referral_while_no_general_manager_is_listed_is_recorded_and_waits(
    backend: str, tmp_path: Path
) -> None:
    staff = {role: contacts for role, contacts in STAFF.items() if role is not Role.GENERAL_MANAGER}
    w = make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="service_centre", clock=ManualClock(START), staff=staff) as desk,
    ):
        register(desk, w)
        cid = _major(desk, w)
        desk.complaints.refer_to_general_manager(w.manager, cid, question="是否为全小区免费更换阀门?")
        assert desk.ticket(w.manager, cid).state == "awaiting_decision"
        with pytest.raises(PermissionDenied) as refused:  # nobody but the general manager instructs
            desk.complaints.record_gm_decision(w.manager, cid, decision="我来定")
        assert refused.value.rule == "major_awaits_gm_instruction"
        desk.complaints.record_gm_decision(w.general_manager, cid, decision="全小区免费更换阀门")
        desk.complaints.agree_solution(w.manager, cid)
        assert desk.ticket(w.manager, cid).state == "implementing"
