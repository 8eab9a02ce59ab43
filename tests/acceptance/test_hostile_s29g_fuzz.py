# mypy: disable-error-code="arg-type"
"""Session 29 (g): the hostile value classes session 28 left, over every public method in lockstep.

The public-API fuzz (test_public_api_fuzz.py) rotates through each argument's kind; these classes are
tried for every argument of their kind, on memory, SQLite and PostgreSQL:

- a ``str`` subclass whose ``__str__``, ``__repr__``, ``__hash__`` and ``__eq__`` raise (a host's lazy
  text proxy), holding a valid id or plain text;
- bidi override and isolate characters (U+202A-202E, U+2066-2069) in text and ids;
- full-width digits ("５") and huge whole numbers where a whole number is taken;
- datetimes whose time zone's ``utcoffset`` raises, and ones with ``fold=1``.
"""

from __future__ import annotations

import typing
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pytest
from test_public_api_fuzz import (
    EXCLUDED,
    MANAGER,
    Lockstep,
    _members,
    dealt,
    public_methods,
    valid_call,
    worlds,
)

from conftest import SHANGHAI


class RaisingStr(str):
    """Text whose dunders raise, as a host's failing proxy does."""

    def __str__(self) -> str:
        raise RuntimeError("str")

    def __repr__(self) -> str:
        raise RuntimeError("repr")

    def __hash__(self) -> int:
        raise RuntimeError("hash")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq")

    def __ne__(self, other: object) -> bool:
        raise RuntimeError("ne")


class RaisingZone(tzinfo):
    """A time zone whose offset cannot be read."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        raise RuntimeError("utcoffset")

    def dst(self, dt: datetime | None) -> timedelta:
        raise RuntimeError("dst")

    def tzname(self, dt: datetime | None) -> str:
        raise RuntimeError("tzname")


TEXTS: list[Any] = [RaisingStr("hostile text"), "\u202eevil\u202c", "a\u2066b\u2069", "\u202a"]
IDS: list[Any] = [RaisingStr("cust-zh "), "cust\u202e-zh", "\u2067x"]
INTS: list[Any] = ["５", 10**5000, -(10**5000), RaisingStr("5")]
DATETIMES: list[Any] = [
    datetime(2026, 3, 2, 9, 0, tzinfo=RaisingZone()),
    datetime(2026, 3, 2, 9, 0, fold=1, tzinfo=SHANGHAI),
]


def _values(name: str, hint: Any) -> list[Any]:
    found: list[Any] = []
    for member in _members(hint)[0]:
        if isinstance(member, typing.NewType):
            member = member.__supertype__
        if member is str:
            found += TEXTS + (IDS if name.endswith("id") else [])
        elif member is int:
            found += INTS
        elif member is datetime:
            found += DATETIMES
    return found


SHARDS = 3  # every method's calls dealt round-robin over the shards


@pytest.mark.parametrize("shard", range(SHARDS))
def test_new_hostile_classes_get_typed_errors_and_change_nothing(shard: int, tmp_path: Path) -> None:
    with worlds(tmp_path) as built:
        lockstep = Lockstep(built)
        methods = public_methods(built[0].desk)
        cases = {
            key: [
                (name, v)
                for name, hint in valid_call(key, m, built[0]).hints.items()
                for v in _values(name, hint)
            ]
            for key, m in methods.items()
            if key not in EXCLUDED
        }
        for key, name, value in dealt(cases, SHARDS, shard):
            lockstep.run(key, name, value)
        for w in built:
            assert w.desk.ticket(MANAGER, w.ids["progress"]).id == w.ids["progress"]
        assert lockstep.problems == [], (
            f"{len(lockstep.problems)} problems in {lockstep.calls} calls:\n" + "\n".join(lockstep.problems)
        )
