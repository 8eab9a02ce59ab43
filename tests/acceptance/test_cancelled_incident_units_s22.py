# mypy: disable-error-code="arg-type"
"""The desk's batch-incident detectors leave cancelled calls out, as the reports do (session 22).

Seed 004 第七条 5(2) 批量质量事故: the same quality problem on 5 % or more of one batch; seed 002
反馈信息的处理 分类统计: the problems found. A call cancelled (registered by mistake, a duplicate,
withdrawn) is no fault evidence — the reports have left it out since session 21 — yet the detector in
the fault record's transaction had counted its unit for good, so a cancelled call and one real fault
raised an incident and escalated it to the general manager, and ``desk.complaints.detect_batch_incidents``
counted it too. Now the cancellation withdraws the unit (or keeps it counted on another live call about
the unit), and an incident already raised stays — the quality manager judges it — with the unit out of
its count and a ``unit_withdrawn`` event saying so. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Plan, Severity
from aftersales.domain.ids import AssetId
from aftersales.domain.products import Asset
from aftersales.domain.quality_incidents import IncidentState
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
BATCH = "B2025-07"


def _batch_of_four(desk: ServiceDesk, world: World) -> None:
    """asset-1 (the world's) and three more units: four units, so two faulty ones are 50 %."""
    for n in (2, 3, 4):
        desk.register_asset(
            world.manager,
            Asset(AssetId(f"asset-{n}"), world.product.id, f"SN-2025-000{n}", customer_id=world.cust_zh.id,
                  batch=BATCH, dealer_id=world.dealer_sh.id),
        )  # fmt: skip


def _faulty(desk: ServiceDesk, world: World, asset_id: str) -> str:
    """A repair of ``asset_id`` whose dealer recorded a worn flush valve (a production cause)."""
    staff = world.dealer_sh_staff
    ticket_id = desk.open_ticket(
        world.agent, customer_id=world.cust_zh.id, description="一直冲水", asset_id=asset_id
    ).ticket.id
    desk.triage(world.agent, ticket_id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, ticket_id, dealer_id=world.dealer_sh.id)
    desk.start_work(staff, ticket_id)
    desk.add_fault_record(
        staff, ticket_id, symptom="keeps_flushing", cause="flush_valve_worn", action="adjust"
    )
    return ticket_id


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_cancelled_call_does_not_help_raise_an_incident(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, world):
        _batch_of_four(desk, world)
        mistaken = _faulty(desk, world, "asset-1")
        desk.cancel(world.agent, mistaken, reason="重复登记")
        _faulty(desk, world, "asset-2")
        # One real fault of four units: no incident (before: the cancelled call made it two, raised).
        assert desk.quality_incidents.incidents(world.manager) == []
        found = desk.complaints.detect_batch_incidents(world.manager, batch=BATCH, batch_size=4)
        assert [d.outcome for d in found if d.outcome is not None] == []
        third = _faulty(desk, world, "asset-3")
        (incident,) = desk.quality_incidents.incidents(world.manager)
        assert (incident.affected, sorted(incident.unit_ids)) == (2, ["asset-2", "asset-3"])
        assert mistaken not in incident.ticket_ids and third in incident.ticket_ids
        found = desk.complaints.detect_batch_incidents(world.manager, batch=BATCH, batch_size=4)
        assert [d.outcome.affected for d in found if d.outcome is not None] == [2]


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_incident_raised_stays_and_records_the_unit_withdrawn(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, world):
        _batch_of_four(desk, world)
        _faulty(desk, world, "asset-1")
        withdrawn = _faulty(desk, world, "asset-2")
        (raised,) = desk.quality_incidents.incidents(world.manager)
        assert raised.affected == 2
        desk.cancel(world.agent, withdrawn, reason="客户撤回, 登记有误")
        incident = desk.quality_incidents.incident(world.manager, raised.id)
        # Not withdrawn: escalated already, it is the quality manager's to confirm or dismiss.
        assert incident.state is IncidentState.DETECTED
        assert (incident.affected, incident.unit_ids) == (1, ["asset-1"])
        event = incident.events[-1]
        assert (event.action, event.payload["ticket_id"], event.payload["asset_id"]) == (
            "unit_withdrawn", withdrawn, "asset-2",
        )  # fmt: skip
        assert (event.payload["affected"], event.payload["below_threshold"]) == ("1", "true")
        assert [u.asset_id for u in desk.quality_incidents.units(world.manager, raised.id)] == ["asset-1"]
        # The unit's problem recorded again on a live call counts it again.
        again = _faulty(desk, world, "asset-2")
        incident = desk.quality_incidents.incident(world.manager, raised.id)
        assert (incident.affected, sorted(incident.unit_ids)) == (2, ["asset-1", "asset-2"])
        assert again in incident.ticket_ids


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_unit_stays_counted_on_another_live_call(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, world):
        _batch_of_four(desk, world)
        duplicate = _faulty(desk, world, "asset-1")
        kept = _faulty(desk, world, "asset-1")  # the same unit, a second call: counted once
        desk.cancel(world.agent, duplicate, reason="重复登记")
        _faulty(desk, world, "asset-2")
        (incident,) = desk.quality_incidents.incidents(world.manager)
        assert (incident.affected, sorted(incident.unit_ids)) == (2, ["asset-1", "asset-2"])
        assert kept in incident.ticket_ids and duplicate not in incident.ticket_ids
        (unit,) = [
            u for u in desk.quality_incidents.units(world.manager, incident.id) if u.asset_id == "asset-1"
        ]
        assert unit.ticket_id == kept


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_about_a_cancelled_call_is_not_major_by_the_incident(
    backend: str, tmp_path: Path
) -> None:
    # A complaint about a ticket that recorded the incident's problem on a unit of its batch is major
    # (seed 004 第七条 5(2)); a cancelled call's record is no fault evidence, so a complaint about that
    # call (the customer unhappy that it was called off) is judged as any other.
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, world):
        _batch_of_four(desk, world)
        live = _faulty(desk, world, "asset-1")
        _faulty(desk, world, "asset-2")
        (incident,) = desk.quality_incidents.incidents(world.manager)
        cancelled = _faulty(desk, world, "asset-3")
        desk.cancel(world.agent, cancelled, reason="客户取消")

        about_cancelled = desk.complaints.open_complaint(
            world.agent, world.cust_zh.id, "取消了也没人管", [cancelled]
        ).ticket.id
        about_live = desk.complaints.open_complaint(
            world.agent, world.cust_zh.id, "还是漏水", [live]
        ).ticket.id

        assert desk.complaints.complaint_file(world.manager, about_cancelled).batch_incident is None
        figures = desk.complaints.complaint_file(world.manager, about_live).batch_incident
        assert figures is not None and figures.incident_id == incident.id
