"""Session 26 (g): a host SLA policy whose own attributes contain themselves, on every store.

A desk fingerprints its SLA policy (the sweep's stamp, and the guard of a desk left on an old policy); a
host policy keeping a table that holds itself made that walk overflow with Python's ``RecursionError``.
Now opening the desk fails with a ``ConfigurationError`` naming the policy and where it contains itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aftersales.errors import ConfigurationError
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
def test_the_desk_names_the_policy_that_contains_itself(backend: str, tmp_path: Path) -> None:
    # The desk fingerprints its SLA policy when it opens (the guard of a desk left on an old policy), so
    # the loop is refused there, before any command or job could run on it.
    with (
        pytest.raises(ConfigurationError) as refused,
        world_desk(backend, tmp_path, overrides={"sla": LoopedSla()}),
    ):
        pass
    assert refused.value.key == "policy"
    assert str(refused.value).endswith(
        "LoopedSla: policy.table[1] (list) contains itself: it cannot be written out"
    )
