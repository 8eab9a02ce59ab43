"""Plans moved with their unit before handovers were kept gain them: the sellers' exports and erasures.

Session 24 made a plan that follows its unit to a buyer leave the seller a ``PlanHandover`` (their period
of it, for their export and erasure). A plan moved by an earlier release has none: the seller's export
held nothing of the plan they held, and their erasure could not reach it. The catch-up
(``desk.privacy.file_plan_handovers``, the ``plan_handovers`` job) files it once, a page of plans at a
time, rebuilt from the seller's visits and the unit's history — never from the buyer's period. On a store
written by an older release (tests/fixtures/old_stores: SQLite and PostgreSQL, upgraded by today's desk)
and on memory; the pre-session-24 move is made by deleting the handover the move filed, as that
release left it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.acceptance.conftest import pg_schema_url
from tests.integration import old_store_workload as workload
from tests.integration.old_stores import (
    POSTGRES_FIXTURES,
    SQLITE_FIXTURES,
    load_postgres,
    load_sqlite,
    open_desk,
)

from aftersales import Actor
from aftersales.adapters.clock import ManualClock
from aftersales.domain.maintenance import ChecklistResult
from aftersales.domain.plan_handover import PlanHandover
from aftersales.service.desk import ServiceDesk

OFFICER = Actor.privacy_officer("dpo-1")
SELLER, BUYER = "cust-1", "cust-2"
BUYER_WORDS = ("Alice Smith", "13912345679", BUYER)


def _moved_before_handovers(desk: ServiceDesk) -> str:
    """cust-1's unit asset-1 on a plan, its visit done with a reading, then sold to cust-2 as a release
    before session 24 did it (no handover); cust-3's unit on a plan that never moved. The plan's id."""
    manager = workload.MANAGER
    today = desk.context.today(desk.context.now())
    plan = desk.maintenance.create_plan(manager, asset_id="asset-1", first_due=today + timedelta(days=3))
    desk.maintenance.create_plan(manager, asset_id="asset-3", first_due=today + timedelta(days=3))
    [visit] = [v for v in desk.maintenance.generate_due(Actor.system()).generated if v.asset_id == "asset-1"]
    staff = Actor.dealer_staff("ds-1", "dealer-sh", regions=["SH"])
    assert visit.ticket_id is not None
    desk.start_work(staff, visit.ticket_id)
    results = [ChecklistResult(t, True, note="张伟 家滤芯已换") for t in visit.checklist]
    desk.maintenance.complete_visit(staff, visit.id, results=results, reading=120)
    desk.transfer_asset(manager, "asset-1", customer_id=BUYER, reason="二手转卖给 Alice Smith")
    with desk.store() as uow:  # what the release before session 24 left: the move without its handover
        documents: Any = uow.documents
        kept = [h.id for h in uow.documents.query(PlanHandover, plan_id=plan.id)]
        assert len(kept) == 1
        documents.remove(PlanHandover, kept)
        uow.commit()
    return plan.id


def _handovers(desk: ServiceDesk, customer_id: str) -> list[dict[str, Any]]:
    data = json.loads(desk.privacy.export_customer(OFFICER, customer_id))["data"]
    found: list[dict[str, Any]] = data["plan_handover"]
    return found


def _sellers_period_is_filed(desk: ServiceDesk) -> None:
    plan_id = _moved_before_handovers(desk)
    assert _handovers(desk, SELLER) == []  # the gap: the seller's export held nothing of the plan
    read = [desk.privacy.file_plan_handovers(OFFICER, limit=1) for _ in range(3)]
    assert read == [1, 1, 0]  # a page of one plan a call; the pass complete after the second
    [handed] = _handovers(desk, SELLER)
    assert (handed["plan_id"], handed["customer_id"], handed["restored"]) == (plan_id, SELLER, True)
    held = handed["plan"]
    assert (held["customer_id"], held["region"], held["last_reading"]) == (SELLER, "SH", 120)
    text = json.dumps(handed, ensure_ascii=False)
    for theirs in BUYER_WORDS:
        assert theirs not in text, theirs  # nothing of the buyer's
    assert desk.privacy.file_plan_handovers(OFFICER) == 0  # complete: nothing filed twice
    assert len(_handovers(desk, SELLER)) == 1 and _handovers(desk, BUYER) == []


def test_a_fresh_stores_plan_moved_without_a_handover_gains_it() -> None:
    clock = ManualClock(workload.START)
    desk = workload.open_desk("memory://", clock)
    try:
        workload.play_on(desk, clock)
        _sellers_period_is_filed(desk)
    finally:
        desk.shutdown()


def test_the_job_files_them_page_after_page() -> None:
    clock = ManualClock(workload.START)
    desk = workload.open_desk("memory://", clock)
    try:
        workload.play_on(desk, clock)
        _moved_before_handovers(desk)
        report = desk.jobs.run_due(only=("plan_handovers",))
        assert report.failed == {} and report.counts["plan_handovers"] == 2
        assert [h["restored"] for h in _handovers(desk, SELLER)] == [True]
        clock.advance(timedelta(hours=2))
        assert desk.jobs.run_due(only=("plan_handovers",)).counts["plan_handovers"] == 0
    finally:
        desk.shutdown()


@pytest.mark.parametrize("fixture", SQLITE_FIXTURES[-1:], ids=lambda path: path.name.split(".")[0])
def test_an_old_sqlite_store_gains_the_sellers_handover(fixture: Path, tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    load_sqlite(fixture, db)
    desk = open_desk(f"sqlite:///{db}")
    try:
        _sellers_period_is_filed(desk)
    finally:
        desk.shutdown()


@pytest.mark.postgres
@pytest.mark.parametrize("fixture", POSTGRES_FIXTURES[-1:], ids=lambda path: path.name.split(".")[0])
def test_an_old_postgres_store_gains_the_sellers_handover(fixture: Path) -> None:
    with pg_schema_url() as url, load_postgres(fixture, url):
        desk = open_desk(url)
        try:
            _sellers_period_is_filed(desk)
        finally:
            desk.shutdown()


def test_a_plan_that_never_generated_a_visit_gets_none() -> None:
    clock = ManualClock(workload.START)
    desk = workload.open_desk("memory://", clock)
    try:
        workload.play_on(desk, clock)
        desk.maintenance.create_plan(workload.MANAGER, asset_id="asset-1", first_due=date(2026, 9, 1))
        desk.transfer_asset(workload.MANAGER, "asset-1", customer_id=BUYER, reason="转卖")
        with desk.store() as uow:
            documents: Any = uow.documents
            documents.remove(PlanHandover, [h.id for h in uow.documents.query(PlanHandover)])
            uow.commit()
        assert desk.privacy.file_plan_handovers(OFFICER) == 1
        assert _handovers(desk, SELLER) == []  # nothing shows the seller held it, or when
    finally:
        desk.shutdown()


def test_a_host_store_that_cannot_page_its_plans_is_told(tmp_path: Path) -> None:
    from hostile import opened as opened_store
    from test_store_without_purge_s24b import _host_desk

    from aftersales.errors import ConfigurationError

    for store in opened_store("memory", tmp_path):
        desk = _host_desk(store)  # documents without query_range
        report = desk.jobs.run_due(only=("plan_handovers",))
        assert report.failed == {} and report.unsupported == {"plan_handovers": "documents.query_range"}
        with pytest.raises(ConfigurationError) as refused:
            desk.privacy.file_plan_handovers(OFFICER)
        assert refused.value.key == "store"


def test_a_plan_that_ended_with_the_sale_gets_none() -> None:
    clock = ManualClock(workload.START)
    desk = workload.open_desk("memory://", clock)
    try:
        workload.play_on(desk, clock)
        _moved_before_handovers(desk)
        # cust-3's plan never moved: its unit sold on afterwards, the plan ended by hand first.
        [plan] = desk.maintenance.plans(workload.MANAGER, asset_id="asset-3")
        clock.advance(timedelta(days=1))
        desk.maintenance.generate_due(Actor.system())
        desk.maintenance.end_plan(workload.MANAGER, plan.id, reason="customer_declined")
        desk.transfer_asset(workload.MANAGER, "asset-3", customer_id=BUYER, reason="转卖")
        while desk.privacy.file_plan_handovers(OFFICER, limit=1):
            pass
        assert _handovers(desk, "cust-3") == [] and len(_handovers(desk, SELLER)) == 1
    finally:
        desk.shutdown()
