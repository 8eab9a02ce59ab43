"""Uploads and deletions of the same attachment bytes take turns.

Attachment bytes are stored once per content hash and shared by every attachment with that content, so
an upload streams its bytes before the command that links them commits, and a deletion (a failed upload
dropping what it stored, a detach freeing bytes no live link uses, an erasure) checks the committed links
before it deletes. Without a turn, a deletion that checked before a concurrent identical upload committed
deleted the bytes that upload then linked: an attachment that can never be read.

Both sides write the same :class:`BlobGuard` document (one per hash) in their transaction, so the store's
version check orders them: a deletion marks the guard, deletes the bytes, then clears the mark; the upload's
command touches the guard and refuses (``StorageError``, nothing linked) when a deletion is under way or the
bytes are gone. The caller uploads again; no link ever points at deleted bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta
from functools import partial
from typing import ClassVar

import attrs

from aftersales.errors import ConcurrencyConflict, DuplicateError, NotFound, StorageError, StoreBusy
from aftersales.ports.attachments import AttachmentStore
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.runner import CommandRunner

__all__ = ["DELETION_TIMEOUT", "BlobGuard", "delete_unused", "hold_bytes"]

DELETION_TIMEOUT = timedelta(minutes=5)
"""A deletion mark older than this is a deletion that died half-way: uploads no longer wait on it."""

_SYSTEM = Actor.system()


@attrs.define
class BlobGuard:
    """The document an upload and a deletion of the same bytes both write: ``deleting_since`` is set
    while a deletion is under way; ``turns`` counts the writes, so each one changes the version."""

    DOCUMENT_KIND: ClassVar[str] = "attachment_blob_guard"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str
    deleting_since: datetime | None = None
    turns: int = 0
    version: int = 0


def _read(uow: UnitOfWork, sha256: str) -> BlobGuard | None:
    try:
        return uow.documents.get(BlobGuard, sha256)
    except NotFound:
        return None


def _write(uow: UnitOfWork, sha256: str, guard: BlobGuard | None, deleting_since: datetime | None) -> None:
    """Write the guard as read (``None``: not there): its version makes a concurrent turn conflict."""
    if guard is None:
        uow.documents.add(BlobGuard(sha256, deleting_since, 1))
        return
    guard.deleting_since = deleting_since
    guard.turns += 1
    uow.documents.save(guard)


def hold_bytes(uow: UnitOfWork, store: AttachmentStore, sha256: str, now: datetime) -> None:
    """Inside the command that links ``sha256``: take the bytes' turn, and refuse when a deletion is
    under way or has removed them since they were streamed (upload again).

    The guard is written back as it was read before the bytes were looked at: a deletion that marked
    it in between makes this command's write conflict, and its retry sees the bytes gone."""
    guard = _read(uow, sha256)
    deleting = guard.deleting_since if guard is not None else None
    if (deleting is not None and now - deleting < DELETION_TIMEOUT) or not store.exists(sha256):
        raise StorageError(
            f"the bytes {sha256[:12]}… were removed while they were uploaded "
            "(an identical attachment was deleted at the same time): upload them again"
        )
    _write(uow, sha256, guard, None)


def delete_unused(
    runner: CommandRunner, store: AttachmentStore, sha256: str, in_use: Callable[[UnitOfWork, str], bool]
) -> bool:
    """Delete ``sha256``'s bytes unless ``in_use`` says a live link holds them; whether they went.

    The mark is committed (through the runner, as the system: bookkeeping, not anyone's step) before
    the bytes go, so an upload whose command commits later refuses; an upload that committed first
    makes the mark's write conflict, and its re-run sees the link. A mark that keeps losing its race
    keeps the bytes: a leak is safe, a link to nothing is not."""
    try:
        if not runner.write(_SYSTEM, "mark_bytes_deleting", None, sha256, partial(_mark, sha256, in_use)):
            return False
    except (ConcurrencyConflict, DuplicateError, StoreBusy):
        return False
    store.delete(sha256)
    with suppress(ConcurrencyConflict, DuplicateError, StoreBusy):  # else it lapses (DELETION_TIMEOUT)
        runner.write(_SYSTEM, "clear_bytes_deleting", None, sha256, partial(_clear, sha256))
    return True


def _mark(sha256: str, in_use: Callable[[UnitOfWork, str], bool], uow: UnitOfWork, now: datetime) -> bool:
    guard = _read(uow, sha256)  # before the links: an upload linking meanwhile changes its version
    if in_use(uow, sha256):
        return False
    _write(uow, sha256, guard, now)
    return True


def _clear(sha256: str, uow: UnitOfWork, now: datetime) -> None:
    _write(uow, sha256, _read(uow, sha256), None)
