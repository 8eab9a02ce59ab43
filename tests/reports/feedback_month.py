"""A service centre's March with the customers' own words in it, for the monthly feedback's pages.

A complaint handled in February is called back on 2 March: the customer says the repairer was not polite
and, asked 是否有其它不满意的地方, writes markup and a URL with no break in it; their comment is a long
Chinese sentence on two lines. A letter received on 27 February is registered on 3 March (late). May has
nothing.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer, CustomerTier
from aftersales.domain.surveys import CallbackChecklist
from aftersales.reports import MonthlyFeedback, monthly_feedback
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

SH = ZoneInfo("Asia/Shanghai")
LOCALES = ("zh_Hans", "zh_Hant", "en")
MONTHS = ("2026-03", "2026-05")
AGENT, MANAGER, GM = Actor.agent("agent-1"), Actor.manager("mgr-1"), Actor.general_manager("gm-1")
MARKUP = "<script>window.__owned = 1</script><img src=x onerror='window.__owned = 2'>"
URL = "http://example.com/" + "a" * 100
LINK = "[点此](javascript:alert(1)) *急* | `x`"
COMMENT_LINES = ("热水器" + "漏水严重师傅态度很差" * 40, f"再说一遍：{LINK}")
COMMENT = "\n".join(COMMENT_LINES)


def _at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SH)


def feedback_months() -> dict[str, MonthlyFeedback]:
    """March's and May's feedback, read by the general manager."""
    clock = ManualClock(_at(2, 24, 10))
    with ServiceDesk.open("memory://", pack="service_centre", clock=clock) as desk:
        for cid, name in (("c-1", "张伟"), ("c-2", "李娜")):
            contact = Contact(name, phone="13912345678")
            desk.register_customer(MANAGER, Customer(CustomerId(cid), name, contact, CustomerTier.REGULAR))
        complaint = desk.complaints.open_complaint(AGENT, "c-1", "热水器漏水").ticket.id
        desk.complaints.investigate(MANAGER, complaint)
        desk.complaints.propose_solution(MANAGER, complaint, solution="上门更换整机")
        desk.complaints.agree_solution(MANAGER, complaint)
        desk.complaints.give_feedback(MANAGER, complaint, outcome="已更换整机")
        clock.set(_at(3, 2, 10))
        said = CallbackChecklist(product_works=True, polite=False, other_complaints=f"{MARKUP} {URL}")
        desk.callbacks.record(
            AGENT, complaint, checklist=said, problem_back=False, satisfaction=5, comment=COMMENT
        )
        desk.complaints.open_complaint(AGENT, "c-2", "来信投诉", received_at=_at(2, 27, 10))
        queries = reporting_for(desk.store)
        return {month: monthly_feedback(desk, GM, queries, month) for month in MONTHS}
