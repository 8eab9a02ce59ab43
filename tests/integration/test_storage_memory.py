"""The storage contract against the memory adapter."""

from __future__ import annotations

from pathlib import Path

from aftersales.adapters.memory import MemoryStore, open_memory
from aftersales.testing.storage_contract import StorageContract


class TestMemoryStorage(StorageContract):
    def make_store(self, tmp_path: Path) -> MemoryStore:
        return open_memory("memory://")
