"""Survey campaigns, second pass (seed 000: 定期開展客戶滿意度調查), on memory, SQLite and PostgreSQL.

A decline's reason is kept as the task's comment: a reason over its 2,000 characters was refused
naming ``comment``, an argument the caller never passed. It names ``reason`` now, and nothing changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.survey_campaigns import SamplingRules, SurveyTaskState
from aftersales.errors import ValidationError
from conftest import world_desk


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_decline_reason_too_long_is_refused_naming_reason(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, world):
        desk.surveys.start(
            world.manager, campaign_id="Q-s18", period="2026-Q1",
            rules=SamplingRules(sample_size=10, served_within_days=None),
        )  # fmt: skip
        task_id = "Q-s18:cust-zh"
        with pytest.raises(ValidationError) as refused:
            desk.surveys.decline(world.agent, task_id, reason="联系不上" * 600)
        assert refused.value.field == "reason"
        pending = {t.id for t in desk.surveys.tasks(world.agent, "Q-s18")}
        assert task_id in pending
        declined = desk.surveys.decline(world.agent, task_id, reason="联系不上")
        assert declined.state is SurveyTaskState.DECLINED and declined.comment == "联系不上"
