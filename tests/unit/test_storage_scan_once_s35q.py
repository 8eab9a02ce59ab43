"""Opening a store scans the installed distributions' entry points once per ``sys.path``, not per open.

The scan read every installed package's metadata on each desk open (milliseconds each); a plugin put on
``sys.path`` at run time (as tests and hosts do) must still be found, and forgotten once it is gone.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from aftersales.adapters.memory import MemoryStore
from aftersales.errors import ConfigurationError
from aftersales.ports import storage_registry
from aftersales.ports.storage_registry import available_schemes, open_storage


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Each scan of the ``aftersales.storage`` entry points, counted from a cold cache."""
    seen: list[str] = []
    real = storage_registry.entry_points

    def counted(*, group: str) -> tuple[EntryPoint, ...]:
        seen.append(group)
        return tuple(real(group=group))

    monkeypatch.setattr(storage_registry, "entry_points", counted)
    cached = getattr(storage_registry, "_scanned", None)
    if cached is not None:
        cached.cache_clear()
    yield seen
    if cached is not None:
        cached.cache_clear()  # no scan made through the counter outlives the test


def test_opening_stores_scans_the_entry_points_once(scans: list[str]) -> None:
    for url in ("memory://", "memory://", "sqlite:///:memory:"):
        open_storage(url)
    assert "memory" in available_schemes()
    assert scans == ["aftersales.storage"]


def open_q35(url: str) -> MemoryStore:
    """The test plugin's opener: a memory store under another scheme."""
    return MemoryStore()


def test_a_plugin_put_on_the_path_later_is_found_and_forgotten_when_gone(
    scans: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_storage("memory://")  # the scan before the plugin is there
    with pytest.raises(ConfigurationError, match="q35store"):
        open_storage("q35store://x")
    dist = tmp_path / "q35_store_plugin-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: q35-store-plugin\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text(f"[aftersales.storage]\nq35store = {__name__}:open_q35\n")
    with monkeypatch.context() as patch:
        patch.syspath_prepend(str(tmp_path))
        assert isinstance(open_storage("q35store://x"), MemoryStore)
        assert "q35store" in available_schemes()
    assert "q35store" not in available_schemes()
    with pytest.raises(ConfigurationError, match="q35store"):
        open_storage("q35store://x")
