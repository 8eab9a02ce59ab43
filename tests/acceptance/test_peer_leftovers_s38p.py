"""A peer tester's leftovers of session 38 (issues 17–20, task p) on memory, SQLite and PostgreSQL.

- Seed 004 第六条 1(6) 保证立刻调查或派人解决 with 第八条 2(5) 立即: the customer-service centre's pack kept
  the library's urgent contact (30 minutes of the clock) for a flagged call only, so at 17:50 a call
  flagged urgent was due its contact at 18:20 and a critical one not flagged at 09:20 the next day. A
  store whose due times came from the old pack reads them stale and the sweep moves them.
- Seed 002 分工与合作 1 乙方负责所售产品的全过程服务: on the sanitary-ware desk a VIP's critical call goes
  to the customer's dealer by ``desk.dispatch`` (docs/concepts/quality-incidents-and-teams.md said the desk's
  dispatch picked from the emergency team: the docs now say what the seed and the code do).
- A host's own fees policy naming no currency: the fee desk, the budgets and the KPI costs read ``CNY``
  for it without a word (a host pricing in EUR). It names its currency or the desk is refused, naming
  ``fees.currency``.
- Seed 002 分工 7/10 每月对所维修情况进行一次统计: the dealers' monthly summary counted ``repair`` alone as a
  dealer's repairs whatever the pack, so a 叫修 ending in an exchange (``return_exchange``) counted nowhere.
  The categories are the pack's ``[dealer_reports]`` (sanitary_ware: repair and exchange).
- The renderers showed every report in ``Asia/Shanghai`` unless told: a Berlin desk's breach report printed
  its ``as_of`` in Shanghai time. They show a report in the zone it was counted in.
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from test_seed002_readings_s24 import _call, _repaired_and_accepted, host

from aftersales import ConfigurationError, Priority, ServiceDesk, Severity
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category
from aftersales.domain.ids import EngineerId
from aftersales.domain.parties import Engineer, EngineerLevel
from aftersales.domain.work import AssigneeKind
from aftersales.errors import ValidationError
from aftersales.policies.fees import DefaultFeesPolicy
from aftersales.reports.dealer_monthly import scoped_dealer_monthly
from aftersales.reports.labels import report_labels
from aftersales.reports.months import month_period
from aftersales.reports.render import to_text
from aftersales.reports.sla import sla_breaches
from conftest import SHANGHAI, STAFF, World, _made_store_url, make_world, register, world_desk

__all__ = ["host"]  # the sanitary-ware stores' fixture, shared with session 24's readings


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def _old_centre_pack(tmp_path: Path) -> Path:
    """service_centre as released before session 38: no urgent contact from a grade."""
    text = (resources.files("aftersales.policies.packs") / "service_centre.toml").read_text(encoding="utf-8")
    assert 'urgent_contact_from = "critical"\n' in text
    path = tmp_path / "service_centre_s37.toml"
    path.write_text(text.replace('urgent_contact_from = "critical"\n', ""), encoding="utf-8")
    return path


def _critical(desk: ServiceDesk, world: World) -> str:
    tid = desk.open_ticket(
        world.agent, customer_id=world.cust_zh.id, description="整栋楼热水系统停机"
    ).ticket.id
    desk.triage(world.agent, tid, nature="system_down", severity=Severity.HIGH, production_stopped=True)
    assert desk.ticket(world.manager, tid).priority is Priority.CRITICAL
    return tid


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_critical_call_at_1750_is_contacted_by_1820_like_a_flagged_one(
    backend: str, tmp_path: Path
) -> None:
    """Thursday 5 March 2026 at 17:50, ten minutes before the centre closes: a call flagged urgent and a
    critical one not flagged are both due their first contact at 18:20. On SQLite and PostgreSQL the
    critical call was first registered under the old pack (due 09:20 on Friday): the desk opened on the
    new pack reads the store's dues stale and its sweep moves the due to 18:20."""
    clock, world = ManualClock(_at(3, 5, 17, 50)), make_world()
    with _made_store_url(backend, tmp_path) as url:
        old_tid = None
        if backend != "memory":
            with ServiceDesk.open(url, pack=_old_centre_pack(tmp_path), clock=clock, staff=STAFF) as old:
                register(old, world)
                old_tid = _critical(old, world)
                assert old.ticket(world.manager, old_tid).response_due_at == _at(3, 6, 9, 20)
        with ServiceDesk.open(url, pack="service_centre", clock=clock, staff=STAFF) as desk:
            if old_tid is None:
                register(desk, world)
            else:
                assert desk.health().dues_stale is True
                desk.run_due_jobs()
                assert desk.health().dues_stale is False
                assert desk.ticket(world.manager, old_tid).response_due_at == _at(3, 5, 18, 20)
            flagged = desk.open_ticket(
                world.agent, customer_id=world.cust_zh.id, description="热水器漏电", urgent=True
            ).ticket
            critical = desk.ticket(world.manager, _critical(desk, world))
            assert flagged.response_due_at == critical.response_due_at == _at(3, 5, 18, 20)


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_vips_critical_call_goes_to_the_dealer_not_the_emergency_team(backend: str, tmp_path: Path) -> None:
    """Monday 2 March 2026 at 09:00, in working hours: the VIP Alice Smith (a customer of the Pudong dealer)
    reports her smart toilet smoking, graded critical. The maker has an emergency-team engineer free in
    Shanghai; the desk's dispatch still sends the call to the Pudong dealer, who does all service of what it
    sold."""
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, _clock, w):
        skills = frozenset({"plumbing", "electrics"})
        team = Engineer(
            EngineerId("eng-em"), "应急王", EngineerLevel.SENIOR, skills, "SH", emergency_team=True
        )
        desk.register_engineer(w.manager, team)
        tid = desk.open_ticket(w.agent, customer_id=w.cust_en.id, description="智能马桶冒烟").ticket.id
        desk.triage(w.agent, tid, nature="system_down", severity=Severity.HIGH, production_stopped=True)
        assert desk.ticket(w.manager, tid).priority is Priority.CRITICAL
        desk.dispatch(w.manager, tid)
        assignee = desk.ticket(w.manager, tid).assignee
        assert assignee is not None
        assert (assignee.kind, assignee.id) == (AssigneeKind.DEALER, w.dealer_sh.id)


