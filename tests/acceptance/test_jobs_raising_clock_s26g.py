"""Session 26 (g): a host clock that raises fails the jobs one by one, typed and isolated.

``run_due_jobs()`` let a host clock's own exception out of the whole run: one job's lease, taken and
given back by the clock, raised it, and the jobs after it never ran (the jobs module promises that a job
that fails is reported and the others still run). A clock raising before any job ran is refused as a
``PluginError`` naming ``clock``; once it reads again, the jobs run.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.errors import PluginError
from aftersales.service.desk import ServiceDesk
from aftersales.service.jobs import JOB_NAMES
from conftest import STAFF, START, store_url

BACKENDS = ["memory", "sqlite", "postgres"]


class FailingClock:
    """A manual clock that reads ``reads`` more times, then raises (NTP lost, a host's own bug)."""

    def __init__(self, inner: ManualClock) -> None:
        self.inner = inner
        self.reads: int | None = None

    def now(self) -> datetime:
        if self.reads is not None:
            if self.reads <= 0:
                raise RuntimeError("time source unreachable")
            self.reads -= 1
        return self.inner.now()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_clock_raising_before_any_job_is_a_plugin_error_naming_the_clock(
    backend: str, tmp_path: Path
) -> None:
    clock = FailingClock(ManualClock(START))
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF) as desk,
    ):
        clock.reads = 0
        with pytest.raises(PluginError) as caught:
            desk.run_due_jobs()
        assert caught.value.component == "clock"
        assert "time source unreachable" in str(caught.value)
        clock.reads = None
        assert set(desk.run_due_jobs().ran) == set(JOB_NAMES)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_clock_raising_mid_run_fails_the_jobs_left_each_reported(backend: str, tmp_path: Path) -> None:
    clock = FailingClock(ManualClock(START))
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF) as desk,
    ):
        clock.reads = 10  # the run's own read, then the first jobs' leases and work
        report = desk.run_due_jobs()
        assert report.ran  # the first jobs ran
        assert report.failed  # the others are reported, each
        assert set(report.ran) | set(report.failed) == set(JOB_NAMES)
        assert all(why == "RuntimeError: time source unreachable" for why in report.failed.values())
        clock.reads = None  # the clock is back: the failed jobs run on the next call
        again = desk.run_due_jobs()
        assert set(report.failed) <= set(again.ran)
        assert not again.failed
