"""Hostile ``due_day`` values for the dealers' monthly summary read through a desk (session 28 j).

Seed 002 9/10 (每月3号之前将上月安装/维修情况报至售后服务部): the pack's ``[dealer_reports] due_day`` says the
day; a ``due_day`` given to :func:`scoped_dealer_monthly` must be the pack's (session 28 f). The check
compared by ``!=`` alone, so over a pack due on the 1st ``True``, ``1.0``, ``Decimal(1)`` and ``1+0j``
passed as the day (other calls refuse a bool or a float for an int), and a host's object whose comparison
raises escaped as its own exception. Now anything but the pack's day as an int is a ``ValidationError``
naming ``due_day``. Memory, SQLite, PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.errors import ValidationError
from aftersales.reports.dealer_monthly import scoped_dealer_monthly
from conftest import SHANGHAI, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


class Quarrelsome:
    """A host's object that cannot be compared nor shown."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no comparing")

    def __ne__(self, other: object) -> bool:
        raise RuntimeError("no comparing")

    def __repr__(self) -> str:
        raise RuntimeError("no showing")

    __hash__ = object.__hash__


@pytest.mark.parametrize("backend", BACKENDS)
def test_only_the_packs_day_as_an_int_is_taken(backend: str, tmp_path: Path) -> None:
    pack = tmp_path / "first.toml"
    pack.write_text('[pack]\nname = "first"\nextends = "sanitary_ware"\n\n[dealer_reports]\ndue_day = 1\n')
    with world_desk(backend, tmp_path, str(pack)) as (desk, clock, w):
        clock.set(datetime(2026, 3, 4, 12, 0, tzinfo=SHANGHAI))
        queries = reporting_for(desk.store)
        summary = scoped_dealer_monthly(desk, w.manager, queries, "2026-02")
        assert summary.due_at == datetime(2026, 3, 2, tzinfo=SHANGHAI)  # the end of the 1st
        assert scoped_dealer_monthly(desk, w.manager, queries, "2026-02", due_day=1) == summary
        for hostile in (True, 1.0, Decimal(1), 1 + 0j, Quarrelsome()):
            with pytest.raises(ValidationError) as refused:
                scoped_dealer_monthly(desk, w.manager, queries, "2026-02", due_day=hostile)  # type: ignore[arg-type]
            assert refused.value.field == "due_day"
            assert "[dealer_reports] due_day (1)" in str(refused.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_last_month_there_is_refused_as_given(backend: str, tmp_path: Path) -> None:
    # December 9999's report would be due in a month there is not: refused quoting the month given,
    # not the month after it ('10000-01', which nobody typed).
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, w):
        queries = reporting_for(desk.store)
        with pytest.raises(ValidationError) as refused:
            scoped_dealer_monthly(desk, w.manager, queries, "9999-12")
        assert refused.value.field == "month"
        assert "'9999-12'" in str(refused.value) and "10000" not in str(refused.value)
        assert scoped_dealer_monthly(desk, w.manager, queries, "9999-10").due_at.year == 9999
