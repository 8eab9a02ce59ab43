"""Survey campaigns, second pass (seed 000: 定期開展客戶滿意度調查), on memory, SQLite and PostgreSQL.

A decline's reason is kept as the task's comment: a reason over its 2,000 characters was refused
naming ``comment``, an argument the caller never passed. It names ``reason`` now, and nothing changes.

"Served within N days" (a campaign asks customers who had a service) counted the ticket the maintenance
job opens ahead of a visit, and a missed visit's: a customer was asked about a service they never had.
A planned visit serves the customer once it is done (an engineer came).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from aftersales.domain.ids import AssetId
from aftersales.domain.maintenance import ChecklistResult
from aftersales.domain.products import Asset
from aftersales.domain.survey_campaigns import CampaignState, SamplingRules, SurveyTaskState
from aftersales.domain.surveys import SatisfactionSurvey
from aftersales.errors import InvalidTransition, PermissionDenied, ValidationError
from aftersales.service.actors import Actor
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


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_maintenance_visit_not_yet_done_is_no_service_to_survey(backend: str, tmp_path: Path) -> None:
    """ "Served within N days" counted the ticket the maintenance job opens two weeks ahead of a visit:
    a customer was sampled (and asked about the service) before anyone came. A planned visit serves the
    customer once it is done (an engineer came)."""
    with world_desk(backend, tmp_path) as (desk, clock, world):
        for customer, unit in (("cust-zh", "asset-1"), ("cust-en", "asset-en")):
            if unit != "asset-1":
                desk.register_asset(
                    world.manager,
                    Asset(
                        AssetId(unit), world.product.id, "SN-EN", customer_id=customer, dealer_id="dealer-sh"
                    ),
                )
            desk.maintenance.create_plan(world.manager, asset_id=unit, first_due=date(2026, 3, 10))
        visits = {v.customer_id: v for v in desk.maintenance.generate_due(world.system).generated}
        done = visits["cust-en"]
        assignee = desk.ticket(world.manager, done.ticket_id).assignee
        assert assignee is not None
        worker = Actor.engineer(assignee.id) if assignee.kind.value == "engineer" else world.dealer_sh_staff
        desk.start_work(worker, done.ticket_id)
        results = [ChecklistResult(task, True) for task in done.checklist]
        desk.maintenance.complete_visit(worker, done.id, results=results)
        desk.resolve(worker, done.ticket_id, summary="保养完成")
        clock.advance(timedelta(days=1))
        desk.surveys.start(
            world.manager, campaign_id="Q-served", period="2026-Q1",
            rules=SamplingRules(sample_size=10, served_within_days=30),
        )  # fmt: skip
        assert {t.customer_id for t in desk.surveys.tasks(world.agent, "Q-served")} == {"cust-en"}


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_closed_campaign_is_final(backend: str, tmp_path: Path) -> None:
    """A campaign was "open until closed" and nothing closed it: its pending tasks stayed on the agents'
    call lists for ever and answers kept changing a period's results after it was reported."""
    with world_desk(backend, tmp_path) as (desk, _clock, world):
        desk.surveys.start(
            world.manager, campaign_id="Q-close", period="2026-Q1",
            rules=SamplingRules(sample_size=10, served_within_days=None),
        )  # fmt: skip
        answered, pending = "Q-close:cust-zh", "Q-close:cust-en"
        desk.surveys.answer(world.agent, answered, survey=SatisfactionSurvey(5, 5, 4, 5, 5, 5, attitude=5))
        with pytest.raises(PermissionDenied):
            desk.surveys.close(world.dealer_sh_staff, "Q-close")
        closed = desk.surveys.close(world.manager, "Q-close", reason="第一季度结束")
        assert closed.state is CampaignState.CLOSED and closed.closed_by == world.manager.ref
        assert desk.surveys.tasks(world.agent, "Q-close") == []  # off the call list
        (declined,) = desk.surveys.tasks(world.agent, "Q-close", state=SurveyTaskState.DECLINED)
        assert (declined.id, declined.comment) == (pending, "第一季度结束")
        with pytest.raises(InvalidTransition):
            desk.surveys.answer(world.agent, pending, survey=SatisfactionSurvey(1, 1, 1, 1, 1, 1, attitude=1))
        with pytest.raises(InvalidTransition):
            desk.surveys.close(world.manager, "Q-close")
        results = desk.surveys.results(world.manager, "Q-close")
        assert (results.total.answered, results.total.declined) == (1, 1)
        assert results.campaign.state is CampaignState.CLOSED
