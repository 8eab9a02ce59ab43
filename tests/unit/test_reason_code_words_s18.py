"""Codes inside a reason read in the reader's words, not as the code (session 18).

A reason's parameter that carries a code is labelled from the catalog (``severity="high"`` reads
"严重"). Three kinds of code were shown as written, in the middle of a Chinese sentence:

1. an SLA target named by a service contract or a planned maintenance visit (``target="response"``):
   the ``target`` parameter was only looked up among the routing targets, so the contract's reason read
   "服务合同 HT-1 约定时限：response 240 分钟";
2. the roles an escalation reached, recorded as a comma-separated list (``to="department_head,
   general_manager"``): "升级至 department_head,general_manager";
3. the moment a notification rule answered (``event="opened"``): "按事件“opened”通知相关人员".
"""

from __future__ import annotations

import re

import pytest

from aftersales.domain.reasons import Reason
from aftersales.i18n import render_reason
from aftersales.policies.notification import NotificationEvent

CONTRACT = Reason(
    "sla_service_contract", {"id": "HT-1", "target": "response", "basis": "calendar", "minutes": 240}
)
VISIT = Reason("sla_maintenance_visit", {"id": "MP-1", "target": "resolution", "basis": "calendar_days"})
ESCALATION = Reason(
    "escalation", {"trigger": "sla_breach", "to": "department_head,general_manager", "immediate": False}
)
WENT_UP = Reason("escalation_went_up", {"named": "张三,李四", "to": "department_head,general_manager"})


@pytest.mark.parametrize(
    ("reason", "locale", "expected"),
    [
        (CONTRACT, "zh_Hans", "服务合同 HT-1 约定响应时限：240 分钟"),
        (CONTRACT, "zh_Hant", "服務合同 HT-1 約定回應時限：240 分鐘"),
        (CONTRACT, "en", "service contract HT-1: response time of 240 minutes"),
        (VISIT, "zh_Hans", "计划保养 MP-1 到期：解决时限至当天结束"),
        (VISIT, "zh_Hant", "計劃保養 MP-1 到期：解決時限至當天結束"),
        (VISIT, "en", "planned maintenance due on MP-1: resolution time ends that day"),
        (ESCALATION, "zh_Hans", "升级至 部门负责人和总经理"),
        (ESCALATION, "zh_Hant", "升級至 部門主管和總經理"),
        (ESCALATION, "en", "escalated to department head and general manager"),
        (Reason("notify_event", {"event": "opened"}), "zh_Hans", "按事件“工单受理”通知相关人员"),
        (Reason("notify_event", {"event": "opened"}), "zh_Hant", "依事件「工單受理」通知相關人員"),
        (Reason("notify_event", {"event": "opened"}), "en", 'notified for the event "ticket opened"'),
    ],
)
def test_a_code_inside_a_reason_reads_in_words(reason: Reason, locale: str, expected: str) -> None:
    assert render_reason(reason, locale) == expected


@pytest.mark.parametrize("event", list(NotificationEvent))
@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_every_notification_moment_has_chinese_words(event: NotificationEvent, locale: str) -> None:
    text = render_reason(Reason("notify_event", {"event": event.value}), locale)
    assert not re.search(r"[a-z_]{3,}", text), text


def test_names_people_typed_stay_as_typed_beside_labelled_roles() -> None:
    # "named" lists the people who could not be reached: names, not codes, so never translated.
    assert render_reason(WENT_UP, "zh_Hans") == "张三,李四 均无法联系：已上报至 部门负责人和总经理"
    assert render_reason(WENT_UP, "en") == (
        "none of 张三,李四 could be reached: escalated up to department head and general manager"
    )


def test_a_list_with_a_code_that_has_no_label_is_shown_as_given() -> None:
    # An integrator's own role code has no label: the whole list is shown as recorded, not half-translated.
    reason = Reason(
        "escalation", {"trigger": "sla_breach", "to": "department_head,night_desk", "immediate": True}
    )
    assert render_reason(reason, "zh_Hans") == "升级至 department_head,night_desk"
