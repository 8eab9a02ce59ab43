"""The maker's free technical support to a dealer on its job (seed 002 售后服务分工与合作 2 and 5).

分工 2: 甲方免费向乙方提供技术支持服务; 分工 5: 对于乙方在安装调试过程中碰到的问题，甲方免费提供技术支持服务.
A dealer meeting a problem on one of its installation or repair jobs asks the maker; the maker's staff
answer it (by phone, online, on site or in writing). The request names the job (the ticket), what it is
about (a topic code the dealer archive counts: 该地区需加强某方面的支持) and the question; the answer says
how and what was answered. Support is free: nothing on it is ever charged, and it carries no price at all
(``technical_support_free`` is the reason recorded with the answer).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.erasure import ERASED
from aftersales.domain.reasons import Reason
from aftersales.domain.text import bounded, code, required_text
from aftersales.domain.validation import enum_code
from aftersales.domain.work import aware, optional_aware
from aftersales.errors import PolicyError, ValidationError

__all__ = ["SUPPORTED_JOBS", "SupportMedium", "SupportState", "TechnicalSupportRequest"]

SUPPORTED_JOBS = ("installation", "repair")
"""The jobs support is asked on (分工 5: 安装调试过程中碰到的问题; 分工 1/2: the dealer's repairs)."""


class SupportMedium(CodedEnum):
    """How the maker answered: by phone, online (message, video), on site, or in writing."""

    PHONE = "phone"
    ONLINE = "online"
    ON_SITE = "on_site"
    WRITTEN = "written"


class SupportState(CodedEnum):
    """A request is asked, then answered."""

    ASKED = "asked"
    ANSWERED = "answered"


def _medium(value: SupportMedium | str | None) -> SupportMedium | None:
    if value is None:
        return None
    found: SupportMedium = enum_code(SupportMedium, value, "medium")
    return found


def _state(value: SupportState | str) -> SupportState:
    found: SupportState = enum_code(SupportState, value, "state")
    return found


def _job(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in SUPPORTED_JOBS:
        raise ValidationError(
            f"support is asked on an installation or repair job, not {value!r}",
            field="ticket_id",
            rule="one_of",
            rule_params={"allowed": ", ".join(SUPPORTED_JOBS)},
        )


@attrs.define
class TechnicalSupportRequest:
    """A dealer's request for the maker's technical support on its job ``ticket_id``, and the answer."""

    DOCUMENT_KIND: ClassVar[str] = "technical_support"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("dealer_id", "ticket_id", "state")

    id: str = attrs.field(validator=required_text(64))
    dealer_id: str = attrs.field(validator=required_text(64))
    ticket_id: str = attrs.field(validator=required_text(64))
    job: str = attrs.field(validator=_job)
    topic: str = attrs.field(validator=code)
    question: str = attrs.field(validator=required_text(2000))
    asked_at: datetime = attrs.field(validator=aware)
    asked_by: ActorRef
    state: SupportState = attrs.field(default=SupportState.ASKED, converter=_state)
    answer: str = attrs.field(default="", validator=bounded(2000))
    medium: SupportMedium | None = attrs.field(default=None, converter=_medium)
    answered_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    answered_by: ActorRef | None = None
    reasons: tuple[Reason, ...] = ()
    version: int = 0

    @property
    def charged(self) -> bool:
        """Never: the maker's technical support is free (分工 2, 5: 甲方免费提供技术支持服务)."""
        return False

    def reply(self, by: ActorRef, at: datetime, answer: str, medium: SupportMedium | str) -> None:
        """The maker's staff answered by ``medium``: once (``PolicyError`` ``support_answered``), not
        before it was asked, nor once the customer's erasure blanked the question (``support_erased``)."""
        how = _medium(medium)
        required_text(2000)(self, attrs.fields(TechnicalSupportRequest).answer, answer)
        aware(None, attrs.fields(TechnicalSupportRequest).answered_at, at)
        if self.state is SupportState.ANSWERED:
            raise PolicyError(f"support request {self.id} is answered already", code="support_answered")
        if self.question == ERASED:
            # The customer's erasure blanked the question; an answer written now, from their visit,
            # would be kept in clear where no erasure looks again.
            raise PolicyError(
                f"the question of {self.id} was erased with its customer's data: ask again on a live job",
                code="support_erased",
            )
        if at < self.asked_at:
            raise ValidationError(f"{self.id} is answered before it was asked", field="at")
        self.state, self.answer, self.medium = SupportState.ANSWERED, answer, how
        self.answered_at, self.answered_by = at, by
        self.reasons = (Reason("technical_support_free", {"dealer_id": self.dealer_id}),)
