"""The maker's spot-checks of a dealer's service (seed 002: 甲方有权对乙方的服务情况进行抽查和指导).

A spot-check is recorded once made: which dealer, on which day, the dealer's tickets looked at (if any),
what was found, the verdict, and the guidance given (指导). It is kept with the dealer's archive, so the
state of a territory shows how its service was found, not only what the dealer reported.
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

__all__ = ["DealerSpotCheck", "SpotCheckOutcome"]


class SpotCheckOutcome(CodedEnum):
    """How the dealer's service was found."""

    SATISFACTORY = "satisfactory"
    NEEDS_IMPROVEMENT = "needs_improvement"
    UNSATISFACTORY = "unsatisfactory"


def _outcome(value: SpotCheckOutcome | str) -> SpotCheckOutcome:
    try:
        return SpotCheckOutcome(value)
    except ValueError:
        codes = ", ".join(o.value for o in SpotCheckOutcome)
        raise ValidationError(
            f"outcome is one of {codes}, got {value!r}",
            field="outcome",
            rule="one_of",
            rule_params={"allowed": codes},
        ) from None


def _ticket_ids(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError("ticket_ids is a collection of ticket ids", field="ticket_ids")
    items = tuple(sorted(set(value)))
    if not all(isinstance(t, str) and t.strip() and len(t) <= 64 for t in items):
        raise ValidationError("ticket_ids holds ticket ids (text of 1-64 characters)", field="ticket_ids")
    if len(items) > 200:
        raise ValidationError("a spot-check looks at 200 tickets at most", field="ticket_ids")
    return items


@attrs.frozen
class DealerSpotCheck:
    """One spot-check of ``dealer_id``'s service, made on ``checked_on``."""

    DOCUMENT_KIND: ClassVar[str] = "dealer_spot_check"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("dealer_id",)

    id: str = attrs.field(validator=required_text(64))
    dealer_id: str = attrs.field(validator=required_text(64))
    checked_on: date = attrs.field(validator=calendar_date)
    outcome: SpotCheckOutcome = attrs.field(converter=_outcome)
    findings: str = attrs.field(validator=required_text(2000))
    guidance: str = attrs.field(default="", validator=bounded(2000))
    ticket_ids: tuple[str, ...] = attrs.field(default=(), converter=_ticket_ids)
    checked_by: ActorRef | None = None
    version: int = 0
