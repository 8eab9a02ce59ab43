"""A pack counts a category's (or a priority's) SLA hours in wall-clock time (session 25).

Every hour target a pack could set was working time; only the library's own readings of the seeds
counted natural time (seed 002 分工 6 乙方…必须保证在24小时之内给用户解决问题, seed 003 客服专员在24小时内
对客户进行回访, seed 001 紧急问题 … 在[X]分钟内与客户取得联系). An integrator whose contract says "on site
within 30 minutes, day or night, holidays included" (电梯困人, a lift with people trapped) had to write a
whole SLA policy. ``[sla] clock = { critical = "wall" }`` and a category override's ``clock = "wall"`` now
say it; the derivation stores the wall-clock targets, and the live status (``desk.sla``), the sweep's
alerts and the breach report read the same dues — on memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales import ConfigurationError, resolve_policies
from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.policies.fingerprint import _canonical
from aftersales.policies.sla import DefaultSla, SlaFacts, SlaOverride, SlaParams
from aftersales.ports.reporting import Period
from aftersales.reports.sla import sla_breaches
from aftersales.service.desk import ServiceDesk
from aftersales.service.sla_watch import SlaAlert
from conftest import World, world_desk

SH = ZoneInfo("Asia/Shanghai")
SATURDAY_NIGHT = datetime(2026, 3, 7, 22, 0, tzinfo=SH)
LIFT_PACK = """[pack]
name = "lifts"
extends = "sanitary_ware"

[sla]
category_overrides = { repair = { response_hours = 0.25, arrival_hours = 0.5, clock = "wall" } }
"""


def _pack(tmp_path: Path, text: str = LIFT_PACK) -> Path:
    path = tmp_path / "lifts.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _night_call(desk: ServiceDesk, clock: ManualClock, world: World) -> str:
    clock.set(SATURDAY_NIGHT)
    opened = desk.open_ticket(world.agent, customer_id="cust-zh", description="困人", asset_id=None)
    desk.triage(world.agent, opened.ticket.id, nature="stuck", severity=Severity.HIGH, plan=Plan.ON_SITE)
    return opened.ticket.id


def test_a_wall_clock_category_is_due_in_natural_minutes_on_a_weekend_night(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack=_pack(tmp_path)) as (desk, clock, world):  # type: ignore[arg-type]
        ticket_id = _night_call(desk, clock, world)
        status = desk.sla(world.manager, ticket_id)
        assert status["response"].due_at == SATURDAY_NIGHT + timedelta(minutes=15)
        assert status["arrival"].due_at == SATURDAY_NIGHT + timedelta(minutes=30)
        ticket = desk.ticket(world.manager, ticket_id)
        assert ticket.response_due_at == SATURDAY_NIGHT + timedelta(minutes=15)
        # 31 natural minutes later, still Saturday night: late, and the sweep and the report say so.
        clock.set(SATURDAY_NIGHT + timedelta(minutes=31))
        status = desk.sla(world.manager, ticket_id)
        assert status["response"].breached and status["arrival"].breached
        assert not desk.run_due_jobs().failed
        with desk.store() as uow:
            alert = uow.documents.get(SlaAlert, f"{ticket_id}:arrival:sla_breach")
        assert alert.due_at == SATURDAY_NIGHT + timedelta(minutes=30)
        week = Period(SATURDAY_NIGHT - timedelta(days=1), SATURDAY_NIGHT + timedelta(days=1))
        report = sla_breaches(desk, world.manager, week, as_of=clock.now()).total
        assert report.response_breached == 1


def test_the_same_call_on_working_time_is_not_due_before_monday(backend: str, tmp_path: Path) -> None:
    working = LIFT_PACK.replace(', clock = "wall"', "")
    with world_desk(backend, tmp_path, pack=_pack(tmp_path, working)) as (desk, clock, world):  # type: ignore[arg-type]
        ticket_id = _night_call(desk, clock, world)
        assert desk.sla(world.manager, ticket_id)["arrival"].due_at > datetime(2026, 3, 9, tzinfo=SH)
        clock.set(SATURDAY_NIGHT + timedelta(minutes=31))
        assert not desk.sla(world.manager, ticket_id)["arrival"].breached


def _facts(priority: str) -> SlaFacts:
    return SlaFacts(priority=Priority(priority))


def test_a_priority_clock_counts_that_priority_in_wall_clock_hours() -> None:
    sla = DefaultSla(SlaParams(clock={"critical": "wall"}))
    critical = {t.name: t for t in sla.decide(_facts("critical")).outcome.targets}
    normal = {t.name: t for t in sla.decide(_facts("normal")).outcome.targets}
    assert (critical["response"].basis, critical["arrival"].basis) == ("calendar", "calendar")
    assert (normal["response"].basis, normal["arrival"].basis) == ("working", "working")
    # A category's own clock wins over its priority's.
    kept = DefaultSla(
        SlaParams(clock={"critical": "wall"}, category_overrides={"repair": SlaOverride(clock="working")})
    )
    assert {t.basis for t in kept.decide(_facts("critical")).outcome.targets if t.name == "arrival"} == {
        "working"
    }


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('clock = { critical = "natural" }', "sla.clock.critical"),
        ("clock = { critical = 1 }", "sla.clock.critical"),
        ('clock = { zz_unknown = "wall" }', "sla.clock.zz_unknown"),
        ('category_overrides = { repair = { clock = "Wall" } }', "sla.category_overrides.repair.clock"),
    ],
)
def test_a_malformed_clock_is_refused_naming_its_key(tmp_path: Path, body: str, key: str) -> None:
    path = _pack(tmp_path, f'[pack]\nname = "lifts"\nextends = "sanitary_ware"\n\n[sla]\n{body}\n')
    with pytest.raises(ConfigurationError) as refused:
        resolve_policies(path)
    assert refused.value.key == key


def test_a_pack_without_a_clock_keeps_its_fingerprint() -> None:
    """Stores an older release stamped stay current: the setting at its default is not in the digest."""
    text = _canonical(SlaParams(category_overrides={"repair": SlaOverride(arrival_hours=2)}))
    assert "clock" not in text
    assert "clock" in _canonical(SlaParams(clock={"critical": "wall"}))
