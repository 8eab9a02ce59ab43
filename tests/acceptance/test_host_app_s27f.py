"""Session 27 (f): a small host application written from the README and docs/ alone.

A new integrator's path: open a desk on SQLite and PostgreSQL with an industry pack of their own
(a TOML file extending a built-in pack) and a policy object of their own per industry, play a month of
tickets, read the KPIs the way the docs show, render the report, and export a customer's personal
data. Each step uses only calls the docs name; a step that failed here was a doc or code defect.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

from aftersales import (
    Actor,
    Contact,
    Customer,
    CustomerId,
    Dealer,
    DealerId,
    ServiceDesk,
    Severity,
    kpi_goals,
    report_labels,
    to_text,
)
from aftersales.adapters import ManualClock, MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.policies.decision import Decision
from aftersales.policies.triage import DefaultPriority, Triage, TriageFacts
from aftersales.ports.reporting import GroupBy, Period
from aftersales.reports import document_for
from aftersales.reports.kpi import pack_kpi_report, scoped_kpi_report
from aftersales.reports.render import to_markdown
from conftest import store_url

SH = ZoneInfo("Asia/Shanghai")
MARCH = Period(datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 4, 1, tzinfo=SH))

# Two industries of one host, each a pack file of its own over a built-in pack (writing-a-plugin-pack.md,
# "Extending another pack").
PACKS = {
    "dishwashers": ("sanitary_ware", "[priority]\nvip_raises = 1\n"),
    "copiers": ("office_equipment", "[sla]\nurgent_contact_minutes = 30\n"),
}


class HostPriority(DefaultPriority):
    """A host's own priority policy (policies-and-packs.md, "Your own policy"): the pack's, under its name."""

    def decide(self, facts: TriageFacts) -> Decision[Triage]:
        return attrs.evolve(super().decide(facts), policy=self.name)


def _pack(tmp_path: Path, name: str) -> Path:
    parent, body = PACKS[name]
    path = tmp_path / f"{name}.toml"
    path.write_text(f'[pack]\nname = "{name}"\nextends = "{parent}"\n\n{body}', encoding="utf-8")
    return path


def _play_a_month(desk: ServiceDesk, clock: ManualClock) -> list[str]:
    manager, agent = Actor.manager("mgr-zhou"), Actor.agent("agent-li")
    desk.register_dealer(
        manager,
        Dealer(
            DealerId("pudong"), "浦东特约网点", "sh-pudong", contact=Contact("浦东", email="pd@example.cn")
        ),
    )
    ids = []
    for n in range(12):
        customer = CustomerId(f"c{n}")
        desk.register_customer(
            manager,
            Customer(customer, f"客户{n}", Contact(f"客户{n}", phone=f"1380013{n:04d}"), region="sh-pudong",
                     dealer_id=DealerId("pudong")),
        )  # fmt: skip
        ticket = desk.open_ticket(agent, customer_id=customer, description=f"第{n}号 设备不工作").ticket
        triaged = desk.triage(agent, ticket.id, nature="repair", severity=Severity.MEDIUM)
        assert [d.policy for d in triaged.decisions if isinstance(d.outcome, Triage)] == ["host.priority"]
        clock.advance(timedelta(minutes=20))
        desk.contact_customer(agent, ticket.id, note="已联系客户，约定上门")
        desk.dispatch(agent, ticket.id)
        ids.append(ticket.id)
        clock.advance(timedelta(days=2))
        desk.run_due_jobs()
    return ids


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
@pytest.mark.parametrize("industry", sorted(PACKS))
def test_a_host_app_from_the_docs(backend: str, industry: str, tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 12, tzinfo=SH))
    pack = _pack(tmp_path, industry)
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(
            url,
            pack=str(pack),
            overrides={"priority": HostPriority(name="host.priority")},
            clock=clock,
            notifier=MemoryNotifier(),
        ) as desk,
    ):
        assert desk.policies.pack == industry
        tickets = _play_a_month(desk, clock)
        desk.deliver()

        # KPIs as the reports page shows them: the pack's own (batch job) and a head's scoped read.
        queries = reporting_for(desk.store)
        report = pack_kpi_report(desk, queries, MARCH, group=GroupBy.DEALER)
        assert report.total.counts.tickets == len(tickets)
        scoped = scoped_kpi_report(desk, Actor.manager("mgr-zhou"), queries, MARCH)
        assert scoped.total.counts.tickets == len(tickets)
        # The goals of the pack the desk was opened with: its parent's (a shipped pack's).
        goals = kpi_goals(pack)
        assert goals == kpi_goals(PACKS[industry][0])
        doc = document_for(report, report_labels("zh_Hans", {"pudong": "浦东特约网点"}), goals=goals)
        assert "售后服务关键指标" in to_text(doc)
        assert "浦东特约网点" in to_markdown(report, "zh_Hans", names={"pudong": "浦东特约网点"})

        # The right of access (personal-data.md): JSON naming the customer's tickets and phone.
        exported = desk.privacy.export_customer(Actor.privacy_officer("dpo"), "c3")
        data = json.loads(exported)
        assert "13800130003" in exported
        assert tickets[3] in exported and isinstance(data, dict)
