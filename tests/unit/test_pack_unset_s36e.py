"""A pack that extends another removes the parent's keys it lists in ``[pack] unset`` (session 36, e).

Before, tables merged key by key and a child could only override a parent's key, never remove it: the
upgrade tests' frozen copy of sanitary_ware could not drop a complaint floor, so seed 002's 对投诉的处理
一定要及时 could not ship in that pack. The removal works for a pack file loaded by path, one registered in
code and one an entry point contributes; what cannot be removed is refused when the pack loads, naming the
key and the rule; the policies' fingerprints follow the effective settings.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import attrs
import pytest

from aftersales.errors import ConfigurationError
from aftersales.i18n.errors import render_error
from aftersales.policies.fingerprint import policy_fingerprint
from aftersales.policies.pack import PackFile, parse_pack
from aftersales.policies.registry import ENTRY_POINT_GROUP, Registry, default_registry
from aftersales.policies.triage import DefaultPriority

CHILD = '[pack]\nname = "mine"\nextends = "sanitary_ware"\nunset = ["priority.category_floor.complaint"]\n'


def _file(tmp_path: Path, text: str, name: str = "mine") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def plugin_module() -> Iterator[types.ModuleType]:
    module = types.ModuleType("unset_plugin_s36e")
    sys.modules[module.__name__] = module
    yield module
    sys.modules.pop(module.__name__, None)


def test_the_removal_holds_on_every_load_path_and_the_fingerprints_follow_the_effect(
    tmp_path: Path, plugin_module: types.ModuleType
) -> None:
    path = _file(tmp_path, CHILD)
    parent = default_registry().resolve("sanitary_ware")
    assert parent.priority.params.category_floor["complaint"].value == "expedited"  # type: ignore[attr-defined]
    by_path = default_registry().load_pack(path)
    in_code = Registry.discover(points=[])
    in_code.register(PackFile("mine", path))
    plugin_module.pack = PackFile("mine", path)  # type: ignore[attr-defined]
    by_entry_point = Registry.discover([EntryPoint("pack", "unset_plugin_s36e:pack", ENTRY_POINT_GROUP)])
    for pack in (by_path, in_code.load_pack("mine"), by_entry_point.load_pack("mine")):
        priority = pack.parameters["priority"]
        assert dict(priority.category_floor) == {}  # type: ignore[attr-defined]
        assert priority.vip_raises == 0  # type: ignore[attr-defined]  # the parent's other keys stay
        assert pack.parameters["sla"] == parent.sla.params  # type: ignore[attr-defined]
    # The fingerprint is the effective settings': the child's priority is the parent's without the floor,
    # written by no pack at all, and its SLA (untouched) stamps a store as the parent's does.
    child = default_registry().resolve(path)
    bare = DefaultPriority(attrs.evolve(parent.priority.params, category_floor={}))  # type: ignore[attr-defined]
    assert policy_fingerprint(child.priority) == policy_fingerprint(bare)
    assert policy_fingerprint(child.priority) != policy_fingerprint(parent.priority)
    assert policy_fingerprint(child.sla) == policy_fingerprint(parent.sla)


def test_removing_then_setting_a_key_gives_the_packs_own_value_and_an_emptied_table_its_default(
    tmp_path: Path,
) -> None:
    """The parent's keys go first, then the pack's own tables are laid over: a removed table written again
    replaces the parent's instead of merging; a removed key written again is the pack's value alone."""
    replaced = _file(
        tmp_path,
        '[pack]\nname = "mine"\nextends = "sanitary_ware"\nunset = ["priority.category_floor", '
        '"sla.tier_factor.vip", "callback.service_within_hours"]\n\n'
        '[priority]\ncategory_floor = { installation = "expedited" }\n',
    )
    pack = default_registry().resolve(replaced)
    assert {k: v.value for k, v in pack.priority.params.category_floor.items()} == {
        "installation": "expedited"
    }
    # sanitary_ware's only tier factor removed: the table goes, so the library's VIP × 0.5 applies again.
    assert {k.value: v for k, v in pack.sla.params.tier_factor.items()} == {"vip": 0.5}
    # One callback deadline in two sections: its partner goes with it (else the two would disagree).
    assert pack.callback.params.service_within_hours == pack.sla.params.callback_hours == 24
    section = _file(tmp_path, CHILD.replace('"]', '", "callback"]'), "section")
    callback = default_registry().resolve(section)  # the whole section: its linked keys' partners too
    assert callback.callback.params.service_within_hours == callback.sla.params.callback_hours == 24
    again = _file(tmp_path, CHILD + '\n[priority]\ncategory_floor = { complaint = "critical" }\n', "again")
    assert default_registry().resolve(again).priority.params.category_floor["complaint"].value == "critical"


_PARENT = (
    '[pack]\nname = "parts_maker"\n\n[fees]\nparts = { "WN-CB-01" = { cost = "75.00", retail = "120.00" } }\n'
)


@pytest.mark.parametrize(
    ("unset", "extends", "key", "rule"),
    [
        ('"priority.category_floor"', "sanitary_ware", "pack.unset", "unset_malformed"),
        ('["priority..category_floor"]', "sanitary_ware", "pack.unset", "unset_malformed"),
        ('["priority.category_floor.repair"]', "sanitary_ware", "priority.category_floor.repair",
         "unset_not_inherited"),  # the parent floors complaints only
        ('["pack.description"]', "sanitary_ware", "pack.description", "unset_not_inherited"),
        ('["priority.vip_raises"]', None, "pack.unset", "unset_not_inherited"),
        ('["fees.parts.WN-CB-01.cost"]', "parts_maker", "fees.parts.WN-CB-01.cost", "unset_required"),
        ('[\'fees.parts."WN-CB-01".retail\']', "parts_maker", 'fees.parts."WN-CB-01".retail',
         "unset_required"),  # a key in quotes, as TOML writes one
    ],
)  # fmt: skip
def test_what_cannot_be_removed_is_refused_naming_the_key_and_the_rule(
    tmp_path: Path, unset: str, extends: str | None, key: str, rule: str
) -> None:
    registry = Registry.discover(points=[])
    registry.register(PackFile("parts_maker", _file(tmp_path, _PARENT, "parts_maker")))
    line = f'extends = "{extends}"\n' if extends else ""
    path = _file(tmp_path, f'[pack]\nname = "mine"\n{line}unset = {unset}\n')
    with pytest.raises(ConfigurationError) as refused:
        registry.load_pack(path)
    assert (refused.value.key, refused.value.rule, refused.value.file) == (key, rule, str(path))
    assert key in render_error(refused.value, "zh_Hans")


def test_a_pack_table_read_alone_refuses_an_unset_it_cannot_apply() -> None:
    """parse_pack reads one table, with no parent underneath: the list would be ignored."""
    data = {"pack": {"name": "mine", "extends": "sanitary_ware", "unset": ["priority.category_floor"]}}
    with pytest.raises(ConfigurationError) as refused:
        parse_pack(data, file="mine.toml", kinds=default_registry().kinds)
    assert (refused.value.key, refused.value.rule) == ("pack.unset", "unset_not_inherited")


def test_a_pack_table_read_alone_refuses_the_parent_it_cannot_lay_under() -> None:
    """parse_pack has no registry to find the parent in: ``extends`` would be ignored (session 36: it was,
    and the pack came out without its parent's tables)."""
    data = {"pack": {"name": "mine", "extends": "sanitary_ware"}}
    with pytest.raises(ConfigurationError) as refused:
        parse_pack(data, file="mine.toml", kinds=default_registry().kinds)
    assert (refused.value.key, refused.value.rule) == ("pack.extends", "extends_not_applied")
    assert "load_pack" in render_error(refused.value, "en")
