"""Guidance sent to an end user by correspondence (函授, seed 002 售后服务质量改善的措施 1⑵c).

函授: 根据客户碰到的实际问题,用函件对用户进行相关的指导和培训,包括寄发资料、发函件进行某方面知识的加固和
拓延; 案例教学 may be used in it (在走训、集训或函授培训时,均可利用案例教学作为一个重要的补充手段). A record
says what was sent to which customer (a letter, or materials posted), on which topic, about which problem
they met (the ticket behind it, or the problem in words), which knowledge-base articles it drew on,
whether it taught by a case, where it went, who sent it and when. It belongs to the customer's archive;
its free text (the problem, the letter, the address) is the person's and goes with them on erasure.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import ClassVar

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.text import bounded, required_text
from aftersales.domain.work import calendar_date
from aftersales.errors import ValidationError

__all__ = ["CorrespondenceGuidance", "GuidanceMedium"]


class GuidanceMedium(CodedEnum):
    """How the guidance went: a letter (发函件) or materials posted (寄发资料)."""

    LETTER = "letter"
    MATERIALS = "materials"


def _medium(value: GuidanceMedium | str) -> GuidanceMedium:
    try:
        return GuidanceMedium(value)
    except ValueError:
        codes = ", ".join(m.value for m in GuidanceMedium)
        raise ValidationError(
            f"medium is one of {codes}, got {value!r:.40}",
            field="medium",
            rule="one_of",
            rule_params={"allowed": codes},
        ) from None


def _texts(value: Iterable[str], field: str, limit: int, each: int) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(f"{field} is a collection of texts", field=field)
    items = tuple(dict.fromkeys(value))
    if not all(isinstance(v, str) and v.strip() and len(v) <= each for v in items):
        raise ValidationError(f"{field} holds texts of 1-{each} characters", field=field)
    if len(items) > limit:
        raise ValidationError(f"{field} holds {limit} at most", field=field)
    return items


def _materials(value: Iterable[str]) -> tuple[str, ...]:
    return _texts(value, "materials", 50, 200)


def _article_ids(value: Iterable[str]) -> tuple[str, ...]:
    return _texts(value, "article_ids", 50, 64)


@attrs.frozen
class CorrespondenceGuidance:
    """One letter or parcel of materials guiding ``customer_id`` about a problem they met."""

    DOCUMENT_KIND: ClassVar[str] = "correspondence_guidance"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("customer_id",)

    id: str = attrs.field(validator=required_text(64))
    customer_id: str = attrs.field(validator=required_text(64))
    medium: GuidanceMedium = attrs.field(converter=_medium)
    topic: str = attrs.field(validator=required_text(200))
    sent_on: date = attrs.field(validator=calendar_date)
    ticket_id: str | None = attrs.field(default=None)
    description: str = attrs.field(default="", validator=bounded(2000))
    """The problem the customer met, in words (when no ticket records it, or beside it)."""
    text: str = attrs.field(default="", validator=bounded(4000))
    """What the letter said (or the covering note of the materials)."""
    materials: tuple[str, ...] = attrs.field(default=(), converter=_materials)
    """The materials posted (a manual, a maintenance leaflet …), by name."""
    article_ids: tuple[str, ...] = attrs.field(default=(), converter=_article_ids)
    """The knowledge-base articles the guidance drew on."""
    case_study: bool = False
    """Whether it taught by a typical case (案例教学)."""
    address: str = attrs.field(default="", validator=bounded(300))
    """Where it was sent (the customer's address, or another given)."""
    sent_by: ActorRef | None = None
    version: int = 0

    def __attrs_post_init__(self) -> None:
        if self.ticket_id is not None and (
            not isinstance(self.ticket_id, str) or not self.ticket_id.strip() or len(self.ticket_id) > 64
        ):
            raise ValidationError("ticket_id names a ticket", field="ticket_id")
        if self.ticket_id is None and not self.description.strip():
            raise ValidationError(
                "guidance answers a problem the customer met: name its ticket or describe it",
                field="description",
            )
        if self.medium is GuidanceMedium.MATERIALS and not self.materials:
            raise ValidationError("materials posted are named", field="materials")
        if self.medium is GuidanceMedium.LETTER and not self.text.strip():
            raise ValidationError("a letter says something", field="text")
        if not isinstance(self.case_study, bool):
            raise ValidationError("case_study is true or false", field="case_study", rule="true_or_false")
