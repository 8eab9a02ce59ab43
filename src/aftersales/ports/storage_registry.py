"""Open a store by URL: the scheme names an entry point of the group ``aftersales.storage``.

Ours are ``memory://``, ``sqlite:///path/to/file.db`` (``sqlite:///:memory:`` for a private
in-memory database) and ``postgresql://user@host:port/db``. A host registers its own adapter the
same way, in its ``pyproject.toml``::

    [project.entry-points."aftersales.storage"]
    mystore = "myhost.storage:open_mystore"   # open_mystore(url: str) -> StoreFactory
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import cast
from urllib.parse import urlsplit

from aftersales.errors import AftersalesError, ConfigurationError
from aftersales.ports.unit_of_work import StoreFactory

__all__ = ["ENTRY_POINT_GROUP", "MAX_URL", "available_schemes", "check_url", "open_storage"]

ENTRY_POINT_GROUP = "aftersales.storage"


MAX_URL = 4096


def check_url(url: object) -> str:
    """``url`` if it is a well-formed storage URL; otherwise a ``ConfigurationError`` saying why.

    Refused before any adapter sees it: not text, longer than 4,096 characters, control characters or
    lone surrogates (a NUL in a file name), no ``scheme://``, brackets that do not close, a port that is
    not a number from 1 to 65535.
    """
    if not isinstance(url, str) or "://" not in url:
        shown = repr(url)[:80]
        raise ConfigurationError(f"a storage URL looks like 'sqlite:///service.db', got {shown}", key="url")
    if len(url) > MAX_URL:
        raise ConfigurationError(f"a storage URL is at most {MAX_URL} characters", key="url")
    if any(ord(c) < 32 or ord(c) == 127 or 0xD800 <= ord(c) <= 0xDFFF for c in url):
        raise ConfigurationError("a storage URL may not contain control characters", key="url")
    try:
        port = urlsplit(url).port
    except ValueError as exc:
        raise ConfigurationError(f"malformed storage URL: {exc}", key="url") from None
    if port == 0:
        raise ConfigurationError("malformed storage URL: port 0", key="url")
    return url


def _scheme(url: str) -> str:
    check_url(url)
    scheme = url.split("://", 1)[0].lower()
    # SQLAlchemy-style driver suffixes ("postgresql+psycopg") name the same store.
    return scheme.split("+", 1)[0]


@functools.lru_cache(maxsize=8)
def _scanned(path: tuple[str, ...]) -> tuple[EntryPoint, ...]:
    return tuple(entry_points(group=ENTRY_POINT_GROUP))


def _adapters() -> tuple[EntryPoint, ...]:
    """The entry points of ``aftersales.storage``, scanned once per ``sys.path``.

    Scanning every installed distribution costs milliseconds on each desk open; keyed on the path, a
    plugin whose dist-info is put on ``sys.path`` at run time (as tests and hosts do) is still seen.
    """
    return _scanned(tuple(sys.path))


def available_schemes() -> list[str]:
    """The URL schemes installed adapters register, sorted."""
    return sorted({ep.name for ep in _adapters()})


def open_storage(url: str) -> StoreFactory:
    """The store factory for ``url``; an unknown scheme raises ``ConfigurationError`` naming known ones."""
    scheme = _scheme(url)
    if scheme == "postgres":
        scheme = "postgresql"
    found = [ep for ep in _adapters() if ep.name == scheme]
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
    try:
        return opener(url)
    except (ValueError, TypeError, UnicodeError) as exc:
        if isinstance(exc, AftersalesError):
            raise
        raise ConfigurationError(f"malformed storage URL: {exc}", key="url") from None
