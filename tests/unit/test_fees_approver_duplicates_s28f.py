"""A role named twice among the fee approvers is one approver, from code and from a pack file, as the staff
approver lists have it (session 28, f).

Why: ``fees.budget_approvers`` and ``fees.overrun_approvers`` kept a list as written, duplicates and all,
while ``[staff] appraisers`` and ``manager_appraisers`` keep each role once: the same company's pack
written ``["general_manager", "general_manager"]`` or ``["general_manager"]`` gave two different params
(and pack fingerprints) for one rule. Now every approver list keeps each role once, in the order given.
"""

from __future__ import annotations

from pathlib import Path

from aftersales.policies.fees import FeesParams
from aftersales.policies.fingerprint import policy_fingerprint
from aftersales.policies.registry import Registry
from aftersales.policies.staff import StaffParams


def test_a_role_named_twice_is_kept_once_in_code() -> None:
    params = FeesParams(
        budget_approvers=["general_manager", "department_head", "general_manager"],
        overrun_approvers=("manager", "manager"),
    )
    assert params.budget_approvers == ("general_manager", "department_head")
    assert params.overrun_approvers == ("manager",)
    assert params.overrun_approver_roles == ("manager",)
    # As the staff lists do.
    assert len(StaffParams(appraisers=["manager", "manager"]).appraisers) == 1


def _pack(tmp_path: Path, name: str, budget: str, overrun: str) -> object:
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'[pack]\nname = "{name}"\nextends = "general_maintenance"\n\n[fees]\n'
        f"budget_approvers = {budget}\noverrun_approvers = {overrun}\n",
        encoding="utf-8",
    )
    return Registry.discover().resolve(str(path))


def test_a_role_named_twice_is_kept_once_from_a_pack_file(tmp_path: Path) -> None:
    twice = _pack(tmp_path, "twice", '["general_manager", "general_manager"]', '["manager", "manager"]')
    once = _pack(tmp_path, "once", '["general_manager"]', '["manager"]')
    fees = twice.fees.params  # type: ignore[attr-defined]
    assert (fees.budget_approvers, fees.overrun_approvers) == (("general_manager",), ("manager",))
    assert policy_fingerprint(twice.fees) == policy_fingerprint(once.fees)  # type: ignore[attr-defined]
