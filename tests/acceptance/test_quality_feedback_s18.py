"""Quality feedback to R&D (seed 002 售后服务质量反馈系统的建设), session 18, on memory, SQLite and
PostgreSQL: every quality record is 故障描述 → 故障原因 → 处理措施 in the pack's catalog, whichever way it
enters the store, and the statistics (分类统计和分析) count what the seed counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from test_ticket_import import ENGINEER_REF, MANAGER, START, _parties, _ticket

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.work import FaultRecord
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.policies.fault_catalog import FaultCatalog, FaultCatalogParams
from aftersales.policies.registry import resolve_policies
from aftersales.ports.reporting import FaultDimension, Period
from aftersales.reports.faults import fault_pareto, fault_trend
from aftersales.service.desk import ServiceDesk
from conftest import START as WORLD_START
from conftest import World, store_url, world_desk

LABELS = {
    "switch_leaking": {"zh_Hans": "转换开关漏水", "en": "diverter switch leaking"},
    "switch_loose": {"zh_Hans": "转换开关松", "en": "diverter switch loose"},
    "tighten_switch": {"zh_Hans": "紧固转换开关", "en": "tighten the diverter switch"},
}
CATALOG = FaultCatalog(
    FaultCatalogParams(
        symptoms={"switch_leaking": LABELS["switch_leaking"]},
        causes={"switch_loose": LABELS["switch_loose"]},
        actions={"tighten_switch": LABELS["tighten_switch"]},
    )
)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    """A sanitary-ware desk whose pack lists its fault codes (the catalog), with a dealer and customer."""
    with (
        store_url(request.param, tmp_path) as url,
        ServiceDesk.open(
            url, pack="sanitary_ware", clock=ManualClock(START + timedelta(days=1)),
            overrides={"faults": CATALOG},
        ) as d,
    ):  # fmt: skip
        _parties(d)
        yield d


def _with_fault(n: int, symptom: str, cause: str, action: str) -> object:
    ticket = _ticket(n, triaged=True)
    at = START + timedelta(minutes=n + 20)
    ticket.record_fault(ENGINEER_REF, at, FaultRecord(symptom, cause, action, at, ENGINEER_REF))
    return ticket


@pytest.mark.parametrize(
    ("symptom", "cause", "action", "field"),
    [
        ("no_display", "switch_loose", "tighten_switch", "symptom"),
        ("switch_leaking", "stone_in_pipe", "tighten_switch", "cause"),
        ("switch_leaking", "switch_loose", "replace_everything", "action"),
    ],
)
def test_an_import_is_held_to_the_packs_fault_catalog(
    desk: ServiceDesk, symptom: str, cause: str, action: str, field: str
) -> None:
    """Before, ``add_fault_record`` checked the catalog and the import did not: a migrated history
    brought codes the pack does not list into the statistics (seed 002: 分类统计 by the pack's codes)."""
    good = _with_fault(1, "switch_leaking", "switch_loose", "tighten_switch")
    with pytest.raises(ValidationError) as refused:
        desk.import_tickets(MANAGER, [good, _with_fault(2, symptom, cause, action)])  # type: ignore[list-item]
    assert refused.value.field == field and "IMP-00002" in str(refused.value)
    assert desk.count(MANAGER) == 0  # the batch is all or nothing
    assert desk.import_tickets(MANAGER, [good]).tickets == 1  # type: ignore[list-item]


def test_a_catalog_given_as_parameters_is_refused_not_ignored(tmp_path: Path) -> None:
    """Before, ``overrides={"faults": {...}}`` was kept as the policy: a plain dict, so no record was
    checked and no label used — the configuration silently ignored."""
    codes = {"causes": {"switch_loose": LABELS["switch_loose"]}}
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open(f"sqlite:///{tmp_path / 'x.db'}", pack="sanitary_ware", overrides={"faults": codes})
    assert refused.value.key == "faults"
    assert not (tmp_path / "x.db").exists()  # refused before the store was opened
    assert resolve_policies("sanitary_ware", {"faults": CATALOG}).extra["faults"] is CATALOG


def _repair(
    desk: ServiceDesk, world: World, faults: list[tuple[str, str]], *, back: list[tuple[str, str]]
) -> None:
    """A repair with ``faults`` recorded; when ``back`` is given the problem comes back at the callback
    and ``back`` is recorded in the second cycle."""
    staff = world.dealer_sh_staff
    ticket_id = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="一直冲水").ticket.id
    desk.triage(world.agent, ticket_id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, ticket_id, dealer_id=world.dealer_sh.id)
    desk.start_work(staff, ticket_id)
    for symptom, cause in faults:
        desk.add_fault_record(staff, ticket_id, symptom=symptom, cause=cause, action="adjust")
    desk.resolve(staff, ticket_id, summary="调整")
    if back:
        desk.confirm(world.customer_zh, ticket_id, note="好了")
        desk.record_callback(world.agent, ticket_id, problem_back=True)
        desk.start_work(staff, ticket_id)
        for symptom, cause in back:
            desk.add_fault_record(staff, ticket_id, symptom=symptom, cause=cause, action="replace")
        desk.resolve(staff, ticket_id, summary="更换")


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_the_pareto_by_symptom_or_cause_counts_a_ticket_once_per_value(backend: str, tmp_path: Path) -> None:
    """Before, by symptom the Pareto kept one occurrence per (symptom, cause): a leak that came back and
    was traced to another cause was two leaks, and one worn valve behind two symptoms two causes. Seed
    002: 故障描述 is the problem as perceived (感观发现的问题) and its causes subdivide it
    (这些原因其实还可以往下再细分), they do not multiply it. By product every occurrence still counts."""
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, clock, world):
        # One unit keeps flushing; the valve was adjusted, the problem came back: the float was stuck.
        _repair(
            desk, world, [("keeps_flushing", "flush_valve_worn")], back=[("keeps_flushing", "float_stuck")]
        )
        # Another: one worn valve behind two symptoms.
        _repair(
            desk, world, [("keeps_flushing", "flush_valve_worn"), ("slow_fill", "flush_valve_worn")], back=[]
        )
        queries = reporting_for(desk.store)  # type: ignore[arg-type]
        period = Period(WORLD_START, clock.now() + timedelta(hours=1))

        def counts(dimension: FaultDimension) -> dict[str, int]:
            return {item.key: item.count for item in fault_pareto(queries, period, dimension).items}

        assert counts(FaultDimension.SYMPTOM) == {"keeps_flushing": 2, "slow_fill": 1}
        assert counts(FaultDimension.CAUSE) == {"flush_valve_worn": 2, "float_stuck": 1}
        assert sum(counts(FaultDimension.PRODUCT).values()) == 4  # four faults: (symptom, cause) pairs
        trend = fault_trend(queries, ["2026-03"], FaultDimension.SYMPTOM)
        assert trend.series == {"keeps_flushing": (2,), "slow_fill": (1,)}
