# mypy: disable-error-code="arg-type"
"""Who reads the KPI report, judged by the one permission table, on memory, SQLite and PostgreSQL.

The KPI report was a read model over the whole store with no actor: a host had to keep its own list of
who may read it (the FastAPI example did, beside the library's table), and a dealer asking for its own
figures got every dealer's. ``scoped_kpi_report`` asks the desk first (``desk.reports.kpi_scope``, the
table's ``kpi_report``): the heads and the auditor read every group; dealer staff read their own
dealer's total (seed 002: each dealer answers for its own service); customers, engineers and agents
are refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.ports.reporting import GroupBy, Period
from aftersales.reports import scoped_kpi_report
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))
SH = Actor.dealer_staff("sh-staff-1", "dealer-sh", {"SH"})
BJ = Actor.dealer_staff("bj-staff-1", "dealer-bj", {"BJ"})


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, World]]:
    with world_desk(request.param, tmp_path, pack="sanitary_ware") as (desk, _clock, world):
        desk.register_customer(
            world.manager,
            Customer(
                CustomerId("cust-bj"), "赵女士", Contact("赵女士", phone="13900000088"), region="BJ",
                dealer_id=world.dealer_bj.id,
            ),
        )  # fmt: skip
        for customer in (world.cust_zh.id, world.cust_en.id, world.cust_zh.id, "cust-bj"):
            ticket = desk.open_ticket(world.agent, customer_id=customer, description="马桶漏水").ticket
            # passed on to the customer's dealer: the dealer's job (session 30: a dealer reads the jobs it
            # did, GroupBy.SERVING_DEALER; a call still with the office is the maker's)
            desk.triage(world.agent, ticket.id, nature="leak", severity="medium", plan="on_site")
            desk.dispatch(world.agent, ticket.id, dealer_id=ticket.dealer_id)
        yield desk, world


def _kpi(desk: ServiceDesk, actor: Actor, group: GroupBy = GroupBy.ALL) -> object:
    return scoped_kpi_report(desk, actor, reporting_for(desk.store), MARCH, group=group)


def test_the_heads_read_every_dealer_and_a_dealer_only_its_own(shop: tuple[ServiceDesk, World]) -> None:
    desk, world = shop
    everyone = _kpi(desk, world.manager, GroupBy.DEALER)
    by_dealer = {row.group: row.counts.tickets for row in everyone.rows}  # type: ignore[attr-defined]
    assert by_dealer == {"dealer-sh": 3, "dealer-bj": 1}
    assert everyone.total.counts.tickets == 4  # type: ignore[attr-defined]
    assert _kpi(desk, world.auditor).total.counts.tickets == 4  # type: ignore[attr-defined]
    own = _kpi(desk, SH)
    assert own.total.group == "dealer-sh" and own.total.counts.tickets == 3  # type: ignore[attr-defined]
    assert own.rows == () and own.budget_per_ticket is None  # type: ignore[attr-defined]
    assert _kpi(desk, BJ).total.counts.tickets == 1  # type: ignore[attr-defined]
    # A dealer with no tickets in the period reads zeros, not someone else's figures.
    other = Actor.dealer_staff("gz-staff-1", "dealer-gz", {"GZ"})
    assert _kpi(desk, other).total.counts.tickets == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("who", ["customer", "engineer", "agent"])
def test_who_may_not_read_the_kpis_is_refused(shop: tuple[ServiceDesk, World], who: str) -> None:
    desk, world = shop
    actor = {
        "customer": world.customer_zh,
        "engineer": Actor.engineer(world.eng_junior.id),
        "agent": world.agent,
    }[who]
    with pytest.raises(PermissionDenied):
        _kpi(desk, actor)


def test_a_dealer_cannot_group_the_kpis_past_its_own_total(shop: tuple[ServiceDesk, World]) -> None:
    desk, world = shop
    with pytest.raises(ValidationError) as caught:
        _kpi(desk, SH, GroupBy.ENGINEER)
    assert caught.value.field == "group"
    with pytest.raises(ValidationError) as bogus:
        _kpi(desk, world.manager, "by_mood")  # type: ignore[arg-type]
    assert bogus.value.field == "group"
