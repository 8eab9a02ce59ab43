"""Seed 002 9/10 (每月3号之前将上月安装/维修情况报至售后服务部): the day a dealer's monthly report is due is
the pack's ``[dealer_reports] due_day``, not an argument of the report (session 28, f).

Before: ``scoped_dealer_monthly(..., due_day=3)`` judged on time, late and missing by the argument, 3
whatever the company's rule; a company giving its dealers until the 5th had no way to say it but to pass
the day at every call, and a caller passing another day judged dealers by a rule the company has not got.
Now the pack says it (seed 002's pack: 3); a ``due_day`` given is the pack's or a ``ValidationError``
naming ``due_day``; a day outside 1-28 in a pack file is a ``ConfigurationError`` naming the key.
Memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.policies.dealer_reports import pack_dealer_report_rules
from aftersales.policies.registry import Registry
from aftersales.reports.dealer_monthly import ReportStatus, scoped_dealer_monthly
from conftest import SHANGHAI, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
FOURTH = datetime(2026, 3, 4, 12, 0, tzinfo=SHANGHAI)


def _pack(tmp_path: Path, body: str) -> str:
    path = tmp_path / "dealers.toml"
    path.write_text(
        f'[pack]\nname = "dealers"\nextends = "sanitary_ware"\n\n[dealer_reports]\n{body}\n', encoding="utf-8"
    )
    return str(path)


def test_seed_002s_pack_says_the_3rd() -> None:
    assert pack_dealer_report_rules(Registry.discover().resolve("sanitary_ware").extra).due_day == 3


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_packs_day_judges_the_reports(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, _pack(tmp_path, "due_day = 5")) as (desk, clock, w):
        clock.set(FOURTH)
        desk.reports.submit_dealer_report(w.manager, w.dealer_sh.id, "2026-02", installations=1, repairs=1)
        queries = reporting_for(desk.store)
        summary = scoped_dealer_monthly(desk, w.manager, queries, "2026-02")
        assert summary.due_at == datetime(2026, 3, 6, tzinfo=SHANGHAI)  # the end of the 5th
        statuses = {r.dealer_id: r.status for r in summary.rows}
        assert statuses[w.dealer_sh.id] is ReportStatus.ON_TIME  # filed on the 4th, due by the 5th
        assert set(statuses.values()) - {ReportStatus.ON_TIME} == {ReportStatus.PENDING}
        assert scoped_dealer_monthly(desk, w.manager, queries, "2026-02", due_day=5) == summary
        for other in (3, 28, True, "5"):
            with pytest.raises(ValidationError) as refused:
                scoped_dealer_monthly(desk, w.manager, queries, "2026-02", due_day=other)  # type: ignore[arg-type]
            assert refused.value.field == "due_day"
        clock.advance(timedelta(days=2))  # past the 5th: the others are missing
        late = scoped_dealer_monthly(desk, w.manager, queries, "2026-02")
        assert {r.status for r in late.rows if r.dealer_id != w.dealer_sh.id} == {ReportStatus.MISSING}


@pytest.mark.parametrize("body", ["due_day = 0", "due_day = 29", 'due_day = "3"', "due_day = true"])
def test_a_day_not_in_every_month_is_refused_naming_the_key(tmp_path: Path, body: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        Registry.discover().resolve(_pack(tmp_path, body))
    assert refused.value.key == "dealer_reports.due_day"
