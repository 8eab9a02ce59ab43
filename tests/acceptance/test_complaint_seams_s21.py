"""Complaints: the seams session 20 left open (seeds 002 客户投诉的处理方法 and 004), on memory, SQLite and
PostgreSQL (when a DSN is set).

- 方案的落实: the work a remedy opened is the agreed solution carried out. A complaint the customer
  withdraws (撤诉) or the centre cancels owes what was agreed and not yet done no more: its extra
  maintenance visits not yet begun and its free pick slips not yet shipped are called off in the same
  command, each naming why; a visit being worked and parts already shipped stay.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from test_complaint_remedies_s20 import Limited, _in_negotiation, limited
from test_seed002_money import FEES, IN_WARRANTY

from aftersales.adapters.clock import ManualClock
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Severity
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.materials_workflow import MaterialsState
from aftersales.domain.money import Money
from aftersales.domain.warranty_records import ExtensionUnit
from aftersales.errors import RemedyBeyondAuthority
from aftersales.i18n.errors import render_error
from aftersales.ports.queries import TicketFilter
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

__all__ = ["limited"]


def _remedies(desk: ServiceDesk, world: World, complaint_id: str) -> tuple[list[str], list[str]]:
    """The complaint's granted work: two extra visits and two free accessories, the second of each
    carried out (a visit being worked, an accessory shipped)."""
    complaints = desk.complaints
    complaints.grant_remedy(
        world.agent,
        complaint_id,
        kind=RemedyKind.EXTRA_MAINTENANCE_VISIT,
        cost=Money("200", "CNY"),
        quantity=2,
    )
    for _ in "ab":
        complaints.grant_remedy(
            world.agent,
            complaint_id,
            kind=RemedyKind.FREE_ACCESSORY,
            cost=Money("50", "CNY"),
            item="WN-SEAT-9",
        )
    visits, first, second = complaints.complaint_file(world.agent, complaint_id).remedies
    dealer = Actor.dealer_staff("ds-1", world.dealer_sh.id)
    worked = visits.work[1]
    desk.triage(world.agent, worked, nature="maintenance", severity=Severity.LOW)
    desk.dispatch(world.agent, worked, dealer_id=world.dealer_sh.id)
    desk.start_work(dealer, worked)
    shipped = second.work[0]
    desk.materials.approve(world.manager, shipped)
    desk.materials.confirm_date(world.manager, shipped, ship_on=desk.context.now().date())
    desk.materials.pick(world.manager, shipped)
    desk.materials.ship(world.manager, shipped)
    return list(visits.work), [first.work[0], shipped]


def _called_off(
    desk: ServiceDesk, world: World, complaint_id: str, visit: str, request: str, why: str
) -> None:
    cancelled = desk.ticket(world.manager, visit)
    assert cancelled.state == "cancelled"
    (event,) = [e for e in cancelled.events if e.action == "cancel"]
    assert (event.reason, event.payload["complaint_id"]) == (why, complaint_id)
    slip = desk.materials.materials_request(world.manager, request)
    assert slip.state is MaterialsState.CANCELLED and slip.steps[-1].reason == why


def test_a_withdrawn_complaint_calls_off_the_remedy_work_not_yet_done(limited: Limited) -> None:
    desk, _, world = limited
    complaint_id = _in_negotiation(desk, world)
    desk.complaints.agree_solution(world.agent, complaint_id)
    (open_visit, worked), (open_slip, shipped) = _remedies(desk, world, complaint_id)
    customer = Actor.customer(world.cust_zh.id)
    desk.complaints.withdraw(customer, complaint_id, reason="自己修好了, 不需要了")
    _called_off(desk, world, complaint_id, open_visit, open_slip, "complaint_withdrawn")
    # What is being carried out stays: the visit being worked, the parts already shipped.
    assert desk.ticket(world.manager, worked).state == "in_progress"
    assert desk.materials.materials_request(world.manager, shipped).state is MaterialsState.SHIPPED


def test_a_complaint_cancelled_through_either_desk_calls_off_its_remedy_work(limited: Limited) -> None:
    desk, _, world = limited
    for cancel in (desk.complaints.cancel, desk.cancel):
        complaint_id = _in_negotiation(desk, world)
        (open_visit, _), (open_slip, _) = _remedies(desk, world, complaint_id)
        cancel(world.manager, complaint_id, reason="重复登记")
        _called_off(desk, world, complaint_id, open_visit, open_slip, "complaint_cancelled")


def test_an_erasure_cancelling_the_complaint_cancels_its_visits_once(limited: Limited) -> None:
    # The erasure cancels the person's open tickets itself (the visits among them): the complaint's
    # cancellation calls nothing off a second time (no double cancel, no duplicate notice).
    desk, _, world = limited
    complaint_id = _in_negotiation(desk, world)
    desk.complaints.grant_remedy(
        world.agent,
        complaint_id,
        kind=RemedyKind.EXTRA_MAINTENANCE_VISIT,
        cost=Money("200", "CNY"),
        quantity=2,
    )
    (remedy,) = desk.complaints.complaint_file(world.agent, complaint_id).remedies
    record = desk.privacy.erase_customer(
        world.manager, world.cust_zh.id, "本人要求", cancel_open_tickets=True
    )
    assert record.cancelled == 3
    for visit in remedy.work:
        events = desk.ticket(world.manager, visit).events
        assert [(e.action, e.reason) for e in events if e.action == "cancel"] == [
            ("cancel", "customer_erased")
        ]


# -- a complaint's announced breach survives a calendar change (seeds 003/004 考核) --------------------

HOURS = [(time(9), time(12)), (time(13), time(18))]


def _calendar(*holidays: date) -> BusinessCalendar:
    return BusinessCalendar(
        "Asia/Shanghai",
        dict.fromkeys(range(5), HOURS),
        holidays,
        known_from=date(2026, 1, 1),
        known_until=date(2026, 12, 31),
        source_name="company calendar",
    )


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_day_off_added_after_a_complaints_announced_breach_leaves_it_breached(
    backend: str, tmp_path: Path
) -> None:
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="sanitary_ware", clock=clock, staff=STAFF, calendar=_calendar()) as desk,
    ):
        register(desk, world)
        late = desk.complaints.open_complaint(world.agent, world.cust_zh.id, "上门服务态度恶劣").ticket.id
        desk.complaints.investigate(world.agent, late)  # answered: the resolution clock runs on
        due = desk.ticket(world.manager, late).resolution_due_at
        assert due is not None
        clock.set(_calendar().add(due, timedelta(hours=1)))  # an hour of working time past it
        assert not desk.run_due_jobs().failed  # the sweep announces the breach
        assert desk.sla(world.manager, late)["resolution"].breached
        # A working day the breached clock ran over becomes a day off.
        desk.recompute_provisional_dues(world.manager, _calendar(due.date() - timedelta(days=1)))
        complaint = desk.ticket(world.manager, late)
        assert complaint.resolution_due_at == due
        assert complaint.events[-1].action == "recalculate_sla"
        assert complaint.events[-1].payload["held_breaches"] == {"resolution": due.isoformat()}
        assert desk.sla(world.manager, late)["resolution"].breached
        assert late in {t.id for t in desk.ledger(world.manager, TicketFilter(breached_at=clock.now())).items}
        # A later command derives the due again: still the held one.
        desk.complaints.propose_solution(world.agent, late, solution="道歉并更换服务人员")
        assert desk.ticket(world.manager, late).resolution_due_at == due
        assert desk.sla(world.manager, late)["resolution"].breached


# -- the months a warranty extension may add, per role (seed 002: 延长免费售后服务期, 不做自己权限之外的约定)

CAPPED = """
[pack]
name = "venus_capped"
extends = "sanitary_ware"

