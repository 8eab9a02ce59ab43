# mypy: disable-error-code="arg-type"
"""A customer's short words at a callback are erased from the outbox and the idempotency rows too (PIPL
art. 47; session 28).

At a callback the customer says, in three characters, what is wrong (是否有其它不满意的地方: "还漏水";
the comment "不满意"; since session 27 a grievance also sends the work back, the comment as the rework's
reason). The erasure blanked them on the ticket and the callback record, but hunted blanked text in the
outbox and the idempotency rows only from four characters on (shorter, it hits a notice's own words: the
rework notice says "处理结果不满意"), so the ticket events the outbox mirrors for the host kept
``"other_complaints": "还漏水"``, ``"comment": "不满意"`` and the rework's ``"reason": "不满意"``, and the
callback's stored request and result kept them for a replay. Now short text is blanked where a value is
all of it, in the rows about the person only; a quote inside a rendered sentence still stays (it cannot be
told from the template's words), nor is short ASCII text (a value "sms" there is a message's channel).
Memory, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from aftersales.domain.classification import Category, Severity
from aftersales.domain.erasure import ERASED
from aftersales.domain.surveys import CallbackChecklist
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import world_desk

SAID, COMMENT = "还漏水", "不满意"


def _values(data: Any) -> list[str]:
    """Every string value in JSON-ready ``data``."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, Mapping):
        return [v for value in data.values() for v in _values(value)]
    if isinstance(data, list | tuple):
        return [v for item in data for v in _values(item)]
    return []


def _outbox_values(desk: ServiceDesk) -> list[str]:
    with desk.store() as uow:
        return [v for m in uow.outbox.pending(limit=1000) for v in _values(m.payload)]


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_short_words_at_a_callback_leave_the_outbox_and_the_replay(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="service_centre") as (desk, _clock, w):
        other = desk.open_ticket(w.agent, customer_id=w.cust_en.id, description="马桶漏水").ticket.id
        desk.contact_customer(w.agent, other, note=COMMENT)  # another customer's words, the same
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="热水器不点火", category=Category.REPAIR
        ).ticket.id
        desk.triage(w.agent, tid, nature="ignition", severity=Severity.LOW)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        desk.contact_customer(w.junior, tid, note="sms")  # short ASCII: like a message's channel
        desk.start_work(w.junior, tid)
        desk.resolve(w.junior, tid, summary="更换点火针")
        desk.confirm(w.junior, tid, channel="service_slip")
        checklist = CallbackChecklist(product_works=False, other_complaints=SAID)
        call = {"checklist": checklist, "problem_back": True, "comment": COMMENT, "idempotency_key": "cb-1"}
        desk.callbacks.record(w.agent, tid, **call)
        assert desk.ticket(w.manager, tid).events[-1].reason == COMMENT
        before = _outbox_values(desk)
        # The callback's event, the rework's reason, the other customer's contact note.
        assert SAID in before and before.count(COMMENT) == 3

        desk.privacy.erase_customer(
            Actor.privacy_officer("dpo"), w.cust_zh.id, "the customer asked", cancel_open_tickets=True
        )

        after = _outbox_values(desk)
        assert SAID not in after
        # The other customer's note in the same words is kept (its event is not the person's).
        assert after.count(COMMENT) == 1
        assert desk.ticket(w.manager, other).events[-1].reason == COMMENT
        # Short ASCII text is left alone: "sms" there is the channel of the engineer's messages.
        with desk.store() as uow:
            channels = {m.payload.get("channel") for m in uow.outbox.pending(limit=1000)}
        assert "sms" in channels and ERASED not in channels
        replayed = desk.callbacks.record(w.agent, tid, **call)  # the first answer, from its stored row
        assert SAID not in _values(repr(replayed)) and f"'{SAID}'" not in repr(replayed)
        assert f"'{COMMENT}'" not in repr(replayed)
