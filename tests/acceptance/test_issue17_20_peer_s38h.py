"""Issues 17–20 re-read by a peer tester (session 38, h), as a host application embeds them: the FastAPI
example's routes (JSON in and out), the desk's clock, on memory, SQLite and PostgreSQL.

Issue 18 asks for one due instant everywhere ("stored, filtered, sorted, shown, notified: the same
instant") and issue 17 for reports pure over the ports that agree with the desk. The example's monthly KPI
route (``scoped_kpi_report`` with no ``as_of``) judged the month at its end: read on the day a call came
in, the call was already a missed response and a missed resolution (on-time rates 0 %) while
``desk.sla`` said both clocks were running and the breach report said nothing was late. The manager's
appraisal of an engineer (``scoped_engineer_kpis``) likewise disagreed with the figures the engineer
reads of himself (``staff_figures``, read now). Every KPI read through a desk now defaults to the desk's
clock (``reports.sources.read_at``), as ``staff_figures``, ``scoped_dealer_monthly`` and the CLI did.

Issue 17 also took the hard-coded ``Asia/Shanghai`` out of the sub-desks: a desk speaks in its settings'
zone. The ledger export and the breach report, both read through the desk, still defaulted to Shanghai;
they now default to ``desk.zone``.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from examples.fastapi_app.app import create_app
from fastapi.testclient import TestClient

from aftersales import Actor, Contact, Customer, ServiceDesk, staff_figures
from aftersales.adapters import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.sla_clock import SlaState
from aftersales.reports.engineer_kpi import scoped_engineer_kpis
from aftersales.reports.ledger_export import export_ledger
from aftersales.reports.months import month_period
from aftersales.reports.sla import sla_breaches
from aftersales.serialization import unstructure
from conftest import store_url, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MANAGER = {"X-Actor-Role": "manager", "X-Actor-Id": "mgr-1"}
MARCH = month_period("2026-03")


@pytest.mark.parametrize("backend", BACKENDS)
def test_this_months_kpis_judge_a_call_by_its_due_as_the_live_sla_does(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        ticket_id = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="复印机卡纸").ticket.id
        desk.triage(w.agent, ticket_id, nature="paper_jam", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(w.agent, ticket_id, engineer_id=w.eng_junior.id)
        clock.advance(timedelta(minutes=30))  # Monday 09:30: nothing is due yet

        with TestClient(create_app(desk=desk, jobs_every=None)) as client:

            def kpis() -> dict[str, object]:
                got = client.get("/kpis/monthly/2026/3", headers=MANAGER)
                assert got.status_code == 200, got.text
                total: dict[str, object] = got.json()["total"]
                return total

            def appraisal() -> tuple[object, object]:
                """The junior engineer's missed responses as the manager and as he himself read them."""
                rows = scoped_engineer_kpis(desk, w.manager, MARCH).rows
                [manager] = [r for r in rows if r.engineer_id == w.eng_junior.id]
                own = json.loads(staff_figures(desk, w.junior, w.eng_junior.id, MARCH))["figures"]["engineer"]
                assert own == unstructure(manager)  # one row, whoever reads it
                return manager.response_missed, own["response_missed"]

            sla = {t.target.name: t for t in desk.sla(w.manager, ticket_id).targets}
            assert sla["response"].state is SlaState.RUNNING and sla["resolution"].state is SlaState.RUNNING
            assert sla_breaches(desk, w.manager, MARCH, as_of=clock.now()).total.response_breached == 0
            now = kpis()
            assert (now["response_missed"], now["resolution_missed"]) == (0, 0), now
            assert now["response_on_time_rate"] is None  # nothing judged yet, not 0 %
            assert appraisal() == (0, 0)

            # Past the response due (14:00) with no contact: late everywhere alike.
            clock.set(sla["response"].due_at + timedelta(minutes=1))
            assert desk.sla(w.manager, ticket_id)["response"].state is SlaState.BREACHED
            assert sla_breaches(desk, w.manager, MARCH, as_of=clock.now()).total.response_breached == 1
            late = kpis()
            assert (late["response_missed"], late["resolution_missed"]) == (1, 0), late
            assert appraisal() == (1, 1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_ledger_export_and_the_breach_report_speak_in_the_desks_zone(
    backend: str, tmp_path: Path
) -> None:
    """Issue 17 (the sub-desks hard-coded ``Asia/Shanghai``; a desk's zone is its settings'): a Berlin desk's
    call at 23:30 on Sunday 1 March is that instant in its ticket, so its export and its breach report's
    week say so too. They read 06:30 on Monday (CSV, JSON lines) and ISO week 10: Shanghai, whatever
    the desk was told."""
    berlin = ZoneInfo("Europe/Berlin")
    clock = ManualClock(datetime(2026, 3, 1, 23, 30, tzinfo=berlin))
    manager = Actor.manager("mgr-1")
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(
            url, pack="general_maintenance", clock=clock, settings={"timezone": "Europe/Berlin"}
        ) as desk,
    ):
        desk.register_customer(manager, Customer("c1", "Hans", Contact("Hans", email="h@x.de"), region="BE"))
        ticket = desk.open_ticket(Actor.agent("a1"), customer_id="c1", description="Kopierer defekt").ticket
        assert ticket.received_at.isoformat() == "2026-03-01T23:30:00+01:00"
        jsonl, csv = io.BytesIO(), io.BytesIO()
        export_ledger(desk, manager, jsonl, format="jsonl")
        export_ledger(desk, manager, csv, format="csv", locale="en")
        assert json.loads(jsonl.getvalue())["received_at"] == "2026-03-01T23:30:00+01:00"
        assert "2026-03-01 23:30" in csv.getvalue().decode("utf-8").splitlines()[1]
        clock.advance(timedelta(days=3))
        report = sla_breaches(desk, manager, month_period("2026-03", "Europe/Berlin"), as_of=clock.now())
        assert (report.weeks, report.timezone) == (("2026-W09",), "Europe/Berlin")
        shanghai = sla_breaches(desk, manager, MARCH, as_of=clock.now(), timezone="Asia/Shanghai")
        assert shanghai.weeks == ("2026-W10",)  # a zone asked for is still the one used
