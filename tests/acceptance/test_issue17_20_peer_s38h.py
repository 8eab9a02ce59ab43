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
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from examples.fastapi_app.app import create_app
from fastapi.testclient import TestClient

from aftersales import staff_figures
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.sla_clock import SlaState
from aftersales.reports.engineer_kpi import scoped_engineer_kpis
from aftersales.reports.months import month_period
from aftersales.reports.sla import sla_breaches
from aftersales.serialization import unstructure
from conftest import world_desk

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
