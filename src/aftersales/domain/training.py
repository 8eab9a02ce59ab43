"""Training of dealers' after-sales staff (seed 002 培训; seed 003 系统培训).

Three ways (培训的方式): on-site at one dealer (走训), central for all or one region's staff (集训), and
by correspondence (函授: letters and material sent about a problem customers met). Topics follow the
seed's contents: etiquette (礼仪规范), communication and complaint handling (有效沟通), product knowledge
(专业知识), the free-or-charged rules (是否免费保修的界定), and case studies (案例教学). Each record is
linked to the dealers whose staff attended, so the dealer archive shows the training received.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import ClassVar

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.text import bounded, required_text
from aftersales.errors import ValidationError

__all__ = ["Attendee", "TrainingKind", "TrainingRecord", "TrainingTopic", "training_topics"]


class TrainingKind(CodedEnum):
    """走训 (on site at a dealer), 集训 (central), 函授 (correspondence)."""

    ON_SITE = "on_site"
    CENTRAL = "central"
    CORRESPONDENCE = "correspondence"


class TrainingTopic(CodedEnum):
    """What a training covered."""

    ETIQUETTE = "etiquette"
    COMMUNICATION = "communication"
    PRODUCT_KNOWLEDGE = "product_knowledge"
    WARRANTY_RULES = "warranty_rules"
    CASE_STUDY = "case_study"
    # Own staff (seeds 000, 001, 003): 专业技能 / 维修技能, 服务意识, 法律法规, 问题处理方法.
    REPAIR_SKILLS = "repair_skills"
    SERVICE_AWARENESS = "service_awareness"
    LAWS_AND_REGULATIONS = "laws_and_regulations"
    PROBLEM_HANDLING = "problem_handling"


@attrs.frozen
class Attendee:
    """Someone trained: a name, and the dealer they work for."""

    name: str = attrs.field(validator=required_text(100))
    dealer_id: str = attrs.field(validator=required_text(64))


def training_topics(value: Iterable[TrainingTopic | str]) -> frozenset[TrainingTopic]:
    """The topics of a training by code (at least one), or ``ValidationError`` on ``topics``."""
    try:
        topics = frozenset(TrainingTopic(v) for v in value)
    except ValueError as exc:
        raise ValidationError(str(exc), field="topics") from None
    if not topics:
        raise ValidationError("a training covers at least one topic", field="topics")
    return topics


def _attendees(value: Iterable[Attendee]) -> tuple[Attendee, ...]:
    items = tuple(value)
    if not all(isinstance(a, Attendee) for a in items):
        raise ValidationError("attendees are Attendee values", field="attendees")
    return items


def _dealers(value: Iterable[str]) -> tuple[str, ...]:
    items = tuple(sorted(set(value)))
    if not items or not all(isinstance(d, str) and d for d in items):
        raise ValidationError("a training is linked to at least one dealer", field="dealer_ids")
    return items


@attrs.frozen
class TrainingRecord:
    """One training session (or correspondence) and who received it."""

    DOCUMENT_KIND: ClassVar[str] = "training_record"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("kind",)

    id: str = attrs.field(validator=required_text(64))
    kind: TrainingKind = attrs.field(converter=TrainingKind)
    held_on: date
    trainer: str = attrs.field(validator=required_text(100))
    dealer_ids: tuple[str, ...] = attrs.field(converter=_dealers)
    topics: frozenset[TrainingTopic] = attrs.field(converter=training_topics)
    attendees: tuple[Attendee, ...] = attrs.field(default=(), converter=_attendees)
    recorded_by: ActorRef | None = None
    region: str | None = attrs.field(default=None, validator=attrs.validators.optional(required_text(64)))
    note: str = attrs.field(default="", validator=bounded(2000))
    version: int = 0

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.held_on, date):
            raise ValidationError("held_on is a date", field="held_on", rule="date")
        if self.kind is TrainingKind.ON_SITE and len(self.dealer_ids) != 1:
            raise ValidationError("on-site training (走训) is at one dealer", field="dealer_ids")
        stray = {a.dealer_id for a in self.attendees} - set(self.dealer_ids)
        if stray:
            raise ValidationError(
                f"attendees from dealers not linked to the training: {', '.join(sorted(stray))}",
                field="attendees",
            )

    def received_by(self, dealer_id: str) -> bool:
        """True when ``dealer_id``'s staff were trained here."""
        return dealer_id in self.dealer_ids
