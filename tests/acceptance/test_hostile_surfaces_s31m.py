"""Session 31 m: this morning's surfaces attacked with wrong actors, wrong order and repeats.

Each test here failed on the library as it was merged and passes with its fix. On memory, SQLite and
PostgreSQL (skipped without ``AFTERSALES_PG_DSN``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from test_seed002_money import story
from test_seed002_readings_s24 import SH, _call, host
from test_seed002_unused_paid_part_s31e import _sent_back_unused

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import Role
from aftersales.domain.contact import Contact
from aftersales.domain.money import Money
from aftersales.domain.technical_support import SupportState
from aftersales.errors import PermissionDenied, PolicyError, ValidationError
from aftersales.reports.money import month_money
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

__all__ = ["host", "story"]

Host = tuple[ServiceDesk, ManualClock, World]


def test_an_engineer_who_left_neither_answers_nor_reads_the_makers_technical_support(host: Host) -> None:
    # Seed 002 分工 2, 5 (甲方免费向乙方提供技术支持服务): the maker's own staff answer. An engineer whose
    # departure is recorded is not the maker's staff any more; once erased, an answer signed by them
    # would put a new record under their id.
    desk, clock, world = host
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=SH))
    support = desk.dealer_support
    asked = support.ask(
        world.dealer_sh_staff, _call(desk, world), topic="flush_valve_fitting", question="怎么调？"
    )
    desk.staff_records.record_departure(world.manager, world.junior.id, date(2026, 3, 2), reason="合同到期")
    for attempt in (
        lambda: support.answer(world.junior, asked.id, answer="调浮球", medium="phone"),
        lambda: support.requests(world.junior),
    ):
        with pytest.raises(PermissionDenied) as left:
            attempt()
        assert left.value.rule == "not_the_makers_staff"
    desk.master_data.deactivate_engineer(world.manager, world.junior.id, reason="离职")
    desk.staff_records.erase_staff(Actor.privacy_officer("dpo"), world.junior.id, "left the company")
    with pytest.raises(PermissionDenied) as erased:
        support.answer(world.junior, asked.id, answer="调浮球", medium="phone")
    assert erased.value.rule == "not_the_makers_staff"
    (still,) = support.requests(world.manager)
    assert (still.state, still.answer, still.answered_by) == (SupportState.ASKED, "", None)
    # A colleague still with the maker answers it.
    assert (
        support.answer(world.senior, asked.id, answer="调浮球", medium="phone").state is SupportState.ANSWERED
    )


def test_the_credit_slip_of_a_refund_is_not_cancelled_and_the_slip_it_credits_stays(story: Host) -> None:
    # Seed 002 其他 2-3 (售后服务销售收入的统计表为收费材料的清单; 相关费用及时与用户协商解决): the paid valve
    # sent back unused was paid back on a credit slip. Cancelling that credit slip took the refund out of
    # the month's income while the quote kept the money as paid back and the valve stayed in stock, and
    # then let the purchase slip it credited be cancelled too (its "refunded: stays" rule undone).
    desk, clock, world = story
    ticket_id, _request_id, return_id = _sent_back_unused(desk, clock, world)
    credit = desk.materials.refund_unused_part(
        world.manager, return_id, reason="维修未使用，原包装退回"
    ).credit
    assert credit.credits_slip is not None
    for slip_id in (credit.id, credit.credits_slip):
        with pytest.raises(PolicyError) as refused:
            desk.fees.cancel_slip(world.manager, slip_id, "录错了")
        assert refused.value.code == ("credit_slip_stays" if slip_id == credit.id else "slip_refunded")
    assert [s.is_active for s in desk.fees.slips_of(world.manager, ticket_id)] == [True, True]
    with desk.store() as uow:
        assert month_money(uow.documents, "2026-03").income == Money("0.00", "CNY")


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_complaint_is_not_designated_to_someone_who_left(backend: str, tmp_path: Path) -> None:
    # Seed 003 二 5 (由指定人员负责跟进, 事事有回音): the designated person follows the complaint up. One
    # whose departure is recorded follows nothing up: the designation was accepted, and the complaint
    # left with nobody to follow it.
    staff = {**STAFF, "agent:agent-9": [Contact("客服小九", email="nine@venus.example")]}
    clock, w = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=staff) as desk,  # type: ignore[arg-type]
    ):
        register(desk, w)
        first = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "态度生硬").ticket.id
        second = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "未按时上门").ticket.id
        desk.complaints.assign_handler(w.manager, first, handler_id="agent-9")  # still with the company
        left_on = clock.now().date()
        clock.advance(timedelta(days=2))
        desk.staff_records.record_departure(w.manager, "agent-9", left_on, reason="辞职")
        before = len(desk.ticket(w.manager, second).events)
        with pytest.raises(ValidationError) as left:
            desk.complaints.assign_handler(w.manager, second, handler_id="agent-9", role=Role.AGENT)
        assert left.value.field == "handler_id"
        assert len(desk.ticket(w.manager, second).events) == before
        # handed on to a colleague still here
        desk.complaints.assign_handler(w.manager, first, handler_id="agent-2", reason="小九离职")


def test_a_question_blanked_by_the_customers_erasure_is_not_answered_in_clear_afterwards(host: Host) -> None:
    # Seed 002 分工 2, 5 with the customer's erasure: the dealer wrote the question from the visit, and the
    # erasure blanks the question and the answer. A request still waiting was answered afterwards with the
    # person's name in clear, kept (and sent to the dealer) where no erasure looks again.
    desk, clock, world = host
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=SH))
    support = desk.dealer_support
    asked = support.ask(
        world.dealer_sh_staff, _call(desk, world), topic="flush_valve_fitting", question="张伟家水箱"
    )
    desk.privacy.erase_customer(
        Actor.privacy_officer("dpo-1"), "cust-zh", "PIPL art. 47", cancel_open_tickets=True
    )
    with pytest.raises(PolicyError) as erased:
        support.answer(world.junior, asked.id, answer="请张伟先生关闭角阀", medium="phone")
    assert erased.value.code == "support_erased"
    (kept,) = support.requests(world.manager)
    assert (kept.state, kept.question, kept.answer) == (SupportState.ASKED, "[erased]", "")
