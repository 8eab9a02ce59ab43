"""The attachment-store port: the bytes of ticket attachments, addressed by their SHA-256.

Content addressing makes a store idempotent (the same photo uploaded twice is stored once) and lets
the ticket's event log prove what was attached. Everything streams: :meth:`AttachmentStore.put`
reads chunks and writes them as they come (a 20 MB photo never sits in memory whole), refusing
content beyond ``max_size`` as soon as it is exceeded; :meth:`AttachmentStore.open` returns a
file-like object to read in chunks.

Adapters: :class:`aftersales.adapters.attachments_fs.FileSystemAttachmentStore` (the default, in a
folder beside the SQLite file), :class:`aftersales.adapters.attachments_memory.MemoryAttachmentStore`
(tests) and :class:`aftersales.adapters.attachments_s3.S3AttachmentStore` (S3-compatible object
storage, the ``s3`` extra).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator
from typing import BinaryIO, Protocol, runtime_checkable

import attrs

from aftersales.domain.media_types import SNIFF_BYTES
from aftersales.errors import ValidationError

__all__ = ["CHUNK", "AttachmentStore", "Digest", "StoredBlob", "iter_chunks", "read_head"]

CHUNK = 1 << 16
"""Bytes read or written at a time."""


@attrs.frozen
class StoredBlob:
    """What :meth:`AttachmentStore.put` learnt while storing: digest, size and the leading bytes."""

    sha256: str
    size: int
    head: bytes


def iter_chunks(content: bytes | BinaryIO | Iterable[bytes], size: int = CHUNK) -> Iterator[bytes]:
    """``content`` (bytes, a binary file or an iterable of byte chunks) as chunks."""
    if isinstance(content, bytes | bytearray | memoryview):
        data = bytes(content)
        for start in range(0, len(data), size):
            yield data[start : start + size]
        return
    read = getattr(content, "read", None)
    if read is not None:
        while True:
            chunk = read(size)
            if not chunk:
                return
            if not isinstance(chunk, bytes | bytearray):
                raise ValidationError("attachment content must be binary, not text", field="content")
            yield bytes(chunk)
    try:
        iterator = iter(content)
    except TypeError:
        raise ValidationError(
            "attachment content is bytes, a binary file or byte chunks", field="content"
        ) from None
    for chunk in iterator:
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise ValidationError("attachment content chunks must be bytes", field="content")
        yield bytes(chunk)


def read_head(chunks: Iterator[bytes]) -> tuple[bytes, Iterator[bytes]]:
    """The leading bytes a media type is sniffed from, and the whole stream again (head included).

    Reads only as far as the sniff needs, so an upload of a type the desk refuses is refused before
    any byte reaches the attachment store."""
    taken: list[bytes] = []
    size = 0
    for chunk in chunks:
        taken.append(chunk)
        size += len(chunk)
        if size >= SNIFF_BYTES:
            break
    return b"".join(taken)[:SNIFF_BYTES], itertools.chain(taken, chunks)


class Digest:
    """Hash, size and leading bytes of a stream, checked against ``max_size`` as it grows."""

    def __init__(self, max_size: int | None) -> None:
        self._hash = hashlib.sha256()
        self.size = 0
        self.head = b""
        self._max = max_size

    def feed(self, chunk: bytes) -> None:
        """Account for ``chunk``; raises ``ValidationError`` once the content is over the limit."""
        self.size += len(chunk)
        if self._max is not None and self.size > self._max:
            raise ValidationError(
                f"the attachment is larger than the {self._max:,} bytes allowed", field="content"
            )
        if len(self.head) < SNIFF_BYTES:
            self.head += chunk[: SNIFF_BYTES - len(self.head)]
        self._hash.update(chunk)

    def blob(self) -> StoredBlob:
        """The finished digest."""
        return StoredBlob(self._hash.hexdigest(), self.size, self.head)


@runtime_checkable
class AttachmentStore(Protocol):
    """Where attachment bytes live. Thread-safe; content-addressed by SHA-256."""

    def put(self, content: Iterable[bytes], max_size: int | None = None) -> StoredBlob:
        """Store the chunks, streaming.

        Content over ``max_size`` bytes raises ``ValidationError`` and nothing is kept.
        """
        ...

    def open(self, sha256: str) -> BinaryIO:
        """The stored bytes as a binary file to read (close it); ``NotFound`` if absent."""
        ...

    def delete(self, sha256: str) -> None:
        """Remove the bytes (absent ones are ignored)."""
        ...

    def exists(self, sha256: str) -> bool:
        """Whether the bytes are stored."""
        ...
