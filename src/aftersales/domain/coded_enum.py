"""The library's enumerations of codes: an unknown code is a ``ValidationError`` naming the enum.

Why: a host turns its own input into the package's enums (``Priority(row["priority"])``,
``Role(config_role)``); Python's ``ValueError`` for an unknown code named neither the field nor the codes
there are. :class:`CodedEnum` answers with a :class:`~aftersales.errors.ValidationError` (still a
``ValueError``, so ``except ValueError`` keeps working) naming the enum in snake case (``priority``,
``ticket_state``) and listing its codes. Only a miss pays: a known code is looked up as before.
"""

from __future__ import annotations

import re
from enum import EnumType, StrEnum
from typing import Any

from aftersales.errors import ValidationError, shown_repr

__all__ = ["CodedEnum"]

_WORD = re.compile(r"(?<!^)(?=[A-Z])")


class _CodedEnumType(EnumType):
    """Looks a code up without ``Enum.__new__``'s refusal: that one formats the value with ``%r`` before
    it asks ``_missing_``, so a host's object whose ``__repr__`` raises escaped as that exception, untyped
    (session 28). A known code is one dictionary lookup, as before."""

    def __call__(cls, value: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not cls._member_map_:  # the functional API, or an enum without members
            return super().__call__(value, *args, **kwargs)
        try:
            return cls._value2member_map_[value]
        except Exception:  # unknown, unhashable, or a host's object whose hash or == raises: no code
            pass
        found = cls._missing_(value)  # type: ignore[attr-defined]  # CodedEnum's raises ValidationError
        return found if isinstance(found, cls) else super().__call__(value)  # a subclass's own reading


class CodedEnum(StrEnum, metaclass=_CodedEnumType):
    """A ``StrEnum`` whose unknown code is a ``ValidationError`` naming it (see the module)."""

    @classmethod
    def _missing_(cls, value: object) -> None:
        field = _WORD.sub("_", cls.__name__).lower()
        codes = ", ".join(member.value for member in cls)
        shown = shown_repr(value)  # a host's object whose repr raises is refused all the same
        raise ValidationError(
            f"{shown} is not a valid {cls.__name__} (one of: {codes})",
            field=field,
            rule="one_of",
            rule_params={"allowed": codes},
        )
