"""A survey task of a closed campaign answered, in words (session 24).

The refusal carried the workflow "survey campaign <id>", which no catalog knows: it named neither the
campaign nor its kind, and labelled the campaign's state as a ticket's ("当前状态为“已关闭”", where a
campaign that ended reads 已结束). It is now the ``survey_campaign`` record's refusal, naming the
campaign, in its own words, in the three catalogs. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_hostile_surveys import AGENT, BACKENDS, MANAGER, _desk, _score

from aftersales.domain.survey_campaigns import SamplingRules
from aftersales.errors import InvalidTransition
from aftersales.i18n.errors import render_error


@pytest.mark.parametrize("backend", BACKENDS)
def test_answering_a_closed_campaigns_task_names_the_campaign_in_its_words(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as desk:
        surveys = desk.surveys
        surveys.start(
            MANAGER,
            campaign_id="q1",
            period="2026-Q1",
            rules=SamplingRules(sample_size=10, served_within_days=None),
        )
        task = surveys.tasks(AGENT, "q1")[0]
        surveys.close(MANAGER, "q1")
        with pytest.raises(InvalidTransition) as refused:
            surveys.answer(AGENT, task.id, survey=_score(5))
        assert (refused.value.workflow, refused.value.record_id) == ("survey_campaign", "q1")
        assert (
            render_error(refused.value, "zh_Hans")
            == "满意度调查活动 q1 处于“已结束”状态，不能执行“填写满意度调查”"
        )
        assert render_error(refused.value, "zh_Hant").startswith("滿意度調查活動 q1 ")
        assert render_error(refused.value, "en").startswith("survey campaign q1: ")
