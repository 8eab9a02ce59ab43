"""Attachments in the PostgreSQL store's own database: the default of a ``postgresql://`` desk.

An operator running the service network on one PostgreSQL server keeps everything in it: the bytes of
a photo or a written report sit beside the tickets that name them, in one backup (``pg_dump``), under
the same access control. Before, a PostgreSQL desk had no attachment store unless one was passed, so
the sanitary-ware pack's written-report rule (seed 002: 开箱期…需立即提供书面报告) could never be met on
it while memory and SQLite met it with the same calls.

Layout: table ``attachment_chunks (sha256, n, data)``, 1 MiB per row (``bytea``, stored uncompressed:
photos and PDFs are compressed already). A put streams its chunks into rows under a key of its own in
one transaction, then renames them to the content's SHA-256: a reader never sees half an attachment,
and content over ``max_size`` rolls back with nothing kept. Reads fetch one chunk per statement, so a
20 MB photo is never in memory whole on either side.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any, BinaryIO

from aftersales.adapters.postgres_pipeline import translated
from aftersales.domain.attachments import check_sha256
from aftersales.domain.call_shape import host_factories
from aftersales.errors import DuplicateError, NotFound
from aftersales.ports.attachments import Digest, StoredBlob

__all__ = ["CHUNK_BYTES", "PostgresAttachmentStore"]

CHUNK_BYTES = 1 << 20
"""Bytes per stored row: large enough that a photo is a few statements, small enough to stream."""

_INSERT = "INSERT INTO attachment_chunks (sha256, n, data) VALUES (%s, %s, %b)"
_FIRST = "SELECT 1 FROM attachment_chunks WHERE sha256 = %s AND n = 0"
_CHUNK = "SELECT data FROM attachment_chunks WHERE sha256 = %s AND n = %s"

Connect = Callable[[], AbstractContextManager[Any]]
"""A pooled connection for one short transaction (``ConnectionPool.connection``)."""


@host_factories
class PostgresAttachmentStore:
    """An :class:`~aftersales.ports.attachments.AttachmentStore` in the store's database (thread-safe:
    every call takes its own pooled connection)."""

    def __init__(self, connect: Connect) -> None:
        self._connect = connect

    def put(self, content: Iterable[bytes], max_size: int | None = None) -> StoredBlob:
        """Stream ``content`` into rows; they carry its hash only once all of it is in."""
        digest = Digest(max_size)
        staging = f"put:{uuid.uuid4().hex}"
        try:
            with translated("attachments.put"), self._connect() as conn, conn.transaction():
                buffer, n = bytearray(), 0
                for chunk in content:
                    digest.feed(chunk)  # over max_size: ValidationError, and the transaction rolls back
                    buffer += chunk
                    while len(buffer) >= CHUNK_BYTES:
                        with memoryview(buffer) as view:
                            conn.execute(_INSERT, (staging, n, view[:CHUNK_BYTES]))
                        del buffer[:CHUNK_BYTES]
                        n += 1
                if buffer or not n:  # the rest; an empty attachment is one empty row (it exists)
                    conn.execute(_INSERT, (staging, n, bytes(buffer)))
                blob = digest.blob()
                if conn.execute(_FIRST, (blob.sha256,)).fetchone():
                    conn.execute("DELETE FROM attachment_chunks WHERE sha256 = %s", (staging,))
                else:
                    conn.execute(
                        "UPDATE attachment_chunks SET sha256 = %s WHERE sha256 = %s", (blob.sha256, staging)
                    )
        except DuplicateError:
            pass  # the same bytes stored by a concurrent put: content-addressed, so they are these
        return digest.blob()

    def _count(self, sha256: str) -> int:
        with translated("attachments.open"), self._connect() as conn:
            found = conn.execute(
                "SELECT count(*) FROM attachment_chunks WHERE sha256 = %s", (check_sha256(sha256),)
            ).fetchone()
        return int(found[0]) if found is not None else 0

    def open(self, sha256: str) -> BinaryIO:
        """The stored bytes as a file read one chunk at a time."""
        count = self._count(sha256)
        if not count:
            raise NotFound("attachment", sha256)
        return io.BufferedReader(_Chunks(self._connect, sha256, count), CHUNK_BYTES)

    def delete(self, sha256: str) -> None:
        """Remove the rows (absent ones are ignored)."""
        with translated("attachments.delete"), self._connect() as conn:
            conn.execute("DELETE FROM attachment_chunks WHERE sha256 = %s", (check_sha256(sha256),))

    def exists(self, sha256: str) -> bool:
        """Whether the bytes are stored."""
        with translated("attachments.exists"), self._connect() as conn:
            found = conn.execute(_FIRST, (check_sha256(sha256),)).fetchone()
        return found is not None


class _Chunks(io.RawIOBase):
    """The rows of one attachment as a raw stream: each read past the current chunk fetches the next."""

    def __init__(self, connect: Connect, sha256: str, count: int) -> None:
        self._connect = connect
        self._sha256 = sha256
        self._count = count
        self._next = 0
        self._chunk = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._chunk:
            if self._next >= self._count:
                return 0
            with translated("attachments.read"), self._connect() as conn:
                found = conn.execute(
                    "SELECT data FROM attachment_chunks WHERE sha256 = %s AND n = %s",
                    (self._sha256, self._next),
                ).fetchone()
            if found is None:  # deleted while being read (an erasure): the file ends short
                raise OSError(f"attachment {self._sha256} was deleted while it was read")
            self._chunk = memoryview(bytes(found[0]))
            self._next += 1
        size = min(len(buffer), len(self._chunk))
        buffer[:size] = self._chunk[:size]
        self._chunk = self._chunk[size:]
        return size
