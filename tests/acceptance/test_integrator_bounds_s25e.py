"""A bounded whole number an integrator passes is refused by the bounds in its annotation (session 25).

``charges.assess(parts={part: quantity})`` checked each quantity by hand with words of its own ("must be a
whole number, 1–100000", a plain ``ValidationError``) while every other bounded argument carries its
bounds in its annotation and is refused with one ``OutOfBounds`` naming them. ``WebhookNotifier(
max_connections=…)`` had no upper bound: ``100000`` was accepted and could only hold sockets open (each
sender of a delivery run keeps one connection, and a run has at most ``MAX_SENDERS``). Both now read
their bounds from their annotations (``PART_QUANTITY``, ``POOL_SIZE``).
"""

from __future__ import annotations

import typing
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales import Actor, ConfigurationError, OutOfBounds, ServiceDesk
from aftersales.adapters import ManualClock
from aftersales.adapters.notifier_webhook import WebhookNotifier
from aftersales.ports.outbox_dispatch import MAX_SENDERS
from conftest import store_url

MANAGER = Actor.manager("m-1")
HOOK = "https://hooks.example.com/aftersales"


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
@pytest.mark.parametrize("quantity", [0, 100_001, "2", 2.0, True])
def test_a_part_quantity_out_of_its_bounds_is_one_out_of_bounds(
    backend: str, quantity: object, tmp_path: Path
) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    with store_url(backend, tmp_path) as url:
        desk = ServiceDesk.open(url, clock=clock)
        try:
            with pytest.raises(OutOfBounds) as refused:
                desk.charges.assess(MANAGER, "t-1", parts={"P-100": quantity})
        finally:
            desk.shutdown()
    assert (refused.value.least, refused.value.most) == (1, 100_000)
    assert refused.value.field == "parts[]"


def test_the_quantity_bounds_are_in_the_annotation() -> None:
    hints = ServiceDesk.open("memory://").charges.assess.argument_hints  # type: ignore[attr-defined]
    (mapping,) = (h for h in typing.get_args(hints["parts"]) if h is not type(None))
    bounds = typing.get_args(typing.get_args(mapping)[1])[1]
    assert (bounds.least, bounds.most) == (1, 100_000)


@pytest.mark.parametrize("size", [0, MAX_SENDERS + 1, 100_000, "4", True])
def test_a_webhook_pool_beyond_the_most_senders_is_refused(size: object) -> None:
    with pytest.raises(ConfigurationError) as refused:
        WebhookNotifier(HOOK, "s" * 32, max_connections=size)  # type: ignore[arg-type]
    assert refused.value.key == "max_connections"
    assert f"from 1 to {MAX_SENDERS}" in str(refused.value)


def test_the_most_senders_is_a_webhook_pool_size_accepted() -> None:
    notifier = WebhookNotifier(HOOK, "s" * 32, max_connections=MAX_SENDERS)
    assert notifier.url == HOOK
