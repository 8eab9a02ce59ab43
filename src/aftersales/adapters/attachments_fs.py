"""Attachments on the local file system: the default store, a folder beside the SQLite file.

Layout: ``<root>/ab/cd/abcd…`` (the SHA-256, fanned out so no folder grows huge). A put streams into
a temporary file in ``<root>/tmp`` while hashing, then renames it into place: a crash leaves at most
a temporary file, never a half-written attachment under its hash.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from aftersales.domain.attachments import check_sha256
from aftersales.domain.call_shape import host_factories
from aftersales.errors import ConfigurationError, NotFound, StorageError
from aftersales.ports.attachments import Digest, StoredBlob

__all__ = ["FileSystemAttachmentStore", "beside_sqlite"]


def beside_sqlite(url: str) -> Path | None:
    """The attachment folder of a ``sqlite:///file.db`` store (``file.db.attachments``).

    ``None`` for an in-memory database.
    """
    if not url.startswith("sqlite:///"):
        return None
    path = url[len("sqlite:///") :].partition("?")[0]
    if not path or path == ":memory:":
        return None
    return Path(path + ".attachments")


@host_factories
class FileSystemAttachmentStore:
    """An :class:`~aftersales.ports.attachments.AttachmentStore` in the folder ``root``.

    The folder is created if missing.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        if not isinstance(root, str | os.PathLike) or not str(root):  # else a bare TypeError
            raise ConfigurationError(f"root is the attachment folder's path, got {root!r}", key="root")
        self.root = Path(root)
        try:
            (self.root / "tmp").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the attachment folder {self.root}: {exc}") from exc

    def _path(self, sha256: str) -> Path:
        check_sha256(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, content: Iterable[bytes], max_size: int | None = None) -> StoredBlob:
        """Stream ``content`` to disk, hashing; the file appears under its hash only when complete."""
        digest = Digest(max_size)
        fd, tmp = tempfile.mkstemp(dir=self.root / "tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in content:
                    digest.feed(chunk)
                    out.write(chunk)
            blob = digest.blob()
            target = self._path(blob.sha256)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise StorageError(f"cannot store an attachment in {self.root}: {exc}") from exc
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return blob

    def open(self, sha256: str) -> BinaryIO:
        """The stored file, opened for reading."""
        try:
            return self._path(sha256).open("rb")
        except FileNotFoundError:
            raise NotFound("attachment", sha256) from None
        except OSError as exc:
            raise StorageError(f"cannot read attachment {sha256}: {exc}") from exc

    def delete(self, sha256: str) -> None:
        """Remove the file."""
        try:
            self._path(sha256).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot delete attachment {sha256}: {exc}") from exc

    def exists(self, sha256: str) -> bool:
        """Whether the file is there."""
        return self._path(sha256).is_file()
