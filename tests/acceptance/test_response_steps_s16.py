"""The reports measure a ticket's response by the steps its own SLA counts (session 16).

An SLA policy may name its own response steps (``SlaTargets.response_actions``; an integrator's
plugin for an industry where the engineer arriving is the first contact). The live SLA honoured them,
but the reports read stored tickets without the policy and counted only the standard steps: a ticket
the SLA judged answered in time read as a missed response in the KPI and the breach report. The SLA
service now records the steps on the ticket (``Ticket.response_steps``) and every store's report rows
use them. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Plan, Severity
from aftersales.policies.decision import Decision
from aftersales.policies.registry import resolve_policies
from aftersales.policies.sla import DefaultSla, SlaFacts
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.reports.sla import sla_breaches
from conftest import START, world_desk

H = timedelta(hours=1)


class ArrivalAnswers(DefaultSla):
    """The pack's SLA, with the engineer starting the work counted as the response too."""

    def decide(self, facts: SlaFacts) -> Decision:  # type: ignore[type-arg]
        decided = super().decide(facts)
        steps = decided.outcome.response_actions | {"start_work"}
        return attrs.evolve(decided, outcome=attrs.evolve(decided.outcome, response_actions=steps))


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_response_the_sla_counts_is_counted_by_the_reports(backend: str, tmp_path: Path) -> None:
    with world_desk(
        backend, tmp_path, overrides={"sla": ArrivalAnswers(resolve_policies("office_equipment").sla.params)}
    ) as (desk, clock, world):
        ticket_id = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
        desk.triage(world.agent, ticket_id, nature="jam", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_senior.id)
        clock.advance(H / 2)
        desk.start_work(world.senior, ticket_id)  # no call logged: the arrival is the response here
        clock.advance(timedelta(days=2))
        status = {t.target.name: t for t in desk.sla(world.manager, ticket_id).targets}
        assert status["response"].met_at is not None and not status["response"].breached
        now = clock.now()
        period = Period(START, now + H)
        queries = reporting_for(desk.store)  # type: ignore[arg-type]
        total = kpi_report(queries, period, desk.calendar, as_of=now).total  # type: ignore[arg-type]
        assert (total.response_met, total.response_missed) == (1, 0)
        assert sla_breaches(desk, world.manager, period, as_of=now).total.response_breached == 0


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_the_standard_steps_leave_the_stored_ticket_as_it_was(backend: str, tmp_path: Path) -> None:
    """A pack's own SLA names the standard steps: nothing is added to the stored ticket."""
    with world_desk(backend, tmp_path) as (desk, _, world):
        ticket_id = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
        desk.triage(world.agent, ticket_id, nature="jam", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        with desk.store() as uow:
            assert uow.tickets.get(ticket_id).response_steps == ()


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_packs_response_steps_are_the_clocks_and_the_reports(backend: str, tmp_path: Path) -> None:
    """``[sla] response_steps`` (refused before: the KPI would not have counted what the SLA counted)."""
    pack = tmp_path / "arrival.toml"
    pack.write_text(
        '[pack]\nname = "arrival"\nextends = "office_equipment"\n\n[sla]\nresponse_steps = ["start_work"]\n',
        encoding="utf-8",
    )
    with world_desk(backend, tmp_path, str(pack)) as (desk, clock, world):
        ticket_id = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
        desk.triage(world.agent, ticket_id, nature="jam", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_senior.id)
        clock.advance(H / 2)
        desk.start_work(world.senior, ticket_id)
        clock.advance(timedelta(days=2))
        status = {t.target.name: t for t in desk.sla(world.manager, ticket_id).targets}
        assert status["response"].met_at is not None and not status["response"].breached
        now = clock.now()
        queries = reporting_for(desk.store)  # type: ignore[arg-type]
        total = kpi_report(queries, Period(START, now + H), desk.calendar, as_of=now).total  # type: ignore[arg-type]
        assert (total.response_met, total.response_missed) == (1, 0)


@pytest.mark.parametrize("bad", [5, None, ["start_work", 3], ["fly_over"]])
def test_response_steps_of_the_wrong_shape_are_refused_naming_the_setting(bad: object) -> None:
    from aftersales.errors import ValidationError
    from aftersales.policies.sla import SlaParams

    with pytest.raises(ValidationError) as refused:
        SlaParams(response_steps=bad)  # type: ignore[arg-type]
    assert refused.value.field == "response_steps"


def test_one_response_step_named_as_text_is_that_step() -> None:
    from aftersales.policies.sla import SlaParams

    assert SlaParams(response_steps="start_work").response_steps == ("start_work",)  # type: ignore[arg-type]
