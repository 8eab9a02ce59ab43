"""Uploads and deletions of the same attachment bytes, interleaved, on memory, SQLite and PostgreSQL.

Bytes are stored once per content hash. An upload that failed after streaming used to delete the bytes
when no committed attachment linked them, even while an identical upload was streamed and about to link
them: that attachment could never be read. Now the upload's command refuses (``StorageError``: upload
again) and links nothing, so no attachment points at deleted bytes.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

import pytest

from aftersales.adapters.attachments_fs import FileSystemAttachmentStore
from aftersales.adapters.clock import ManualClock
from aftersales.errors import PermissionDenied, StorageError
from aftersales.ports.attachments import StoredBlob
from aftersales.service.blob_guard import DELETION_TIMEOUT, BlobGuard
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

PHOTO = b"\xff\xd8\xff\xe0" + b"leak photo" * 50


class Interleaved:
    """A file-system attachment store that runs ``after_put`` once right after the next put, and
    ``on_exists`` once right after the next existence check (inside the linking command's transaction)."""

    def __init__(self, root: Path) -> None:
        self.inner = FileSystemAttachmentStore(root)
        self.after_put: Callable[[], None] | None = None
        self.on_exists: Callable[[], None] | None = None

    def put(self, content: Iterable[bytes], max_size: int | None = None) -> StoredBlob:
        blob = self.inner.put(content, max_size)
        hook, self.after_put = self.after_put, None
        if hook is not None:
            hook()
        return blob

    def open(self, sha256: str) -> BinaryIO:
        return self.inner.open(sha256)

    def delete(self, sha256: str) -> None:
        self.inner.delete(sha256)

    def exists(self, sha256: str) -> bool:
        found = self.inner.exists(sha256)
        hook, self.on_exists = self.on_exists, None
        if hook is not None:
            hook()
        return found


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def story(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, Interleaved, World]]:
    blobs = Interleaved(tmp_path / "blobs")
    with store_url(request.param, tmp_path, "race.db") as url:
        desk = ServiceDesk.open(
            url, pack="sanitary_ware", clock=ManualClock(START), staff=STAFF, attachments=blobs
        )
        world = make_world()
        register(desk, world)
        with desk:
            yield desk, blobs, world


def _readable(desk: ServiceDesk, world: World, ticket_id: str) -> list[bytes]:
    out = []
    for attachment in desk.attachments.list(world.manager, ticket_id):
        _, stream = desk.attachments.open(world.manager, ticket_id, attachment.id)
        with stream:
            out.append(stream.read())
    return out


def test_a_failed_upload_does_not_delete_the_bytes_an_identical_upload_is_linking(
    story: tuple[ServiceDesk, Interleaved, World],
) -> None:
    desk, blobs, world = story
    customer = world.customer_zh
    ticket_id = desk.open_ticket(customer, customer_id="cust-zh", description="水箱漏水").ticket.id

    def refused_twin() -> None:
        # The same bytes, uploaded meanwhile as the written report a customer may not give: refused
        # after streaming, so the failed upload drops what it stored.
        with pytest.raises(PermissionDenied):
            desk.attachments.attach(customer, ticket_id, kind="written_report", name="r.jpg", content=PHOTO)

    blobs.after_put = refused_twin
    with pytest.raises(StorageError):
        desk.attachments.attach(customer, ticket_id, kind="photo", name="leak.jpg", content=PHOTO)
    assert desk.attachments.list(customer, ticket_id) == ()  # nothing links bytes that are gone
    desk.attachments.attach(customer, ticket_id, kind="photo", name="leak.jpg", content=PHOTO)
    assert _readable(desk, world, ticket_id) == [PHOTO]


@pytest.mark.parametrize("when", ["streaming", "linking"])
def test_a_removal_racing_an_identical_upload_never_leaves_a_link_without_bytes(
    story: tuple[ServiceDesk, Interleaved, World], when: str
) -> None:
    desk, blobs, world = story
    customer = world.customer_zh
    first = desk.open_ticket(customer, customer_id="cust-zh", description="水箱漏水").ticket.id
    second = desk.open_ticket(customer, customer_id="cust-zh", description="又漏了").ticket.id
    old = desk.attachments.attach(customer, first, kind="photo", name="a.jpg", content=PHOTO)
    (attachment,) = old.ticket.attachments
    removal = threading.Thread(
        target=desk.attachments.remove, args=(customer, first, attachment.id), kwargs={"reason": "拍错了"}
    )
    # The last link to the bytes goes while the same bytes are streamed for the second ticket, or while
    # the command linking them is open (PostgreSQL runs the two transactions at once; memory and SQLite
    # let the removal wait for the command).
    start = lambda: (removal.start(), removal.join(5 if when == "streaming" else 0.5))[-1]  # noqa: E731
    if when == "streaming":
        blobs.after_put = start
    else:
        blobs.on_exists = start
    try:
        desk.attachments.attach(customer, second, kind="photo", name="b.jpg", content=PHOTO)
    except StorageError:
        assert desk.attachments.list(customer, second) == ()
    if removal.ident is None:  # the hook never ran: remove afterwards
        removal.start()
    removal.join(10)
    assert desk.attachments.list(customer, first) == ()
    # Whatever the order, what is linked is readable.
    for ticket_id in (first, second):
        assert all(data == PHOTO for data in _readable(desk, world, ticket_id))


def test_a_deletion_that_died_half_way_holds_identical_uploads_back_for_a_while_only(
    story: tuple[ServiceDesk, Interleaved, World],
) -> None:
    desk, _blobs, world = story
    customer = world.customer_zh
    ticket_id = desk.open_ticket(customer, customer_id="cust-zh", description="水箱漏水").ticket.id
    sha256 = hashlib.sha256(PHOTO).hexdigest()
    with desk.store() as uow:  # a deletion marked the guard, then its process was killed
        uow.documents.add(BlobGuard(sha256, desk.context.now(), 1))
        uow.commit()
    with pytest.raises(StorageError):
        desk.attachments.attach(customer, ticket_id, kind="photo", name="leak.jpg", content=PHOTO)
    clock = desk.context.clock
    assert isinstance(clock, ManualClock)
    clock.advance(DELETION_TIMEOUT + timedelta(seconds=1))
    desk.attachments.attach(customer, ticket_id, kind="photo", name="leak.jpg", content=PHOTO)
    assert _readable(desk, world, ticket_id) == [PHOTO]
