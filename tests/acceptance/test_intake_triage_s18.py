# mypy: disable-error-code="arg-type"
"""Intake, triage and routing against seeds 001 and 003 (session 18): who grades a call, who hears of a
critical one, and where the route sends it — on memory, SQLite and PostgreSQL.

Seed 003 受理/分级: 客服专员在接到客户请求后,需详细记录客户信息、产品信息、问题描述、期望解决时间等关键要素…
根据问题的紧急程度、复杂程度以及客户重要性,将服务请求分为普通、加急、特急三个级别。普通问题由客服专员或初级工程师
处理;加急问题由资深工程师介入;特急问题则启动应急小组,由部门负责人协调资源优先处理。
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales.domain.classification import Priority, Severity, TicketKind
from aftersales.errors import PermissionDenied
from aftersales.ports.queries import TicketFilter
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.fixture(params=BACKENDS)
def office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, World]]:
    """A desk of the office-equipment pack (seed 003) with the reference world registered."""
    with world_desk(request.param, tmp_path, pack="office_equipment") as (desk, _clock, world):
        yield desk, world


# -- who grades a call ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [TicketKind.SERVICE, TicketKind.COMPLAINT])
def test_a_customer_flags_its_call_urgent_but_gives_it_no_grade(
    office: tuple[ServiceDesk, World], kind: TicketKind
) -> None:
    # The grade is the staff's assessment: the customer says how urgent it is (紧急问题…立即标记), the pack
    # maps that to a grade. Before, a customer opening its own call with priority="critical" put it on
    # the emergency team's route and the critical clocks, past the triage roles.
    desk, world = office
    customer = world.customer_zh
    with pytest.raises(PermissionDenied):
        desk.open_ticket(
            customer, customer_id="cust-zh", description="复印机卡纸", priority=Priority.CRITICAL, kind=kind
        )
    assert desk.count(world.manager, TicketFilter(customer_id="cust-zh")) == 0  # nothing written
    flagged = desk.open_ticket(customer, customer_id="cust-zh", description="复印机卡纸", urgent=True, kind=kind)
    assert flagged.ticket.urgent is True
    assert flagged.ticket.priority is Priority.EXPEDITED  # the pack's urgent floor
    # The staff who take the call grade it at intake, as at triage.
    graded = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="复印机冒烟", priority=Priority.CRITICAL, kind=kind
    )
    assert graded.ticket.priority is Priority.CRITICAL


def test_dealer_staff_taking_their_customers_call_may_grade_it(office: tuple[ServiceDesk, World]) -> None:
    desk, world = office
    opened = desk.open_ticket(
        world.dealer_sh_staff, customer_id="cust-zh", description="马桶漏水", priority=Priority.EXPEDITED
    )
    assert opened.ticket.priority is Priority.EXPEDITED
    desk.triage(world.dealer_sh_staff, opened.ticket.id, nature="leak", severity=Severity.LOW)
