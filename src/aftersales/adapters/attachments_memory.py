"""Attachments in memory, for tests and the ``memory://`` store (not for large files)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable
from typing import BinaryIO

from aftersales.domain.attachments import check_sha256
from aftersales.errors import NotFound
from aftersales.ports.attachments import Digest, StoredBlob
from aftersales.ports.fork_renewal import renew_after_fork

__all__ = ["MemoryAttachmentStore"]


class MemoryAttachmentStore:
    """An :class:`~aftersales.ports.attachments.AttachmentStore` in a dict of bytes."""

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._lock = threading.Lock()
        renew_after_fork(self)

    def _renew_locks_after_fork(self) -> None:
        self._lock = threading.Lock()  # a thread of the parent may have held it at the fork

    def put(self, content: Iterable[bytes], max_size: int | None = None) -> StoredBlob:
        """Keep the chunks (checked against ``max_size`` as they come)."""
        digest = Digest(max_size)
        parts = []
        for chunk in content:
            digest.feed(chunk)
            parts.append(chunk)
        blob = digest.blob()
        with self._lock:
            self._blobs[blob.sha256] = b"".join(parts)
        return blob

    def open(self, sha256: str) -> BinaryIO:
        """The bytes as a file."""
        with self._lock:
            data = self._blobs.get(check_sha256(sha256))
        if data is None:
            raise NotFound("attachment", sha256)
        return io.BytesIO(data)

    def delete(self, sha256: str) -> None:
        """Forget the bytes."""
        with self._lock:
            self._blobs.pop(check_sha256(sha256), None)

    def exists(self, sha256: str) -> bool:
        """Whether the bytes are kept."""
        with self._lock:
            return check_sha256(sha256) in self._blobs
