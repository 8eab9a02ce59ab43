"""Regenerate the upgrade fixtures: stores written by older releases (tests/fixtures/old_stores).

Each release in :data:`RELEASES` is a commit of this repository at which the storage schema had a version
an operator may still run. For each one this script

1. extracts the commit's ``src`` (``git archive``) into a temporary folder,
2. plays tests/integration/old_store_workload.py with that ``src`` first on ``PYTHONPATH`` (a subprocess:
   the old code alone writes the store) into a new SQLite file, and, given ``--pg DSN``, into a new
   PostgreSQL schema,
3. writes the SQLite file as SQL text (``sqlite-v<N>-<commit>.sql.gz``: its application id and schema version,
   then ``Connection.iterdump()``), and the PostgreSQL schema as ``pg_dump --inserts`` text with the
   schema's name replaced by ``__SCHEMA__`` (``postgres-v<N>-<commit>.sql.gz``), which the tests load into a
   throw-away schema. Both are gzip-compressed text (``zcat`` reads them): about 15 kB a file.

The tests use only the committed files (CI has no guarantee of the full git history). Run it from the
repository root when a release is added (or the workload changes), then commit the files it wrote:

    PYTHONPATH=src python scripts/make_old_store_fixtures.py --pg postgresql://user@host:5432/db

``pg_dump`` must be on ``PATH`` for ``--pg``; the database needs the ``pg_trgm`` extension available.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKLOAD = ROOT / "tests" / "integration" / "old_store_workload.py"
OUT = ROOT / "tests" / "fixtures" / "old_stores"

RELEASES: tuple[tuple[str, bool], ...] = (
    # (commit, also PostgreSQL): SQLite schema version / PostgreSQL schema version at that commit
    ("2c42027d", True),  # SQLite 9 (reporting tables back-filled), PostgreSQL 7
    ("429529bb", True),  # SQLite 12 (ledger columns, search pending trigger), PostgreSQL 8
    ("19e3a08e", True),  # SQLite 14 (append-only ticket events), PostgreSQL 9
    ("4339b595", True),  # SQLite 17 (dispatched dealer, handling result), PostgreSQL 10
    ("9434ebe6", True),  # SQLite 19 (serving dealer, pause, fault occurrences), PostgreSQL 11
    ("2f07abce", False),  # SQLite 20 (the ledger's promised times); PostgreSQL as 9434ebe6
)


def _extract(commit: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "src"], check=True, capture_output=True
    ).stdout
    tar_path = into / "src.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _play(src: Path, url: str, cwd: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(src)}
    subprocess.run([sys.executable, str(WORKLOAD), url], check=True, env=env, cwd=cwd)


def _version_of(src: Path, module: str) -> int:
    env = {**os.environ, "PYTHONPATH": str(src)}
    code = f"from {module} import SCHEMA_VERSION; print(SCHEMA_VERSION)"
    found = subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True)
    return int(found.stdout)


def dump_sqlite(db: Path, commit: str) -> str:
    """The SQLite file ``db`` as SQL text that rebuilds it, header pragmas included."""
    conn = sqlite3.connect(db)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        # iterdump also lists a virtual table's rows (all NULL for a contentless FTS5 table): its
        # shadow tables, dumped beside it, hold its data
        virtual = tuple(
            f'INSERT INTO "{name}" VALUES('
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
            )
        )
        lines = [
            f"-- aftersales SQLite store written by commit {commit} (schema version {version}); made by",
            "-- scripts/make_old_store_fixtures.py: run it statement by statement on an empty file.",
            f"PRAGMA application_id = {app_id};",
            f"PRAGMA user_version = {version};",
            # statement by statement, outside one transaction: a virtual table is written into
            # sqlite_master by iterdump, and SQLite reads it before the triggers that use it only
            # once that statement has committed
            *(
                line
                for line in conn.iterdump()
                if line not in ("BEGIN TRANSACTION;", "COMMIT;") and not line.startswith(virtual or ("\0",))
            ),
        ]
    finally:
        conn.close()
    return "\n".join(lines) + "\n"


def dump_postgres(dsn: str, schema: str, commit: str, version: int) -> str:
    """The PostgreSQL ``schema`` as ``pg_dump`` SQL text, its name replaced by ``__SCHEMA__``."""
    text = subprocess.run(
        ["pg_dump", "--dbname", dsn, "--schema", schema, "--inserts", "--no-owner", "--no-privileges",
         "--no-comments"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    kept = [
        line
        for line in text.splitlines()
        # the loader makes the schema itself; pg_dump's banner names the server's version; psql's
        # meta-commands (\\restrict) are no SQL
        if not line.startswith(("--", "\\", "CREATE SCHEMA", "SELECT pg_catalog.set_config('search_path'"))
        and line.strip()
    ]
    header = [
        f"-- aftersales PostgreSQL schema written by commit {commit} (schema version {version}); made by",
        "-- scripts/make_old_store_fixtures.py: replace __SCHEMA__ by a new schema's name and run it there.",
    ]
    return "\n".join(header + [line.replace(f"{schema}.", "__SCHEMA__.") for line in kept]) + "\n"


def _write(path: Path, text: str) -> None:
    """``text`` gzip-compressed into ``path`` (no time stamp: the same text makes the same bytes)."""
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="PostgreSQL DSN to play the PostgreSQL fixtures on (else SQLite only)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for commit, with_pg in RELEASES:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            src = _extract(commit, work)
            db = work / "desk.db"
            _play(src, f"sqlite:///{db}", work)
            version = _version_of(src, "aftersales.adapters.sqlite_schema")
            _write(args.out / f"sqlite-v{version:02d}-{commit}.sql.gz", dump_sqlite(db, commit))
            if with_pg and args.pg:
                _postgres_fixture(args.pg, src, work, commit, args.out)
            shutil.rmtree(src)
    return 0


def _postgres_fixture(dsn: str, src: Path, work: Path, commit: str, out: Path) -> None:
    import psycopg

    schema = f"fixture_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in dsn else "?"
    try:
        _play(src, f"{dsn}{sep}schema={schema}", work)
        version = _version_of(src, "aftersales.adapters.postgres")
        _write(out / f"postgres-v{version:02d}-{commit}.sql.gz", dump_postgres(dsn, schema, commit, version))
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    sys.exit(main())
