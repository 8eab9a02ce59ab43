"""A date, a start time or a cost a reason carries is in the reader's format, and a remedy is named in
words (session 29, e).

Why: a reason's parameters are atoms, so the code recording it wrote its date, instant or cost as text
("2026-03-05", "2026-03-09T09:00+08:00", "1200.00 CNY"), and the Chinese ledger read
"约定发货日期 2026-03-05", "待下一个工作时段（2026-03-09T09:00+08:00）处理",
"给予补救措施：compensation（成本 1200.00 CNY）".
Now the renderer formats those shapes in the locale (the instant at its own offset: the desk's zone when
it was recorded) and labels the remedy kind; other text is shown as it was given.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, EngineerId
from aftersales.domain.parties import Customer, CustomerTier, Engineer, EngineerLevel
from aftersales.domain.reasons import Reason
from aftersales.i18n.reasons import render_reason
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

SHOWN = {
    ("ship_on", "zh_Hans"): "约定发货日期 2026年3月5日",
    ("ship_on", "zh_Hant"): "約定出貨日期 2026年3月5日",
    ("ship_on", "en"): "shipping agreed for Mar 5, 2026",
    ("next_working_period", "zh_Hans"): "非工作时间：待下一个工作时段（2026年3月9日 09:00）处理",
    ("next_working_period", "en"):
        "outside working hours: waits for the next working period (Mar 9, 2026, 9:00\u202fAM)",
    ("remedy_granted", "zh_Hans"): "给予补救措施：赔偿（成本 ¥1,200.00）",
    ("remedy_granted", "zh_Hant"): "給予補救措施：賠償（成本 CN¥1,200.00）",
}  # fmt: skip
REASONS = {
    "ship_on": Reason("ship_on", {"date": "2026-03-05"}),
    "next_working_period": Reason("next_working_period", {"starts": "2026-03-09T09:00+08:00"}),
    "remedy_granted": Reason("remedy_granted", {"remedy": "compensation", "cost": "1200.00 CNY"}),
}


@pytest.mark.parametrize(("code", "locale"), sorted(SHOWN))
def test_a_reasons_date_instant_and_cost_are_in_the_readers_format(code: str, locale: str) -> None:
    assert render_reason(REASONS[code], locale) == SHOWN[(code, locale)]


def test_other_text_is_shown_as_given() -> None:
    for text in ("2026-13-45", "12 monkeys", "1200.00 XYZ", "SR-2026-000001", "2026-03-05 或之后"):
        shown = render_reason(Reason("ship_on", {"date": text}), "zh_Hans")
        assert shown == f"约定发货日期 {text}", text


def test_the_ledger_of_a_ticket_dispatched_at_night_reads_its_start_in_words() -> None:
    night = datetime(2026, 3, 7, 23, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Saturday
    manager, agent = Actor.manager("m1"), Actor.agent("a1")
    with ServiceDesk.open("memory://", pack="service_centre", clock=ManualClock(night)) as desk:
        contact = Contact("赵工", email="m2@example.cn", locale="zh_Hans")
        desk.register_engineer(
            manager, Engineer(EngineerId("m2"), "赵工", EngineerLevel.SENIOR, contact=contact)
        )
        contact = Contact("c", phone="13800000001", address="上海市浦东新区 2 号")
        desk.register_customer(manager, Customer(CustomerId("c2"), "王五", contact, CustomerTier.REGULAR))
        tid = desk.open_ticket(agent, customer_id="c2", description="水箱不出水").ticket.id
        desk.triage(agent, tid, nature="leak", severity=Severity.MEDIUM)
        desk.dispatch(agent, tid)
        said = [text for texts in desk.ticket(manager, tid).reasons("zh_Hans").values() for text in texts]
    assert "非工作时间：待下一个工作时段（2026年3月9日 09:00）处理" in said, said


@pytest.mark.parametrize(
    ("locale", "words"), [("zh_Hans", "“加热继电器缺陷”"), ("zh_Hant", "加熱"), ("en", "heater relay")]
)
def test_a_batch_incidents_shared_cause_is_named_in_words(locale: str, words: str) -> None:
    # The escalation notice of a batch incident read "同一问题“heater_relay_defect”" (session 29).
    reason = Reason(
        "batch_incident",
        {
            "batch": "B2026-01",
            "batch_size": 120,
            "affected": 8,
            "cause": "heater_relay_defect",
            "threshold": "5%",
        },
    )
    shown = render_reason(reason, locale)
    assert words in shown.lower() if locale == "en" else words in shown
    assert "heater_relay_defect" not in shown
