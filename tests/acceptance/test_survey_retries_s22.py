# mypy: disable-error-code="arg-type"
"""A survey task declined, or a campaign closed, and retried with its idempotency key is answered once.

A survey answer (session 21: with the attitude rating) takes an idempotency key; declining the task
(the customer could not be reached) and closing the campaign took none. A host whose call timed out and
who sent it again was told ``InvalidTransition`` ("cannot 'decline_survey' from 'declined'") for a
command that had succeeded — and could not tell it from a real refusal. Both take a key now: the retry
returns the first result, and the same key for another request is ``IdempotencyKeyReused``. Memory,
SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales.domain.survey_campaigns import CampaignState, SamplingRules, SurveyTaskState
from aftersales.errors import IdempotencyKeyReused
from aftersales.service.desk import ServiceDesk
from conftest import World, two_desks

RULES = SamplingRules(sample_size=10, served_within_days=None)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desks(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ServiceDesk, World]]:
    with two_desks(request.param, tmp_path, pack="general_maintenance") as opened:
        yield opened


def test_a_decline_and_a_close_retried_with_their_keys_are_answered_once(
    desks: tuple[ServiceDesk, ServiceDesk, World],
) -> None:
    first, other, world = desks
    first.surveys.start(world.manager, campaign_id="Q1", period="2026-Q1", rules=RULES)
    task = first.surveys.tasks(world.agent, "Q1")[0].id

    declined = first.surveys.decline(world.agent, task, reason="三次未接通", idempotency_key="call-17")
    again = other.surveys.decline(world.agent, task, reason="三次未接通", idempotency_key="call-17")
    assert again.id == declined.id and again.state is SurveyTaskState.DECLINED
    assert again.comment == declined.comment
    with pytest.raises(IdempotencyKeyReused):
        other.surveys.decline(world.agent, task, reason="号码空号", idempotency_key="call-17")

    closed = first.surveys.close(world.manager, "Q1", idempotency_key="close-q1")
    retried = other.surveys.close(world.manager, "Q1", idempotency_key="close-q1")
    assert retried.id == closed.id and retried.state is CampaignState.CLOSED
    assert retried.closed_at == closed.closed_at
    with pytest.raises(IdempotencyKeyReused):
        other.surveys.close(world.manager, "Q1", reason="提前结束", idempotency_key="close-q1")
