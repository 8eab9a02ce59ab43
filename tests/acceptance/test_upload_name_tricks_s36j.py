"""Upload names that hide their extension are read as a reader sees them and a system saves them (s36 j).

Session 35 refused a name whose extension contradicts the bytes (:mod:`aftersales.domain.upload_extensions`)
but read the extension literally: ``report.pdf\\u200b`` (a zero-width space after it) was "no known
extension" and a JPEG went in under a name every list shows as a PDF; ``a.exe:stream`` (NTFS saves it as
a stream of ``a.exe``) and ``a.jpg::$DATA`` (saved as ``a.jpg``) likewise. Invisible format characters
are now dropped before the extension is read, the part before an NTFS colon is read too, and either
reading contradicting the bytes is refused before a byte is stored: alike on every attachment store
(memory, the file system beside SQLite, PostgreSQL's table, and S3, whose client is never called: the
check runs before the store). Bidi controls were already refused (rule ``control``, session 34).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from aftersales.adapters.attachments_s3 import S3AttachmentStore
from aftersales.domain.upload_extensions import extensions_read
from aftersales.errors import ValidationError
from conftest import world_desk

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"0" * 200

HIDDEN = [  # (name, content, extension it is refused as)
    ("photo.exe\u200b", JPEG, ".exe"),  # zero-width space after the extension
    ("report.pdf\u200b", JPEG, ".pdf"),
    ("report.p\u200bdf", JPEG, ".pdf"),  # inside it
    ("photo.exe\u2060\ufeff", JPEG, ".exe"),  # word joiner, byte-order mark
    ("photo.exe\u00ad", JPEG, ".exe"),  # soft hyphen
    ("photo.exe\u200e", JPEG, ".exe"),  # left-to-right mark
    ("photo.jpg\u200b.exe", JPEG, ".exe"),
    ("a.exe:stream", JPEG, ".exe"),  # NTFS: the stream "stream" of the file a.exe
    ("a.jpg::$DATA", PDF, ".jpg"),  # NTFS: the file a.jpg itself
    ("a.exe. :x", JPEG, ".exe"),
    ("a.exe. .", JPEG, ".exe"),  # trailing dots and spaces (Windows drops them), as session 35 read
]


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_hidden_extensions_are_refused_on_every_store(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, world):
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="漏水").ticket.id
        for name, content, extension in HIDDEN:
            with pytest.raises(ValidationError) as refused:
                desk.attachments.attach(world.agent, tid, kind="photo", name=name, content=content)
            error = refused.value
            assert (error.field, error.rule) == ("name", "extension_contradicts"), name
            assert error.rule_params is not None and error.rule_params["extension"] == extension, name
            assert not desk.attachments.store.exists(hashlib.sha256(content).hexdigest()), name
        with pytest.raises(ValidationError) as bidi:  # session 34's rule, before the extension is read
            desk.attachments.attach(world.agent, tid, kind="photo", name="invoice\u202egpj.exe", content=JPEG)
        assert bidi.value.rule == "control"
        assert desk.attachments.list(world.agent, tid) == ()
        # Names whose every reading fits are taken as given (the name is kept, not rewritten).
        fitting = ["a.jpg::$DATA", "现场 10:30.jpg", "photo.jpg\u200b"]
        for name in fitting:
            desk.attachments.attach(world.agent, tid, kind="photo", name=name, content=JPEG)
        assert [a.name for a in desk.attachments.list(world.agent, tid)] == fitting


class _UntouchedClient:
    """An S3 client that records what the store asked of it (nothing, for a refused upload)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __getattr__(self, name: str) -> object:
        self.asked.append(name)
        raise AssertionError(f"S3 was asked to {name}")


def test_hidden_extensions_are_refused_before_s3_is_called(tmp_path: Path) -> None:
    client = _UntouchedClient()
    store = S3AttachmentStore("tickets", client=client)
    with world_desk("memory", tmp_path, attachments=store) as (desk, _clock, world):
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="漏水").ticket.id
        for name, content, extension in HIDDEN:
            with pytest.raises(ValidationError) as refused:
                desk.attachments.attach(world.agent, tid, kind="photo", name=name, content=content)
            assert refused.value.rule_params is not None
            assert refused.value.rule_params["extension"] == extension, name
        assert desk.attachments.list(world.agent, tid) == ()
    assert client.asked == []


def test_the_readings_of_a_name() -> None:
    assert extensions_read("a.exe:stream") == ("exe:stream", "exe")
    assert extensions_read("现场 10:30.jpg") == ("jpg", "")  # a colon in a time: the file part has none
    assert extensions_read("Photo.JPG\u200b ") == ("jpg",)
