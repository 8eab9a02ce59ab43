"""Seeds 000–002 walked by a peer tester (session 37, d), through the public API, on the real 2026 calendar.

* Seed 002 分工 1 (乙方负责所售产品的全过程服务) and 分工 6 (乙方接到用户的叫修(或者是甲方的电话通知)
  后…24小时之内): the job is the dealer's while its own fitter does it. Handing it to the fitter
  does not take it from the dealer, so the dealer's desk is not told "已改派他人，您无需再上门处理"; and
  when the maker's office takes it from the fitter for its own engineer, the dealer — whose job it
  was — is told so, not the fitter alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.fee_slips import InvoiceWish
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.money import Money
from aftersales.errors import ValidationError
from aftersales.i18n.errors import render_error
from aftersales.json import to_dict
from aftersales.policies.fees import DefaultFeesPolicy, FeesParams, PartPriceEntry
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
DEALER_PHONE = "13900000001"  # 陈店长, the Pudong dealer's service desk (zh_Hans)
FITTER_PHONE = "13600000001"  # 浦东师傅, the Pudong dealer's own fitter
JUNIOR_PHONE = "13700000001"  # 李工, the maker's own engineer
PART = "WN-CB-01"


def _sent(desk: ServiceDesk, address: str) -> list[str]:
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    return [m.subject + "\n" + m.body for m in notifier.to(address)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_002_1_the_job_stays_the_dealers_with_its_own_fitter_and_the_dealer_hears_when_it_is_taken(
    backend: str, tmp_path: Path
) -> None:
    """A leak called in on Wednesday 30 September 2026 at 16:00, the eve of National Day, passed to the
    Pudong dealer, who gives it to its own fitter at 16:30: the fitter is told to go, the dealer's desk is
    told nothing was taken from it. On 1 October (a holiday) the fitter cannot go and the office gives the
    job to its own engineer 李工: the fitter and the dealer are both told the job was given to someone else,
    with the office's reason."""
    with world_desk(backend, tmp_path, pack="sanitary_ware", notifier=MemoryNotifier()) as (desk, clock, w):
        clock.set(datetime(2026, 9, 30, 16, 0, tzinfo=SHANGHAI))
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="进水阀漏水", asset_id=w.asset.id
        ).ticket.id
        desk.triage(w.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(w.agent, tid, dealer_id=w.dealer_sh.id)
        before = len(_sent(desk, DEALER_PHONE))
        clock.advance(timedelta(minutes=30))
        desk.dispatch(w.dealer_sh_staff, tid, engineer_id=w.eng_dealer.id, reason="本店师傅上门")
        assert any("已派给您" in m for m in _sent(desk, FITTER_PHONE))
        assert not [m for m in _sent(desk, DEALER_PHONE)[before:] if "改派" in m]

        clock.set(datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI))
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id, reason="浦东师傅节日无法上门")
        assert any("已派给您" in m for m in _sent(desk, JUNIOR_PHONE))
        for address in (FITTER_PHONE, DEALER_PHONE):
            (taken,) = [m for m in _sent(desk, address) if "改派" in m]
            assert tid in taken and "原因：浦东师傅节日无法上门" in taken


FEES = DefaultFeesPolicy(
    FeesParams(currency="CNY", parts={PART: PartPriceEntry(cost="75.00", retail="120.00")})
)


