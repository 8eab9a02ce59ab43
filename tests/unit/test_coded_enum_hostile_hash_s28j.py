"""A host's object whose hash or ``==`` raises, looked up as a code, is a ``ValidationError`` (session 28 j).

Session 28 gave :class:`~aftersales.domain.coded_enum.CodedEnum` its own lookup so that an object whose
``__repr__`` raises is refused typed. The lookup caught ``KeyError`` and ``TypeError`` only, so an object
whose ``__hash__`` (or ``__eq__``, asked on a hash match) raises — a lazily loaded proxy that fails, a
host's record class — escaped as that exception from ``Role(x)``, ``Priority(x)``, ``Actor(role=x)`` and
``acting_as(x)``. No such object is a code: it is refused naming the enum, like any other unknown code.
"""

from __future__ import annotations

import pytest

from aftersales.domain.actors import Role
from aftersales.domain.classification import Priority
from aftersales.domain.staff_records import StaffKind
from aftersales.errors import ValidationError
from aftersales.service.actors import Actor


class Unhashing:
    """Raises when hashed, compared or shown."""

    def __hash__(self) -> int:
        raise RuntimeError("no hashing")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no comparing")

    def __repr__(self) -> str:
        raise RuntimeError("no showing")


class SameHashAsManager(str):
    """Hashes as the code 'manager' but cannot be compared: the dictionary asks ``==`` on the match."""

    def __hash__(self) -> int:
        return hash("manager")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no comparing")


@pytest.mark.parametrize("hostile", [Unhashing(), SameHashAsManager("manager")], ids=["hash", "eq"])
@pytest.mark.parametrize(
    ("look_up", "field"),
    [
        (Role, "role"),
        (Priority, "priority"),
        (StaffKind, "staff_kind"),
        (lambda v: Actor(id="m1", role=v), "role"),
        (lambda v: Actor.manager("m1").acting_as(v), "role"),
    ],
    ids=["Role", "Priority", "StaffKind", "Actor", "acting_as"],
)
def test_an_object_that_cannot_be_hashed_or_compared_is_no_code(
    hostile: object, look_up: object, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        look_up(hostile)  # type: ignore[operator]
    assert refused.value.field == field


def test_a_code_is_still_found() -> None:
    assert Role("manager") is Role.MANAGER and Priority("critical") is Priority.CRITICAL
