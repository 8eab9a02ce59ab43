"""The shape of every policy decision: an outcome, the reasons for it, and who decided.

A customer, a dealer and an auditor can all ask why: why this repair is free, why this ticket is
critical, why engineer X was picked. Reasons are codes with parameters; the edge renders them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

import attrs

from aftersales.domain.reasons import Reason
from aftersales.errors import ValidationError

__all__ = ["Decision"]

T = TypeVar("T")


def _reasons(value: Iterable[Reason]) -> tuple[Reason, ...]:
    return tuple(value)


@attrs.frozen
class Decision(Generic[T]):
    """``outcome`` decided by ``policy`` (``"<pack>.<policy>"`` or a plugin's name) because of ``reasons``."""

    outcome: T
    reasons: tuple[Reason, ...] = attrs.field(converter=_reasons)
    policy: str

    def __attrs_post_init__(self) -> None:
        if not self.reasons:
            raise ValidationError(
                f"{self.policy}: a decision must carry at least one reason", field="reasons"
            )

    @classmethod
    def checked(cls, outcome: T, reasons: tuple[Reason, ...], policy: str) -> Decision[T]:
        """A decision from a policy's own values: ``reasons`` a non-empty tuple of reasons.

        Why: a charge sheet makes a decision per warranty term on every assessment; the converter and
        the post-init check cost as much as the decision itself.
        """
        if not reasons:
            raise ValidationError(f"{policy}: a decision must carry at least one reason", field="reasons")
        decision: Decision[T] = _NEW(cls)
        _SET_OUTCOME(decision, outcome)
        _SET_REASONS(decision, reasons)
        _SET_POLICY(decision, policy)
        return decision

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order (handy in tests and logs)."""
        return tuple(r.code for r in self.reasons)


# The slots' own setters: a checked decision is filled without the frozen class's __setattr__ lookups.
_NEW = object.__new__
_SET_OUTCOME, _SET_REASONS, _SET_POLICY = (
    Decision.__dict__[name].__set__ for name in ("outcome", "reasons", "policy")
)
