"""The pack's ``[staff] appraisers`` (seed 001 六(三) 1: 考核由售后经理负责): read from the pack, refused when
malformed (a ``ConfigurationError`` naming the key) and when an override is not a ``StaffRules``."""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.actors import HEADS, Role
from aftersales.errors import ConfigurationError
from aftersales.policies.registry import Registry
from aftersales.policies.staff import StaffParams, StaffRules, pack_staff_rules


def _load(tmp_path: Path, body: str) -> object:
    path = tmp_path / "staff.toml"
    path.write_text(f'[pack]\nname = "staff"\nextends = "exhibition_services"\n\n{body}\n', encoding="utf-8")
    return Registry.discover().resolve(str(path))


def test_seed_001s_pack_names_the_manager_and_the_others_keep_every_head() -> None:
    registry = Registry.discover()
    assert pack_staff_rules(registry.resolve("exhibition_services").extra).appraisers == {Role.MANAGER}
    assert pack_staff_rules(registry.resolve("office_equipment").extra).appraisers == HEADS


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("appraisers = []", "staff.appraisers"),
        ('appraisers = ["agent"]', "staff.appraisers"),
        ('appraisers = ["manager", "auditor"]', "staff.appraisers"),
        ('appraisers = ["boss"]', "staff.appraisers[0]"),
        ('appraisers = "manager"', "staff.appraisers"),
        ("every = 1", "staff.every"),
    ],
)
def test_a_malformed_staff_section_is_refused_naming_the_key(tmp_path: Path, body: str, key: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        _load(tmp_path, f"[staff]\n{body}")
    assert refused.value.key == key


def test_a_pack_may_name_more_heads(tmp_path: Path) -> None:
    policies = _load(tmp_path, '[staff]\nappraisers = ["manager", "department_head"]')
    assert pack_staff_rules(policies.extra).appraisers == {Role.MANAGER, Role.DEPARTMENT_HEAD}  # type: ignore[attr-defined]


def test_an_override_that_is_no_staff_rules_is_refused() -> None:
    assert pack_staff_rules({"staff": StaffRules(StaffParams((Role.MANAGER,)))}).appraisers == {Role.MANAGER}
    with pytest.raises(ConfigurationError) as refused:
        pack_staff_rules({"staff": StaffParams()})
    assert refused.value.key == "staff"
