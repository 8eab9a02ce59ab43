"""One bound per whole-number argument, in its annotation: the commands session 24 left.

``knowledge.suggest(limit)`` had two wordings: the boundary refused a wrong type, a bool or 0 naming
every ``limit``'s wide range (1 to 1,000,000) and the command, called past it, "a positive integer".
``late_afters.backfill`` / ``next_page`` checked ``batch`` by hand against 1 to 1000 after the
boundary had checked it against 1 to 1,000,000 (``batch="5"`` named the wide range, 5000 the narrow
one), and ``max_batches`` by hand as "a positive whole number" after a type check over the whole
64-bit range. Each argument now carries its bounds (``Annotated[int, Bounds(…)]``), and every refusal
of it — wrong type, bool, too small, too large — is one ``OutOfBounds`` naming them.
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


@pytest.fixture
def desk() -> ServiceDesk:
    clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    return ServiceDesk.open("memory://", clock=clock)


def _suggest(desk: ServiceDesk) -> Callable[..., Any]:
    return lambda **kw: desk.knowledge.suggest(MANAGER, "wc-1", symptom="leak", **kw)


def _backfill(desk: ServiceDesk) -> Callable[..., Any]:
    return lambda **kw: desk.late_afters.backfill(MANAGER, **kw)


def _next_page(desk: ServiceDesk) -> Callable[..., Any]:
    return lambda **kw: desk.late_afters.next_page(MANAGER, **kw)


Command = Callable[[ServiceDesk], Callable[..., Any]]

BOUNDED: list[tuple[Command, str, int, int]] = [
    (_suggest, "limit", 1, 1000),
    (_backfill, "batch", 1, 1000),
    (_backfill, "max_batches", 1, INT64_MOST),
    (_next_page, "batch", 1, 1000),
]


@pytest.mark.parametrize(("command", "argument", "least", "most"), BOUNDED)
def test_every_refusal_of_the_argument_names_its_one_bound(
    desk: ServiceDesk, command: Command, argument: str, least: int, most: int
) -> None:
    call = command(desk)
    for bad in ("5", 5.0, True, least - 1, most + 1):
        with pytest.raises(OutOfBounds) as refused:
            call(**{argument: bad})
        assert (refused.value.field, refused.value.least, refused.value.most) == (argument, least, most), bad
        assert f"from {least:,} to {most:,}" in str(refused.value), bad


def test_within_the_bounds_the_command_runs(desk: ServiceDesk) -> None:
    assert desk.knowledge.suggest(MANAGER, "wc-1", symptom="leak", limit=1000).causes == ()
    assert desk.late_afters.backfill(MANAGER, batch=1000, max_batches=1) == 0
