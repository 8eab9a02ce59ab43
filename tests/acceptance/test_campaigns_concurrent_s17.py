# mypy: disable-error-code="arg-type"
"""Two survey campaigns started at once on two desks of one store sample as one after the other would.

A campaign passes over customers surveyed within ``exclude_surveyed_days`` (seed 000: 定期进行客户满意度
调查 — asked again too soon, a customer stops answering). It read the surveys already made, then wrote
its own. On PostgreSQL (READ COMMITTED) a second campaign started while the first was sampling did
not see the first's tasks: both sampled the same customers, who were asked twice in one week; SQLite
and the memory store ran the second after the first and passed them over. Campaign starts now take
their turn on one locked record, so every store samples alike.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import aftersales.service.survey_campaigns as survey_campaigns
from aftersales.domain.survey_campaigns import SamplingRules
from aftersales.errors import AftersalesError
from aftersales.service.desk import ServiceDesk
from conftest import World, two_desks

HELD_BACK = 0.5
"""Seconds the first start waits for the second before it goes on (the second is then queued)."""
RULES = SamplingRules(sample_size=100, served_within_days=None, exclude_surveyed_days=90)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desks(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ServiceDesk, World]]:
    with two_desks(request.param, tmp_path) as opened:
        yield opened


def test_a_customer_sampled_by_one_campaign_is_not_sampled_by_another_started_at_once(
    desks: tuple[ServiceDesk, ServiceDesk, World], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, world = desks
    original = survey_campaigns.sample
    raised: list[AftersalesError] = []
    threads: list[threading.Thread] = []

    def start_second() -> None:
        try:
            second.surveys.start(world.manager, campaign_id="Q1-north", period="2026-Q1", rules=RULES)
        except AftersalesError as error:
            raised.append(error)

    def sample(campaign_id: str, rules: SamplingRules, candidates: Any, *args: Any) -> Any:
        candidates = list(candidates)  # the first start has read who was surveyed lately
        if campaign_id == "Q1-south" and not threads:  # the first start, inside its transaction
            threads.append(threading.Thread(target=start_second))
            threads[0].start()
            threads[0].join(HELD_BACK)  # finished, or held back until the first commits
        return original(campaign_id, rules, candidates, *args)

    monkeypatch.setattr(survey_campaigns, "sample", sample)
    first.surveys.start(world.manager, campaign_id="Q1-south", period="2026-Q1", rules=RULES)
    threads[0].join()
    assert raised == []

    south = {t.customer_id for t in first.surveys.tasks(world.manager, "Q1-south")}
    north = {t.customer_id for t in first.surveys.tasks(world.manager, "Q1-north")}
    assert south | north == {"cust-zh", "cust-en"}
    assert not south & north  # no customer asked twice within exclude_surveyed_days
