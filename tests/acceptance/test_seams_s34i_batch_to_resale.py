"""A batch fault across two customers' units, its warranty extension, and a resold unit's later call
(session 34, i); sanitary_ware pack, on memory, SQLite and PostgreSQL (skipped without
``AFTERSALES_PG_DSN``).

Three toilets of batch B2025-07 (bought 1 September 2025, 36 months' warranty from purchase: seed 002
产品保修期按产品样本规定执行, 保修期限自用户购买之日起计算). On 2 March 2026 two of them, two customers',
seep at the base from a glaze crack (a production cause, not one of 收费 b's five): 2 of 3 units is a
batch incident (seed 004 批量质量事故, the pack's 5 % and two units). The quality manager confirms it and
extends the whole batch's warranty by 24 months. In March 2029 the third unit, never faulty and resold
meanwhile, is called in by its new owner: 36 months ended on 1 September 2028, the extension runs to 1
September 2030, so the repair is in warranty and free (收费 c), and the sheet says why.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import attrs
import pytest

from aftersales.domain.classification import Plan, Severity
from aftersales.domain.ids import AssetId
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _repair_call(desk: ServiceDesk, world: World, customer: str, unit: str, cause: str) -> str:
    ticket_id = desk.open_ticket(
        world.agent, customer_id=customer, description="底座渗水", asset_id=unit
    ).ticket.id
    desk.triage(
        world.agent, ticket_id, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE
    )
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-sh")
    desk.start_work(world.dealer_sh_staff, ticket_id)
    desk.add_fault_record(
        world.dealer_sh_staff, ticket_id, symptom="base_seeping", cause=cause, action="replace_part"
    )
    return ticket_id


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_batch_extension_reaches_a_resold_unit_never_faulty(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, clock, world):
        for number, owner in ((2, "cust-en"), (3, "cust-zh")):
            unit = attrs.evolve(
                world.asset, id=AssetId(f"asset-{number}"), serial=f"SN-{number}", customer_id=owner
            )
            desk.register_asset(world.manager, unit)
        clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
        first = _repair_call(desk, world, "cust-zh", "asset-1", "glaze_crack")
        assert desk.quality_incidents.incidents(world.manager) == []  # one unit is that unit's problem
        second = _repair_call(desk, world, "cust-en", "asset-2", "glaze_crack")
        (incident,) = desk.quality_incidents.incidents(world.manager)
        assert (incident.affected, sorted(incident.ticket_ids)) == (2, sorted([first, second]))
        desk.quality_incidents.confirm(world.manager, incident.id)
        desk.quality_incidents.apply_remedy(
            world.manager, incident.id, kind="warranty_extension", extend_by=24
        )
        (extension,) = desk.complaints.warranty_extensions(world.manager, "asset-3")
        assert (extension.amount, extension.reason) == (24, "quality_incident_remedy")
        clock.set(datetime(2029, 3, 5, 9, 0, tzinfo=SHANGHAI))
        desk.transfer_asset(world.manager, "asset-3", customer_id="cust-en", reason="转卖")
        later = _repair_call(desk, world, "cust-en", "asset-3", "flush_valve_worn")
        sheet = desk.charges.assess(world.dealer_sh_staff, later)
        assert sheet.phase == "in_warranty"
        codes = {reason.code: dict(reason.params) for reason in sheet.reasons}
        assert codes["in_warranty"]["ends_on"] == "2030-09-01"
        assert (codes["warranty_extended"]["amount"], codes["warranty_extended"]["reason"]) == (
            24,
            "quality_incident_remedy",
        )
        assert "in_warranty_free" in codes
