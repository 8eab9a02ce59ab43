"""``[sla] urgent_contact_from`` with no urgent contact to give is refused, not ignored (session 30 h).

Seed 001 五(一)2 (紧急问题 … 在[X]分钟内与客户取得联系): ``urgent_contact_from`` names the grade from which a
problem gets ``urgent_contact_minutes`` of the clock for its first contact. With ``urgent_contact_minutes``
0 (a pack's "none", as ``office_equipment`` sets it) or ``None`` there are no such minutes, and the grade
was accepted and silently ignored: a pack extending ``office_equipment`` with
``urgent_contact_from = "critical"`` believed its critical calls were contacted within minutes, and they kept
their working-hours response target. Configuration is used or refused: now a ``ValidationError`` (a
``ConfigurationError`` naming ``sla.urgent_contact_from`` from a pack).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Priority
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.policies.registry import resolve_policies
from aftersales.policies.sla import SlaParams


@pytest.mark.parametrize("minutes", [0, None])
def test_a_grade_without_urgent_minutes_is_refused(minutes: int | None) -> None:
    with pytest.raises(ValidationError) as refused:
        SlaParams(urgent_contact_from="critical", urgent_contact_minutes=minutes)
    assert refused.value.field == "urgent_contact_from"
    assert "urgent_contact_minutes" in str(refused.value)


def test_a_grade_with_minutes_or_no_grade_stands() -> None:
    assert SlaParams(urgent_contact_from=Priority.CRITICAL).urgent_contact_from is Priority.CRITICAL
    assert SlaParams(urgent_contact_minutes=0).urgent_contact_from is None


def test_a_pack_naming_a_grade_over_no_minutes_is_refused_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "office_show.toml"
    path.write_text(
        '[pack]\nname = "office_show"\nextends = "office_equipment"\n\n'
        '[sla]\nurgent_contact_from = "critical"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as refused:
        resolve_policies(path)
    assert refused.value.key == "sla.urgent_contact_from"
    path.write_text(
        '[pack]\nname = "office_show"\nextends = "office_equipment"\n\n'
        '[sla]\nurgent_contact_from = "critical"\nurgent_contact_minutes = 30\n',
        encoding="utf-8",
    )
    assert resolve_policies(path).sla.params.urgent_contact_from is Priority.CRITICAL
