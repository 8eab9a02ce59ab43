"""Reasons: the code-and-parameters explanation every decision carries.

The domain never holds sentences; the i18n layer renders a reason's ``code`` with its ``params``
in the reader's language, so a customer, a dealer and an auditor read the same reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from aftersales.domain.text import code

__all__ = ["Param", "Reason"]

Param = str | int | bool | None

_INT_RANGE = range(-(2**63), 2**63)  # what every store and JSON reader keeps exact (SQLite INTEGER)


def _freeze(params: Mapping[str, Param] | None) -> Mapping[str, Param]:
    if not params:
        return _EMPTY
    return MappingProxyType(dict(params))


_EMPTY: Mapping[str, Param] = MappingProxyType({})


def _params_valid(instance: object, attribute: attrs.Attribute[Any], value: Mapping[str, Any]) -> None:
    for key, item in value.items():
        if not isinstance(key, str) or not (item is None or isinstance(item, str | int | bool)):
            raise TypeError(f"reason parameter {key!r} must map a str to str, int, bool or None")
        if type(item) is int and item not in _INT_RANGE:
            raise ValueError(f"reason parameter {key!r} must be a 64-bit integer, got {item}")


@attrs.frozen
class Reason:
    """Why a decision came out as it did: a snake_case ``code`` and its parameters."""

    code: str = attrs.field(validator=code)
    params: Mapping[str, Param] = attrs.field(factory=dict, converter=_freeze, validator=_params_valid)

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.params.items()))))

    @classmethod
    def checked(cls, code: str, params: dict[str, Param]) -> Reason:
        """A reason a policy builds from values it has already checked (codes of its own, ISO dates,
        ints from validated records): the validators are not run again.

        Why: a charge sheet's decisions build a dozen reasons with eight parameters each per call; the
        generic checks were a fifth of the assessment. ``params`` must not be changed afterwards.
        """
        reason = object.__new__(cls)
        object.__setattr__(reason, "code", code)
        object.__setattr__(reason, "params", MappingProxyType(params) if params else _EMPTY)
        return reason
