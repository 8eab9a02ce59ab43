"""A pack's maintenance checklist is held to the rules a plan's checklist is (session 30, g).

Why: ``[maintenance] checklist = ["clean", "clean"]`` (or 101 tasks, or a category's list naming a task
twice) loaded without a word, and then every maintenance plan made from it was refused ("a checklist
names a task twice"): the pack's mistake met the first unit to be planned, not the pack. A checklist
given as a bare string is refused naming the key, as the whole numbers of ``[maintenance]`` are.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.maintenance import checked_checklist
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.policies.maintenance import MaintenanceParams
from aftersales.policies.registry import resolve_policies

MANY = [f"task_{n}" for n in range(101)]


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"checklist": ["clean", "clean"]}, "maintenance.checklist"),
        ({"checklist": MANY}, "maintenance.checklist"),
        ({"checklist": "inspect"}, "maintenance.checklist"),
        ({"checklist": []}, "maintenance.checklist"),
        ({"checklists": {"toilet": ["inspect", "clean", "inspect"]}}, "maintenance.checklists"),
        ({"checklists": {"toilet": "inspect"}}, "maintenance.checklists"),
        ({"checklists": {"toilet": ["Not A Code"]}}, "maintenance.checklists"),
    ],
)
def test_a_checklist_a_plan_would_refuse_is_refused_in_the_params(
    kwargs: dict[str, object], key: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        MaintenanceParams(**kwargs)  # type: ignore[arg-type]
    assert refused.value.key == key, refused.value
    if "checklists" in kwargs:
        assert "toilet" in str(refused.value)  # which category's list


def test_a_pack_naming_a_task_twice_is_refused_when_it_loads(tmp_path: Path) -> None:
    path = tmp_path / "lift.toml"
    path.write_text('[pack]\nname = "lift"\n\n[maintenance]\nchecklist = ["clean", "inspect", "clean"]\n')
    with pytest.raises(ConfigurationError) as refused:
        resolve_policies(path)
    assert refused.value.key == "maintenance.checklist" and "twice" in str(refused.value)


def test_what_the_params_take_a_plan_takes() -> None:
    tasks = MANY[:100]
    params = MaintenanceParams(checklist=tasks, checklists={"toilet": ["inspect"]})
    assert checked_checklist(params.checklist_for("basin")) == tuple(tasks)
    assert checked_checklist(params.checklist_for("toilet")) == ("inspect",)


def test_the_plans_rule_is_one_function() -> None:
    with pytest.raises(ValidationError) as refused:
        checked_checklist(["a", "a"])
    assert refused.value.field == "checklist"
