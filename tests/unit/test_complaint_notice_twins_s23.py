"""Each staff notice of a ticket has a complaint twin naming a complaint (s23 task g): the same values,
a complaint's words (投诉 / 投訴 / complaint) and none of a ticket's, in the three catalogs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aftersales.domain.actors import Role
from aftersales.domain.classification import Priority, TicketKind
from aftersales.domain.reasons import Reason
from aftersales.i18n import NOTIFICATION_KINDS, Term, render
from aftersales.service.record_words import COMPLAINT_NOTICES, notice_for

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
FOLLOWED = {
    "priority": Priority.EXPEDITED,
    "step": Term("followed_step.progress_note"),
    "at": AT,
    "response_due_at": AT + timedelta(hours=2),
    "resolution_due_at": Term("value.none"),
}
VALUES: dict[str, dict[str, object]] = {
    "escalation": {"level": Role.MANAGER, "reason": Reason("quote_refused")},
    "callback_due": {"customer_name": "张三", "due_at": AT},
    "message_left": {"from": "客服小李", "text": "张先生来电，请回电"},
    "ticket_followed": FOLLOWED,
}
WORDS = {"zh_Hans": ("投诉", "工单"), "zh_Hant": ("投訴", "工單"), "en": ("omplaint", "icket")}


@pytest.mark.parametrize(("kind", "twin"), sorted(COMPLAINT_NOTICES.items()))
def test_a_complaint_twin_takes_the_same_values_and_names_a_complaint(kind: str, twin: str) -> None:
    assert NOTIFICATION_KINDS[twin].fields == NOTIFICATION_KINDS[kind].fields
    for locale, (complaint, ticket) in WORDS.items():
        subject, body = render(twin, locale, "Asia/Shanghai", {"ticket_id": "SR-1", **VALUES[kind]})
        assert complaint in subject and complaint in body
        assert ticket not in subject and ticket not in body
        # The ticket's own notice keeps the ticket's words.
        subject, body = render(kind, locale, "Asia/Shanghai", {"ticket_id": "SR-1", **VALUES[kind]})
        assert ticket in subject and complaint not in subject


def test_only_a_complaint_reads_the_twin() -> None:
    assert notice_for("callback_due", TicketKind.COMPLAINT) == "complaint_callback_due"
    assert notice_for("callback_due", None) == "callback_due"
    assert {
        notice_for(kind, k) for kind in COMPLAINT_NOTICES for k in TicketKind if k is not TicketKind.COMPLAINT
    } == set(COMPLAINT_NOTICES)
    assert notice_for("progress_note", TicketKind.COMPLAINT) == "progress_note"  # not a staff notice
