"""Open a store by URL: the scheme names an entry point of the group ``aftersales.storage``.

Ours are ``memory://``, ``sqlite:///path/to/file.db`` (``sqlite:///:memory:`` for a private
in-memory database) and ``postgresql://user@host:port/db``. A host registers its own adapter the
same way, in its ``pyproject.toml``::

    [project.entry-points."aftersales.storage"]
    mystore = "myhost.storage:open_mystore"   # open_mystore(url: str) -> StoreFactory
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import cast

from aftersales.errors import ConfigurationError
from aftersales.ports.unit_of_work import StoreFactory

__all__ = ["ENTRY_POINT_GROUP", "available_schemes", "open_storage"]

ENTRY_POINT_GROUP = "aftersales.storage"


def _scheme(url: str) -> str:
    if not isinstance(url, str) or "://" not in url:
        raise ConfigurationError(f"a storage URL looks like 'sqlite:///service.db', got {url!r}", key="url")
    scheme = url.split("://", 1)[0].lower()
    # SQLAlchemy-style driver suffixes ("postgresql+psycopg") name the same store.
    return scheme.split("+", 1)[0]


def available_schemes() -> list[str]:
    """The URL schemes installed adapters register, sorted."""
    return sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})


def open_storage(url: str) -> StoreFactory:
    """The store factory for ``url``; an unknown scheme raises ``ConfigurationError`` naming known ones."""
    scheme = _scheme(url)
    if scheme == "postgres":
        scheme = "postgresql"
    found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == scheme]
    if not found:
        known = ", ".join(available_schemes()) or "none installed"
        raise ConfigurationError(f"no storage adapter for scheme {scheme!r} (known: {known})", key="url")
    try:
        opener = cast(Callable[[str], StoreFactory], found[0].load())
    except ImportError as exc:
        raise ConfigurationError(
            f"the storage adapter for {scheme!r} cannot be loaded ({exc}); "
            "for PostgreSQL install the extra: pip install 'aftersales[postgres]'",
            key="url",
        ) from exc
    return opener(url)
