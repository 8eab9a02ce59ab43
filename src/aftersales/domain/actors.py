"""Who did something: the role and id recorded on every event."""

from __future__ import annotations

import attrs

from aftersales.domain.call_shape import host_factories
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.text import required_text
from aftersales.errors import ValidationError, shown_repr

__all__ = ["HEADS", "ActorRef", "Role"]


class Role(CodedEnum):
    """The roles of seed 003/004 and the design card. ``system`` is the library's own jobs."""

    CUSTOMER = "customer"
    AGENT = "agent"
    ENGINEER = "engineer"
    DEALER_STAFF = "dealer_staff"
    MANAGER = "manager"
    DEPARTMENT_HEAD = "department_head"
    GENERAL_MANAGER = "general_manager"
    AUDITOR = "auditor"
    SYSTEM = "system"
    PRIVACY_OFFICER = "privacy_officer"


HEADS = frozenset({Role.MANAGER, Role.DEPARTMENT_HEAD, Role.GENERAL_MANAGER})
"""The heads: who approves what a desk's staff may not decide alone (an article, a special approval)."""


def _role(value: str) -> Role:
    # A member passes through untouched: ``converter=Role`` would run ``Enum.__call__`` on every event.
    return value if type(value) is Role else Role(value)


@host_factories
@attrs.frozen
class ActorRef:
    """The actor recorded on an event: enough to say who, not a live session."""

    id: str = attrs.field(validator=required_text(64))
    role: Role = attrs.field(converter=_role)

    def __str__(self) -> str:
        return f"{self.role.value}:{self.id}"

    @classmethod
    def parse(cls, text: object) -> ActorRef:
        """The actor ``str(ref)`` wrote (``"agent:agent-2"``: role, colon, id), as events and the staff
        directory name staff members. Anything else is a ``ValidationError`` naming ``actor``."""
        role, colon, actor_id = text.partition(":") if isinstance(text, str) else ("", "", "")
        try:
            if colon:
                return cls(actor_id, role)  # the converter checks the role
        except (ValueError, ValidationError):
            pass
        roles = ", ".join(r.value for r in Role)
        raise ValidationError(
            f"a staff member is 'role:id' (roles: {roles}; an id of 1-64 characters), "
            f"got {shown_repr(text, 80)}",
            field="actor",
        )
