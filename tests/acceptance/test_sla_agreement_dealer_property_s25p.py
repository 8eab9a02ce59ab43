# mypy: disable-error-code="arg-type"
"""Seed 002 (乙方接到用户的叫修…必须保证在24小时之内给用户解决问题,特殊情况不得超过48小时) and seed 003 三
(绩效考核): the breach report and the KPI judge a dealer's call alike, in every cycle (session 25).

The one rule: a cycle's resolution is late against the due the ledger holds for it — the earlier of the
customer's (a service contract's) resolution and the dealer's own 24 hours (48 once the maker approves the
special case) while the dealer holds the call — and a reopen keeps that due with the cycle it ended. The
breach report reads an ended cycle's live SLA status (the contract's and the dealer's targets), the KPI
the stored cycle; this property holds them to one count over random calls: with or without a contract,
the special case approved or not, a pause for the customer, a hand-over to the maker's engineer, reopens.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_seed002_contract_and_dealer import _call, _sign

from aftersales.adapters.attachments_memory import MemoryAttachmentStore
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.errors import SlaExtensionRefused
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import scoped_kpi_report
from aftersales.reports.sla import sla_breaches
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register

H = timedelta(hours=1)
minutes = st.integers(min_value=0, max_value=60 * 60)


def _late(desk: ServiceDesk, world: World, now: datetime) -> tuple[int, int]:
    """The breach report's late resolutions; the KPI's (judged minus met, plus missed)."""
    period = Period(START, now + H)
    kpi = scoped_kpi_report(desk, world.manager, reporting_for(desk.store), period, as_of=now).total
    report = sla_breaches(desk, world.manager, period, as_of=now).total
    return report.resolution_breached, kpi.resolution.count - kpi.resolution_met + kpi.resolution_missed


@given(
    contract=st.one_of(st.none(), st.integers(min_value=1, max_value=60)),
    special_case=st.booleans(),
    repaired=minutes,
    waited=st.one_of(st.none(), minutes),
    handover=st.booleans(),
    reopens=st.integers(min_value=0, max_value=2),
    callback=minutes,
    again=minutes,
    later=minutes,
)
# Found in session 27: the acceptance, the callback finding the problem back and the hand-over to the
# maker's engineer all in one instant (a manual clock, an import) left no instant "just before the reopen"
# with the cycle's log; the report read the dealer's 24 hours as still running there.
@example(
    contract=None,
    special_case=False,
    repaired=1441,
    waited=None,
    handover=True,
    reopens=1,
    callback=0,
    again=0,
    later=0,
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_breach_report_and_the_kpi_judge_a_dealers_call_alike(
    contract: int | None,
    special_case: bool,
    repaired: int,
    waited: int | None,
    handover: bool,
    reopens: int,
    callback: int,
    again: int,
    later: int,
) -> None:
    clock, world = ManualClock(START), make_world()
    with ServiceDesk.open(
        "memory://", pack="sanitary_ware", clock=clock, staff=STAFF, attachments=MemoryAttachmentStore()
    ) as desk:
        register(desk, world)
        if contract is not None:
            _sign(desk, world, resolution_hours=contract)
        tid = _call(desk, world)
        desk.dispatch(world.agent, tid, dealer_id=world.dealer_sh.id)
        hands = world.dealer_sh_staff
        if special_case:  # the maker approves 48 hours on the dealer's written report
            desk.attachments.attach(
                hands, tid, kind="written_report", name="report.pdf", content=b"%PDF-1.4\n% r\n%%EOF\n"
            )
            target = "dealer_resolution" if contract is not None else "resolution"
            with contextlib.suppress(SlaExtensionRefused):  # refused: the call runs without it
                desk.extend_sla(world.manager, tid, target, timedelta(hours=48), "整体水箱需从台州发货")
        clock.advance(timedelta(minutes=repaired))
        if handover:
            desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id, reason="dealer handed it back")
            hands = world.senior
        desk.start_work(hands, tid)
        if waited is not None:
            desk.await_customer(hands, tid, reason="Customer away")
            clock.advance(timedelta(minutes=waited))
            desk.resume(hands, tid)
        for cycle in range(reopens + 1):
            if cycle:
                clock.advance(timedelta(minutes=callback))
                desk.record_callback(world.agent, tid, problem_back=True, satisfaction=2)
                clock.advance(timedelta(minutes=again))
                desk.start_work(hands, tid)
            desk.add_fault_record(hands, tid, symptom="leak", cause="seal_worn", action="replace_seal")
            desk.resolve(hands, tid, summary="seal replaced")
            desk.confirm(world.customer_zh, tid, note="好了")
            report, kpi = _late(desk, world, clock.now() + timedelta(minutes=later))
            assert report == kpi
