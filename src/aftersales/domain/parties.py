"""The parties of after-sales service: customers, dealers (service partners) and engineers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from aftersales.domain.availability import Absence, absences
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId, EngineerId
from aftersales.domain.instants import require_aware
from aftersales.domain.text import bounded, required_text
from aftersales.domain.validation import text_set
from aftersales.errors import ValidationError

__all__ = ["Customer", "CustomerTier", "Dealer", "Engineer", "EngineerLevel"]


class CustomerTier(CodedEnum):
    """How important a customer is (普通 / 重要 / VIP); VIP raises priority and triggers surveys."""

    REGULAR = "regular"
    IMPORTANT = "important"
    VIP = "vip"


class EngineerLevel(CodedEnum):
    """Junior engineers take normal work; senior engineers take expedited work (seed 003)."""

    JUNIOR = "junior"
    SENIOR = "senior"


def _non_negative(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(
            f"{attribute.name} must be a non-negative integer", field=attribute.name, rule="non_negative"
        )


def _flag(instance: object, attribute: attrs.Attribute[bool], value: bool) -> None:
    if not isinstance(value, bool):
        raise ValidationError(
            f"{attribute.name} is true or false", field=attribute.name, rule="true_or_false"
        )


def _optional_aware(instance: object, attribute: attrs.Attribute[datetime | None], value: object) -> None:
    if value is not None:
        require_aware(value, attribute.name)


def _service_area(value: Iterable[str]) -> frozenset[str]:
    return text_set("service_area")(value)


def _skills(value: Iterable[str]) -> frozenset[str]:
    return text_set("skills")(value)


@attrs.frozen
class Customer:
    """An end user or a business customer (用户). ``region`` decides which dealer serves it."""

    id: CustomerId
    name: str = attrs.field(validator=required_text(100))
    contact: Contact
    tier: CustomerTier = CustomerTier.REGULAR
    region: str | None = None
    dealer_id: DealerId | None = None


@attrs.frozen
class Dealer:
    """An authorised dealer or service partner (特约承销商 / 服务网点) serving its territory.

    ``region`` is its home region; ``service_area`` lists every region code it covers.
    """

    id: DealerId
    name: str = attrs.field(validator=required_text(100))
    region: str = attrs.field(validator=required_text(64))
    service_area: frozenset[str] = attrs.field(factory=frozenset, converter=_service_area)
    contact: Contact | None = None

    def serves(self, region: str | None) -> bool:
        """True when this dealer covers ``region``."""
        if region is not None and not isinstance(region, str):
            raise ValidationError("region is a region code or None", field="region", rule="text")
        return region is not None and (region == self.region or region in self.service_area)


@attrs.frozen
class Engineer:
    """A service engineer (工程师 / 技术支持), of the maker or of a dealer.

    ``active`` is false once the engineer left the company or the dealer (离职/停用), ``departs_at`` the
    instant a recorded departure takes effect; ``absences`` are the recorded periods away (请假). None of
    them is given work by any dispatch path while so (:meth:`available_at`); each changes only through
    the command that records why (the master-data commands, the departure for ``departs_at``).
    """

    id: EngineerId
    name: str = attrs.field(validator=required_text(100))
    level: EngineerLevel = EngineerLevel.JUNIOR
    skills: frozenset[str] = attrs.field(factory=frozenset, converter=_skills)
    region: str | None = None
    active_load: int = attrs.field(default=0, validator=_non_negative)
    max_load: int = attrs.field(default=8, validator=_non_negative)
    emergency_team: bool = False
    team: str | None = None
    dealer_id: DealerId | None = None
    contact: Contact | None = None
    note: str = attrs.field(default="", validator=bounded(500))
    active: bool = attrs.field(default=True, validator=_flag)
    absences: tuple[Absence, ...] = attrs.field(default=(), converter=absences)
    departs_at: datetime | None = attrs.field(default=None, validator=_optional_aware)
    """From when the engineer no longer works here: the start of the day after their recorded departure
    (``desk.staff_records.record_departure``), in the desk's zone; ``None`` while none is recorded. Kept
    on the record so each dispatch path, which reads the engineer already, knows it without another read."""

    def gone_at(self, at: datetime) -> bool:
        """True when the engineer no longer works here at ``at``: deactivated, or past their departure."""
        require_aware(at, "at")  # a host's query: Python's TypeError from the comparison otherwise
        return not self.active or (self.departs_at is not None and at >= self.departs_at)

    def available_at(self, at: datetime) -> bool:
        """True when the engineer works here and is not away at ``at``."""
        return not self.gone_at(at) and not any(a.covers(at) for a in self.absences)

    def may_work_for(self, dealer_id: str | None) -> bool:
        """Whether the engineer may be given a ticket held by ``dealer_id`` (``None``: the maker's): the
        maker's engineers serve any, a dealer's only its own dealer's (seed 002: 乙方负责所售产品的全过程服务
        — another dealer's contract clock and charges would follow its staff)."""
        return dealer_id is None or self.dealer_id in (None, dealer_id)

    def absence_at(self, at: datetime) -> Absence | None:
        """The recorded absence covering ``at``, or ``None``."""
        require_aware(at, "at")
        return next((a for a in self.absences if a.covers(at)), None)

    @property
    def has_capacity(self) -> bool:
        """True while the engineer is below the load limit."""
        return self.active_load < self.max_load
