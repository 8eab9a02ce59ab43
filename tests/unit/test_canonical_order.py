"""Unordered mappings held in one order: payloads, reasons' parameters and master-data snapshots.

PostgreSQL's ``jsonb`` keeps no key order of its own, so a ticket read back from it wrote a personal-data
export (and any JSON of its events and charge sheet) with its keys in another order than memory and
SQLite did. The domain holds these mappings with sorted keys; ``tests/acceptance/test_store_lockstep.py``
compares the stores' exports, these tests pin the rule where the values are made.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.canonical import canonical, is_canonical
from aftersales.domain.events import TicketEvent
from aftersales.domain.ids import AssetId, ProductId
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.domain.reasons import Reason
from aftersales.policies.warranty import DefaultWarrantyPolicy

SH = ZoneInfo("Asia/Shanghai")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=5),
    max_leaves=20,
)


@given(json_values)
def test_canonical_sorts_every_mapping_keeps_every_value_and_is_checked_by_is_canonical(
    value: object,
) -> None:
    made = canonical(value)
    assert made == canonical(made) and is_canonical(made)
    assert made == value or isinstance(value, dict | list)  # only containers are rebuilt
    if isinstance(value, dict):
        assert list(made) == sorted(value) and made == value
        assert is_canonical(value) == (canonical(value) == value and _orders_match(value))


def _orders_match(value: object) -> bool:
    if isinstance(value, dict):
        return list(value) == sorted(value) and all(_orders_match(v) for v in value.values())
    if isinstance(value, list):
        return all(_orders_match(v) for v in value)
    return True


def test_an_events_payload_is_held_with_sorted_keys_at_every_depth() -> None:
    payload = {"reasons": [], "assignee": {"name": "李工", "id": "E1", "kind": "engineer"}}
    at, agent = datetime(2026, 3, 2, 9, tzinfo=SH), ActorRef("a", Role.AGENT)
    event = TicketEvent(1, at, agent, "dispatch", "new", "assigned", payload=payload)
    assert list(event.payload) == ["assignee", "reasons"]
    assert list(event.payload["assignee"]) == ["id", "kind", "name"]
    assert event.payload == payload  # the same facts
    kept = MappingProxyType({"a": 1, "b": 2})
    assert TicketEvent(2, event.at, event.actor, "note", "new", "new", payload=kept).payload is kept


def test_a_reasons_parameters_are_held_with_sorted_keys() -> None:
    reason = Reason("out_of_warranty", {"months": 36, "ends_on": "2024-01-10", "component": None})
    assert list(reason.params) == ["component", "ends_on", "months"]


def test_the_warranty_policys_checked_reasons_keep_the_sorted_order_they_promise() -> None:
    """``Reason.checked`` skips the copy (and its sort) for speed: its callers write sorted keys."""
    terms = (WarrantyTerm(12), WarrantyTerm(60, "ceramic_body"))
    toilet = Product(ProductId("p1"), "VN-100", "马桶", "toilet", terms, frozenset({"ceramic_body"}))
    policy = DefaultWarrantyPolicy()
    units = [
        Asset(AssetId("a1"), ProductId("p1"), "SN1", purchase_date=date(2024, 1, 15),
              installation_accepted_on=date(2024, 1, 16)),
        Asset(AssetId("a2"), ProductId("p1"), "SN2", shipment_date=date(2024, 1, 20)),  # out of box
    ]  # fmt: skip
    seen = 0
    for unit in units:
        for days in (0, 200, 400, 3000):
            at = datetime(2024, 2, 1, 12, tzinfo=SH) + timedelta(days=days)
            for component in (None, "ceramic_body"):
                for reason in policy.decide(unit, toilet, at, component=component).reasons:
                    assert list(reason.params) == sorted(reason.params), reason
                    seen += 1
    assert seen >= 16


class _Facts:
    """A read-only mapping that is not a dict (a policy may hand one in a payload)."""

    def __init__(self, items: dict[str, object]) -> None:
        self._items = items

    def __getitem__(self, key: str) -> object:
        return self._items[key]

    def __iter__(self) -> object:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def test_canonical_treats_every_mapping_and_sequence_kind_alike() -> None:
    """The exact-type fast path gives what the ABC checks gave: any mapping becomes a sorted dict, any
    list or tuple a list, and atoms (enum members of str or int too) stay themselves."""
    from collections.abc import Mapping
    from enum import StrEnum

    class Kind(StrEnum):
        ENGINEER = "engineer"

    Mapping.register(_Facts)
    value = {
        "z": (1, {"b": 2, "a": 1}),
        "proxy": MappingProxyType({"y": [Kind.ENGINEER], "x": None}),
        "facts": _Facts({"d": 1.5, "c": True}),
    }
    made = canonical(value)
    assert made == {
        "facts": {"c": True, "d": 1.5},
        "proxy": {"x": None, "y": ["engineer"]},
        "z": [1, {"a": 1, "b": 2}],
    }
    assert list(made) == ["facts", "proxy", "z"]
    assert type(made["facts"]) is dict and type(made["proxy"]) is dict and type(made["z"]) is list
    assert list(made["facts"]) == ["c", "d"] and list(made["z"][1]) == ["a", "b"]
    assert made["proxy"]["y"][0] is Kind.ENGINEER