def _fitter_keeps_a_free_valve(desk: ServiceDesk, clock: ManualClock, w: World) -> str:
    """An in-warranty repair on Thursday 3 September 2026 by the Pudong dealer's own fitter, its new valve
    lent to him free and fitted at 15:00: the old valve is due back by the end of Thursday 8 October (its
    30th day, 3 October, falls in National Day). Returns the ticket."""
    clock.set(datetime(2026, 9, 3, 9, 0, tzinfo=SHANGHAI))
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="马桶一直冲水", asset_id=w.asset.id
    ).ticket.id
    desk.triage(w.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_dealer.id)
    fitter = Actor.engineer(w.eng_dealer.id, w.eng_dealer.name)
    desk.start_work(fitter, tid)
    request = desk.materials.request(
        w.dealer_sh_staff, tid, party=PartyRef.engineer(w.eng_dealer.id),
        lines=[MaterialsLine(PART, 1)], urgent=True,
    )  # fmt: skip
    assert desk.materials.check(w.agent, request.id).chargeable is False
    desk.materials.approve(w.manager, request.id)
    desk.materials.pick(w.agent, request.id)
    desk.materials.ship(w.agent, request.id)
    clock.set(datetime(2026, 9, 3, 15, 0, tzinfo=SHANGHAI))
    desk.materials.receive(fitter, request.id)  # fitted at once: the old valve is out from today
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_002_return_1_the_dealer_answering_for_its_fitters_old_part_is_urged_before_the_deadline(
    backend: str, tmp_path: Path
) -> None:
    """退料 1 按《用户借料盘点表》中的内容督促用户在规定时间内退料. On Tuesday 6 October, three days
    before the fitter's old valve is due, the reminder goes out — to the fitter and to the dealer, who is
    charged for it if it stays out (the chargeback's slip is the dealer's, as its notice already said):
    before, the fitter alone was urged, and the dealer first heard of the part when it was charged."""
    with world_desk(
        backend, tmp_path, pack="sanitary_ware", notifier=MemoryNotifier(), overrides={"fees": FEES}
    ) as (desk, clock, w):
        _fitter_keeps_a_free_valve(desk, clock, w)
        clock.set(datetime(2026, 10, 5, 9, 0, tzinfo=SHANGHAI))  # four days before the deadline
        assert desk.materials.run_return_reminders(w.system) == ()
        clock.set(datetime(2026, 10, 6, 9, 0, tzinfo=SHANGHAI))
        (item,) = desk.materials.run_return_reminders(w.system)
        assert item.due_at == datetime(2026, 10, 9, 0, 0, tzinfo=SHANGHAI)
        for address in (FITTER_PHONE, DEALER_PHONE):
            (urged,) = [m for m in _sent(desk, address) if "请于" in m and PART in m]
            assert "2026年10月8日 24:00" in urged and "事实占有" in urged
        assert desk.materials.run_return_reminders(w.system) == ()  # once per line


@pytest.mark.parametrize("backend", BACKENDS)
def test_002_other_3_the_dealer_charged_for_a_kept_part_gets_it_on_its_collective_invoice(
    backend: str, tmp_path: Path
) -> None:
    """其他 3 (视为用户对该材料事实占有,盘点时开具《售后服务材料收费暨报销单》,转入售后服务销售收入统计表)
    with 工作程序 c) ② (不撕票存档,等用户需集中开发票时,再转至财务部开具发票): the fitter's valve still out on
    Friday 9 October is charged to the dealer at cost on a slip nobody asked an invoice for then; when the
    dealer asks for the invoice of its slips waiting, the kept valve is on it, made out to the dealer.
    Before, the slip was written as wanting no invoice ever: the dealer's collective invoice found
    nothing, and naming the slip was refused."""
    with world_desk(
        backend, tmp_path, pack="sanitary_ware", notifier=MemoryNotifier(), overrides={"fees": FEES}
    ) as (desk, clock, w):
        tid = _fitter_keeps_a_free_valve(desk, clock, w)
        clock.set(datetime(2026, 10, 9, 0, 1, tzinfo=SHANGHAI))
        (charged,) = desk.materials.run_overdue_chargebacks(w.system)
        (slip,) = desk.fees.slips_of(w.manager, tid)
        assert (slip.payer_kind, slip.payer_id, slip.total) == ("dealer", w.dealer_sh.id, charged.line.amount)
        assert slip.invoice_id is None  # nothing sent to finance unasked
        clock.set(datetime(2026, 10, 12, 10, 0, tzinfo=SHANGHAI))
        invoice = desk.fees.request_dealer_invoice(
            w.dealer_sh_staff, w.dealer_sh.id, title="上海浦东特约承销商"
        )
        assert invoice.slip_ids == (slip.id,) and invoice.total == Money("75.00", "CNY")
        assert (invoice.payer_kind, invoice.payer_id) == ("dealer", w.dealer_sh.id)
        assert desk.fees.slip(w.manager, slip.id).invoice_id == invoice.id


@pytest.mark.parametrize("backend", BACKENDS)
def test_002_work_c_an_invoice_title_given_for_a_later_invoice_is_refused_not_dropped(
    backend: str, tmp_path: Path
) -> None:
    """工作程序 c) ② 若用户该次不需开发票,则将《售后服务材料收费暨报销单》不撕票存档,等用户需集中开发票时,
    再转至财务部开具发票. The office writes a hand slip for a part sold on Monday 27 April 2026 (the week
    before May Day), archived for the customer's collective invoice, and types the invoice's title and tax
    number on it: a slip keeps neither, so they were dropped without a word and the invoice asked later
    carried neither. Now they are refused (naming the field), nothing is written; the title goes with the
    invoice when the customer asks for it."""
    with world_desk(backend, tmp_path, pack="sanitary_ware", overrides={"fees": FEES}) as (desk, clock, w):
        clock.set(datetime(2026, 4, 27, 10, 0, tzinfo=SHANGHAI))
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="想买一个进水阀", asset_id=w.asset.id
        ).ticket.id
        sold = ChargeLine(ChargeKind.MATERIALS, PART, Money("120.00", "CNY"), 1, True)
        for given in ({"invoice_title": "张伟"}, {"tax_id": "91310115MA1K000000"}):
            with pytest.raises(ValidationError) as refused:
                desk.fees.issue_slip(w.agent, tid, lines=[sold], invoice=InvoiceWish.LATER, **given)
            (field,) = given
            assert (refused.value.field, refused.value.rule) == (field, "invoice_details_unused")
            assert "发票" in render_error(refused.value, "zh_Hans")
        assert desk.fees.slips_of(w.manager, tid) == []
        slip = desk.fees.issue_slip(w.agent, tid, lines=[sold], invoice=InvoiceWish.LATER)
        clock.set(datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI))  # after the May Day holiday
        invoice = desk.fees.request_invoice(w.agent, w.cust_zh.id, title="张伟", tax_id="91310115MA1K000000")
        assert (invoice.slip_ids, invoice.title, invoice.tax_id) == ((slip.id,), "张伟", "91310115MA1K000000")


