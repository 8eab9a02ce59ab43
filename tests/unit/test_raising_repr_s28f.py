"""A host's object whose ``__repr__`` raises is refused with a typed error, not that exception (s28, f).

Why: ``Role(x)`` (every enum of codes) let ``Enum.__new__`` format the value with ``%r`` before asking
``CodedEnum._missing_`` for the ``ValidationError``, so a value whose ``repr`` raises — a host's proxy
object, a lazily loaded record — escaped as that exception, untyped; the argument checker, the locale,
the staff directory's ``role:id`` and the currency did the same in their messages. Now every refusal
shows such a value by its type (``errors.shown_repr``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import aftersales
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.money import Money
from aftersales.errors import ValidationError, shown_repr
from aftersales.policies.fees import FeesParams
from aftersales.service.actors import Actor


class RaisingRepr:
    """A value whose ``repr`` and ``str`` raise."""

    def __repr__(self) -> str:
        raise RuntimeError("repr")

    def __str__(self) -> str:
        raise RuntimeError("str")


def _coded_enums() -> Iterator[type[CodedEnum]]:
    seen: list[type[Any]] = [CodedEnum]
    while seen:
        cls = seen.pop()
        seen.extend(cls.__subclasses__())
        if cls is not CodedEnum:
            yield cls


def test_every_enum_of_codes_refuses_it_naming_itself() -> None:
    assert aftersales.Role is Role  # the package imported: every enum of codes is defined
    enums = list(_coded_enums())
    assert len(enums) > 20
    for cls in enums:
        with pytest.raises(ValidationError) as refused:
            cls(RaisingRepr())
        assert refused.value.field and "RaisingRepr" in str(refused.value)


BUILDS: list[tuple[str, Callable[[], object]]] = [
    ("role", lambda: Role(RaisingRepr())),
    ("ref role", lambda: ActorRef("a1", RaisingRepr())),  # type: ignore[arg-type]
    ("ref parse", lambda: ActorRef.parse(RaisingRepr())),
    ("actor role", lambda: Actor("a1", RaisingRepr())),  # type: ignore[arg-type]
    ("extra roles", lambda: Actor.manager("m1").with_roles(RaisingRepr())),  # type: ignore[arg-type]
    ("extra roles field", lambda: Actor("a1", "agent", extra_roles=[RaisingRepr()])),  # type: ignore[list-item]
    ("acting as", lambda: Actor.manager("m1").acting_as(RaisingRepr())),  # type: ignore[arg-type]
    ("locale", lambda: Actor("a1", "agent", locale=RaisingRepr())),  # type: ignore[arg-type]
    ("money currency", lambda: Money("1", RaisingRepr())),  # type: ignore[arg-type]
    ("fees currency", lambda: FeesParams(currency=RaisingRepr())),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("what", "build"), BUILDS, ids=[what for what, _ in BUILDS])
def test_actors_and_their_roles_refuse_it_with_a_typed_error(what: str, build: Callable[[], object]) -> None:
    with pytest.raises(ValidationError) as refused:
        build()
    assert refused.value.field


def test_a_known_code_and_a_member_still_convert() -> None:
    assert Role("agent") is Role.AGENT and Role(Role.MANAGER) is Role.MANAGER
    assert isinstance(Role.AGENT, enum.Enum) and Role["AGENT"] is Role.AGENT
    with pytest.raises(ValidationError) as refused:
        Role(["agent"])  # unhashable: no code either
    assert refused.value.field == "role"


def test_shown_repr_never_raises() -> None:
    assert shown_repr(RaisingRepr()) == "a RaisingRepr"
    assert shown_repr("x" * 100, 10) == "'xxxxxx..."
