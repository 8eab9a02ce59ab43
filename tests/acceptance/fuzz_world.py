# mypy: disable-error-code="arg-type"
"""A small world with a record of every kind, for the public-API fuzz (test_public_api_fuzz.py).

Built on the seed-002 reference data of ``conftest`` (two dealers, customers, engineers, a toilet model
and a unit): tickets in each state a command starts from (new, triaged, dispatched, in progress with a
fault record, waiting, resolved, closed) plus a Beijing customer's ticket (another party's record), a
complaint, a parts request and its return, a fee slip and an invoice request, a quote, a service contract
with a maintenance plan and visit, a survey campaign with a task, a quality incident, a team, a
department, a knowledge article and an attachment. ``ids`` names them all, so a valid call of any
command can be written from it. The snapshot reads the store's own tables, not the API under test.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import attrs
from test_seed002_money import FEES

from aftersales import (
    ChargeKind,
    ChargeLine,
    ChecklistResult,
    ContractCoverage,
    Department,
    DepartmentKind,
    InvoiceWish,
    MaterialsLine,
    Money,
    PartyRef,
    SamplingRules,
    ServiceContract,
    ServiceDesk,
    Severity,
    Team,
    TeamKind,
)
from aftersales.adapters.attachments_memory import MemoryAttachmentStore
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.invoicing_memory import MemoryInvoiceIssuer
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId
from aftersales.domain.knowledge import ArticleContent, ArticleProblem
from aftersales.domain.parties import Customer, CustomerTier
from aftersales.domain.products import Asset
from aftersales.service.actors import Actor
from conftest import STAFF, START, World, make_world, register

AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")
GM = Actor.general_manager("gm-1")
SH = Actor.dealer_staff("sh-staff-1", "dealer-sh", {"SH"})
BJ = Actor.dealer_staff("bj-staff-1", "dealer-bj", {"BJ"})
JUNIOR = Actor.engineer("eng-jr", team="team-east")
LINE = ChargeLine(ChargeKind.LABOUR, "repair_visit", Money("91", "CNY"))
PROBLEM = ArticleProblem(symptoms=("keeps_flushing",), category="repair")
CONTENT = ArticleContent("zh_Hans", "一直冲水", "马桶一直冲水", ("进水阀磨损",), ("更换进水阀",))


@attrs.define
class FuzzWorld:
    """The desk, its clock, the reference data and the ids of every record built."""

    desk: ServiceDesk
    clock: ManualClock
    world: World
    ids: dict[str, str]
    kind: str
    url: str
    objects: dict[str, Any] = attrs.field(factory=dict)
    """Records a valid call passes whole: the fee slip, a visit's checklist results."""
    _reader: Any = None
    """The snapshot's own connection to the SQL store (autocommit: each query sees what is committed)."""

    def close(self) -> None:
        """Shut the desk and the snapshot's connection."""
        if self._reader is not None:
            self._reader.close()
        self.desk.shutdown()

    def snapshot(self) -> str:
        """A digest of every row of every table (memory: every committed record): equal means unchanged."""
        digest = hashlib.sha256()
        if self.kind == "memory":
            data = self.desk.store._data  # type: ignore[attr-defined]
            for key, record in sorted(data.items(), key=lambda kv: repr(kv[0])):
                digest.update(repr((key, record.version, record.text)).encode("utf-8", "surrogatepass"))
            return digest.hexdigest()
        if self.kind == "sqlite":
            if self._reader is None:
                self._reader = sqlite3.connect(self.url.removeprefix("sqlite:///"), isolation_level=None)
            conn = self._reader
            names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for name in sorted(names):
                rows = sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{name}"'))
                digest.update(repr((name, rows)).encode("utf-8", "surrogatepass"))
            return digest.hexdigest()
        import psycopg

        dsn, _, schema = self.url.rpartition("schema=")
        if self._reader is None:
            self._reader = psycopg.connect(
                dsn.rstrip("?&"), autocommit=True, options=f"-c search_path={schema}"
            )
        conn = self._reader
        names = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
            )
        ]
        query = " UNION ALL ".join(
            f"SELECT '{n}', md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{n}\" t"
            for n in sorted(names)
        )
        for row in conn.execute(query):
            digest.update(repr(tuple(row)).encode())
        return digest.hexdigest()


def _repair(desk: ServiceDesk, clock: ManualClock, customer: str, asset: str | None, **to: str) -> str:
    """A ticket dispatched as ``to`` says, started and with its fault record: in progress."""
    tid = desk.open_ticket(AGENT, customer_id=customer, description="马桶一直冲水", asset_id=asset).ticket.id
    clock.advance(timedelta(minutes=10))
    desk.triage(AGENT, tid, nature="flush_valve_leak", severity=Severity.MEDIUM)
    desk.dispatch(AGENT, tid, **to)
    worker = SH if to.get("dealer_id") == "dealer-sh" else BJ
    if "engineer_id" in to:
        worker = Actor.engineer(to["engineer_id"], team="team-east")
    desk.start_work(worker, tid)
    clock.advance(timedelta(minutes=10))
    desk.add_fault_record(
        worker, tid, symptom="keeps_flushing", cause="flush_valve_worn", action="replace_flush_valve",
        component="flush_valve",
    )  # fmt: skip
    return str(tid)


