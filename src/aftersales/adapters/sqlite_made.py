"""A unit of work's repository, made on its first use and kept as a plain attribute.

Why a descriptor and not ``__getattr__``: Python calls ``__getattr__`` only after the normal lookup has
failed, and that failure builds an ``AttributeError`` with its message first (about 2 µs per repository,
four or five made per command). A non-data descriptor on the class is found at once; the repository it
makes goes into the unit's ``__dict__``, which later reads find before the descriptor.
"""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar, overload

__all__ = ["MadeOnFirstUse", "drop_made", "made_names"]

R = TypeVar("R")


class _Making(Protocol):
    def made_on_first_use(self, name: str) -> Any: ...


class MadeOnFirstUse(Generic[R]):
    """The repository ``name`` of a unit of work, made by its ``made_on_first_use(name)`` when first read."""

    def __init__(self) -> None:
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> MadeOnFirstUse[R]: ...
    @overload
    def __get__(self, obj: _Making, owner: type | None = None) -> R: ...
    def __get__(self, obj: _Making | None, owner: type | None = None) -> R | MadeOnFirstUse[R]:
        if obj is None:
            return self
        made: R = obj.made_on_first_use(self._name)
        return made


def made_names(unit_class: type) -> frozenset[str]:
    """The names of ``unit_class``'s repositories made on first use (its :class:`MadeOnFirstUse`
    attributes, those it inherits too)."""
    return frozenset(
        name
        for klass in unit_class.__mro__
        for name, value in vars(klass).items()
        if isinstance(value, MadeOnFirstUse)
    )


def drop_made(unit: object, names: frozenset[str]) -> None:
    """Drop the repositories ``unit`` made so far of ``names`` (:func:`made_names`): each refers back to
    the unit, so kept after it ended they left a cycle per command for the garbage collector (issue 21).
    One used again is made again on first use."""
    made = unit.__dict__
    for name in names.intersection(made):
        del made[name]
