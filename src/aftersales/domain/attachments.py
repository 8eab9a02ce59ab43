"""Attachments of a ticket: photos of the fault, the signed service slip, the written report, invoices.

The ticket keeps what it needs to show and check them (kind, name, sniffed media type, size,
SHA-256, who added them and when); the bytes live in an
:class:`~aftersales.ports.attachments.AttachmentStore`, addressed by their SHA-256. Each one is
added and removed by a ticket event, so the log says who attached or deleted what (seed 002:
书面报告, 现场实物图片; seed 003: 《服务单》由客户签字确认).
"""

from __future__ import annotations

import re
from datetime import datetime

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.instants import require_aware
from aftersales.errors import ValidationError

__all__ = ["Attachment", "AttachmentKind", "check_name", "check_sha256"]

_SHA256 = re.compile(r"[0-9a-f]{64}")


class AttachmentKind(CodedEnum):
    """What an attachment is."""

    PHOTO = "photo"
    """现场实物图片: a photo of the fault or the unit."""
    SERVICE_SLIP = "service_slip"
    """《服务单》 signed by the customer."""
    WRITTEN_REPORT = "written_report"
    """书面报告: required for an out-of-box fault (seed 002) and before a special-case extension."""
    INVOICE = "invoice"
    """发票 or receipt."""
    OTHER = "other"


def check_sha256(value: object, field: str = "sha256") -> str:
    """``value`` if it is a lower-case hex SHA-256 digest, else ``ValidationError`` naming ``field``."""
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        raise ValidationError(
            "an attachment is addressed by its SHA-256 (64 lower-case hex digits)", field=field
        )
    return value


def check_name(value: object) -> str:
    """``value`` if it is a usable file name, else ``ValidationError``.

    Usable: non-blank, at most 200 characters, no path separators.
    """
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise ValidationError("an attachment name is non-blank text of at most 200 characters", field="name")
    if any(ch in value for ch in "/\\\x00"):
        raise ValidationError("an attachment name holds no path separators", field="name")
    return value


def _name(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    check_name(value)


@attrs.frozen
class Attachment:
    """One file attached to a ticket."""

    id: str
    kind: AttachmentKind = attrs.field(converter=AttachmentKind)
    name: str = attrs.field(validator=_name)
    media_type: str
    size: int
    sha256: str
    added_at: datetime
    added_by: ActorRef

    def __attrs_post_init__(self) -> None:
        check_sha256(self.sha256)
        require_aware(self.added_at, "added_at")
        if not isinstance(self.size, int) or isinstance(self.size, bool) or self.size < 0:
            raise ValidationError(
                "an attachment's size is a non-negative integer", field="size", rule="non_negative"
            )
