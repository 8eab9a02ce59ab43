"""The attachment stores: file system (default), memory, PostgreSQL (the default of a PostgreSQL
store, when ``AFTERSALES_PG_DSN`` is given), and S3 against a local moto server.

Every store is content-addressed and streams: a 20 MB photo goes in and comes out in chunks, with
the memory high-water mark far below its size; over-large content is refused and nothing kept.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aftersales.adapters.attachments_fs import FileSystemAttachmentStore, beside_sqlite
from aftersales.adapters.attachments_memory import MemoryAttachmentStore
from aftersales.domain.media_types import sniff
from aftersales.errors import ConfigurationError, NotFound, ValidationError
from aftersales.ports.attachments import AttachmentStore, iter_chunks

JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
MB = 1024 * 1024


def photo(size: int, chunk: int = 1 << 16) -> Iterator[bytes]:
    """A JPEG-looking stream of ``size`` bytes, produced chunk by chunk (never whole in memory)."""
    yield JPEG_HEAD
    left = size - len(JPEG_HEAD)
    n = 0
    while left > 0:
        part = bytes([n % 251]) * min(chunk, left)
        left -= len(part)
        n += 1
        yield part


def expected_digest(size: int) -> str:
    h = hashlib.sha256()
    for part in photo(size):
        h.update(part)
    return h.hexdigest()


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """moto's S3 server in its own process (so memory measured here is the client's alone)."""
    pytest.importorskip("moto.server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the moto S3 server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _s3_store(endpoint: str) -> AttachmentStore:
    from aftersales.adapters.attachments_s3 import S3AttachmentStore

    settings: dict[str, Any] = {
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "aws_access_key_id": "test",
        "aws_secret_access_key": "test",
    }
    import boto3

    boto3.client("s3", **settings).create_bucket(Bucket="tickets")
    return S3AttachmentStore("tickets", **settings)


@pytest.fixture
def pg_attachments() -> Iterator[AttachmentStore]:
    """A PostgreSQL store's own attachment store, on a throw-away schema (skips without a DSN)."""
    dsn = os.environ.get("AFTERSALES_PG_DSN")
    if not dsn:
        pytest.skip("AFTERSALES_PG_DSN is not set")
    import psycopg

    from aftersales.adapters.postgres import PostgresStore

    schema = f"t_{uuid.uuid4().hex[:16]}"
    pg = PostgresStore(f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}")
    try:
        yield pg.default_attachments()
    finally:
        pg.close()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["fs", "memory", "postgres", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> AttachmentStore:
    if request.param == "fs":
        return FileSystemAttachmentStore(tmp_path / "att")
    if request.param == "memory":
        return MemoryAttachmentStore()
    if request.param == "postgres":
        found: AttachmentStore = request.getfixturevalue("pg_attachments")
        return found
    return _s3_store(request.getfixturevalue("s3_server"))


def test_put_open_delete_by_content_hash(store: AttachmentStore) -> None:
    blob = store.put(iter_chunks(b"%PDF-1.7 report"))
    assert blob.sha256 == hashlib.sha256(b"%PDF-1.7 report").hexdigest()
    assert blob.size == 15
    assert sniff(blob.head) == "application/pdf"
    assert store.exists(blob.sha256)
    with store.open(blob.sha256) as handle:
        assert handle.read() == b"%PDF-1.7 report"
    again = store.put(iter_chunks(b"%PDF-1.7 report"))  # the same bytes: the same object
    assert again == blob
    store.delete(blob.sha256)
    store.delete(blob.sha256)  # absent: ignored
    assert not store.exists(blob.sha256)
    with pytest.raises(NotFound):
        store.open(blob.sha256)
    with pytest.raises(ValidationError):
        store.open("../../etc/passwd")


def test_over_the_limit_is_refused_and_nothing_kept(store: AttachmentStore, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        store.put(photo(3 * MB), max_size=2 * MB)
    assert info.value.field == "content"
    assert not store.exists(expected_digest(3 * MB))
    if isinstance(store, FileSystemAttachmentStore):
        assert not list((tmp_path / "att" / "tmp").iterdir())  # no temporary file left behind


@pytest.mark.parametrize("kind", ["fs", "postgres", "s3"])
def test_a_20_mb_photo_streams_in_and_out(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    size = 20 * MB
    store: AttachmentStore = (
        FileSystemAttachmentStore(tmp_path / "att")
        if kind == "fs"
        else request.getfixturevalue("pg_attachments")
        if kind == "postgres"
        else _s3_store(request.getfixturevalue("s3_server"))
    )
    tracemalloc.start()
    try:
        blob = store.put(photo(size), max_size=25 * MB)
        _, peak_in = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        digest = hashlib.sha256()
        total = 0
        with store.open(blob.sha256) as handle:
            for chunk in iter(lambda: handle.read(1 << 16), b""):
                digest.update(chunk)
                total += len(chunk)
        _, peak_out = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert blob.size == size == total
    assert blob.sha256 == digest.hexdigest() == expected_digest(size)
    # Streaming: a few chunks (S3: two 8 MB parts in flight; PostgreSQL: a 1 MiB row being sent)
    # in memory, never the 20 MB photo.
    assert peak_in < {"s3": 16, "postgres": 3}.get(kind, 2) * MB, peak_in
    assert peak_out < 4 * MB, peak_out


def test_two_puts_of_the_same_bytes_at_once_keep_one_copy(pg_attachments: AttachmentStore) -> None:
    """Content-addressed: concurrent puts of one photo both succeed and leave one stored copy."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        blobs = list(pool.map(lambda _: pg_attachments.put(photo(3 * MB)), range(4)))
    assert {b.sha256 for b in blobs} == {expected_digest(3 * MB)}
    with pg_attachments.open(blobs[0].sha256) as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == blobs[0].sha256
    pg_attachments.delete(blobs[0].sha256)
    assert not pg_attachments.exists(blobs[0].sha256)


def test_an_empty_attachment_is_stored_and_read_back(store: AttachmentStore) -> None:
    blob = store.put([])
    assert blob.size == 0 and store.exists(blob.sha256)
    with store.open(blob.sha256) as handle:
        assert handle.read() == b""


def test_file_system_store_lives_beside_the_sqlite_file(tmp_path: Path) -> None:
    assert beside_sqlite(f"sqlite:///{tmp_path}/desk.db?checkpoint=inline") == Path(
        f"{tmp_path}/desk.db.attachments"
    )
    assert beside_sqlite("sqlite:///:memory:") is None
    assert beside_sqlite("memory://") is None


def test_s3_store_refuses_ambiguous_configuration() -> None:
    pytest.importorskip("boto3")
    from aftersales.adapters.attachments_s3 import S3AttachmentStore

    with pytest.raises(ConfigurationError):
        S3AttachmentStore("")
    with pytest.raises(ConfigurationError):
        S3AttachmentStore("b", client=object(), endpoint_url="http://x")
    with pytest.raises(ConfigurationError) as caught:  # a prefix of the wrong type failed every put
        S3AttachmentStore("b", client=object(), prefix=7)  # type: ignore[arg-type]
    assert caught.value.key == "prefix"


@pytest.mark.parametrize("root", [7, None, ""])
def test_a_file_system_store_without_a_folder_path_is_refused(root: Any) -> None:
    # 7 and None were a bare TypeError; "" put the attachments in the working directory.
    with pytest.raises(ConfigurationError) as caught:
        FileSystemAttachmentStore(root)
    assert caught.value.key == "root"


@pytest.mark.parametrize(
    ("head", "media_type"),
    [
        (JPEG_HEAD, "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"%PDF-1.4", "application/pdf"),
        (b"MZ\x90\x00\x03", "application/x-msdownload"),
        (b"\x7fELF\x02\x01", "application/x-executable"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypheic", "image/heic"),
        (
            b"PK\x03\x04....word/document.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("维修记录 ok\n".encode(), "text/plain"),
        (b"\x00\x01\x02\x03", "application/octet-stream"),
    ],
)
def test_media_types_are_sniffed_from_the_bytes(head: bytes, media_type: str) -> None:
    assert sniff(head) == media_type
