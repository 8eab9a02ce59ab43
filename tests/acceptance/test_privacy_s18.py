# mypy: disable-error-code="arg-type"
"""Personal data (PIPL), second pass: export and erasure of what features added since hold, on memory,
SQLite and PostgreSQL.

1. A customer's own export holds their complaint file as they read it. The export gave the customer the
   file whole — the handler's judgement of its weight, the escalations, the referral to the general
   manager, the review and what each remedy cost the company — which ``complaints.complaint_file``
   keeps from them (the office's deliberation). Now the export gives what ``complaint_file`` gives.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.money import Money
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
DPO = Actor.privacy_officer("dpo-s18")

Setup = tuple[ServiceDesk, ManualClock, World]


@pytest.fixture(params=BACKENDS)
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Setup]:
    with world_desk(request.param, tmp_path, pack="sanitary_ware") as found:
        yield found


def _exported(desk: ServiceDesk, actor: Actor, customer_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(desk.privacy.export_customer(actor, customer_id))["data"]
    return data


# -- 1. the customer's export of a complaint file -------------------------------------------------------


def test_a_customers_export_holds_its_complaint_file_as_the_customer_reads_it(setup: Setup) -> None:
    desk, _, world = setup
    complaints = desk.complaints
    cid = complaints.open_complaint(world.agent, world.cust_zh.id, "漏水泡坏地板").ticket.id
    complaints.classify(world.manager, cid, major_by_judgement="媒体已关注，客户情绪激动")
    complaints.escalate(world.manager, cid, reason="客户扬言找媒体")
    complaints.investigate(world.manager, cid)
    complaints.propose_solution(world.manager, cid, solution="赠送礼品卡")
    complaints.grant_remedy(
        world.manager, cid, kind=RemedyKind.GIFT, cost=Money(Decimal("300"), "CNY"), item="gift_card"
    )
    whole = complaints.complaint_file(world.manager, cid)
    assert whole.judgement is not None and whole.escalations  # the office's deliberation is on file
    as_read = complaints.complaint_file(world.customer_zh, cid)
    assert as_read.judgement is None and as_read.escalations == []

    [exported] = _exported(desk, world.customer_zh, world.cust_zh.id)["complaint_file"]

    assert exported["judgement"] is None and exported["escalations"] == []  # before: the office's words
    assert [r["cost"] for r in exported["remedies"]] == [{"amount": "0.00", "currency": "CNY"}]
    text = desk.privacy.export_customer(world.customer_zh, world.cust_zh.id)
    assert "媒体已关注" not in text and "客户扬言找媒体" not in text
    # the office's export (the privacy officer's, for the customer's request) keeps the whole file
    [office] = _exported(desk, DPO, world.cust_zh.id)["complaint_file"]
    assert office["judgement"]["reason"] == "媒体已关注，客户情绪激动" and office["escalations"]
