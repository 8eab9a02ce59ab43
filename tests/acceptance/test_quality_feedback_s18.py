"""Quality feedback to R&D (seed 002 售后服务质量反馈系统的建设), session 18, on memory, SQLite and
PostgreSQL: every quality record is 故障描述 → 故障原因 → 处理措施 in the pack's catalog, whichever way it
enters the store, and the statistics (分类统计和分析) count what the seed counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import store_url
from test_ticket_import import ENGINEER_REF, MANAGER, START, _parties, _ticket

from aftersales.adapters.clock import ManualClock
from aftersales.domain.work import FaultRecord
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.policies.fault_catalog import FaultCatalog, FaultCatalogParams
from aftersales.policies.registry import resolve_policies
from aftersales.service.desk import ServiceDesk

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


def test_a_catalog_given_as_parameters_is_refused_not_ignored() -> None:
    """Before, ``overrides={"faults": {...}}`` was kept as the policy: a plain dict, so no record was
    checked and no label used — the configuration silently ignored."""
    with pytest.raises(ConfigurationError) as refused:
        resolve_policies("sanitary_ware", {"faults": {"causes": {"switch_loose": LABELS["switch_loose"]}}})
    assert "overrides.faults" in str(refused.value)
    assert resolve_policies("sanitary_ware", {"faults": CATALOG}).extra["faults"] is CATALOG
