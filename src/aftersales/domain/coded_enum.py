"""The library's enumerations of codes: an unknown code is a ``ValidationError`` naming the enum.

Why: a host turns its own input into the package's enums (``Priority(row["priority"])``,
``Role(config_role)``); Python's ``ValueError`` for an unknown code named neither the field nor the codes
there are. :class:`CodedEnum` answers with a :class:`~aftersales.errors.ValidationError` (still a
``ValueError``, so ``except ValueError`` keeps working) naming the enum in snake case (``priority``,
``ticket_state``) and listing its codes. Only a miss pays: a known code is looked up as before.
"""

from __future__ import annotations

import re
from enum import StrEnum

from aftersales.errors import ValidationError

__all__ = ["CodedEnum"]

_WORD = re.compile(r"(?<!^)(?=[A-Z])")


class CodedEnum(StrEnum):
    """A ``StrEnum`` whose unknown code is a ``ValidationError`` naming it (see the module)."""

    @classmethod
    def _missing_(cls, value: object) -> None:
        field = _WORD.sub("_", cls.__name__).lower()
        codes = ", ".join(member.value for member in cls)
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise ValidationError(f"{shown} is not a valid {cls.__name__} (one of: {codes})", field=field)