@pytest.mark.parametrize("backend", BACKENDS)
def test_002_call_flow_a_call_the_office_sends_on_site_at_once_is_not_said_to_be_guided_by_phone_first(
    backend: str, tmp_path: Path
) -> None:
    """叫修处理流程: 用户叫修记录 → 电话指导 → … → 是否需派人现场服务. Two repair calls on Monday 18 May 2026:
    one triaged without a plan follows the pack's phone-guidance-first rule, and its history says so; for
    the other the office judges at once that someone must go (是否需派人现场服务: 是) and plans the visit.
    Its plan is on site, so its history — what the customer reads too — does not explain it with "“维修”
    类问题优先远程指导": before, that reason was recorded beside the handler's on-site plan."""
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, clock, w):
        clock.set(datetime(2026, 5, 18, 9, 0, tzinfo=SHANGHAI))
        guided, visited = (
            desk.open_ticket(
                w.agent, customer_id=w.cust_zh.id, description=text, asset_id=w.asset.id
            ).ticket.id
            for text in ("冲水按钮不回弹", "进水管爆裂，水漫一地")
        )
        desk.triage(w.agent, guided, nature="leak", severity=Severity.MEDIUM)
        desk.triage(w.agent, visited, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)

        def triage_words(tid: str) -> tuple[Plan | None, list[str]]:
            view = desk.ticket(w.customer_zh, tid)
            (triage,) = [e for e in to_dict(view, locale="zh_Hans")["events"] if e["action"] == "triage"]
            assert view.assessment is not None
            return view.assessment.plan, triage["reasons"]

        plan, words = triage_words(guided)
        assert plan is Plan.REMOTE and "“维修”类问题优先远程指导" in words
        plan, words = triage_words(visited)
        assert plan is Plan.ON_SITE and not [r for r in words if "远程" in r]


@pytest.mark.parametrize("backend", BACKENDS)
def test_002_6_the_dealer_hears_its_fitters_special_case_and_the_job_called_off(
    backend: str, tmp_path: Path
) -> None:
    """分工 6 特殊情况不得超过48小时, with 分工 1: the special case is the dealer's (it is the one bound by
    the 24 hours), and the job its fitter holds is its job. A leak passed to the Pudong dealer on Friday
    25 September 2026 (the Mid-Autumn holiday) at 10:00 and given to its own fitter: the maker approves the
    special case at 14:00, and on Saturday the customer calls the job off. The dealer's desk is told both,
    beside the fitter; before, only the fitter was."""
    with world_desk(backend, tmp_path, pack="sanitary_ware", notifier=MemoryNotifier()) as (desk, clock, w):
        clock.set(datetime(2026, 9, 25, 10, 0, tzinfo=SHANGHAI))
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="进水阀漏水", asset_id=w.asset.id
        ).ticket.id
        desk.triage(w.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(w.agent, tid, dealer_id=w.dealer_sh.id)
        desk.dispatch(w.dealer_sh_staff, tid, engineer_id=w.eng_dealer.id, reason="本店师傅上门")
        clock.set(datetime(2026, 9, 25, 14, 0, tzinfo=SHANGHAI))
        desk.extend_sla(w.manager, tid, "resolution", timedelta(hours=48), "配件需从台州调货")
        clock.set(datetime(2026, 9, 26, 9, 0, tzinfo=SHANGHAI))
        desk.cancel(w.customer_zh, tid, reason="客户自行修好")
        for address in (FITTER_PHONE, DEALER_PHONE):
            told = _sent(desk, address)
            (extended,) = [m for m in told if "特殊情况已获批准" in m]
            assert "48 小时" in extended and "2026年9月27日 10:00" in extended
            (called_off,) = [m for m in told if "已取消" in m]
            assert tid in called_off and "客户自行修好" in called_off
