"""Session 26 (g): a host SLA policy whose own attributes contain themselves, on every store.

The SLA sweep stamps the store with the fingerprint of the desk's SLA policy; a host policy keeping a
table that holds itself made that walk overflow, and the sweep failed with Python's ``RecursionError``
on every run. Now it fails with a ``ConfigurationError`` naming the policy and where it contains itself,
and the other jobs still run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aftersales.policies.registry import resolve_policies
from conftest import world_desk

PACK_SLA = resolve_policies("office_equipment", None).sla


class LoopedSla:
    """A host's SLA policy: the pack's answers, and a table of its own that (by a bug) holds itself."""

    def __init__(self) -> None:
        self.name = "host_sla"
        self.table: list[Any] = [1]
        self.table.append(self.table)

    def __getattr__(self, name: str) -> Any:
        return getattr(PACK_SLA, name)


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_the_sweep_names_the_policy_that_contains_itself(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, overrides={"sla": LoopedSla()}) as (desk, _, world):
        opened = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸")
        assert opened.ticket.id
        report = desk.run_due_jobs()
        assert report.failed == {
            "sla_sweep": "ConfigurationError: policy: LoopedSla: policy.table[1] (list) contains itself: "
            "it cannot be written out"
        }
        assert "deliver" in report.ran
