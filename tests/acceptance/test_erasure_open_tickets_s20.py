# mypy: disable-error-code="arg-type"
"""An erasure and the person's tickets still being worked (PIPL art. 47; seed 002 叫修处理流程).

An erased customer's open ticket stayed open: it sat in the queues under "[erased]", its SLA clock ran
on and the sweep announced its breaches, the engineer it was dispatched to still counted it and went
to an address that no longer exists. The erasure now refuses while such tickets exist
(:class:`OpenTicketsBlockErasure` naming them, nothing changed), unless the caller asks them
cancelled in the same command (``cancel_open_tickets=True``: reason ``customer_erased``, the SLA
clocks stopped). A ticket whose work is done (resolved, accepted) does not hold the erasure. Memory,
SQLite and PostgreSQL answer alike.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.domain.classification import Plan, Severity
from aftersales.domain.erasure import ERASED
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import AlreadyErased, OpenTicketsBlockErasure
from aftersales.i18n.errors import render_error
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

DPO = Actor.privacy_officer("dpo-s20")
BACKENDS = ["memory", "sqlite", "postgres"]


def _dispatched(desk: ServiceDesk, world: World, text: str) -> str:
    ticket_id = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description=text).ticket.id
    desk.triage(world.agent, ticket_id, nature="paper_jam", severity=Severity.HIGH, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_junior.id)
    return ticket_id


def _load(desk: ServiceDesk, world: World) -> int:
    loads = {load.engineer_id: load for load in desk.engineer_loads(world.manager)}
    return loads[world.eng_junior.id].open


@pytest.mark.parametrize("backend", BACKENDS)
def test_open_tickets_refuse_the_erasure_by_name_and_nothing_changes(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, world):
        second = _dispatched(desk, world, "复印机卡纸")
        first = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="不出纸").ticket.id
        with pytest.raises(OpenTicketsBlockErasure) as refused:
            desk.privacy.erase_customer(DPO, world.cust_zh.id, "the customer asked")
        assert refused.value.customer_id == world.cust_zh.id
        assert refused.value.ticket_ids == tuple(sorted([first, second]))
        assert second in render_error(refused.value, "zh_Hans")
        assert "open_tickets_block_erasure" not in render_error(refused.value, "en")
        assert desk.ticket(world.auditor, second).state == TicketState.ASSIGNED
        assert desk.ticket(world.auditor, first).description == "不出纸"
        assert desk.privacy.erasures(DPO, world.cust_zh.id) == []
        assert world.cust_zh.name in desk.privacy.export_customer(DPO, world.cust_zh.id)


@pytest.mark.parametrize("backend", BACKENDS)
def test_asked_to_the_erasure_cancels_them_and_the_sla_sweep_and_the_engineer_forget_them(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, world):
        ticket_id = _dispatched(desk, world, "复印机卡纸")
        assert _load(desk, world) == 1
        clock.advance(timedelta(minutes=5))

        record = desk.privacy.erase_customer(
            DPO, world.cust_zh.id, "the customer asked", cancel_open_tickets=True
        )

        assert record.cancelled == 1 and record.tickets == 1
        ticket = desk.ticket(world.auditor, ticket_id)
        assert ticket.state == TicketState.CANCELLED and ticket.description == ERASED
        last = ticket.events[-1]
        assert (last.action, last.reason, last.actor) == ("cancel", "customer_erased", DPO.ref)
        assert _load(desk, world) == 0
        clock.advance(timedelta(days=10))  # far past every due time of a high-priority visit
        report = desk.run_due_jobs()
        assert report.counts["sla_sweep"] == 0
        with desk.store() as uow:
            waiting = [m for m in uow.outbox.pending(10_000) if m.topic != "ticket_event"]
        assert [
            m.id for m in waiting if ticket_id in str(m.payload) and m.created_at > record.erased_at
        ] == []
        with pytest.raises(AlreadyErased):
            desk.privacy.erase_customer(DPO, world.cust_zh.id, "asked again", cancel_open_tickets=True)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_ticket_whose_work_is_done_does_not_hold_the_erasure(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, world):
        ticket_id = _dispatched(desk, world, "复印机卡纸")
        # Expedited: a senior engineer steps in before it is resolved (seed 003 二 3, session 33).
        desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_senior.id, reason="资深工程师介入")
        desk.start_work(world.senior, ticket_id)
        desk.add_fault_record(
            world.senior, ticket_id, symptom="paper_jam", cause="worn_roller", action="replace"
        )
        clock.advance(timedelta(hours=1))
        desk.resolve(world.senior, ticket_id, summary="换了搓纸轮")

        record = desk.privacy.erase_customer(DPO, world.cust_zh.id, "the customer asked")

        # Not cancelled (the work was done); since session 22 closed unaccepted, as nobody may be asked
        # for the acceptance any more (test_erasure_resolved_s22).
        assert record.cancelled == 0 and record.closed == 1
        ticket = desk.ticket(world.auditor, ticket_id)
        assert (ticket.state, ticket.events[-1].action) == (TicketState.CLOSED, "close_unaccepted")
