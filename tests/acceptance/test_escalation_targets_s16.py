"""An escalation (上报) goes to someone who can take it up (seed 004: 危机事件…立即通知客户服务中心,
客户服务中心向总经理报告及请示处理方法).

A pack may change who each trigger escalates to, but only to the supervisors who may acknowledge an
escalation (the manager, the department head, the general manager). A pack naming the customer, an
agent, the system or the auditor was accepted: a crisis escalation then went to nobody who could take it
up (only supervisors may acknowledge one), its acknowledgement came due and stayed overdue for ever, and
the escalation's notice (the customer's name, the reason) was addressed to whatever contacts the host
listed under that role. Such a pack is now refused when the desk opens, naming the key; memory, SQLite
and PostgreSQL answer the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.errors import ConfigurationError
from aftersales.policies.registry import resolve_policies
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, store_url

BACKENDS = ["memory", "sqlite", "postgres"]
PACKS = Path(resolve_policies.__code__.co_filename).parent / "packs"
LINE = 'targets = { customer_dissatisfied = ["manager"] }'


def _pack(tmp_path: Path, roles: str) -> Path:
    text = (PACKS / "general_maintenance.toml").read_text(encoding="utf-8")
    assert LINE in text
    pack = tmp_path / "escalating.toml"
    pack.write_text(
        text.replace(LINE, f'targets = {{ customer_dissatisfied = ["manager"], crisis_event = {roles} }}')
    )
    return pack


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("role", ["customer", "agent", "system", "auditor", "engineer"])
def test_a_pack_escalating_to_a_role_that_cannot_take_it_up_is_refused(
    backend: str, role: str, tmp_path: Path
) -> None:
    pack = _pack(tmp_path, f'["manager", "{role}"]')
    with (
        store_url(backend, tmp_path) as url,
        pytest.raises(ConfigurationError) as error,
        ServiceDesk.open(url, pack=str(pack), clock=ManualClock(START), staff=STAFF),
    ):
        pass
    assert str(error.value.key).endswith("escalation.targets.crisis_event")
    assert role in str(error.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_pack_escalating_to_supervisors_opens(backend: str, tmp_path: Path) -> None:
    pack = _pack(tmp_path, '["department_head", "general_manager"]')
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack=str(pack), clock=ManualClock(START)) as desk,
    ):
        targets = desk.context.policies.escalation.params.targets  # type: ignore[attr-defined]
        assert [r.value for r in targets["crisis_event"]] == ["department_head", "general_manager"]
