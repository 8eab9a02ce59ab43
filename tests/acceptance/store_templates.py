"""Fresh SQLite stores for the tests without building the schema each time: a migrated file is made once
per test process and each test gets a copy of it.

Making a new SQLite file was most of a SQLite test's set-up: the migration's DDL, and the synchronous
commits of a file in rollback-journal mode and its switch to WAL (the file's own ``fsync`` calls: disk
waits, not CPU). A copy is the very file a first open makes: the template is made by the storage adapter
itself (:func:`~aftersales.ports.storage_registry.open_storage`, then closed), nothing of a desk or a pack
in it, so a desk opened on the copy does everything a desk does on a new file except run the migration's
statements, which find the schema current.

Tests about making or migrating a file (or refusing to) open their own paths and do not come here.
PostgreSQL keeps a schema made per test: a database per test copied from a template
(``CREATE DATABASE … TEMPLATE``) was slower there, its first connections reading a cold catalog.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from aftersales.ports.storage_registry import open_storage


@functools.cache
def _sqlite_template() -> Path:
    """A migrated SQLite file, made once per process (removed at exit)."""
    folder = Path(tempfile.mkdtemp(prefix="aftersales-template-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "template.db"
    store = open_storage(f"sqlite:///{path}")
    store.close()
    if path.with_name(path.name + "-wal").exists():  # not closed cleanly: a copy would miss the log
        raise RuntimeError(f"the SQLite template {path} kept its write-ahead log")
    return path


def fresh_sqlite_file(path: Path) -> Path:
    """``path`` holding a copy of the migrated template, as a first open would leave it (a file already
    there is left as it is). Returns ``path``."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_sqlite_template(), path)
    return path
