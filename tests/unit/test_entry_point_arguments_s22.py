"""The desk's entry points refuse an unknown or missing argument with a typed error (session 22).

Every command of the desk turns an unknown or missing argument into a ``ValidationError`` naming it
(``aftersales.service.arguments``). ``ServiceDesk.move_books_zone`` (session 20) and ``ServiceDesk.open``
are classmethods no actor runs, and a host passing them an argument they do not take — an
``idempotency_key`` to the move, as every other write takes one — met Python's ``TypeError``: an untyped
exception out of the public API. Refused before anything runs: no store is opened, nothing moves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aftersales import Actor, ServiceDesk, ValidationError

MANAGER = Actor.manager("mgr-1")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (
            lambda url: ServiceDesk.move_books_zone(url, MANAGER, "Europe/London", idempotency_key="k"),
            "idempotency_key",
        ),
        (lambda url: ServiceDesk.move_books_zone(url, MANAGER), "timezone"),
        (
            lambda url: ServiceDesk.move_books_zone(url, MANAGER, "Europe/London", None, None),
            "move_books_zone",
        ),
        (lambda url: ServiceDesk.open(url, time_zone="Europe/London"), "time_zone"),
        (lambda url: ServiceDesk.open(), "url"),
    ],
)
def test_an_argument_an_entry_point_does_not_take_is_a_validation_error(
    call: Any, field: str, tmp_path: Path
) -> None:
    db = tmp_path / "books.db"
    with pytest.raises(ValidationError) as refused:
        call(f"sqlite:///{db}")
    assert refused.value.field == field
    assert not db.exists()  # refused before any store was opened
