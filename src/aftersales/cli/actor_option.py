"""The ``--as ROLE:ID`` option of the CLI commands: one reading for all of them.

Why: ``aftersales budget --as manager:m1:x`` acted as the manager ``m1:x`` (everything after the first
colon was the id, any text), while ``aftersales report --as dealer:ID`` checked its id as an identifier:
two readings of one option. Now the ID is an identifier as the stores hold it (1-64 ASCII letters,
digits and ``_ . : @ / -``, starting with a letter or digit) in every command; the role ends at the first
colon (no role holds one), so an id with a colon, such as a dealer's ``dealer-sh:HT-01``, is read whole.
"""

from __future__ import annotations

from collections.abc import Collection

from aftersales.domain.validation import ID_PATTERN

__all__ = ["ID_RULE", "as_role_and_id"]

ID_RULE = "1-64 ASCII letters, digits and _ . : @ / -, starting with a letter or digit"
"""The rule of the ID, as the commands word it in English (the budget command's catalog words it too)."""


def as_role_and_id(text: object, roles: Collection[str]) -> tuple[str, str] | None:
    """``(role, id)`` of ``--as ROLE:ID`` when ROLE is one of ``roles`` and ID an identifier;
    ``None`` otherwise (the command words the refusal)."""
    if not isinstance(text, str):
        return None
    role, colon, actor_id = text.partition(":")
    if not colon or role not in roles or not ID_PATTERN.fullmatch(actor_id):
        return None
    return role, actor_id
