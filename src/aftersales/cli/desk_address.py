"""The SQLite desk file a CLI ``--db`` names: a file name, or a ``sqlite:///`` URL as ``open_store`` takes.

Why: the library opens a desk by URL (``sqlite:///relative.db``, ``sqlite:////absolute.db``), and an
operator copies that address into ``aftersales report --db``; the report took the URL for a file name and
answered "no such database file" (``budget`` the same; ``demo --db`` made a folder ``sqlite:``). Every
command that takes a desk reads ``--db`` here. The commands read (or, ``demo``, write) a SQLite file they
check before opening it; another store's URL (``memory://``, a PostgreSQL DSN) is refused by name rather
than taken for a file.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SQLITE_PREFIX", "desk_file"]

SQLITE_PREFIX = "sqlite:///"
"""What starts a SQLite store URL; the file name follows (a fourth ``/`` begins an absolute path)."""


def desk_file(given: str) -> Path | None:
    """The file ``given`` names — as typed, or after :data:`SQLITE_PREFIX` — or ``None`` for the URL of
    another store (``scheme://…``), which the commands do not open."""
    if given[: len(SQLITE_PREFIX)].lower() == SQLITE_PREFIX:
        return Path(given[len(SQLITE_PREFIX) :])
    if "://" in given:
        return None
    return Path(given)
