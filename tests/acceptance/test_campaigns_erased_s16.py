# mypy: disable-error-code="arg-type"
"""Survey campaigns sample no erased customer (seed 000: 定期開展客戶滿意度調查; PIPL erasure).

An erased customer's name and contact read ``[erased]``: the person asked to be forgotten and no
agent or message can reach them. Sampling them put an uncallable task on the agents' call list and
counted it in the campaign's sample (its response rate could never reach the answered share of the
people actually asked). Memory, SQLite and PostgreSQL answer the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer, CustomerTier
from aftersales.domain.survey_campaigns import CampaignChannel, SamplingRules
from aftersales.service.actors import Actor
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
DPO = Actor.privacy_officer("dpo-s16f")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("channel", [CampaignChannel.CALL, CampaignChannel.LINK])
def test_a_campaign_samples_no_erased_customer(
    backend: str, channel: CampaignChannel, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, world):
        for i in range(4):
            desk.register_customer(
                world.manager,
                Customer(
                    CustomerId(f"s16f-{i}"), f"受访客户{i}",
                    Contact(f"受访客户{i}", email=f"s16f{i}@example.cn"), CustomerTier.VIP, region="HZ",
                ),
            )  # fmt: skip
        desk.privacy.erase_customer(DPO, "s16f-1", "the customer asked")
        campaign = desk.surveys.start(
            world.manager, campaign_id="Q-erased", period="2026-Q1", channel=channel,
            rules=SamplingRules(regions={"HZ"}, sample_size=100, served_within_days=None),
            link="https://portal.example/s/{task_id}",
        )  # fmt: skip
        sampled = {t.customer_id for t in desk.surveys.tasks(world.manager, "Q-erased")}
        assert sampled == {"s16f-0", "s16f-2", "s16f-3"}
        assert campaign.sampled == 3
        assert desk.surveys.results(world.manager, "Q-erased").total.sampled == 3


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("channel", [CampaignChannel.CALL, CampaignChannel.LINK])
def test_a_campaign_samples_no_customer_it_cannot_reach(
    backend: str, channel: CampaignChannel, tmp_path: Path
) -> None:
    """A customer registered with an address and no phone, WeChat or e-mail (session 32: one with no way of
    contact at all is refused at registration) cannot be asked by any channel
    (seed 000: 通過問卷調查、電話回訪等方式): sampled, they only lowered the response rate."""
    with world_desk(backend, tmp_path) as (desk, _clock, world):
        desk.register_customer(
            world.manager,
            Customer(CustomerId("s16f-reach"), "有电话", Contact("有电话", phone="13912345678"), region="HZ"),
        )
        desk.register_customer(
            world.manager,
            Customer(
                CustomerId("s16f-none"),
                "无联系方式",
                Contact("无联系方式", address="杭州市西湖区 1 号"),
                region="HZ",
            ),
        )
        campaign = desk.surveys.start(
            world.manager, campaign_id="Q-reach", period="2026-Q1", channel=channel,
            rules=SamplingRules(regions={"HZ"}, sample_size=100, served_within_days=None),
            link="https://portal.example/s/{task_id}",
        )  # fmt: skip
        assert {t.customer_id for t in desk.surveys.tasks(world.manager, "Q-reach")} == {"s16f-reach"}
        assert campaign.sampled == 1
