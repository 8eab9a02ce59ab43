"""A batch quality incident's escalation notice names the product, the batch and the units affected.

Seed 004 第七条 5(2): 同一批次的产品…出现的同一质量问题在5%以上 is a quality incident, told at once to the
centre and the general manager. Such an incident has no customer: the notice used to borrow the complaint
escalation's words and read "客户 B-40 的投诉 QI-…", naming the batch as the customer.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_seed_scenarios_s25_004 import BACKENDS, PACK, _faulty, _unit

from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.ports.notifier import RenderedMessage
from aftersales.service.desk import ServiceDesk
from conftest import world_desk


def _incident_notices(desk: ServiceDesk, incident_id: str) -> list[RenderedMessage]:
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    return [m for m in notifier.sent if f"{incident_id}:detected" in m.idempotency_key]


@pytest.mark.parametrize("backend", BACKENDS)
def test_batch_incident_notice_names_the_batch_not_a_customer(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        forty = [_unit(desk, w, "B-40", n) for n in range(40)]
        _faulty(desk, w, forty[0])
        _faulty(desk, w, forty[1])
        (incident,) = desk.quality_incidents.incidents(w.manager)
        notices = _incident_notices(desk, incident.id)
        assert notices
        for notice in notices:
            text = notice.subject + notice.body
            assert incident.id in text and "B-40" in text and str(w.product.id) in text
            assert "客户" not in text and "客戶" not in text and "customer" not in text.lower()
            assert "投诉" not in text and "投訴" not in text and "complaint" not in text.lower()
            if notice.locale == "zh_Hans":
                assert "40 台中 2 台" in notice.body
            elif notice.locale == "en":
                assert "2 of 40 units" in notice.body
