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
from aftersales.errors import ValidationError

__all__ = ["Param", "Reason"]

Param = str | int | bool | None

_INT_RANGE = range(-(2**63), 2**63)  # what every store and JSON reader keeps exact (SQLite INTEGER)


def _own(params: Mapping[str, Param] | None) -> dict[str, Param]:
    """A private copy (never shared with the caller, so the reason cannot change under it), its keys in
    sorted order: PostgreSQL's ``jsonb`` keeps no order, so every store reads back and writes out the
    same text (see :mod:`aftersales.domain.canonical`)."""
    if params is None:
        return _EMPTY
    if not isinstance(params, Mapping):
        raise ValidationError("a reason's parameters are a mapping of names to values", field="params")
    if any(not isinstance(key, str) for key in params):
        raise ValidationError("a reason's parameter names are text", field="params")
    return dict(sorted(params.items())) if params else _EMPTY


_EMPTY: dict[str, Param] = {}  # shared by every reason without parameters; never handed out mutable


def _params_valid(instance: object, attribute: attrs.Attribute[Any], value: Mapping[str, Any]) -> None:
    for key, item in value.items():
        if not isinstance(key, str) or not (item is None or isinstance(item, str | int | bool)):
            raise ValidationError(
                f"reason parameter {key!r} must map a str to str, int, bool or None", field="params"
            )
        if type(item) is int and item not in _INT_RANGE:
            raise ValidationError(
                f"reason parameter {key!r} must be a 64-bit integer, got {item}", field="params"
            )


@attrs.frozen(repr=False)
class Reason:
    """Why a decision came out as it did: a snake_case ``code`` and its parameters.

    The parameters are kept in a plain dict of atoms (str, int, bool, None) that only the reason
    holds, and handed out as a read-only view. Why: CPython stops tracking such a dict, so a kept
    reason costs the garbage collector one object, not two (a charge sheet keeps dozens of reasons,
    a desk thousands of sheets); a ``MappingProxyType`` kept inside was always tracked.
    """

    code: str = attrs.field(validator=code)
    _params: dict[str, Param] = attrs.field(factory=dict, converter=_own, validator=_params_valid)

    @property
    def params(self) -> Mapping[str, Param]:
        """The parameters, read-only (a view: the reason never changes)."""
        return MappingProxyType(self._params)

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self._params.items()))))

    def __repr__(self) -> str:
        return f"Reason(code={self.code!r}, params={self._params!r})"

    @classmethod
    def checked(cls, code: str, params: dict[str, Param]) -> Reason:
        """A reason a policy builds from values it has already checked (codes of its own, ISO dates,
        ints from validated records): the validators are not run again.

        Why: a charge sheet's decisions build a dozen reasons with eight parameters each per call; the
        generic checks were a fifth of the assessment. ``params`` is kept, not copied: the caller must
        not change it afterwards, and must write its keys in sorted order (as the checked path would
        leave them; a test holds the callers to it).
        """
        reason = _NEW(cls)
        _SET_CODE(reason, code)
        _SET_PARAMS(reason, params or _EMPTY)
        return reason


_NEW = object.__new__
_SET_CODE, _SET_PARAMS = (Reason.__dict__[name].__set__ for name in ("code", "_params"))
