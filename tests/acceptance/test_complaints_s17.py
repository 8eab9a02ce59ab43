# mypy: disable-error-code="arg-type"
"""Complaints, crises and escalations (seed 004 第七条, 第八条) driven through the complaint desk on memory,
SQLite and PostgreSQL — the defects session 17 found, each with the behaviour the seed asks for.

1. Who may file. Seed 004 第八条 2(5): 当接到危机事件的单位或部门、个人要立即通知客户服务中心 — the
   engineer who meets a crisis in the field reports it. An engineer's scope is the tickets it works, not
   the customer list: before, an engineer opened a complaint (or reported a crisis) for *any* customer
   id, registering complaints against customers it never served and learning from ``NotFound`` or not
   which customer ids exist. Now a customer it serves (one of whose tickets it reads) is fine; any
   other is ``NotFound`` exactly like an unknown id, and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Severity
from aftersales.errors import NotFound
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_engineer_files_for_the_customers_it_serves_only(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, _clock, world):
        served = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="马桶漏水").ticket.id
        desk.triage(world.agent, served, nature="leak", severity=Severity.MEDIUM)
        desk.dispatch(world.agent, served, engineer_id=world.eng_junior.id)
        before = desk.count(world.manager)
        stranger = world.cust_en.id  # a customer of the same dealer the junior never worked for
        for attempt in (
            lambda customer: desk.complaints.open_complaint(world.junior, customer, "态度恶劣"),
            lambda customer: desk.complaints.report_crisis(world.junior, customer, "漏水泡坏地板", note="现场"),
        ):
            for customer in (stranger, "cust-404"):
                with pytest.raises(NotFound) as refused:
                    attempt(customer)
                assert refused.value.kind == "customer"
        assert desk.count(world.manager) == before
        # the customer it serves: the crisis it met is reported, and so is a complaint it heard
        reported = desk.complaints.report_crisis(world.junior, world.cust_zh.id, "漏水泡坏地板", [served])
        assert reported.ticket.customer_id == world.cust_zh.id
        opened = desk.complaints.open_complaint(world.junior, world.cust_zh.id, "客户抱怨上门太慢")
        assert opened.ticket.kind.value == "complaint"
        # its teammate reads the team's ticket: it serves that customer too
        assert desk.complaints.open_complaint(world.senior, world.cust_zh.id, "噪音").ticket.id
        assert desk.count(world.manager) == before + 3
