"""Lifecycle rules of a pack: what must be on a ticket before a step (seeds 002, 003).

Seed 002: "均需按照故障描述→故障原因→处理措施" — where a pack says so, ``resolve`` is refused until the ticket
has a fault record with symptom, cause and action. Seed 003: "填写《服务单》由客户签字确认" — acceptance is
the
customer's; staff record it only with the channel the confirmation came by (``acceptance_channels``).
"""

from __future__ import annotations

from typing import Any

import attrs

from aftersales.domain.typed_init import refused_typed
from aftersales.errors import ValidationError
from aftersales.policies.kinds import PolicyKind
from aftersales.policies.params import category_codes

__all__ = ["KIND", "DefaultLifecycle", "LifecycleParams"]


def _channels(instance: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    if not value or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValidationError("acceptance_channels must name at least one channel", field=attribute.name)


@refused_typed
@attrs.frozen
class LifecycleParams:
    """Parameters of the lifecycle rules (pack section ``[lifecycle]``)."""

    fault_record_for: tuple[str, ...] = attrs.field(default=(), converter=tuple, validator=category_codes)
    """Category codes whose ``resolve`` is refused until a fault record (symptom → cause → action) exists
    (seed 002: 维修记录均需按照故障描述→故障原因→处理措施), e.g. ``["repair", "maintenance"]``."""
    acceptance_channels: tuple[str, ...] = attrs.field(
        default=("service_slip", "phone", "app", "sms", "email", "wechat"),
        converter=tuple,
        validator=_channels,
    )
    """How staff may have received the customer's acceptance (seed 003: the signed 服务单 first)."""


@attrs.frozen
class DefaultLifecycle:
    """The lifecycle rules of a pack (a value object: the service layer enforces them)."""

    params: LifecycleParams = LifecycleParams()
    name: str = "default.lifecycle"


KIND = PolicyKind("lifecycle", LifecycleParams, DefaultLifecycle)
"""Registers this kind with the policy registry (pack section ``[lifecycle]``)."""
