"""A command's own bounds decide the refusal of a wrong type too (session 24).

The boundary's argument check (``service/arguments.py``) refused a value of the wrong type with the
field's wide range before the command's own bound could name the real one: ``batch="5"`` to
``backfill_money_index`` (1 to 10,000 documents) was told "a whole number from 1 to 1,000,000",
``max_batches="5"`` "from -9,223,372,036,854,775,808 …", and 0 then met the command's own words ("a
positive whole number"). An argument with bounds of its own carries them in its annotation
(``Annotated[int, Bounds(…)]``), and every refusal of it — wrong type, a bool, too small, too large —
is one ``OutOfBounds`` naming those bounds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aftersales import Actor, OutOfBounds, ServiceDesk
from aftersales.adapters import ManualClock
from aftersales.domain.bounds import INT64_MOST

MANAGER = Actor.manager("m-1")
OFFICER = Actor.privacy_officer("dpo-1")


@pytest.fixture
def desk() -> ServiceDesk:
    clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    return ServiceDesk.open("memory://", clock=clock)


# (command, argument, its own least and most)
BOUNDED: list[tuple[str, str, int, int]] = [
    ("fees.backfill_money_index", "batch", 1, 10_000),
    ("fees.backfill_money_index", "max_batches", 1, INT64_MOST),
    ("batch_tallies.backfill", "batch", 1, 1000),
    ("batch_tallies.backfill", "max_batches", 1, INT64_MOST),
    ("sla_watch.sweep", "limit", 1, 1000),
    ("recompute_provisional_dues", "page_size", 1, 1000),
    ("outbox.dead_letters", "limit", 1, 100_000),
    ("outbox.purge_sent", "limit", 1, 100_000),
    ("outbox.purge_dead_letters", "limit", 1, 100_000),
    ("privacy.purge_expired", "limit", 1, 100_000),
    ("privacy.purge_access_log", "limit", 1, 100_000),
    ("privacy.index_access_log", "limit", 1, 100_000),
    ("privacy.file_plan_handovers", "limit", 1, 100_000),
    ("charges.assess", "distance_km", 1, 10_000),
    ("import_tickets", "batch_size", 1, INT64_MOST),
]


def _command(desk: ServiceDesk, path: str) -> Callable[..., Any]:
    found: Any = desk
    for name in path.split("."):
        found = getattr(found, name)
    assert callable(found)
    return found  # type: ignore[no-any-return]


@pytest.mark.parametrize(("path", "argument", "least", "most"), BOUNDED)
def test_every_refusal_of_a_bounded_argument_names_the_commands_own_bounds(
    desk: ServiceDesk, path: str, argument: str, least: int, most: int
) -> None:
    actor = OFFICER if path.startswith("privacy.") else MANAGER
    command = _command(desk, path)
    for bad in ("5", 5.0, True, least - 1, most + 1):
        with pytest.raises(OutOfBounds) as refused:
            command(actor, **{argument: bad})
        assert (refused.value.field, refused.value.least, refused.value.most) == (argument, least, most), bad
        assert f"from {least:,} to {most:,}" in str(refused.value), bad
