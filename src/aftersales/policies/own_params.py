"""The params a built-in policy is constructed with: its kind's params class, or ``None`` for the defaults.

Why: the built-in policies took ``params or XParams()``, so a falsy value of another type (``{}``, ``0``, an
empty list) was replaced by the defaults without a word, and a truthy one (a dict of the pack's keys, a
string) was kept and failed at first use with Python's ``AttributeError`` — at construction, when the desk
opened, or in the middle of a command (session 38, hostile configuration).
"""

from __future__ import annotations

from typing import TypeVar

from aftersales.errors import ConfigurationError, shown_repr

__all__ = ["own_params", "refused_params"]

P = TypeVar("P")


def refused_params(kind: str, expected: type, given: object) -> ConfigurationError:
    """The refusal of ``given`` as the params of a ``kind`` policy, which takes ``expected``."""
    return ConfigurationError(
        f"the {kind} policy's params are {expected.__name__}, got {shown_repr(given)}",
        key=kind,
        rule="wrong_type",
        rule_params={"expected": expected.__name__},
    )


def own_params(given: P | None, expected: type[P], kind: str) -> P:
    """``given`` if it is an ``expected`` instance, ``expected()`` for ``None``; else a
    ``ConfigurationError`` naming ``kind``."""
    if given is None:
        return expected()
    if not isinstance(given, expected):
        raise refused_params(kind, expected, given)
    return given
