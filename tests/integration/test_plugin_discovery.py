"""The test plugin package is discovered through its entry point (a temporary dist-info on sys.path)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from aftersales.policies.dispatch import DefaultDispatch
from aftersales.policies.registry import Registry
from aftersales.policies.triage import DefaultPriority

PLUGIN_SRC = Path(__file__).resolve().parents[1] / "plugin_pkg" / "src"


@pytest.fixture
def plugin_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the plugin importable and its entry points visible, as `pip install` would, without pip."""
    dist = tmp_path / "aftersales_test_plugin-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: aftersales-test-plugin\nVersion: 0.1.0\n")
    project = tomllib.loads((PLUGIN_SRC.parent / "pyproject.toml").read_text())["project"]
    points = project["entry-points"]["aftersales.policies"]  # the plugin's own declaration, not a copy
    lines = "".join(f"{name} = {target}\n" for name, target in points.items())
    (dist / "entry_points.txt").write_text(f"[aftersales.policies]\n{lines}")
    monkeypatch.syspath_prepend(str(PLUGIN_SRC))
    monkeypatch.syspath_prepend(str(tmp_path))


@pytest.mark.usefixtures("plugin_on_path")
def test_plugin_pack_is_discovered_through_its_entry_point() -> None:
    registry = Registry.discover()
    assert "test_industry" in registry.pack_names()
    pack = registry.load_pack("test_industry")
    assert pack.policies == {"dispatch": "nearest"}
    policies = registry.resolve("test_industry")
    assert policies.dispatch.name == "plugin.nearest"
    assert isinstance(policies.priority, DefaultPriority)
    assert policies.priority.params.vip_raises == 2


@pytest.mark.usefixtures("plugin_on_path")
def test_plugin_named_policy_can_override_a_builtin_pack() -> None:
    registry = Registry.discover()
    policies = registry.resolve("office_equipment", {"dispatch": "nearest"})
    assert policies.dispatch.name == "plugin.nearest"
    assert policies.routing.name == "default.routing"


def test_without_the_plugin_its_pack_is_unknown() -> None:
    registry = Registry.discover()
    assert "test_industry" not in registry.pack_names()
    assert set(registry.pack_names()) >= {"office_equipment", "sanitary_ware"}
    assert isinstance(registry.resolve("office_equipment").dispatch, DefaultDispatch)
