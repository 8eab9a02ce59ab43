"""The notification catalogue rendered in three locales and time zones."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.actors import Role
from aftersales.domain.classification import Category, Priority
from aftersales.domain.money import Money
from aftersales.domain.reasons import Reason
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.i18n import NOTIFICATION_KINDS, SUPPORTED_LOCALES, Renderer, Term, load_catalogs, render
from aftersales.i18n.catalog import MessageCatalog

AT = datetime(2024, 5, 1, 1, 30, tzinfo=ZoneInfo("UTC"))
RECEIVED = {"ticket_id": "T-0001", "received_at": AT, "response_due_at": AT + timedelta(hours=4)}

SAMPLES: dict[str, dict[str, object]] = {
    "ticket_received": RECEIVED,
    "ticket_assigned": {"ticket_id": "T-1", "assignee_name": "赵工"},
    "assigned": {
        "ticket_id": "T-1",
        "customer_name": "张三",
        "address": "上海市浦东新区",
        "category": Category.REPAIR,
        "priority": Priority.CRITICAL,
        "resolution_due_at": AT,
    },
    "visit_planned": {"ticket_id": "T-1", "engineer_name": "李四", "visit_at": AT},
    "parts_awaited": {"ticket_id": "T-1", "expected_at": AT},
    "progress_note": {"ticket_id": "T-1", "note": "备件已到，明天上门", "noted_at": AT},
    "resolved_please_confirm": {"ticket_id": "T-1", "resolved_at": AT},
    "rework_requested": {"ticket_id": "T-1", "reason": "夜里还会自己冲水"},
    "job_cancelled": {"ticket_id": "T-1", "reason": "客户自行修好"},
    "job_reassigned": {"ticket_id": "T-1", "reason": "李工请假, 改派王工"},
    "fitter_assigned": {
        "ticket_id": "T-1",
        "engineer_name": "浦东师傅",
        "category": Category.REPAIR,
        "priority": Priority.NORMAL,
        "resolution_due_at": AT,
    },
    "fitter_assigned_undated": {
        "ticket_id": "T-1",
        "engineer_name": "浦东师傅",
        "category": Category.REPAIR,
        "priority": Priority.NORMAL,
    },
    "assigned_undated": {
        "ticket_id": "T-1",
        "customer_name": "张三",
        "address": "上海市浦东新区",
        "category": Category.REPAIR,
        "priority": Priority.CRITICAL,
    },
    "assigned_unaddressed": {
        "ticket_id": "T-1",
        "customer_name": "张三",
        "category": Category.REPAIR,
        "priority": Priority.CRITICAL,
        "resolution_due_at": AT,
    },
    "assigned_undated_unaddressed": {
        "ticket_id": "T-1",
        "customer_name": "张三",
        "category": Category.REPAIR,
        "priority": Priority.CRITICAL,
    },
    "sla_extended": {
        "ticket_id": "T-1",
        "target": Term("sla_target.resolution"),
        "hours": 48,
        "due_at": AT,
        "reason": "配件需从台州发货",
    },
    "sla_extended_undated": {
        "ticket_id": "T-1",
        "target": Term("sla_target.resolution"),
        "hours": 48,
        "reason": "配件需从台州发货",
    },
    "sla_extended_customer": {"ticket_id": "T-1", "target": Term("sla_target.resolution"), "due_at": AT},
    "sla_extended_customer_undated": {
        "ticket_id": "T-1",
        "target": Term("sla_target.resolution"),
        "hours": 48,
    },
    "sla_warning": {
        "ticket_id": "T-1",
        "target": Term("sla_target.response"),
        "due_at": AT,
        "remaining": timedelta(minutes=30),
    },
    "sla_breach": {
        "ticket_id": "T-1",
        "target": Term("sla_target.resolution"),
        "due_at": AT,
        "overdue": timedelta(hours=3, minutes=20),
    },
    "complaint_registered": {**RECEIVED, "ticket_id": "C-1"},
    "ticket_received_late": {"ticket_id": "T-0001", "received_at": AT},
    "visit_arranged": {"ticket_id": "T-0001", "received_at": AT},
    "complaint_registered_late": {"ticket_id": "C-1", "received_at": AT},
    "complaint_continued": {"ticket_id": "C-1", "request_id": "T-0001", "received_at": AT},
    "complaint_continued_due": {
        "ticket_id": "C-1",
        "request_id": "T-0001",
        "received_at": AT,
        "response_due_at": AT,
    },
    "complaint_progress_note": {"ticket_id": "C-1", "note": "已联系厂家核实", "noted_at": AT},
    "complaint_sla_warning": {
        "ticket_id": "C-1",
        "target": Term("sla_target.response"),
        "due_at": AT,
        "remaining": timedelta(minutes=30),
    },
    "complaint_sla_breach": {
        "ticket_id": "C-1",
        "target": Term("sla_target.resolution"),
        "due_at": AT,
        "overdue": timedelta(hours=3),
    },
    "sla_breach_withdrawn": {
        "ticket_id": "T-1",
        "target": Term("sla_target.response"),
        "due_at": AT,
        "met_at": AT - timedelta(hours=2),
    },
    "complaint_sla_breach_withdrawn": {
        "ticket_id": "C-1",
        "target": Term("sla_target.response"),
        "due_at": AT,
        "met_at": AT - timedelta(hours=2),
    },
    "escalation": {"ticket_id": "T-1", "level": Role.DEPARTMENT_HEAD, "reason": Reason("production_stopped")},
    "callback_due": {"ticket_id": "T-1", "customer_name": "张三", "due_at": AT},
    "progress_update_due": {"ticket_id": "T-1", "customer_name": "张三", "heard_at": AT, "hours": 8},
    "complaint_progress_update_due": {
        "complaint_id": "C-1",
        "customer_name": "张三",
        "heard_at": AT,
        "hours": 8,
    },
    "complaint_escalated": {
        "complaint_id": "C-1",
        "customer_name": "张三",
        "reason": Reason("made_up", {"n": 1}),
        "escalated_at": AT,
    },
    "escalation_overdue": {
        "complaint_id": "C-1",
        "customer_name": "张三",
        "reason": Reason("made_up", {"n": 1}),
        "escalated_at": AT,
        "due_at": AT,
    },
    "batch_incident_escalated": {
        "incident_id": "QI-1",
        "product": "P-1",
        "batch": "B-40",
        "affected": 2,
        "batch_size": 40,
        "reason": Reason("made_up", {"n": 1}),
        "escalated_at": AT,
    },
    "complaint_assigned": {"complaint_id": "C-1", "customer_name": "张三", "assigned_by": "王经理"},
    "complaint_back": {"complaint_id": "C-1", "customer_name": "张三", "called_back_by": "客服小李"},
    "complaint_gm_decided": {"complaint_id": "C-1", "customer_name": "张三"},
    "complaint_reopened": {
        "complaint_id": "C-1",
        "customer_name": "张三",
        "reopened_by": "王经理",
        "reason": "客户再次来电",
    },
    "message_left": {"ticket_id": "T-1", "from": "客服小李", "text": "张先生来电，请回电 13800000000"},
    "monthly_feedback": {
        "month": "2026-03",
        "incidents": 1,
        "problems": 12,
        "complaints": 3,
        "major_complaints": 1,
        "callbacks": 40,
        "low_scores": 2,
        "grievances": 1,
        "units_sold": 250,
    },
    "complaint_received": {"ticket_id": "T-2", "received_at": AT},
    "complaint_crisis_stated": {
        "complaint_id": "T-2",
        "received_at": AT,
        "claim": Reason(
            "crisis_stated", {"crisis_problem": "personal_injury", "economic_loss": True, "recourse": None}
        ),
    },
    "complaint_outcome": {"ticket_id": "T-2", "resolved_at": AT, "outcome": "免费更换主板"},
    "calendar_provisional": {"official_until": date(2026, 12, 31), "days_left": 29},
    "calendar_data_missing": {"known_until": date(2027, 12, 31), "ticket_id": "T-1"},
    "sla_recomputed": {"tickets": 12, "official_until": date(2027, 12, 31)},
    "contract_expiring": {"contract_id": "HT-1", "holder": "张三", "ends_on": AT.date()},
    "part_charged_back": {
        "ticket_id": "T-1",
        "part": "WN-CB-01",
        "quantity": 1,
        "amount": Money("75.00", "CNY"),
        "due_at": AT,
        "fee_slip": "FS-1",
    },
    "kept_charge_refunded": {
        "ticket_id": "T-1",
        "part": "WN-CB-01",
        "quantity": 1,
        "amount": Money("75.00", "CNY"),
        "fee_slip": "FS-1",
        "credit_slip": "FS-2",
    },
    "part_return_due": {"part": "WN-CB-01", "quantity": 1, "due_at": AT},
    "technical_support_answered": {
        "support_id": "TS-2026-000001",
        "ticket_id": "T-1",
        "topic": "flush_valve_fitting",
        "answer": "先关闭角阀，再更换进水阀密封圈",
    },
    "survey_invitation": {"title": "2026-Q1", "link": "https://portal.example/s/1"},
    "survey_low_score": {
        "campaign_id": "2026-Q1",
        "task_id": "2026-Q1:c1",
        "customer_name": "张三",
        "score": 2,
        "attitude": 4,
        "below": 3,
        "comment": "上门太慢",
    },
    "callback_unsatisfied": {
        "ticket_id": "SR-2026-000001",
        "customer_name": "张三",
        "score": 3,
        "attitude": 4,
        "below": 4,
        "comment": "等了两天才修好",
    },
    "maintenance_overdue": {"count": 2, "oldest_due": AT.date(), "visits": "MP-u1:2026-03-05, MP-u2"},
    "remedy_visit_overdue": {"count": 1, "oldest_due": AT.date(), "visits": "T-7 (SR-9)"},
    "maintenance_visit_called_off": {"visit_id": "MP-u1:2026-03-05", "due_on": AT.date()},
    "complaint_referred": {"complaint_id": "SR-9", "outlet": "浦东特约网点", "note": "请上门核实"},
    "complaint_reply": {"complaint_id": "SR-9", "outlet": "浦东特约网点", "reply": "已更换密封圈"},
    "linked_ticket_resolved": {"complaint_id": "SR-9", "ticket_id": "T-1", "resolved_at": AT},
    "department_assigned": {"ticket_id": "T-1", "department": "工程部", "note": "协助调查"},
    "assessment_requested": {"ticket_id": "T-1", "category": Category.REPAIR, "note": "请判断是否需要上门"},
    "repair_point_designated": {
        "ticket_id": "T-1",
        "point_name": "浦东维修点",
        "address": "上海市浦东新区张江路 1 号",
        "opening_hours": "周一至周六 9:00-18:00",
        "phone": "021-5000 0000",
    },
    "ticket_followed": {
        "ticket_id": "T-1",
        "priority": Priority.CRITICAL,
        "step": Term("followed_step.ticket_received"),
        "at": AT,
        "response_due_at": AT + timedelta(minutes=30),
        "resolution_due_at": Term("value.none"),
    },
    # A complaint's twins of the staff's notices (s23 task g): the same values, a complaint's words.
    "complaint_escalation": {"ticket_id": "C-1", "level": Role.MANAGER, "reason": Reason("quote_refused")},
    "complaint_callback_due": {"ticket_id": "C-1", "customer_name": "张三", "due_at": AT},
    "complaint_rework_requested": {"ticket_id": "C-1", "reason": "还是漏水"},
    "complaint_cancelled": {"ticket_id": "C-1", "reason": "重复登记"},
    "complaint_closed_customer": {"ticket_id": "C-1", "reason": "客户已另行解决"},
    "complaint_closed_duplicate": {"ticket_id": "C-2", "duplicate_of": "C-1", "reason": "重复登记"},
    "complaint_message_left": {"ticket_id": "C-1", "from": "客服小李", "text": "张先生来电，请回电"},
    "complaint_followed": {
        "ticket_id": "C-1",
        "priority": Priority.EXPEDITED,
        "step": Term("followed_step.complaint_registered"),
        "at": AT,
        "response_due_at": AT + timedelta(hours=2),
        "resolution_due_at": Term("value.none"),
    },
}


def test_samples_cover_the_catalogue() -> None:
    assert SAMPLES.keys() == NOTIFICATION_KINDS.keys()


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize("kind", sorted(NOTIFICATION_KINDS))
def test_every_kind_renders_in_every_locale(kind: str, locale: str) -> None:
    subject, body = render(kind, locale, "Asia/Shanghai", SAMPLES[kind])
    assert subject and body
    assert "{" not in subject + body


def test_ticket_received_in_three_languages() -> None:
    assert render("ticket_received", "zh_CN", "Asia/Shanghai", RECEIVED) == (
        "我们已收到您的服务请求（工单 T-0001）",
        "您的服务请求已于 2024年5月1日 09:30 受理，工单号 T-0001。我们将在 2024年5月1日 13:30 前与您联系。"
        "如需咨询，请提供工单号。",
    )
    subject, body = render("ticket_received", "zh_HK", "Asia/Hong_Kong", RECEIVED)
    assert subject == "我們已收到您的服務請求（工單 T-0001）"
    assert "2024年5月1日 上午9:30" in body
    subject, body = render("ticket_received", "en_GB", "Europe/London", RECEIVED)
    assert subject == "We have received your request (ticket T-0001)"
    assert "registered on May 1, 2024, 2:30\u202fAM" in body


def test_values_are_formatted_by_type() -> None:
    _, body = render("sla_breach", "zh_Hans", "Asia/Shanghai", SAMPLES["sla_breach"])
    assert body == "工单 T-1 的解决时限已于 2024年5月1日 09:30 到期，已超时 3 小时 20 分钟。"
    subject, body = render("assigned", "en", "Asia/Shanghai", SAMPLES["assigned"])
    assert subject == "Ticket T-1 assigned to you (critical)"
    assert "(repair, priority critical)" in body
    subject, body = render("escalation", "zh_Hans", "Asia/Shanghai", SAMPLES["escalation"])
    assert subject == "工单 T-1 已升级至部门负责人"
    assert body.endswith("原因：客户生产已停止。")
    _, body = render("complaint_escalated", "en", "UTC", SAMPLES["complaint_escalated"])
    assert "Reason: made_up(n=1)." in body


def test_bad_values_are_refused() -> None:
    with pytest.raises(ValidationError, match="missing values"):
        render("ticket_received", "en", "UTC", {"ticket_id": "T-1"})
    with pytest.raises(ValidationError, match="unexpected values"):
        render("ticket_received", "en", "UTC", {**RECEIVED, "password": "x"})
    with pytest.raises(ValidationError, match="cannot put a object"):
        render("ticket_received", "en", "UTC", {**RECEIVED, "ticket_id": object()})
    with pytest.raises(ValidationError, match="naive"):
        render("ticket_received", "en", "UTC", {**RECEIVED, "received_at": datetime(2024, 5, 1)})
    with pytest.raises(ValidationError, match="unknown notification kind"):
        render("nope", "en", "UTC", {})
    with pytest.raises(ValidationError, match="unknown locale"):
        render("ticket_received", "klingon!", "UTC", RECEIVED)


def test_user_text_is_never_translated_or_interpreted() -> None:
    values = {**SAMPLES["callback_due"], "customer_name": "{ticket_id} closed"}
    _, body = render("callback_due", "en", "UTC", values)
    assert "Please call {ticket_id} closed about ticket T-1" in body


def test_catalog_with_attribute_access_fails_at_load_time() -> None:
    shipped = load_catalogs()
    en = shipped["en"]
    messages = dict(en.messages)
    messages["notification.assigned.body"] = "Ticket {ticket_id.__class__}"
    bad = MessageCatalog("en", messages, en.plurals, en.plural_index)
    renderer = Renderer({**shipped, "en": bad})
    with pytest.raises(ConfigurationError, match="is not a placeholder"):
        renderer.check()
    messages["notification.assigned.body"] = "Ticket {secret}"
    renderer = Renderer({**shipped, "en": MessageCatalog("en", messages, en.plurals, en.plural_index)})
    with pytest.raises(ConfigurationError, match=r"unknown placeholder \{secret\}"):
        renderer.check()


def test_renderer_caches_per_locale_state() -> None:
    renderer = Renderer()
    renderer.check()
    assert renderer.catalog("zh_TW") is renderer.catalog("zh_Hant")
    assert renderer.formatter("zh_CN") is renderer.formatter("zh")
    assert renderer.reason(Reason("priority_normal"), "en") == "no urgency factors: normal priority"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_a_bidi_control_in_a_value_reorders_nothing_after_it(locale: str) -> None:
    """Session 39: a customer registered as ``张三\\u202e`` (names keep what was typed) put the override in
    the engineer's job notice, which then showed the address and the due time reversed."""
    values = {**SAMPLES["assigned"], "customer_name": "张三\u202e", "address": "\u2067上海市浦东新区"}
    shown = render("assigned", locale, "Asia/Shanghai", values)
    assert "\u202e" not in shown.body and "\u2067" not in shown.body
    assert "张三\\u202e" in shown.body and "\\u2067上海市浦东新区" in shown.body
