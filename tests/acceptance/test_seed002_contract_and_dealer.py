"""A service contract's resolution time and the dealer's 24 hours both bind (seed 002, issue 26).

Seed 002 (售后服务分工与合作): 乙方接到用户的叫修(或者是甲方的电话通知)后,必须保证在24小时之内给用户解决问题,
特殊情况不得超过48小时 — the dealer's obligation to the maker. A service contract (服务合同) is what the
customer bought. The contract's targets used to replace the dealer's 24 hours, so a contract of 40 working
hours let a dealer take five days unseen. Now the contract's resolution stays the ticket's ``resolution``
and the dealer's runs beside it as ``dealer_resolution``; the ledger's due time is the earlier of the two;
the sweep announces the dealer's breach; a dealer's special case is approved on its own target.
Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.attachments_memory import MemoryAttachmentStore
from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.money import Money
from aftersales.domain.service_contracts import ContractSla, ServiceContract
from aftersales.domain.sla_clock import SlaState
from aftersales.errors import SlaExtensionRefused
from aftersales.ports.reporting import Period
from aftersales.reports.sla import sla_breaches
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

H = timedelta(hours=1)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    clock, world = ManualClock(START), make_world()
    with (
        store_url(request.param, tmp_path) as url,
        ServiceDesk.open(
            url, pack="sanitary_ware", clock=clock, staff=STAFF, attachments=MemoryAttachmentStore()
        ) as desk,
    ):
        register(desk, world)
        yield desk, clock, world


def _sign(desk: ServiceDesk, world: World, resolution_hours: int, arrival_hours: int | None = None) -> None:
    desk.contracts.sign(
        world.manager,
        ServiceContract(
            id="HT-9",
            starts_on=date(2026, 3, 1),
            ends_on=date(2027, 2, 28),
            price=Money("800", "CNY"),
            customer_id=world.cust_zh.id,
            assets=(world.asset.id,),
            sla=ContractSla(resolution_hours=resolution_hours, arrival_hours=arrival_hours),
        ),
    )


def _call(desk: ServiceDesk, world: World) -> str:
    ticket_id = desk.open_ticket(
        world.agent, customer_id=world.cust_zh.id, asset_id=world.asset.id, description="水箱漏水"
    ).ticket.id
    desk.triage(world.agent, ticket_id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    return ticket_id


def test_a_generous_contract_does_not_hide_the_dealers_24_hours(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    _sign(desk, world, resolution_hours=40)  # five working days for the customer
    ticket_id = _call(desk, world)
    clock.advance(H)
    dispatched = clock.now()
    desk.dispatch(world.agent, ticket_id, dealer_id=world.dealer_sh.id)
    status = desk.sla(world.manager, ticket_id)
    assert status["resolution"].budget == 40 * H and status["resolution"].target.basis == "working"
    dealer = status["dealer_resolution"]
    assert dealer.budget == 24 * H and dealer.target.basis == "calendar"
    assert dealer.due_at == dispatched + 24 * H
    # The ledger's due time is the one that binds first: the dealer's.
    assert desk.ticket(world.manager, ticket_id).resolution_due_at == dealer.due_at

    clock.advance(25 * H)  # the dealer let its 24 hours pass; the contract's 40 working hours have not
    late = desk.sla(world.manager, ticket_id)
    assert late["dealer_resolution"].state is SlaState.BREACHED
    assert late["resolution"].state is SlaState.RUNNING
    sweep = desk.sla_watch.sweep(world.system)
    assert f"{ticket_id}:dealer_resolution" in sweep.breaches
    assert f"{ticket_id}:resolution" not in sweep.breaches

    # The maker approves the dealer's special case (48 h at most), with the written report first.
    desk.attachments.attach(
        world.dealer_sh_staff,
        ticket_id,
        kind="written_report",
        name="书面报告.pdf",
        content=b"%PDF-1.4\n% report\n%%EOF\n",
    )
    desk.extend_sla(
        world.manager, ticket_id, "dealer_resolution", timedelta(hours=48), "整体水箱需从台州发货"
    )
    extended = desk.sla(world.manager, ticket_id)["dealer_resolution"]
    assert extended.extended and extended.due_at == dispatched + 48 * H and not extended.breached
    assert desk.ticket(world.manager, ticket_id).resolution_due_at == dispatched + 48 * H
    with pytest.raises(SlaExtensionRefused):
        desk.extend_sla(world.manager, ticket_id, "dealer_resolution", timedelta(hours=60), "再延")


def test_the_contracts_arrival_replaces_the_dealers_and_the_dealers_fix_still_runs_beside(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # Session 36: a contract call's arrival counts from the dealer's notice on the wall clock, as the fix
    # does; a contract naming its own arrival replaces it (one arrival clock) — before, the dealer's arrival
    # was copied beside the contract's as a second "dealer_resolution" and every command on the ticket
    # failed.
    desk, clock, world = setup
    ticket_id = _call(desk, world)
    desk.dispatch(world.agent, ticket_id, dealer_id=world.dealer_sh.id)
    arrival = desk.sla(world.manager, ticket_id)["arrival"]
    assert (arrival.target.basis, arrival.due_at) == ("calendar", START + 24 * H)
    _sign(desk, world, resolution_hours=40, arrival_hours=8)
    clock.advance(H)
    covered = _call(desk, world)
    desk.dispatch(world.agent, covered, dealer_id=world.dealer_sh.id)
    status = desk.sla(world.manager, covered)
    assert (status["arrival"].budget, status["arrival"].target.basis) == (8 * H, "working")
    assert status["dealer_resolution"].due_at == START + 25 * H
    assert [t.target.name for t in status.targets].count("dealer_resolution") == 1


def test_a_strict_contract_binds_first_and_the_dealer_clock_still_runs(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _, world = setup
    _sign(desk, world, resolution_hours=4)
    ticket_id = _call(desk, world)
    desk.dispatch(world.agent, ticket_id, dealer_id=world.dealer_sh.id)
    status = desk.sla(world.manager, ticket_id)
    assert status["resolution"].due_at == START + 5 * H  # 4 working hours: 09–12, 13–14
    assert status["dealer_resolution"].due_at == START + 24 * H
    assert desk.ticket(world.manager, ticket_id).resolution_due_at == START + 5 * H
    with pytest.raises(SlaExtensionRefused):  # the customer's contract has no special case
        desk.extend_sla(world.manager, ticket_id, "resolution", timedelta(hours=36), "偏远乡镇")


def test_the_makers_own_engineer_has_only_the_contract(setup: tuple[ServiceDesk, ManualClock, World]) -> None:
    desk, _, world = setup
    _sign(desk, world, resolution_hours=40)
    ticket_id = _call(desk, world)
    desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_senior.id)
    status = desk.sla(world.manager, ticket_id)
    assert status.get("dealer_resolution") is None and status["resolution"].budget == 40 * H


def test_a_dealer_late_in_the_first_cycle_stays_late_in_the_breach_report_after_a_reopen(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    _sign(desk, world, resolution_hours=40)
    ticket_id = _call(desk, world)
    desk.dispatch(world.agent, ticket_id, dealer_id=world.dealer_sh.id)
    clock.advance(30 * H)  # the dealer repairs after 30 hours: inside the contract, past its own 24
    dealer = world.dealer_sh_staff
    desk.start_work(dealer, ticket_id)
    desk.add_fault_record(dealer, ticket_id, symptom="leak", cause="seal_worn", action="replace_seal")
    desk.resolve(dealer, ticket_id, summary="seal replaced")
    desk.confirm(world.customer_zh, ticket_id, note="好了")
    first = desk.sla(world.manager, ticket_id)
    assert first["resolution"].state is SlaState.MET
    assert first["dealer_resolution"].state is SlaState.BREACHED
    clock.advance(2 * H)
    desk.record_callback(world.agent, ticket_id, problem_back=True, satisfaction=2)
    now = clock.now()
    report = sla_breaches(desk, world.manager, Period(START, now + H), as_of=now)
    assert report.total.resolution_breached == 1  # the first cycle: the dealer took 30 hours
