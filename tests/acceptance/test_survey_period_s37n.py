"""A survey campaign's period is a year, a quarter or a month (session 37, hostile input).

The period was free text: zero-width characters, ``2026-Q5`` and ``0001-Q1`` started campaigns whose
period no report or host could read. Now a ``ValidationError`` naming ``period`` (rule
``survey_period``), and no campaign is started.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.errors import NotFound, ValidationError
from conftest import world_desk


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_period_no_one_could_read_starts_no_campaign(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="general_maintenance") as (desk, _, w):
        for bad in ["2026-Q5", "0001-Q1", "2026\u200b-Q1", "２０２６-Q1", "2026-13", "2026-q1", "Q1", ""]:
            with pytest.raises(ValidationError) as refused:
                desk.surveys.start(w.manager, campaign_id="c1", period=bad)
            assert (refused.value.field, refused.value.rule) == ("period", "survey_period")
        with pytest.raises(NotFound):
            desk.surveys.results(w.manager, "c1")
        for good in ["2026-Q4", "2026-03", "2026"]:
            assert desk.surveys.start(w.manager, campaign_id=good, period=good).period == good
