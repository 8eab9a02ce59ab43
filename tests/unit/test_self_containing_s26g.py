"""Session 26 (g): the recursive walks besides to_dict refuse a value that contains itself, typed.

Session 25 guarded ``to_dict``/``to_json``; ``canonical()`` (every event payload put in key order), the
store's ``serialization.unstructure``/``dumps`` and a host policy's fingerprint still recursed until
Python's ``RecursionError`` escaped (an event built with a payload holding itself, a host SLA policy
whose table holds itself: every desk that stamped its due times failed). Now each walk catches the
overflow once at its entry and names where the value contains itself
(``domain/self_containing.py``); a good value pays nothing for it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

from aftersales import ActorRef, TicketEvent
from aftersales.domain.canonical import canonical, is_canonical
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.policies.fingerprint import policy_fingerprint
from aftersales.policies.registry import resolve_policies
from aftersales.serialization import dumps, unstructure


def _looped_list() -> list[Any]:
    looped: list[Any] = [1]
    looped.append(looped)
    return looped


def _looped_dict() -> dict[str, Any]:
    looped: dict[str, Any] = {"b": 1}
    looped["a"] = {"inner": looped}
    return looped


def test_canonical_names_where_a_payload_contains_itself() -> None:
    with pytest.raises(ValidationError, match=r"payload\[1\] \(list\) contains itself") as caught:
        canonical({"z": 1, "a": _looped_list()}["a"])
    assert caught.value.field == "payload"
    with pytest.raises(ValidationError, match=r"contains itself") as caught:
        canonical(_looped_dict())
    assert caught.value.field == "payload"
    assert not is_canonical(_looped_dict())


def test_a_deep_but_finite_payload_is_refused_as_too_deep() -> None:
    deep: Any = "leaf"
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(ValidationError, match="nested too deeply"):
        canonical(deep)


def test_an_event_built_with_a_self_containing_payload_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        TicketEvent(
            1, datetime(2026, 3, 2, tzinfo=UTC), ActorRef.parse("manager:m1"), "note", None, "new",
            payload={"z": 1, "a": _looped_list()},
        )  # fmt: skip
    assert caught.value.field == "payload"


@attrs.frozen
class Holder:
    items: list[Any]


@pytest.mark.parametrize("write", [unstructure, dumps])
def test_the_store_serialization_refuses_a_value_that_contains_itself(write: Any) -> None:
    with pytest.raises(ValidationError, match=r"obj\.items\[1\] \(list\) contains itself") as caught:
        write(Holder(_looped_list()))
    assert caught.value.field == "obj"


def test_a_good_value_is_written_as_before() -> None:
    assert canonical({"b": [1, {"d": 2, "c": 3}], "a": None}) == {"a": None, "b": [1, {"c": 3, "d": 2}]}
    assert dumps(Holder([1, [2]])) == '{"items":[1,[2]]}'


def test_a_host_policy_that_contains_itself_is_a_configuration_error_naming_the_policy() -> None:
    pack_sla = resolve_policies("office_equipment", None).sla

    class HostSla:
        """A host's SLA policy keeping its own table (which, by a bug, holds itself)."""

        def __init__(self) -> None:
            self.name = "host_sla"
            self.table: list[Any] = [pack_sla]
            self.table.append(self.table)

    with pytest.raises(ConfigurationError, match=r"policy\.table\[1\] \(list\) contains itself") as caught:
        policy_fingerprint(HostSla())
    assert caught.value.key == "policy"
    assert policy_fingerprint(pack_sla) == policy_fingerprint(resolve_policies("office_equipment", None).sla)