[complaint.remedy_limits.agent]
gift = { amount = "100", currency = "CNY" }
warranty_extension = { amount = "0", currency = "CNY" }
warranty_extension_months = 6

[complaint.remedy_limits.manager]
warranty_extension = { amount = "0", currency = "CNY" }
warranty_extension_months = 24
"""


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def capped(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, World]]:
    world = make_world()
    pack = tmp_path / "venus_capped.toml"
    pack.write_text(CAPPED, encoding="utf-8")
    with (
        store_url(request.param, tmp_path) as url,
        ServiceDesk.open(
            url, pack=pack, overrides={"fees": FEES}, clock=ManualClock(START), staff=STAFF
        ) as desk,
    ):
        register(desk, world)
        desk.register_asset(world.manager, IN_WARRANTY)
        yield desk, world


def test_a_warranty_extension_past_the_roles_months_is_refused_counting_the_complaints_earlier_ones(
    capped: tuple[ServiceDesk, World],
) -> None:
    desk, world = capped
    complaints = desk.complaints
    complaint_id = _in_negotiation(desk, world)
    free = Money("0", "CNY")
    extend = RemedyKind.WARRANTY_EXTENSION
    complaints.grant_remedy(world.agent, complaint_id, kind=extend, cost=free, extend_by=4)
    # Two more months would be six in all: the agent's most. A third month more (by days) is past it.
    with pytest.raises(RemedyBeyondAuthority) as over:
        complaints.grant_remedy(
            world.agent, complaint_id, kind=extend, cost=free, extend_by=61, extend_unit=ExtensionUnit.DAYS
        )
    assert (over.value.field, over.value.kind, over.value.asked, over.value.limit) == (
        "months",
        "warranty_extension",
        7,
        6,
    )
    assert "6 个月" in render_error(over.value, "zh_Hans") and "6 個月" in render_error(over.value, "zh_Hant")
    assert "6 months" in render_error(over.value, "en")
    with pytest.raises(RemedyBeyondAuthority):  # not even a slip of the pen of 120 months
        complaints.grant_remedy(world.agent, complaint_id, kind=extend, cost=free, extend_by=120)
    assert len(complaints.complaint_file(world.agent, complaint_id).remedies) == 1
    assert len(complaints.warranty_extensions(world.agent, "unit-in")) == 1
    complaints.grant_remedy(world.agent, complaint_id, kind=extend, cost=free, extend_by=2)
    # The manager's authority covers more, up to 24 months on the complaint, the agent's six counted.
    complaints.grant_remedy(world.manager, complaint_id, kind=extend, cost=free, extend_by=18)
    with pytest.raises(RemedyBeyondAuthority) as manager_over:
        complaints.grant_remedy(world.manager, complaint_id, kind=extend, cost=free, extend_by=1)
    assert (manager_over.value.asked, manager_over.value.limit) == (25, 24)
    # A role the setting does not name is not limited by it.
    complaints.grant_remedy(world.general_manager, complaint_id, kind=extend, cost=free, extend_by=120)
    assert len(complaints.warranty_extensions(world.agent, "unit-in")) == 4
