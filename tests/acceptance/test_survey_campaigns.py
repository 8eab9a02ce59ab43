# mypy: disable-error-code="arg-type"
"""Periodic satisfaction survey campaigns (seed 000: 定期開展客戶滿意度調查), through the desk."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer, CustomerTier
from aftersales.domain.survey_campaigns import CampaignChannel, SamplingRules, SurveyTaskState
from aftersales.domain.surveys import SatisfactionSurvey
from aftersales.errors import InvalidTransition, NotFound, ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import World


def people(desk: ServiceDesk, world: World) -> None:
    for i in range(40):
        region = "SH" if i % 2 else "BJ"
        desk.register_customer(
            world.manager,
            Customer(
                CustomerId(f"p-{i:02d}"), f"客户{i}", Contact(f"客户{i}", email=f"p{i}@example.cn"),
                CustomerTier.VIP if i % 5 == 0 else CustomerTier.REGULAR, region=region,
            ),
        )  # fmt: skip


def score(overall: int) -> SatisfactionSurvey:
    return SatisfactionSurvey(overall, overall, overall, overall, overall, overall, attitude=overall)


def test_a_quarterly_campaign_samples_by_rules_and_reports_the_answers(
    desk: ServiceDesk, world: World, clock: ManualClock
) -> None:
    people(desk, world)
    rules = SamplingRules(regions={"SH"}, sample_size=8, exclude_surveyed_days=90, served_within_days=None)
    q1 = desk.surveys.start(world.manager, campaign_id="2026-Q1", period="2026-Q1", rules=rules)
    tasks = desk.surveys.tasks(world.agent, "2026-Q1")
    assert q1.sampled == len(tasks) == 8
    sampled = {t.customer_id for t in tasks}
    with desk.context.store() as uow:
        regions = {uow.customers.get(c).region for c in sampled}
    assert regions == {"SH"}
    for n, task in enumerate(tasks[:4]):
        desk.surveys.answer(world.agent, task.id, survey=score(3 + n % 3))
    desk.surveys.decline(world.agent, tasks[4].id, reason="无人接听")
    with pytest.raises(InvalidTransition):
        desk.surveys.answer(world.agent, tasks[4].id, survey=score(5))
    results = desk.surveys.results(world.manager, "2026-Q1")
    sh = next(r for r in results.regions if r.region == "SH")
    answered = [3 + n % 3 for n in range(4)]
    assert (sh.sampled, sh.answered, sh.declined) == (8, 4, 1)
    assert sh.overall == (Decimal(sum(answered)) / 4).quantize(Decimal("0.01"))
    assert sh.response_rate == Decimal("0.5000")
    # A month later nobody surveyed in the last 90 days is picked again.
    clock.advance(timedelta(days=30))
    again = desk.surveys.start(
        world.manager,
        campaign_id="2026-Q1b",
        period="2026-Q1",
        rules=SamplingRules(regions={"SH"}, sample_size=40, served_within_days=None),
    )
    second = {t.customer_id for t in desk.surveys.tasks(world.agent, "2026-Q1b")}
    assert again.sampled == len(second) > 0 and not second & sampled


def test_a_link_campaign_messages_each_customer_and_the_customer_answers(
    desk: ServiceDesk, world: World, notifier: MemoryNotifier
) -> None:
    people(desk, world)
    desk.surveys.start(
        world.manager, campaign_id="Q2", period="2026-Q2", channel=CampaignChannel.LINK,
        rules=SamplingRules(tiers={"vip"}, sample_size=100, served_within_days=None),
        link="https://portal.example/s/{task_id}",
    )  # fmt: skip
    tasks = desk.surveys.tasks(world.manager, "Q2")
    assert {t.customer_id for t in tasks} == {f"p-{i:02d}" for i in range(0, 40, 5)} | {world.cust_en.id}
    desk.deliver()
    assert any("https://portal.example/s/Q2:p-00" in m.body for m in notifier.sent)
    mine = next(t for t in tasks if t.customer_id == "p-00")
    desk.surveys.answer(Actor.customer("p-00"), mine.id, survey=score(5))
    with pytest.raises(NotFound):
        desk.surveys.answer(Actor.customer("p-05"), mine.id, survey=score(1))
    assert desk.surveys.tasks(world.manager, "Q2", state=SurveyTaskState.ANSWERED)[0].id == mine.id


def test_a_link_campaign_needs_a_link(desk: ServiceDesk, world: World) -> None:
    with pytest.raises(ValidationError) as error:
        desk.surveys.start(world.manager, campaign_id="Q3", period="2026-Q3", channel=CampaignChannel.LINK)
    assert error.value.field == "link"
