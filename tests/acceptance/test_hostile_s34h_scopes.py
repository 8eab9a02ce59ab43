"""Hostile round, session 34 h: reads across capabilities, scoped by the one permission table.

These attacks passed; they are kept so they stay passing, on memory, SQLite and PostgreSQL: the engineer a
customer complains about (the complaint names the ticket it worked) reads no complaint — not by its
number, not in search, the ledger or the export — and neither does its team-mate nor another region's
dealer; the customer's own dealer does (the complaint is its customer's).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Severity
from aftersales.domain.complaints import ComplaintSubject
from aftersales.errors import NotFound, PermissionDenied
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_engineer_complained_about_reads_nothing_of_the_complaint(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, _, world):
        worked = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, asset_id=world.asset.id, description="马桶漏水"
        ).ticket.id
        desk.triage(world.agent, worked, nature="repair", severity=Severity.MEDIUM)
        desk.dispatch(world.manager, worked, engineer_id=world.eng_junior.id)
        complaint = desk.complaints.open_complaint(
            world.agent,
            world.cust_zh.id,
            "上门工程师态度恶劣，还多收费",
            about=[worked],
            subject=ComplaintSubject.SERVICE_QUALITY,
        ).ticket.id

        for outsider in (world.junior, world.senior, world.dealer_bj_staff, world.customer_en):
            with pytest.raises((NotFound, PermissionDenied)):
                desk.ticket(outsider, complaint)
            assert desk.search(outsider, "态度恶劣").items == ()
            assert complaint not in {v.id for v in desk.ledger(outsider).items}
            assert complaint not in desk.export_ledger(outsider)
        assert [v.id for v in desk.ledger(world.junior).items] == [worked]
        assert [v.id for v in desk.search(world.dealer_sh_staff, "态度恶劣").items] == [complaint]
