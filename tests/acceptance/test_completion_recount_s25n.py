"""A unit's installation completion recorded after its faults were counted takes them back, on three stores.

Seed 004 第七条 5(2): a batch quality incident counts 工程完工后出现的同一质量问题. The detector counts a
fault of a unit whose completion it does not know; the completion date recorded afterwards
(``change_warranty_start(installation_accepted_on=)``) left the fault counted, so a second unit's fault
raised an incident the report (which asks the date as it is now) does not find. The date recorded now
takes back the unit's faults reported before it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category, Severity
from aftersales.domain.ids import AssetId
from aftersales.domain.products import Asset
from aftersales.reports import detect_batch_incidents
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, START, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _unit(desk: ServiceDesk, w: World, n: int, installed: date | None) -> str:
    asset_id = f"B-40-{n:03d}"
    desk.register_asset(
        w.manager,
        Asset(
            AssetId(asset_id), w.product.id, f"SN-{asset_id}", customer_id=w.cust_zh.id, batch="B-40",
            purchase_date=date(2026, 2, 1), installation_accepted_on=installed, dealer_id=w.dealer_sh.id,
        ),
    )  # fmt: skip
    return asset_id


def _faulty(desk: ServiceDesk, w: World, asset_id: str, received_at: datetime | None = None) -> str:
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="水箱渗漏", asset_id=asset_id, received_at=received_at
    ).ticket.id
    desk.triage(w.agent, tid, nature="leak", severity=Severity.MEDIUM)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    desk.start_work(w.junior, tid)
    desk.add_fault_record(w.junior, tid, symptom="leak", cause="seal_defect", action="replace_seal")
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_completion_date_recorded_late_takes_back_the_faults_reported_before_it(
    backend: str, tmp_path: Path
) -> None:
    # Batch B-40 of 40 units (two with the same fault = 5 %). Unit 0's leak was reported on 28 February
    # while its completion was not recorded: counted. Its completion (1 March) is recorded afterwards: the
    # leak was during the installation, so unit 3's leak after it is one unit of the batch, no incident.
    with world_desk(backend, tmp_path, "service_centre") as (desk, _clock, w):
        late = _unit(desk, w, 0, None)
        done = [_unit(desk, w, n, date(2026, 3, 1)) for n in range(3, 40)]
        _faulty(desk, w, late, datetime(2026, 2, 28, 10, 0, tzinfo=SHANGHAI))
        desk.master_data.change_warranty_start(
            w.manager, late, reason="安装验收单补录", installation_accepted_on=date(2026, 3, 1)
        )
        _faulty(desk, w, done[0])
        assert desk.quality_incidents.incidents(w.manager) == []
        assert detect_batch_incidents(reporting_for(desk.store), START + timedelta(days=1)) == []
        # A second unit's leak in service makes the two units of the incident, as the report finds.
        _faulty(desk, w, done[1])
        (incident,) = desk.quality_incidents.incidents(w.manager)
        assert (incident.affected, sorted(incident.unit_ids)) == (2, sorted(done[:2]))
        (reported,) = detect_batch_incidents(reporting_for(desk.store), START + timedelta(days=1))
        assert reported.affected == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_later_call_of_the_unit_in_service_keeps_it_counted(backend: str, tmp_path: Path) -> None:
    # Unit 0's leak reported before the completion and again after it: the date moves the count to the
    # later call, so with unit 3's leak the batch has its two units.
    with world_desk(backend, tmp_path, "service_centre") as (desk, _clock, w):
        late = _unit(desk, w, 0, None)
        done = [_unit(desk, w, n, date(2026, 3, 1)) for n in range(3, 40)]
        _faulty(desk, w, late, datetime(2026, 2, 28, 10, 0, tzinfo=SHANGHAI))
        again = _faulty(desk, w, late)
        desk.master_data.change_warranty_start(
            w.manager, late, reason="安装验收单补录", installation_accepted_on=date(2026, 3, 1)
        )
        _faulty(desk, w, done[0])
        (incident,) = desk.quality_incidents.incidents(w.manager)
        assert incident.affected == 2 and again in incident.ticket_ids


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_installation_accepted_after_a_fault_was_counted_takes_it_back(
    backend: str, tmp_path: Path
) -> None:
    # Unit 0's leak was reported during its installation; the installation job is accepted afterwards,
    # which records the completion (today): the leak leaves the tally, unit 3's leak alone is no incident.
    with world_desk(backend, tmp_path, "service_centre") as (desk, _clock, w):
        late = _unit(desk, w, 0, None)
        done = [_unit(desk, w, n, date(2026, 3, 1)) for n in range(3, 40)]
        _faulty(desk, w, late, START - timedelta(days=1))
        install = desk.open_ticket(
            w.agent,
            customer_id=w.cust_zh.id,
            asset_id=late,
            description="安装调试",
            category=Category.INSTALLATION,
        ).ticket.id
        desk.triage(w.agent, install, nature="installation", severity=Severity.LOW)
        desk.dispatch(w.agent, install, engineer_id=w.eng_junior.id)
        desk.start_work(w.junior, install)
        desk.resolve(w.junior, install, summary="安装调试合格")
        desk.confirm(w.agent, install, channel="phone")
        with desk.store() as uow:
            assert uow.assets.get(late).installation_accepted_on is not None
        _faulty(desk, w, done[0])
        assert desk.quality_incidents.incidents(w.manager) == []
