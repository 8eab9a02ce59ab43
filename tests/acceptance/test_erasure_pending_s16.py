# mypy: disable-error-code="arg-type"
"""An erasure closes the callbacks and surveys still waiting for the person (PIPL; seed 000 回访).

Nobody can call or message an erased customer: their name and contact read ``[erased]``. A callback
task or a campaign's survey task still pending at the erasure stayed on the agents' lists under that
name and turned overdue for ever. The erasure now drops the callback and declines the survey, on
memory, SQLite and PostgreSQL; a repeated erasure still finds nothing left to erase.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.domain.classification import Plan, Severity
from aftersales.domain.survey_campaigns import CampaignChannel, SamplingRules, SurveyTaskState
from aftersales.errors import AlreadyErased
from aftersales.service.actors import Actor
from conftest import world_desk

DPO = Actor.privacy_officer("dpo-s16")


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_an_erasure_closes_the_callback_and_the_survey_waiting_for_the_person(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, world):
        customer = world.cust_zh.id
        ticket_id = desk.open_ticket(world.agent, customer_id=customer, description="复印机卡纸").ticket.id
        desk.triage(world.agent, ticket_id, nature="paper_jam", severity=Severity.LOW, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_junior.id)
        desk.start_work(world.junior, ticket_id)
        desk.add_fault_record(
            world.junior, ticket_id, symptom="paper_jam", cause="worn_roller", action="replace"
        )
        clock.advance(timedelta(hours=1))
        desk.resolve(world.junior, ticket_id, summary="换了搓纸轮")
        desk.confirm(world.customer_zh, ticket_id)
        desk.schedule_callback(world.agent, ticket_id)
        assert [t.ticket_id for t in desk.callbacks.pending(world.manager)] == [ticket_id]
        desk.surveys.start(
            world.manager, campaign_id="Q-s16", period="2026-Q1", channel=CampaignChannel.CALL,
            rules=SamplingRules(sample_size=100, served_within_days=None),
        )  # fmt: skip
        assert customer in {t.customer_id for t in desk.surveys.tasks(world.manager, "Q-s16")}

        desk.privacy.erase_customer(DPO, customer, "the customer asked")

        assert desk.callbacks.pending(world.manager) == []
        clock.advance(timedelta(days=30))
        assert desk.callbacks.overdue(world.manager) == []
        assert customer not in {t.customer_id for t in desk.surveys.tasks(world.manager, "Q-s16")}
        declined = desk.surveys.tasks(world.manager, "Q-s16", state=SurveyTaskState.DECLINED)
        assert [t.customer_id for t in declined] == [customer]
        with pytest.raises(AlreadyErased):
            desk.privacy.erase_customer(DPO, customer, "asked again")
