"""The ``report`` command agrees with the library's reports (session 16).

1. It judges paused tickets by the pack it is given.

A pack whose SLA pauses while waiting for parts (``[sla] pause_on_parts``) had its pause honoured by the
desk and by ``kpi_report(sla=desk.policies.sla)``, but the CLI called the reports without the pack's SLA
policy: a ticket waiting for parts long past its due time read as a missed resolution in ``report kpi``,
``report dealers`` and the trend, while its own SLA status said paused, not breached.

2. ``report dealers`` counts and judges a call passed to another dealer under the dealer doing it.
"""

from __future__ import annotations

import argparse
import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.cli.report import add_report_parser, run_report
from aftersales.domain.classification import Plan, Severity
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, register

PACK = """
[pack]
name = "office_parts_pause"
extends = "office_equipment"

[sla]
pause_on_parts = {pause}
"""


def _resolution_on_time(argv: list[str]) -> str:
    """The total row's "Resolution on time" cell of ``report kpi`` as CSV in English."""
    parser = argparse.ArgumentParser()
    add_report_parser(parser.add_subparsers(dest="command"))
    out, err = io.StringIO(), io.StringIO()
    args = parser.parse_args(["report", "kpi", *argv, "--format", "csv", "--locale", "en", "--no-bom"])
    assert run_report(args, out, err) == 0, err.getvalue()
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    header = next(r for r in rows if "Resolution on time" in r)
    total = next(r for r in rows if r and r[0] == "Total")
    return total[header.index("Resolution on time")]


@pytest.mark.parametrize("pause", [True, False])
def test_report_kpi_judges_a_ticket_waiting_for_parts_by_the_packs_sla(tmp_path: Path, pause: bool) -> None:
    pack = tmp_path / "pack.toml"
    pack.write_text(PACK.format(pause="true" if pause else "false"), encoding="utf-8")
    db = tmp_path / "desk.db"
    clock, world = ManualClock(START), make_world()
    with ServiceDesk.open(f"sqlite:///{db}", pack=str(pack), clock=clock, staff=STAFF) as desk:
        register(desk, world)
        ticket_id = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
        desk.triage(world.agent, ticket_id, nature="jam", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_senior.id)
        desk.contact_customer(
            world.senior,
            ticket_id,
            expected_at=clock.now() + timedelta(hours=1),
            note="已联系客户，告知预计上门时间",
        )
        desk.start_work(world.senior, ticket_id)
        clock.advance(timedelta(hours=1))
        desk.await_parts(world.senior, ticket_id, reason="no_stock")
        status = {t.target.name: t for t in desk.sla(world.manager, ticket_id).targets}
        assert status["resolution"].paused is pause
    day = START.date().isoformat()
    cell = _resolution_on_time(["--db", str(db), "--pack", str(pack), "--from", day, "--to", day])
    # read months later (the run instant): paused, it is not judged late; not paused, it is (0 of 1)
    assert cell.startswith(("0.0", "0%")) is not pause, cell


def test_report_dealers_counts_and_judges_a_passed_call_under_the_dealer_doing_it(tmp_path: Path) -> None:
    """``report dealers``: its counts went to the dealer doing the job (seed 002 9/10), while the KPI table
    beside them still grouped by the customer's dealer: one page, two answers for the same call."""
    db = tmp_path / "desk.db"
    clock, world = ManualClock(START), make_world()
    with ServiceDesk.open(f"sqlite:///{db}", pack="sanitary_ware", clock=clock, staff=STAFF) as desk:
        register(desk, world)
        passed = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="漏水").ticket.id
        desk.triage(world.agent, passed, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, passed, dealer_id=world.dealer_bj.id)
        # Repaired and accepted the same day: a dealer's month counts the jobs completed in it (session 24).
        staff = world.dealer_bj_staff
        desk.start_work(staff, passed)
        desk.add_fault_record(
            staff, passed, symptom="keeps_flushing", cause="flush_valve_worn", action="adjust_flush_valve"
        )
        desk.resolve(staff, passed, summary="调整")
        desk.confirm(world.customer_zh, passed, note="好了")
    parser = argparse.ArgumentParser()
    add_report_parser(parser.add_subparsers(dest="command"))
    out, err = io.StringIO(), io.StringIO()
    day = START.date().isoformat()
    argv = ["report", "dealers", "--db", str(db), "--from", day, "--to", day, "--format", "md"]
    assert run_report(parser.parse_args([*argv, "--locale", "en"]), out, err) == 0, err.getvalue()
    counts, kpis = out.getvalue().split("Service KPIs", 1)
    dealers = {world.dealer_bj.name, world.dealer_sh.name}

    def rows(table: str) -> dict[str, list[str]]:
        lines = [
            [c.strip() for c in line.split("|")[1:-1]] for line in table.splitlines() if line.startswith("| ")
        ]
        return {cells[0]: cells[1:] for cells in lines if cells[0] in dealers}

    # the counts: the repair is Beijing's (the dealer doing it); the KPIs: the same call, the same dealer
    assert {name: cells[1] for name, cells in rows(counts).items()} == {
        world.dealer_bj.name: "1",
        world.dealer_sh.name: "0",
    }
    assert {name: cells[0] for name, cells in rows(kpis).items()} == {world.dealer_bj.name: "1"}, kpis
