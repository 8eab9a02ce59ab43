"""A refused upload changes nothing: not a row, not a byte (memory, SQLite, PostgreSQL).

An upload used to stream its bytes into the attachment store first and look at them after: a type the
desk refuses (a text file named ``.jpg``, an empty upload) or a malformed idempotency key was refused
only then, and dropping the bytes left their bookkeeping (the bytes' guard document) in the store
behind a command that answered ``ValidationError``. The key and the sniffed type are now checked before
a byte is stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import MANAGER, STORES, Opened, opened, seed

from aftersales.errors import ValidationError

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


@pytest.mark.parametrize(
    ("content", "key", "field"),
    [
        (b"not a photo at all", None, "media_type"),
        (b"", None, "media_type"),
        ([b"plain ", b"text ", b"in chunks"], None, "media_type"),
        (JPEG, "", "idempotency_key"),
        (JPEG, "   ", "idempotency_key"),
    ],
    ids=["text", "empty", "text-in-chunks", "empty-key", "blank-key"],
)
def test_a_refused_upload_writes_nothing(
    store: Opened, content: bytes | list[bytes], key: str | None, field: str
) -> None:
    tid = seed(store.desk, store.clock)
    before = store.snapshot()
    with pytest.raises(ValidationError) as refused:
        store.desk.attachments.attach(
            MANAGER, tid, kind="photo", name="leak.jpg", content=content, idempotency_key=key
        )
    assert refused.value.field == field
    assert store.snapshot() == before
    sent = content if isinstance(content, bytes) else b"".join(content)
    assert not store.desk.attachments.store.exists(hashlib.sha256(sent).hexdigest())


def test_an_accepted_upload_streamed_in_small_chunks_keeps_every_byte(store: Opened) -> None:
    tid = seed(store.desk, store.clock)
    chunks = [JPEG[:3], JPEG[3:10], JPEG[10:], b"\x01" * 70_000]
    done = store.desk.attachments.attach(MANAGER, tid, kind="photo", name="leak.jpg", content=iter(chunks))
    (attached,) = done.ticket.attachments
    assert attached.media_type == "image/jpeg"
    assert attached.size == sum(map(len, chunks))
    assert attached.sha256 == hashlib.sha256(b"".join(chunks)).hexdigest()
    _, read = store.desk.attachments.open(MANAGER, tid, attached.id)
    with read:
        assert read.read() == b"".join(chunks)
