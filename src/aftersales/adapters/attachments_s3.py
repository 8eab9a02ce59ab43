"""Attachments in S3-compatible object storage (AWS S3, MinIO, Ceph, OSS/COS S3 endpoints): the ``s3`` extra.

An object is keyed ``<prefix><sha256>``. A put streams the content into a local temporary file while
hashing (the key is the hash, known only at the end), then uploads that file with boto3's managed
transfer (multipart for large files): memory stays bounded whatever the size. Reads stream the
object's body.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from typing import Any, BinaryIO, cast

from aftersales.domain.attachments import check_sha256
from aftersales.domain.call_shape import host_factories
from aftersales.errors import ConfigurationError, NotFound, StorageError
from aftersales.ports.attachments import Digest, StoredBlob

try:
    import boto3
    from boto3.s3.transfer import TransferConfig
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ConfigurationError("S3 attachments need boto3: pip install 'aftersales[s3]'") from exc

__all__ = ["S3AttachmentStore"]

_MISSING = {"404", "NoSuchKey", "NotFound"}
# Parts of 5 MB (S3's smallest), one at a time: an upload holds a few part buffers (measured in
# tests/integration/test_attachment_stores.py), whatever the file's size.
_MB = 1024 * 1024
_TRANSFER = TransferConfig(multipart_threshold=8 * _MB, multipart_chunksize=5 * _MB, use_threads=False)


@host_factories
class S3AttachmentStore:
    """An :class:`~aftersales.ports.attachments.AttachmentStore` in ``bucket`` (which must exist).

    Pass a boto3 S3 ``client``, or ``endpoint_url`` and credentials to make one (credentials may also
    come from the environment, as boto3 finds them).
    """

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "attachments/",
        client: Any = None,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
    ) -> None:
        if not isinstance(bucket, str) or not bucket:
            raise ConfigurationError("an S3 attachment store needs a bucket name", key="bucket")
        if client is not None and (endpoint_url or aws_access_key_id or aws_secret_access_key or region_name):
            raise ConfigurationError("pass an S3 client or connection settings, not both", key="client")
        if not isinstance(prefix, str):  # else every put and open fails with a bare TypeError
            raise ConfigurationError(
                f"prefix is text (a key prefix), got {prefix!r}", key="prefix", rule="text"
            )
        self.bucket = bucket
        self.prefix = prefix
        self._client = client or boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region_name,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
        )

    def _key(self, sha256: str) -> str:
        return self.prefix + check_sha256(sha256)

    def put(self, content: Iterable[bytes], max_size: int | None = None) -> StoredBlob:
        """Spool to a temporary file while hashing, then upload it under its hash."""
        digest = Digest(max_size)
        with tempfile.TemporaryFile() as spool:
            for chunk in content:
                digest.feed(chunk)
                spool.write(chunk)
            blob = digest.blob()
            spool.seek(0)
            try:
                self._client.upload_fileobj(spool, self.bucket, self._key(blob.sha256), Config=_TRANSFER)
            except (BotoCoreError, ClientError) as exc:
                raise StorageError(
                    f"cannot store attachment {blob.sha256} in s3://{self.bucket}: {exc}"
                ) from exc
        return blob

    def open(self, sha256: str) -> BinaryIO:
        """The object's body, streamed."""
        try:
            found = self._client.get_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in _MISSING:
                raise NotFound("attachment", sha256) from None
            raise StorageError(f"cannot read attachment {sha256}: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"cannot read attachment {sha256}: {exc}") from exc
        return cast(BinaryIO, found["Body"])

    def delete(self, sha256: str) -> None:
        """Delete the object (S3 ignores absent keys)."""
        try:
            self._client.delete_object(Bucket=self.bucket, Key=self._key(sha256))
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"cannot delete attachment {sha256}: {exc}") from exc

    def exists(self, sha256: str) -> bool:
        """Whether the object is there."""
        try:
            self._client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in _MISSING:
                return False
            raise StorageError(f"cannot check attachment {sha256}: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"cannot check attachment {sha256}: {exc}") from exc
        return True
