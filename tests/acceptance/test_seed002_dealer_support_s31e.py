"""Seed 002 售后服务分工与合作 2 and 5: the maker's free technical support to a dealer on its job.

甲方免费向乙方提供技术支持服务; 对于乙方在安装调试过程中碰到的问题，甲方免费提供技术支持服务; and the
dealer archive (用户档案建立与管理: 该地区叫修、回访及培训的情况…以及该地区需加强某方面的支持). Through the
ServiceDesk on memory, SQLite and PostgreSQL: the Shanghai dealer asks on its repair and installation
jobs, the maker's engineer answers (free, the dealer told), the dealer's archive lists the requests and
the topics asked most; another dealer, a dealer's own engineer, or a job not the dealer's is refused.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from test_seed002_readings_s24 import SH, _call, host

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Category
from aftersales.domain.technical_support import SupportMedium, SupportState
from aftersales.errors import NotFound, PermissionDenied, PolicyError, ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["host"]

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 4, 1)}


def _installation(desk: ServiceDesk, world: World) -> str:
    opened = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="新马桶安装", category=Category.INSTALLATION
    )
    return opened.ticket.id


def test_a_dealer_asks_on_its_jobs_the_maker_answers_free_and_the_archive_shows_it(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=SH))
    repair = _call(desk, world)
    installation = _installation(desk, world)
    staff = world.dealer_sh_staff
    support = desk.dealer_support
    asked = support.ask(staff, repair, topic="flush_valve_fitting", question="换了冲水阀仍一直冲水，怎么调？")
    again = support.ask(
        staff, repair, topic="flush_valve_fitting", question="换了冲水阀仍一直冲水，怎么调？",
        idempotency_key="k1",
    )  # fmt: skip
    assert support.ask(
        staff, repair, topic="flush_valve_fitting", question="换了冲水阀仍一直冲水，怎么调？",
        idempotency_key="k1",
    ).id == again.id  # fmt: skip
    wall = support.ask(staff, installation, topic="wall_mounting", question="挂墙式水箱的预埋高度？")
    assert (asked.dealer_id, asked.job, asked.state, asked.charged) == (
        "dealer-sh",
        "repair",
        SupportState.ASKED,
        False,
    )
    assert wall.job == "installation"
    clock.set(datetime(2026, 3, 3, 11, 0, tzinfo=SH))
    answered = support.answer(world.junior, asked.id, answer="调浮球高度至水位线下 2 cm", medium="phone")
    assert (answered.state, answered.medium, answered.answered_by) == (
        SupportState.ANSWERED, SupportMedium.PHONE, world.junior.ref,
    )  # fmt: skip
    assert [r.code for r in answered.reasons] == ["technical_support_free"]
    # Free: no fee slip on the job, nothing charged.
    assert desk.fees.slips_of(world.manager, repair) == []
    desk.deliver()
    notifier = desk.context.notifier
    assert isinstance(notifier, MemoryNotifier)
    told = [m for m in notifier.sent if "technical_support_answered" in m.idempotency_key]
    assert len(told) == 1 and asked.id in told[0].subject and "调浮球高度" in told[0].body
    # The topic in words, not the code inside Chinese text (session 37).
    assert "（冲水阀安装）" in told[0].body and "flush_valve_fitting" not in told[0].body
    with pytest.raises(PolicyError) as twice:
        support.answer(world.manager, asked.id, answer="再说一遍", medium="written")
    assert twice.value.code == "support_answered"
    # The dealer's archive: three requests in March, the topic asked most first.
    archive = desk.archives.dealer_archive(staff, "dealer-sh", **MARCH)
    assert [r.id for r in archive.technical_support] == [asked.id, again.id, wall.id]
    assert (archive.periods[0].support_requests, archive.total.support_requests) == (3, 3)
    assert archive.support_topics == (("flush_valve_fitting", 2), ("wall_mounting", 1))
    assert desk.archives.dealer_archive(world.manager, "dealer-bj", **MARCH).technical_support == ()
    # Waiting for an answer: what the maker's staff read; the dealer reads its own.
    assert [r.id for r in support.requests(world.senior, state="asked")] == [again.id, wall.id]
    assert len(support.requests(staff, dealer_id="dealer-sh")) == 3


def test_support_is_the_dealers_own_job_answered_by_the_makers_staff(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=SH))
    repair = _call(desk, world)
    support = desk.dealer_support
    question = {"topic": "flush_valve_fitting", "question": "怎么调？"}
    with pytest.raises(NotFound):  # the Beijing dealer does not see a Shanghai job
        support.ask(world.dealer_bj_staff, repair, **question)
    with pytest.raises(PermissionDenied):  # customers ask through their tickets, not the maker's support
        support.ask(world.customer_zh, repair, **question)
    with pytest.raises(ValidationError) as topic:
        support.ask(world.dealer_sh_staff, repair, topic="Flush Valve", question="?")
    assert topic.value.field == "topic"
    with pytest.raises(ValidationError) as blank:
        support.ask(world.dealer_sh_staff, repair, topic="flush_valve_fitting", question="  ")
    assert blank.value.field == "question"
    own = desk.open_ticket(
        world.agent, customer_id="cust-en", description="咨询保养", category=Category.INQUIRY
    )
    with pytest.raises(ValidationError) as inquiry:
        support.ask(world.manager, own.ticket.id, **question)
    assert inquiry.value.field == "ticket_id"
    assert support.requests(world.manager) == []
    asked = support.ask(world.agent, repair, **question)  # the office takes the dealer's call
    assert asked.dealer_id == "dealer-sh"
    dealers_fitter = Actor.engineer(world.eng_dealer.id, world.eng_dealer.name)
    with pytest.raises(PermissionDenied) as fitter:
        support.answer(dealers_fitter, asked.id, answer="我来", medium="on_site")
    assert fitter.value.rule == "not_the_makers_staff"
    with pytest.raises(PermissionDenied):
        support.answer(world.dealer_sh_staff, asked.id, answer="自己答", medium="phone")
    with pytest.raises(ValidationError) as medium:
        support.answer(world.junior, asked.id, answer="上门看看", medium="pigeon")
    assert medium.value.field == "medium"
    with pytest.raises(PermissionDenied):
        support.requests(world.dealer_bj_staff, dealer_id="dealer-sh")
    with pytest.raises(PermissionDenied):
        support.requests(world.dealer_sh_staff)
    assert [r.state for r in support.requests(world.manager)] == [SupportState.ASKED]
    answered = support.answer(world.junior, asked.id, answer="派技术员上门指导", medium="on_site")
    assert answered.medium is SupportMedium.ON_SITE


def test_a_cancelled_job_gets_no_support(host: tuple[ServiceDesk, ManualClock, World]) -> None:
    desk, clock, world = host
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=SH))
    repair = _call(desk, world)
    desk.cancel(world.agent, repair, reason="客户已自行修好")
    with pytest.raises(PolicyError) as cancelled:
        desk.dealer_support.ask(world.dealer_sh_staff, repair, topic="flush_valve_fitting", question="?")
    assert cancelled.value.code == "ticket_cancelled"
    assert desk.dealer_support.requests(world.manager) == []


def test_a_customers_erasure_blanks_the_support_asked_about_their_job(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # The dealer wrote the question from the visit ("张伟家…"): the person's words go with them; the request,
    # its topic and its answer's medium stay in the dealer's record (its archive still counts it).
    desk, clock, world = host
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=SH))
    repair = _call(desk, world)
    support = desk.dealer_support
    asked = support.ask(
        world.dealer_sh_staff, repair, topic="flush_valve_fitting", question="张伟家水箱一直冲水"
    )
    support.answer(world.junior, asked.id, answer="请张伟先生关闭角阀后调浮球", medium="phone")
    desk.privacy.erase_customer(
        Actor.privacy_officer("dpo-1"), "cust-zh", "PIPL art. 47", cancel_open_tickets=True
    )
    (kept,) = support.requests(world.manager)
    assert (kept.id, kept.topic, kept.medium, kept.question, kept.answer) == (
        asked.id, "flush_valve_fitting", SupportMedium.PHONE, "[erased]", "[erased]",
    )  # fmt: skip
    assert desk.archives.dealer_archive(world.manager, "dealer-sh", **MARCH).total.support_requests == 1
