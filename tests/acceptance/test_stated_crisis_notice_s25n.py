"""A customer's complaint stating crisis facts: the centre is told the claim (seed 004 第八条).

Seed 004 第八条: the centre classifies a complaint (一般/重大/危机) and a crisis event goes to the general
manager at once (立即). A customer's crisis facts are kept as their statement, unclassified (session 25);
the centre got only the ordinary new-complaint notice, which does not say the claim, so nothing told it to
classify this one promptly. The centre now gets ``complaint_crisis_stated`` naming the claimed facts in
its own words; nothing is escalated until the centre classifies.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.complaints import CrisisFacts, CrisisProblem, Recourse
from conftest import noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_centre_is_told_a_customers_stated_crisis_without_escalation(
    backend: str, tmp_path: Path
) -> None:
    stated = CrisisFacts(
        problems={CrisisProblem.PROPERTY_LOSS}, economic_loss=True, recourse={Recourse.CONSUMER_ASSOCIATION}
    )
    with noticed_desk(backend, tmp_path, "service_centre") as (desk, _clock, world, notifier):
        cid = desk.complaints.open_complaint(
            world.customer_zh, world.cust_zh.id, "漏水泡坏地毯, 已投诉到消协", crisis=stated
        ).ticket.id
        desk.deliver()
        claims = [m for m in notifier.sent if cid in m.subject and "危机" in m.subject]
        assert [m.recipient for m in claims] == ["manager@venus.example"]  # the centre, not the GM
        body = claims[0].body
        assert "财产损失" in body and "消协" in body, body
        file = desk.complaints.complaint_file(world.manager, cid)
        assert file.crisis is None and not file.escalations  # unclassified: no alarm yet
        assert not any(m.recipient == "13800000009" for m in notifier.sent)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_stating_no_crisis_sends_no_claim_notice(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "service_centre") as (desk, _clock, world, notifier):
        cid = desk.complaints.open_complaint(world.customer_zh, world.cust_zh.id, "维修太慢").ticket.id
        desk.deliver()
        assert any(f"新投诉 {cid}" in m.subject for m in notifier.sent)
        assert not any("危机" in m.subject for m in notifier.sent)
