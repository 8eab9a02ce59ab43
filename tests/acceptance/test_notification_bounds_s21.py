"""Session 21: the outbox's retention and retry figures are bounded where they are set, on every store.

A pack file could not set ``[notification] keep_sent_days`` above ten years (its numbers are bounded
by unit), but the same parameters built in Python (``NotificationParams(keep_sent_days=10**9)`` as a
desk's override) were taken: then every purge (``desk.outbox.purge_sent``, ``purge_dead_letters``, the
``purge_sent``/``purge_dead`` jobs) and every delivery (``first_retry_seconds=10**15``) failed with a
bare ``OverflowError``, reported by the jobs at each run. They are now a ``ConfigurationError`` naming
the key when built, bounded as a pack file is; the largest accepted figures purge and deliver.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.errors import ConfigurationError
from aftersales.policies.notification import DefaultNotification, NotificationParams
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ({"keep_sent_days": 10**9}, "notification.keep_sent_days"),
        ({"keep_sent_days": 900_000}, "notification.keep_sent_days"),
        ({"keep_dead_days": 10**10}, "notification.keep_dead_days"),
        ({"first_retry_seconds": 10**15, "max_retry_seconds": 10**15}, "notification.first_retry_seconds"),
        ({"max_retry_seconds": 10**15}, "notification.max_retry_seconds"),
        ({"max_attempts": 10**30}, "notification.max_attempts"),
    ],
)
def test_figures_past_what_a_pack_may_set_are_refused_when_built(given: dict[str, int], key: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        NotificationParams(**given)  # type: ignore[arg-type]
    assert refused.value.key == key


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_largest_figures_accepted_purge_and_deliver(backend: str, tmp_path: Path) -> None:
    params = NotificationParams(
        keep_sent_days=3660, keep_dead_days=3660, first_retry_seconds=10**9, max_retry_seconds=10**9
    )
    with world_desk(backend, tmp_path, overrides={"notification": DefaultNotification(params)}) as (
        desk,
        _clock,
        world,
    ):
        assert desk.outbox.purge_sent(world.manager) == 0
        assert desk.outbox.purge_dead_letters(world.manager) == 0
        report = desk.jobs.run_due(only=("purge_sent", "purge_dead", "deliver"))
        assert report.failed == {} and set(report.ran) == {"purge_sent", "purge_dead", "deliver"}
