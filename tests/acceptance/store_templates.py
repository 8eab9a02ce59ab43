"""Fresh SQLite stores for the tests without building the schema each time: a migrated file is made once
per test process and each test gets a copy of it.

Making a new SQLite file was most of a SQLite test's set-up: the migration's DDL, and the synchronous
commits of a file in rollback-journal mode and its switch to WAL (the file's own ``fsync`` calls: disk
waits, not CPU). A copy is the very file a first open makes: the template is made by the storage adapter
itself (:func:`~aftersales.ports.storage_registry.open_storage`, then closed), nothing of a desk or a pack
in it, so a desk opened on the copy does everything a desk does on a new file except run the migration's
statements, which find the schema current.

Tests about making or migrating a file (or refusing to) open their own paths and do not come here.

PostgreSQL has no copy of a schema, and a database per test copied from a template (``CREATE DATABASE …
TEMPLATE``) was slower, its first connections reading a cold catalog; migrating a new schema took a
quarter to a third of a second per test. So a test process keeps the schemas its desks used and hands one
out again once it is as a first open leaves it (:func:`migrated_pg_schema`): every row deleted and the
rows the migration writes copied back from a migrated schema no test touches, in one transaction. A
schema whose tables, columns, indexes, constraints, triggers or functions a test changed (an old store
made by hand, a damaged one), or one still in use, is dropped, not handed out again.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

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


_FINGERPRINT = """
SELECT 'rel', c.relname, c.relkind::text || c.relpersistence::text || coalesce(c.reloptions::text, '')
FROM pg_class AS c WHERE c.relnamespace = %(ns)s
UNION ALL
SELECT 'col', c.relname || '.' || a.attnum || '.' || a.attname,
       format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' '
       || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ' ' || a.attgenerated::text
FROM pg_class AS c JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef AS d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE c.relnamespace = %(ns)s
UNION ALL
SELECT 'con', conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = %(ns)s
UNION ALL
SELECT 'idx', c.relname, pg_get_indexdef(i.indexrelid)
FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid WHERE c.relnamespace = %(ns)s
UNION ALL
SELECT 'trg', t.tgname, pg_get_triggerdef(t.oid)
FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
WHERE c.relnamespace = %(ns)s AND NOT t.tgisinternal
UNION ALL
SELECT 'fn', p.proname, pg_get_functiondef(p.oid) FROM pg_proc AS p WHERE p.pronamespace = %(ns)s
UNION ALL
SELECT 'type', t.typname, t.typtype::text FROM pg_type AS t WHERE t.typnamespace = %(ns)s
ORDER BY 1, 2, 3
"""
"""What a schema is made of, by name (its own name replaced): equal for two schemas as a first open
leaves them, whatever rows they hold."""

_MOST_ROWS = 2000
"""A schema a test filled with more rows than this is dropped rather than emptied (deleted rows stay in
its tables' files until a vacuum: the next test's scans would read them)."""


def _fingerprint(conn: Any, schema: str) -> list[tuple[str, str, str]]:
    row = conn.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    if row is None:
        return []
    found = conn.execute(_FINGERPRINT, {"ns": row[0]}).fetchall()
    return [(kind, name, text.replace(schema, "<schema>")) for kind, name, text in found]


def _new_schema(dsn: str) -> str:
    """A new schema of ``dsn``, migrated by the storage adapter itself (a first open, then closed)."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    sep = "&" if "?" in dsn else "?"
    open_storage(f"{dsn}{sep}schema={schema}").close()
    return schema


@attrs.define
class _Golden:
    """A migrated schema no test opens: what a first open leaves, to compare with and copy rows from."""

    schema: str
    fingerprint: list[tuple[str, str, str]]
    tables: list[str]
    filled: list[str]


_SPARE: dict[str, list[str]] = {}
"""Per DSN, schemas as a first open leaves them, ready to be handed out again."""


@functools.cache
def _golden(dsn: str) -> _Golden:
    import psycopg

    schema = _new_schema(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace"
                " WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY 1",
                (schema,),
            )
        ]
        filled = [t for t in tables if conn.execute(f'SELECT 1 FROM "{schema}"."{t}" LIMIT 1').fetchone()]
        golden = _Golden(schema, _fingerprint(conn, schema), tables, filled)
    atexit.register(_drop_all, dsn)
    return golden


def _drop_all(dsn: str) -> None:
    import psycopg

    with contextlib.suppress(psycopg.Error), psycopg.connect(dsn, autocommit=True) as conn:
        for schema in [*_SPARE.pop(dsn, []), _golden(dsn).schema]:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _reset(conn: Any, golden: _Golden, schema: str) -> bool:
    """Whether ``schema`` was made as a first open leaves it again (else it is left as it was)."""
    if _fingerprint(conn, schema) != golden.fingerprint:
        return False
    tables = [f'"{schema}"."{table}"' for table in golden.tables]
    held = conn.execute("SELECT " + " + ".join(f"(SELECT count(*) FROM {t})" for t in tables)).fetchone()
    if held is None or held[0] > _MOST_ROWS:
        return False
    # One round trip (simple query protocol: no parameters); a connection still working in the schema
    # holds its locks past the timeout, and the schema is dropped instead.
    conn.execute(
        "; ".join(
            [
                "BEGIN",
                "SET LOCAL lock_timeout = '2s'",
                *(f"DELETE FROM {t}" for t in tables),
                *(
                    f'INSERT INTO "{schema}"."{t}" SELECT * FROM "{golden.schema}"."{t}"'
                    for t in golden.filled
                ),
                "COMMIT",
            ]
        )
    )
    return True


@contextlib.contextmanager
def migrated_pg_schema(dsn: str) -> Iterator[str]:
    """The name of a schema of ``dsn`` as a first open of the storage adapter leaves it: one this process
    used before and made so again, else a new one. Afterwards it is made so again for the next test, or
    dropped when it cannot be (see the module's docstring)."""
    import psycopg

    golden = _golden(dsn)
    spare = _SPARE.setdefault(dsn, [])
    schema = spare.pop() if spare else _new_schema(dsn)
    try:
        yield schema
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            try:
                reused = _reset(conn, golden, schema)
            except psycopg.Error:
                conn.execute("ROLLBACK")  # the reset's own transaction block, aborted
                reused = False
            if reused:
                spare.append(schema)
            else:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
