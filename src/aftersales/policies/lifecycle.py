"""Lifecycle rules of a pack: what must be on a ticket before a step (seeds 002, 003).

Seed 002: "均需按照故障描述→故障原因→处理措施" — where a pack says so, ``resolve`` is refused until the ticket
has a fault record with symptom, cause and action. Seed 003: "填写《服务单》由客户签字确认" — acceptance is
the
customer's; staff record it only with the channel the confirmation came by (``acceptance_channels``).
"""

from __future__ import annotations

from typing import Any

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.typed_init import refused_typed
from aftersales.errors import ValidationError
from aftersales.policies.kinds import PolicyKind
from aftersales.policies.params import category_codes, listed

__all__ = ["ACCEPTANCE_RECORDERS", "KIND", "DefaultLifecycle", "LifecycleParams"]

ACCEPTANCE_RECORDERS: tuple[Role, ...] = (
    Role.AGENT,
    Role.DEALER_STAFF,
    Role.DEPARTMENT_HEAD,
    Role.ENGINEER,
    Role.GENERAL_MANAGER,
    Role.MANAGER,
)
"""The staff roles the workflow lets record a customer's acceptance (the default: every one of them)."""


def _recorder_roles(value: object) -> tuple[Role, ...]:
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        raise ValidationError("acceptance_recorders is a list of roles", field="acceptance_recorders")
    try:
        return tuple(dict.fromkeys(Role(item) for item in value))
    except (TypeError, ValueError) as error:
        raise ValidationError(f"acceptance_recorders: {error}", field="acceptance_recorders") from None


def _recorders(instance: object, attribute: attrs.Attribute[Any], value: tuple[Role, ...]) -> None:
    if not value or not set(value) <= set(ACCEPTANCE_RECORDERS):
        raise ValidationError(
            "acceptance_recorders names at least one staff role among "
            f"{', '.join(r.value for r in ACCEPTANCE_RECORDERS)}",
            field=attribute.name,
        )


def _channels(instance: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    if not value or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValidationError("acceptance_channels must name at least one channel", field=attribute.name)


@refused_typed
@attrs.frozen
class LifecycleParams:
    """Parameters of the lifecycle rules (pack section ``[lifecycle]``)."""

    fault_record_for: tuple[str, ...] = attrs.field(default=(), converter=listed, validator=category_codes)
    """Category codes whose ``resolve`` is refused until a fault record (symptom → cause → action) exists
    (seed 002: 维修记录均需按照故障描述→故障原因→处理措施), e.g. ``["repair", "maintenance"]``."""
    acceptance_channels: tuple[str, ...] = attrs.field(
        default=("service_slip", "phone", "app", "sms", "email", "wechat"),
        converter=listed,
        validator=_channels,
    )
    """How staff may have received the customer's acceptance (seed 003: the signed 服务单 first)."""
    acceptance_recorders: tuple[Role, ...] = attrs.field(
        default=ACCEPTANCE_RECORDERS, converter=_recorder_roles, validator=_recorders
    )
    """The staff roles that may record the customer's acceptance for them (the customer always may
    confirm themself). Default: every staff role the workflow allows (seed 003: the engineer brings back
    the 服务单 the customer signed). Seed 001 三(六) gives it to the specialist: 技术支持人员…应将处理结果
    反馈给售后专员; 售后专员负责将处理结果及时反馈给客户,并确认客户是否满意 (``exhibition_services``:
    ``["agent", "manager"]``). Another role is refused (``PermissionDenied``, rule
    ``acceptance_recorded_by``); a role outside the defaults, or none, is refused when the pack loads."""


@attrs.frozen
class DefaultLifecycle:
    """The lifecycle rules of a pack (a value object: the service layer enforces them)."""

    params: LifecycleParams = LifecycleParams()
    name: str = "default.lifecycle"


KIND = PolicyKind("lifecycle", LifecycleParams, DefaultLifecycle)
"""Registers this kind with the policy registry (pack section ``[lifecycle]``)."""
