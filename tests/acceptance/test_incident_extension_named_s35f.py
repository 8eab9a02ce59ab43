"""A quality incident's warranty extension carries the incident (session 35, f); sanitary_ware pack, on
memory, SQLite and PostgreSQL.

Seed 004 第七条 5(2) 批量质量事故 and seed 002 延长免费售后服务期: a confirmed batch incident's remedy extends
the warranty of every unit of the batch. It was recorded as a complaint remedy (source ``complaint_remedy``)
naming no complaint and no incident, so the free repair it made later said "warranty extended (complaint
remedy)" and named nothing an auditor could trace. Now the extension's source is ``quality_incident`` and
it names the incident; the free-repair decision's reasons say which incident granted it, in words. An
extension an incident stored before is read as the incident's (the incident's id was kept on its record).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import attrs
import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.complaints import GrantedExtension
from aftersales.domain.ids import AssetId, TicketId
from aftersales.domain.warranty_records import ExtensionSource, WarrantyExtension
from aftersales.errors import ValidationError
from aftersales.i18n.reasons import render_reason
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _repair_call(desk: ServiceDesk, world: World, customer: str, unit: str, cause: str | None) -> str:
    ticket_id = desk.open_ticket(
        world.agent, customer_id=customer, description="底座渗水", asset_id=unit
    ).ticket.id
    desk.triage(
        world.agent, ticket_id, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE
    )
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-sh")
    if cause is not None:
        desk.start_work(world.dealer_sh_staff, ticket_id)
        desk.add_fault_record(
            world.dealer_sh_staff, ticket_id, symptom="base_seeping", cause=cause, action="replace_part"
        )
    return ticket_id


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_free_repair_names_the_incident_whose_extension_covers_it(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, clock, world):
        for number, owner in ((2, "cust-en"), (3, "cust-zh")):
            unit = attrs.evolve(
                world.asset, id=AssetId(f"asset-{number}"), serial=f"SN-{number}", customer_id=owner
            )
            desk.register_asset(world.manager, unit)
        clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
        _repair_call(desk, world, "cust-zh", "asset-1", "glaze_crack")
        _repair_call(desk, world, "cust-en", "asset-2", "glaze_crack")
        (incident,) = desk.quality_incidents.incidents(world.manager)
        desk.quality_incidents.confirm(world.manager, incident.id)
        desk.quality_incidents.apply_remedy(
            world.manager, incident.id, kind="warranty_extension", extend_by=24
        )

        (extension,) = desk.complaints.warranty_extensions(world.manager, "asset-3")
        assert (extension.source, extension.incident_id, extension.complaint_id) == (
            ExtensionSource.QUALITY_INCIDENT,
            incident.id,
            None,
        )
        clock.set(datetime(2029, 3, 5, 9, 0, tzinfo=SHANGHAI))  # past the 36 months, within the 24 more
        later = _repair_call(desk, world, "cust-zh", "asset-3", None)
        sheet = desk.charges.assess(world.manager, later)
        assert sheet.phase == "in_warranty"
        named = {r.code: r for r in sheet.reasons}
        assert named["warranty_extended"].params["source"] == "quality_incident"
        by_incident = named["extension_granted_by_incident"]
        assert (by_incident.params["incident_id"], by_incident.params["granted_on"]) == (
            incident.id,
            "2026-03-02",
        )
        assert "extension_granted_by_complaint" not in named
        assert incident.id in render_reason(by_incident, "zh_Hans")
        assert "质量事故" in render_reason(by_incident, "zh_Hans")
        assert "quality incident" in render_reason(named["warranty_extended"], "en")


def _stored(extension: WarrantyExtension) -> GrantedExtension:
    return GrantedExtension("QI-7:3:asset-3", AssetId("asset-3"), TicketId("QI-7"), extension)


def test_an_incident_extension_stored_before_reads_as_the_incidents() -> None:
    granted_at = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    old = WarrantyExtension(
        asset_id=AssetId("asset-3"), amount=24, unit="months", granted_by=ActorRef("mgr-1", Role.MANAGER),
        granted_at=granted_at, reason="quality_incident_remedy", source="complaint_remedy",
    )  # fmt: skip
    read = _stored(old).granted()
    assert (read.source, read.incident_id, read.amount) == (ExtensionSource.QUALITY_INCIDENT, "QI-7", 24)
    # A complaint's remedy is read as it was stored.
    remedy = attrs.evolve(old, reason="complaint_remedy", complaint_id="C-1")
    assert _stored(remedy).granted() == remedy
    # Source and incident go together: neither without the other.
    with pytest.raises(ValidationError) as refused:
        attrs.evolve(old, source="quality_incident")
    assert refused.value.field == "incident_id"
    with pytest.raises(ValidationError):
        attrs.evolve(old, incident_id="QI-7")
