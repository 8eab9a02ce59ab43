"""Hostile leftovers (s25 o): values that walked past the typed errors of the public API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

import aftersales
from aftersales.errors import ValidationError


class _Text(str):
    """A str subclass: rendered through the slower branch of the value formatter."""


def _assigned(name: object) -> dict[str, object]:
    return {
        "customer_name": name,
        "resolution_due_at": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        "category": "repair",
        "address": "上海市",
        "priority": "p2",
        "ticket_id": "T-1",
    }


@pytest.mark.parametrize("name", ["王\udc80", _Text("王\ud800五")])
@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
def test_render_refuses_a_lone_surrogate_like_a_command(name: str, locale: str) -> None:
    # render handed the surrogate back, and a mail or export writer then failed to encode it
    with pytest.raises(ValidationError) as caught:
        aftersales.render("assigned", locale, "Asia/Shanghai", _assigned(name))
    assert caught.value.field == "customer_name"


def test_render_keeps_whole_text() -> None:
    rendered = aftersales.render("assigned", "zh_Hans", "Asia/Shanghai", _assigned(_Text("王五😀")))
    assert "王五😀" in rendered.subject + rendered.body


@attrs.define
class _Holder:
    """A host's own attrs value (to_dict takes any): its list can be made to hold itself."""

    items: list[Any]
    meta: dict[str, Any]


def _self_holding() -> list[tuple[object, str]]:
    looped: list[Any] = [1]
    looped.append(looped)
    mapping: dict[str, Any] = {"k": [1, {}]}
    mapping["k"][1]["back"] = mapping
    holder = _Holder([], {})
    holder.meta["again"] = holder
    return [
        (_Holder(looped, {}), "obj.items[1] (list)"),
        (_Holder([], mapping), "obj.meta['k'][1]['back'] (dict)"),
        (holder, "obj.meta['again'] (_Holder)"),
    ]


@pytest.mark.parametrize("write", [aftersales.to_dict, aftersales.to_json])
@pytest.mark.parametrize(("value", "where"), _self_holding())
def test_to_dict_refuses_a_value_that_contains_itself(write: Any, value: object, where: str) -> None:
    # the recursive walk overflowed into Python's RecursionError
    with pytest.raises(ValidationError) as caught:
        write(value)
    assert caught.value.field == "obj"
    assert where in str(caught.value)


@pytest.mark.parametrize("write", [aftersales.to_dict, aftersales.to_json])
def test_to_dict_refuses_a_value_nested_too_deeply(write: Any) -> None:
    deep: list[Any] = []
    inner = deep
    for _ in range(5000):
        inner.append([])
        inner = inner[0]
    with pytest.raises(ValidationError, match="nested too deeply"):
        write(_Holder(deep, {}))


def test_to_dict_writes_shared_but_acyclic_values() -> None:
    shared = [1, 2]
    data = aftersales.to_dict(_Holder([shared, shared], {"a": shared}))
    assert data["items"] == [[1, 2], [1, 2]]
    assert data["meta"] == {"a": [1, 2]}