class _HostFees:
    """A host's own fees policy (the ``FeesPolicy`` protocol, no library parameters): prices in EUR."""

    name = "host.fees"

    def __init__(self, currency: object = None) -> None:
        self._priced = DefaultFeesPolicy()
        if currency is not None:
            self.currency = currency

    def part_price(self, part: str) -> Any:
        return self._priced.part_price(part)

    def labour_fee(self, dealer_id: Any, job_type: str) -> Any:
        return self._priced.labour_fee(dealer_id, job_type)

    def travel_fee(self, dealer_id: Any, *, zone: Any = None, distance_km: Any = None) -> Any:
        return self._priced.travel_fee(dealer_id, zone=zone, distance_km=distance_km)

    def draft_quote(self, **request: Any) -> Any:
        return self._priced.draft_quote(**request)


def test_a_hosts_fees_policy_names_its_currency_or_the_desk_is_refused() -> None:
    """The fee desk, the budgets and the KPI report read the desk's money in the fees policy's currency.
    A host's policy naming none was read as CNY, whatever it priced in; naming one it is used, an
    unknown code or none refuses the desk before any store is opened."""
    with ServiceDesk.open(
        "memory://", pack="general_maintenance", overrides={"fees": _HostFees("EUR")}
    ) as desk:
        assert (desk.fees.currency, desk.charges.currency) == ("EUR", "EUR")
    for wrong in (None, "EURO", 978):
        with pytest.raises(ConfigurationError) as refused:
            ServiceDesk.open("memory://", pack="general_maintenance", overrides={"fees": _HostFees(wrong)})
        assert refused.value.key == "fees.currency"


def test_a_dealers_exchange_counts_with_its_repairs_of_the_month(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    """On 20 April 2026 the Pudong dealer takes a call about a toilet that keeps flushing; it is found to be
    an exchange (return_exchange) and the customer accepts the work. April's summary counts it as the
    dealer's repair, so its true report of one repair matches the ledger; the report's categories are
    the pack's, and another set given is refused naming it."""
    desk, clock, world = host
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SHANGHAI))
    tid = _call(desk, world)
    desk.reclassify(world.agent, tid, category=Category.RETURN_EXCHANGE, reason="开箱即坏, 更换整机")
    _repaired_and_accepted(desk, world, tid)
    clock.set(datetime(2026, 5, 2, 10, 0, tzinfo=SHANGHAI))
    desk.reports.submit_dealer_report(
        world.dealer_sh_staff, "dealer-sh", "2026-04", installations=0, repairs=1
    )
    queries = reporting_for(desk.store)
    report = scoped_dealer_monthly(desk, world.manager, queries, "2026-04")
    (row,) = [r for r in report.rows if r.dealer_id == "dealer-sh"]
    assert (row.installations, row.repairs, row.matches_ledger) == (0, 1, True)
    with pytest.raises(ValidationError) as refused:
        scoped_dealer_monthly(desk, world.manager, queries, "2026-04", repair_categories=["repair"])
    assert refused.value.field == "repair_categories"


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('repair_categories = ["repair", "installation"]', "dealer_reports.repair_categories"),
        ('repair_categories = "repair"', "dealer_reports.repair_categories"),
        ("installation_categories = []", "dealer_reports.installation_categories"),
    ],
)
def test_the_dealer_report_categories_are_refused_when_they_cannot_count(
    tmp_path: Path, body: str, key: str
) -> None:
    """A category in both lists would count a job twice; a lone code or no code counts nothing."""
    path = tmp_path / "p.toml"
    path.write_text(f'[pack]\nname = "p"\nextends = "sanitary_ware"\n\n[dealer_reports]\n{body}\n', "utf-8")
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open("memory://", pack=path)
    assert refused.value.key == key


def test_a_berlin_desks_breach_report_is_rendered_in_berlin_time(tmp_path: Path) -> None:
    """A Berlin desk's SLA breach report counts its weeks in Berlin; rendered without ``timezone=`` it
    printed its period and its ``as_of`` in Shanghai time (09:00 in Berlin shown as 16:00). The renderers
    now show a report in the zone it was counted in; ``timezone=`` still chooses another."""
    clock = ManualClock(datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    settings = {"timezone": "Europe/Berlin"}
    with ServiceDesk.open(
        "memory://", pack="general_maintenance", clock=clock, staff=STAFF, settings=settings
    ) as desk:
        world = make_world()
        report = sla_breaches(
            desk, world.manager, month_period("2026-03", "Europe/Berlin"), as_of=clock.now()
        )
    berlin, shanghai = (
        report_labels("en", None, z).datetime(clock.now()) for z in ("Europe/Berlin", "Asia/Shanghai")
    )
    assert berlin != shanghai
    shown = to_text(report, "en")
    assert berlin in shown and shanghai not in shown
    assert shanghai in to_text(report, "en", timezone="Asia/Shanghai")
