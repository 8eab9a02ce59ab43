"""How a ticket is classified: channel, category, priority, severity, plan."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from aftersales.domain.call_shape import host_factories
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.text import CODE_PATTERN
from aftersales.domain.validation import enum_code
from aftersales.errors import ValidationError, shown_repr

__all__ = ["Category", "Channel", "ImpactScope", "Plan", "Priority", "Severity", "TicketKind"]


class Channel(CodedEnum):
    """Where a request came in (渠道). A proactive callback by the company is a channel too."""

    PHONE = "phone"
    EMAIL = "email"
    PORTAL = "portal"
    WECHAT = "wechat"
    LETTER_FAX = "letter_fax"
    WALK_IN = "walk_in"
    PROACTIVE_CALLBACK = "proactive_callback"
    PLANNED = "planned"
    """Opened by the library itself from a maintenance plan (计划保养)."""


def conversation_channel(channel: Channel | str, what: str) -> Channel:
    """``channel`` as the way ``what`` (a contact, a callback, an attempt at one) reached the customer:
    a call or a message channel, never ``planned`` — the maintenance job's intake channel is nobody's
    way of talking to a customer (seed 001 records every communication with its method, 沟通方式).
    ``ValidationError`` naming ``channel`` otherwise."""
    found: Channel = enum_code(Channel, channel, "channel")
    if found is Channel.PLANNED:
        raise ValidationError(
            f"{what} reaches the customer by phone or a message channel, not 'planned'", field="channel"
        )
    return found


def _category_code(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not CODE_PATTERN.fullmatch(value):
        raise ValidationError(
            f"a category is a snake_case code, got {shown_repr(value)}", field="category", rule="snake_code"
        )


@host_factories
@attrs.frozen
class Category:
    """What kind of service is asked for. Open: integrators add their own codes.

    The built-in categories are class attributes (``Category.REPAIR``); ``Category("descaling")`` makes
    a new one. Serialised as its code.
    """

    code: str = attrs.field(validator=_category_code)

    INQUIRY: ClassVar[Category]
    INSTALLATION: ClassVar[Category]
    REPAIR: ClassVar[Category]
    MAINTENANCE: ClassVar[Category]
    TECHNICAL_SUPPORT: ClassVar[Category]
    TRAINING: ClassVar[Category]
    RETURN_EXCHANGE: ClassVar[Category]
    CONSUMABLES: ClassVar[Category]
    COMPLAINT: ClassVar[Category]

    def __str__(self) -> str:
        return self.code

    @classmethod
    def builtin(cls) -> tuple[Category, ...]:
        """The categories every pack knows."""
        return _BUILTIN


Category.INQUIRY = Category("inquiry")
Category.INSTALLATION = Category("installation")
Category.REPAIR = Category("repair")
Category.MAINTENANCE = Category("maintenance")
Category.TECHNICAL_SUPPORT = Category("technical_support")
Category.TRAINING = Category("training")
Category.RETURN_EXCHANGE = Category("return_exchange")
Category.CONSUMABLES = Category("consumables")
Category.COMPLAINT = Category("complaint")
_BUILTIN = (
    Category.INQUIRY,
    Category.INSTALLATION,
    Category.REPAIR,
    Category.MAINTENANCE,
    Category.TECHNICAL_SUPPORT,
    Category.TRAINING,
    Category.RETURN_EXCHANGE,
    Category.CONSUMABLES,
    Category.COMPLAINT,
)


class TicketKind(CodedEnum):
    """A service ticket follows the ticket workflow; a complaint follows the complaint workflow."""

    SERVICE = "service"
    COMPLAINT = "complaint"


class Priority(CodedEnum):
    """普通 / 加急 / 特急. Ordered: ``Priority.NORMAL < Priority.CRITICAL`` by :attr:`rank`."""

    NORMAL = "normal"
    EXPEDITED = "expedited"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for normal, 1 for expedited, 2 for critical."""
        return _PRIORITY_RANK[self]

    def raised(self, levels: int = 1) -> Priority:
        """This priority raised by ``levels`` (VIP raises one), capped at critical."""
        order = list(Priority)
        return order[min(len(order) - 1, self.rank + levels)]


_PRIORITY_RANK = {p: i for i, p in enumerate(Priority)}


class Severity(CodedEnum):
    """How bad the problem is, as assessed at triage."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    SEVERE = "severe"


class ImpactScope(CodedEnum):
    """How far the problem reaches: one unit, several, a site, many sites."""

    SINGLE_UNIT = "single_unit"
    MULTIPLE_UNITS = "multiple_units"
    SITE = "site"
    WIDESPREAD = "widespread"


class Plan(CodedEnum):
    """How the problem will be handled (处理方案): remote guidance, on-site visit, or at the depot."""

    REMOTE = "remote"
    ON_SITE = "on_site"
    DEPOT = "depot"
