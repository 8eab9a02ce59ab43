"""An old part relayed to the receiving location through another office (退料中转, seed 002 退料 2 b, 3).

Seed 002: 台州为退料的唯一接收地; 若由于运输的需要，上海可参与中转，但所有退料信息以台州为唯一窗口; 台州
售后服务处收到用户的退料后进行实物盘点 (the relay carries the part, Taizhou registers and counts it). So a
part handed in at a relay office is not a return yet: it is a :class:`RelayedReturn` in transit, with
the quantity the party declared. It becomes a return (:class:`~aftersales.domain.materials.PartReturn`)
only when the receiving location takes it in and counts it, for the quantity it counted; the loan
ledger books what was counted, and a shortfall stays out on the loan, charged as kept once due.

While in transit the part is no longer in the party's hands: handed in before its deadline, it is not
charged as kept (事实占有) nor as a count's shortage until the receiving location has counted it, as a
return awaiting inspection is not.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.materials import PartyRef
from aftersales.domain.part_numbers import part_number
from aftersales.domain.reasons import Reason
from aftersales.domain.text import code, required_text
from aftersales.domain.validation import enum_code
from aftersales.domain.work import aware, optional_aware
from aftersales.errors import PolicyError, ValidationError

__all__ = ["RelayState", "RelayedReturn", "counted_quantity"]


class RelayState(CodedEnum):
    """A relayed part is in transit until the receiving location counts it."""

    IN_TRANSIT = "in_transit"
    COUNTED = "counted"


def _state(value: str) -> RelayState:
    found: RelayState = enum_code(RelayState, value, "relay state")
    return found


def _count(value: object, field: str, least: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= 100_000:
        raise ValidationError(
            f"{field} must be a whole number, {least}–100000",
            field=field,
            rule="whole_number",
            rule_params={"least": least, "most": 100_000},
        )
    return value


def counted_quantity(value: object) -> int:
    """A count at the receiving location: a whole number from 0 (nothing arrived) to 100000."""
    return _count(value, "counted", 0)


def _declared(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    _count(value, attribute.name, 1)


@attrs.define
class RelayedReturn:
    """Old parts a party handed in at a relay office (``via``), on their way to the receiving location.

    ``quantity`` is what the party declared at hand-in; ``counted`` what the receiving location counted
    when it took the parts in (``None`` while in transit), and ``return_id`` the return it registered
    for them (``None`` when it counted none).
    """

    DOCUMENT_KIND: ClassVar[str] = "relayed_return"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("party_key", "request_id", "state")

    id: str = attrs.field(validator=required_text(64))
    request_id: str = attrs.field(validator=required_text(64))
    ticket_id: str = attrs.field(validator=required_text(64))
    party: PartyRef
    part: str = attrs.field(validator=part_number)
    quantity: int = attrs.field(validator=_declared)
    via: str = attrs.field(validator=code)
    handed_at: datetime = attrs.field(validator=aware)
    handed_by: ActorRef
    state: RelayState = attrs.field(default=RelayState.IN_TRANSIT, converter=_state)
    counted: int | None = None
    counted_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    counted_by: ActorRef | None = None
    location: str | None = None
    """The receiving location that counted the parts."""
    return_id: str | None = None
    reasons: tuple[Reason, ...] = ()
    party_key: str = ""
    version: int = 0

    def __attrs_post_init__(self) -> None:
        self.party_key = self.party.key

    @property
    def over_count(self) -> int:
        """Counted at the receiving location beyond what was declared at hand-in (0 while in transit).

        退料 3 (台州售后服务处收到用户的退料后进行实物盘点): the physical count is what was returned, so the
        return is registered for all of it; what its booking finds beyond the loan is surplus for review
        (盘盈, 退料 4), not refused: the parts are on Taizhou's shelf either way."""
        return max((self.counted or 0) - self.quantity, 0)

    @property
    def shortfall(self) -> int:
        """Declared at hand-in but not counted at the receiving location (0 while in transit)."""
        return max(self.quantity - (self.counted or 0), 0) if self.counted is not None else 0

    def count(
        self, by: ActorRef, at: datetime, counted: int, location: str, return_id: str | None
    ) -> tuple[Reason, ...]:
        """The receiving location took the parts in and counted ``counted`` (退料 3: 实物盘点): the relay
        ends. Counted once (``PolicyError`` ``relay_counted``), not before the hand-in. Returns the
        reasons recorded: ``relay_count_short`` when fewer came than were declared, ``relay_count_over``
        when more (:attr:`over_count`; booked, what is beyond the loan is surplus for review)."""
        _count(counted, "counted", 0)
        aware(None, attrs.fields(RelayedReturn).counted_at, at)
        if self.state is not RelayState.IN_TRANSIT:
            raise PolicyError(f"relay {self.id} was counted already ({self.counted})", code="relay_counted")
        if at < self.handed_at:
            raise ValidationError(f"{self.id} is counted before it was handed in", field="at")
        if (counted == 0) != (return_id is None):
            raise ValidationError("a count of parts registers their return, and only then", field="return_id")
        facts: dict[str, str | int] = {"declared": self.quantity, "counted": counted, "part": self.part}
        reasons: tuple[Reason, ...] = ()
        if counted < self.quantity:
            reasons = (Reason("relay_count_short", facts),)
        elif counted > self.quantity:  # more on the shelf than declared: the booking's surplus decides
            reasons = (Reason("relay_count_over", facts),)
        self.state, self.counted, self.counted_at, self.counted_by = RelayState.COUNTED, counted, at, by
        self.location, self.return_id, self.reasons = location, return_id, reasons
        return reasons