def build(desk: ServiceDesk, clock: ManualClock, kind: str, url: str) -> FuzzWorld:
    """Register the reference data and make one record of every kind (see the module docstring)."""
    world = make_world()
    register(desk, world)
    desk.register_customer(
        MANAGER,
        Customer(
            CustomerId("cust-bj"), "刘洋",
            Contact("刘洋", phone="13711112222", address="北京市朝阳区建国路 9 号"),
            CustomerTier.REGULAR, region="BJ", dealer_id=DealerId("dealer-bj"),
        ),
    )  # fmt: skip
    desk.register_asset(
        MANAGER,
        Asset(
            AssetId("unit-bj"), "wc-100", "SN-BJ-0001", customer_id="cust-bj", batch="B2025-07",
            purchase_date=date(2025, 9, 1), installation_accepted_on=date(2025, 9, 3), dealer_id="dealer-bj",
        ),
    )  # fmt: skip
    ids: dict[str, str] = {}
    new = desk.open_ticket(AGENT, customer_id="cust-zh", description="水箱有裂纹", asset_id="asset-1")
    ids["new"] = str(new.ticket.id)
    triaged = desk.open_ticket(AGENT, customer_id="cust-zh", description="冲水无力", asset_id="asset-1")
    desk.triage(AGENT, triaged.ticket.id, nature="weak_flush", severity=Severity.MEDIUM)
    ids["triaged"] = str(triaged.ticket.id)
    dispatched = desk.open_ticket(AGENT, customer_id="cust-zh", description="座圈松动")
    desk.triage(AGENT, dispatched.ticket.id, nature="seat_loose", severity=Severity.MEDIUM)
    desk.dispatch(AGENT, dispatched.ticket.id, engineer_id="eng-jr")
    ids["dispatched"] = str(dispatched.ticket.id)
    ids["progress"] = _repair(desk, clock, "cust-zh", "asset-1", engineer_id="eng-jr")
    ids["sh"] = _repair(desk, clock, "cust-zh", "asset-1", dealer_id="dealer-sh")
    ids["bj"] = _repair(desk, clock, "cust-bj", "unit-bj", dealer_id="dealer-bj")
    ids["waiting"] = _repair(desk, clock, "cust-zh", None, engineer_id="eng-jr")
    desk.await_customer(JUNIOR, ids["waiting"], reason="客户不在家")
    ids["resolved"] = _repair(desk, clock, "cust-zh", None, engineer_id="eng-jr")
    desk.resolve(JUNIOR, ids["resolved"], summary="更换进水阀")
    customer = Actor.customer("cust-zh")
    ids["accepted"] = _repair(desk, clock, "cust-zh", None, engineer_id="eng-jr")
    desk.resolve(JUNIOR, ids["accepted"], summary="更换进水阀")
    desk.confirm(customer, ids["accepted"], note="已确认")
    ids["closed"] = _repair(desk, clock, "cust-zh", None, engineer_id="eng-jr")
    desk.resolve(JUNIOR, ids["closed"], summary="更换进水阀")
    desk.confirm(customer, ids["closed"], note="已确认")
    desk.schedule_callback(AGENT, ids["closed"])
    desk.record_callback(AGENT, ids["closed"], problem_back=False, satisfaction=5)
    desk.close(AGENT, ids["closed"])
    # Money: a fee slip with an invoice to come, a quote on the Shanghai dealer's ticket.
    ids["slip"] = desk.fees.issue_slip(BJ, ids["bj"], lines=[LINE], invoice=InvoiceWish.LATER).id
    ids["invoice"] = desk.fees.request_invoice(BJ, "cust-bj", slip_ids=[ids["slip"]], title="刘洋").id
    quoted = desk.open_ticket(AGENT, customer_id="cust-zh", description="冲水键断了", asset_id="asset-1")
    ids["quoted"] = str(quoted.ticket.id)
    desk.triage(AGENT, ids["quoted"], nature="flush_valve_leak", severity=Severity.MEDIUM)
    desk.dispatch(AGENT, ids["quoted"], dealer_id="dealer-sh")
    desk.start_work(SH, ids["quoted"])
    desk.add_fault_record(
        SH, ids["quoted"], symptom="keeps_flushing", cause="misuse_against_manual", action="reinstall"
    )  # misuse: chargeable (seed 002), so the ticket gets a quote
    desk.charges.assess(SH, ids["quoted"])
    ids["quote"] = desk.charges.quote(AGENT, ids["quoted"]).id
    # Parts: a request shipped to the Beijing dealer and the return of the old part.
    request = desk.materials.request(
        BJ, ids["bj"], party=PartyRef.dealer("dealer-bj"), lines=[MaterialsLine("WN-FV-01", 1)], urgent=True
    )
    ids["request"] = request.id
    desk.materials.check(AGENT, request.id)
    desk.materials.approve(MANAGER, request.id)
    desk.materials.pick(AGENT, request.id)
    desk.materials.ship(AGENT, request.id)
    ids["return"] = desk.materials.register_return(AGENT, request_id=request.id, part="WN-FV-01").id
    # Session 31 (seed 002 退料 2 b): a second old part on its way from the Shanghai office.
    ids["relay"] = desk.materials.relay_return(AGENT, request_id=request.id, part="WN-FV-01").id
    # Session 31 (seed 002 分工 2, 5): the Shanghai dealer asks the maker for support on its job.
    ids["support"] = desk.dealer_support.ask(SH, ids["sh"], topic="flush_valve_fitting", question="怎么调").id
    fresh = desk.materials.request(
        SH, ids["sh"], party=PartyRef.dealer("dealer-sh"), lines=[MaterialsLine("WN-FV-01", 1)]
    )
    ids["fresh_request"] = fresh.id
    # A batch incident (one batch, one cause, two dealers' units), a complaint, an attachment.
    incidents = desk.quality_incidents.incidents(MANAGER)
    ids["incident"] = incidents[0].id if incidents else "no-incident"
    ids["complaint"] = str(
        desk.complaints.open_complaint(AGENT, "cust-zh", "上门太慢", about=[ids["sh"]]).ticket.id
    )
    photo = b"\xff\xd8\xff\xe0" + b"\x00" * 200
    done = desk.attachments.attach(SH, ids["sh"], kind="photo", name="现场.jpg", content=photo)
    ids["attachment"] = done.ticket.attachments[0].id
    # Contracts and maintenance: a contract over the unit, a plan, a visit due.
    contract = ServiceContract(
        id="HT-1", starts_on=date(2026, 3, 1), ends_on=date(2027, 2, 28), price=Money("1200.00", "CNY"),
        customer_id="cust-zh", assets=("asset-1",), coverage=ContractCoverage(labour=True, visits_per_year=2),
    )  # fmt: skip
    desk.contracts.sign(MANAGER, contract)
    ids["contract"] = "HT-1"
    plan = desk.maintenance.create_plan(
        MANAGER, asset_id="asset-1", contract_id="HT-1", first_due=date(2026, 3, 3)
    )
    ids["plan"] = plan.id
    generated = desk.maintenance.generate_due(Actor.system()).generated
    ids["visit"] = generated[0].id if generated else "no-visit"
    # Teams, departments, knowledge, surveys.
    desk.teams.save_team(MANAGER, Team("team-east", "东区", TeamKind.REGION, "eng-sr", ["eng-jr"]))
    ids["team"] = "team-east"
    desk.coordination.save_department(
        MANAGER,
        Department(
            "rnd", "研发部", DepartmentKind.ENGINEERING, (Contact("研发部", email="rnd@venus.example"),)
        ),
    )
    ids["department"] = "rnd"
    article = desk.knowledge.write_article(MANAGER, problem=PROBLEM, contents=[CONTENT])
    ids["article"] = article.id
    desk.surveys.start(
        MANAGER,
        campaign_id="q1",
        period="2026-Q1",
        rules=SamplingRules(sample_size=10, served_within_days=None),
    )
    ids["campaign"] = "q1"
    tasks = desk.surveys.tasks(MANAGER, "q1")
    ids["task"] = tasks[0].id if tasks else "no-task"
    desk.staff_records.appraise(MANAGER, "eng-jr", "2026-02", kind="engineer", score=Decimal("80"))
    ids["staff"] = "eng-jr"
    # A year's budget, so an overrun's arguments are reached past "no budget" (session 27, l).
    desk.charges.set_budget(GM, "2026", "materials", Money("100000", "CNY"))
    objects: dict[str, Any] = {"slip": desk.fees.slip(MANAGER, ids["slip"])}
    visit = desk.maintenance.visit(MANAGER, ids["visit"])
    objects["results"] = [ChecklistResult(task, True) for task in visit.checklist]
    return FuzzWorld(desk, clock, world, ids, kind, url, objects)


def open_world(kind: str, url: str) -> FuzzWorld:
    """A desk of the sanitary-ware pack (with the seed-002 money story's prices) on ``url``, built up."""
    clock = ManualClock(START)
    desk = ServiceDesk.open(
        url, pack="sanitary_ware", overrides={"fees": FEES}, clock=clock, notifier=MemoryNotifier(),
        staff=STAFF, attachments=MemoryAttachmentStore(), invoice_issuer=MemoryInvoiceIssuer(),
    )  # fmt: skip
    try:
        return build(desk, clock, kind, url)
    except BaseException:
        desk.shutdown()
        raise


def describe(value: Any) -> str:
    """A short, printable label of a hostile value (for failure reports)."""
    try:
        text = repr(value)
    except Exception:  # a hostile value whose repr raises (session 28)
        return f"<a {type(value).__name__} whose repr raises>"
    return text if len(text) <= 60 else text[:57] + "..."
