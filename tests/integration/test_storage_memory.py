"""The storage contract against the memory adapter."""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.adapters.memory import MemoryStore, open_memory
from aftersales.errors import ValidationError
from aftersales.testing.storage_contract import StorageContract


class TestMemoryStorage(StorageContract):
    def make_store(self, tmp_path: Path) -> MemoryStore:
        return open_memory("memory://")


@pytest.mark.parametrize("url", ["memory://?ticket_cache=5", "memory:///service.db", "memory://x"])
def test_a_path_or_an_option_is_refused_not_ignored(url: str) -> None:
    # The memory store has no file and no option: a URL naming one was written for another store.
    with pytest.raises(ValidationError, match="memory://") as caught:
        open_memory(url)
    assert caught.value.field == "url"
    assert isinstance(open_memory("memory://"), MemoryStore)
