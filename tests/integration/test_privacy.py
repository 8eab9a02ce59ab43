"""Personal data under PIPL: erasure, export and the access log, on memory, SQLite and PostgreSQL.

After ``erase_customer`` no byte of the erased name, phone, e-mail or address is left in any table
(nor, on SQLite, in the database file or its WAL), while the ledger, the KPIs, revenue and the fault
statistics are exactly what they were; the erasure event is recorded; the export returns the person's
data before and nothing personal after. A legal hold refuses the erasure and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hostile import (
    ADDRESS,
    AGENT,
    AUDITOR,
    EMAIL,
    MANAGER,
    NAME,
    PHONE,
    STORES,
    TZ,
    Opened,
    opened,
    seed,
)

from aftersales import (
    Actor,
    ChargeKind,
    ChargeLine,
    CrisisFacts,
    CrisisProblem,
    InvoiceWish,
    LegalHold,
    Money,
    Recourse,
    Severity,
    TicketKind,
)
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.ids import AssetId, CustomerId, ProductId
from aftersales.domain.maintenance import ChecklistResult
from aftersales.domain.products import Asset
from aftersales.domain.service_contracts import ContractCoverage, ServiceContract
from aftersales.domain.surveys import SatisfactionSurvey
from aftersales.errors import ConfigurationError, NotFound, PermissionDenied, ValidationError
from aftersales.ports.queries import TicketFilter
from aftersales.ports.reporting import Period
from aftersales.reports.faults import FaultDimension, fault_pareto
from aftersales.reports.kpi import kpi_report
from aftersales.reports.maintenance import plan_compliance

PERSONAL = (NAME, PHONE, EMAIL, ADDRESS)
SECOND = f"{NAME} 第二台马桶也漏水，电话 {PHONE}"
OFFICER = Actor.privacy_officer("dpo-1")
ENGINEER = Actor.engineer("e-1", team="t1")
CUSTOMER = Actor.customer("c-1")
MARCH = Period(datetime(2026, 3, 1, tzinfo=TZ), datetime(2026, 4, 1, tzinfo=TZ))


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def history(store: Opened) -> str:
    """A customer with a full history: notes naming them, a repair, a fee slip paid, a survey comment."""
    desk, clock = store.desk, store.clock
    tid = seed(desk, clock)
    desk.note_to_customer(AGENT, tid, text=f"已致电{NAME}（{PHONE}），地址 {ADDRESS}")
    desk.dispatch(MANAGER, tid, engineer_id="e-1")
    clock.advance(timedelta(hours=1))
    desk.start_work(ENGINEER, tid)
    desk.add_fault_record(ENGINEER, tid, symptom="leak", cause="seal_worn", action="replace_seal",
                          note=f"{NAME} 在家")  # fmt: skip
    desk.resolve(ENGINEER, tid, summary="换了密封圈")
    slip = desk.fees.issue_slip(
        AGENT, tid, lines=[ChargeLine(ChargeKind.LABOUR, "repair_visit", Money(Decimal("80"), "CNY"))],
        invoice=InvoiceWish.NEVER,
    )  # fmt: skip
    desk.fees.record_payment(AGENT, slip.id, Money(Decimal("80"), "CNY"))
    desk.confirm(CUSTOMER, tid, note=f"谢谢，{NAME}")
    clock.advance(timedelta(days=1))
    desk.record_callback(
        AGENT, tid, problem_back=False, satisfaction=5, comment=f"{NAME} 很满意，邮件 {EMAIL}"
    )
    desk.open_ticket(AGENT, customer_id="c-1", description=SECOND, idempotency_key="call-2")
    return tid


def figures(store: Opened) -> tuple[Any, ...]:
    """What must not change: ledger states, KPIs, revenue, the fault Pareto."""
    desk = store.desk
    views = desk.ledger(MANAGER).items
    ledger = sorted((v.id, v.state, v.customer_id, v.product_id, v.received_at, v.priority) for v in views)
    revenue = desk.fees.monthly_revenue(MANAGER, "2026-03")
    if store.kind == "postgresql":
        return ledger, revenue
    queries = reporting_for(desk.store)
    kpis = kpi_report(queries, MARCH, desk.calendar)  # type: ignore[arg-type]
    pareto = fault_pareto(queries, MARCH, FaultDimension.SYMPTOM)
    return ledger, revenue, kpis, pareto


def test_erasure_leaves_no_personal_bytes_and_the_figures_unchanged(store: Opened) -> None:
    history(store)
    exported = store.desk.privacy.export_customer(OFFICER, "c-1")
    assert all(text in exported for text in (NAME, PHONE, EMAIL, ADDRESS))
    assert any(text in store.raw_text() for text in PERSONAL)
    # The second call is still open: it is cancelled first (an open ticket holds the erasure, s20), so
    # the figures measured are those the erasure itself must leave unchanged.
    second = store.desk.open_ticket(AGENT, customer_id="c-1", description=SECOND, idempotency_key="call-2")
    store.desk.cancel(AGENT, second.ticket.id, reason="the customer withdrew the call")
    before = figures(store)

    record = store.desk.privacy.erase_customer(OFFICER, "c-1", "the customer asked (PIPL art. 47)")

    text = store.raw_text()
    assert [p for p in PERSONAL if p in text] == []
    assert "第二台马桶" not in text  # free-text descriptions go too
    if store.path is not None:
        raw = store.path.read_bytes()
        wal = Path(f"{store.path}-wal")
        raw += wal.read_bytes() if wal.exists() else b""
        assert [p for p in PERSONAL if p.encode() in raw] == []
    assert figures(store) == before
    assert record.tickets == 2 and record.erased_by == OFFICER.ref and record.customer_id == "c-1"
    assert store.desk.privacy.erasures(AUDITOR, "c-1") == [record]
    after = store.desk.privacy.export_customer(OFFICER, "c-1")
    assert [p for p in PERSONAL if p in after] == []
    assert '"c-1"' in after  # the ids stay: the ledger still adds up
    # The replayed intake (same key) still answers, without the person's data.
    replay = store.desk.open_ticket(AGENT, customer_id="c-1", description=SECOND, idempotency_key="call-2")
    assert replay.replayed and NAME not in replay.ticket.description


def test_the_erasure_event_is_in_the_outbox_without_personal_data(tmp_path: Path) -> None:
    for store in opened("sqlite", tmp_path):
        history(store)
        store.desk.privacy.erase_customer(MANAGER, "c-1", "retention period over", cancel_open_tickets=True)
        with store.desk.store() as uow:
            pending = uow.outbox.pending(10_000)
        events = [m for m in pending if m.topic == "privacy.customer_erased"]
        assert len(events) == 1
        assert events[0].payload["customer_id"] == "c-1"
        assert events[0].payload["erased_by"] == "manager:mgr-1"
        assert events[0].payload["reason"] == "retention period over"


def test_an_unpaid_slip_holds_the_erasure_and_nothing_changes(store: Opened) -> None:
    tid = seed(store.desk, store.clock)
    slip = store.desk.fees.issue_slip(
        AGENT, tid, lines=[ChargeLine(ChargeKind.LABOUR, "repair_visit", Money(Decimal("80"), "CNY"))]
    )
    before = store.snapshot()
    with pytest.raises(LegalHold) as caught:
        store.desk.privacy.erase_customer(OFFICER, "c-1", "asked")
    assert caught.value.hold == "unpaid_fee_slip" and caught.value.target == slip.id
    assert store.snapshot() == before


def test_an_open_compensation_claim_holds_the_erasure(tmp_path: Path) -> None:
    for store in opened("memory", tmp_path):
        seed(store.desk, store.clock)
        complaint = store.desk.complaints.open_complaint(
            AGENT, customer_id="c-1", description="漏水泡坏了地板，要求赔偿",
            crisis=CrisisFacts(frozenset({CrisisProblem.PROPERTY_LOSS}), True,
                               frozenset({Recourse.COMPENSATION_DEMANDED})),
        )  # fmt: skip
        assert complaint.ticket.kind is TicketKind.COMPLAINT
        with pytest.raises(LegalHold) as caught:
            store.desk.privacy.erase_customer(MANAGER, "c-1", "asked")
        assert caught.value.hold == "open_compensation_claim"
        assert store.desk.archives.customer_archive(MANAGER, "c-1").customer.name == NAME


def test_who_may_erase_export_and_read_the_log(tmp_path: Path) -> None:
    for store in opened("memory", tmp_path):
        seed(store.desk, store.clock)
        privacy = store.desk.privacy
        with pytest.raises(PermissionDenied):
            privacy.erase_customer(AGENT, "c-1", "asked")
        with pytest.raises(PermissionDenied):
            privacy.erase_customer(AUDITOR, "c-1", "asked")
        with pytest.raises(NotFound):
            privacy.erase_customer(MANAGER, "nobody", "asked")
        with pytest.raises(ValidationError) as caught:
            privacy.erase_customer(MANAGER, "c-1", "")
        assert caught.value.field == "reason"
        assert NAME in privacy.export_customer(CUSTOMER, "c-1")  # the right of access
        with pytest.raises(NotFound):
            privacy.export_customer(Actor.customer("c-2"), "c-1")
        with pytest.raises(PermissionDenied):
            privacy.access_log(AGENT)
        assert store.desk.archives.customer_archive(MANAGER, "c-1").customer.name == NAME


def test_reads_of_personal_data_are_logged_for_the_auditor(store: Opened) -> None:
    seed(store.desk, store.clock)
    store.desk.archives.customer_archive(AGENT, "c-1")
    store.clock.advance(timedelta(minutes=1))
    store.desk.complaints.open_complaint(AGENT, customer_id="c-1", description="服务态度差")
    store.desk.complaints.complaint_log(MANAGER)
    store.clock.advance(timedelta(minutes=1))
    store.desk.privacy.export_customer(OFFICER, "c-1")
    log = store.desk.privacy.access_log(AUDITOR, customer_id="c-1")
    assert [(r.actor, r.what) for r in log] == [
        ("agent:agent-1", "customer_archive"),
        ("manager:mgr-1", "complaint_log"),
        ("privacy_officer:dpo-1", "export_customer"),
    ]
    assert [r.what for r in store.desk.privacy.access_log(OFFICER, reader="agent:agent-1")] == [
        "customer_archive"
    ]
    later = store.desk.privacy.access_log(AUDITOR, since=log[1].at)
    assert [r.what for r in later] == ["complaint_log", "export_customer"]
    assert all(NAME not in repr(r) for r in log)  # the log names who and what, not the data
    store.clock.advance(timedelta(minutes=1))
    assert store.desk.master_data_history(MANAGER, "customer", "c-1")
    assert store.desk.privacy.access_log(AUDITOR, customer_id="c-1")[-1].what == "master_data_history"


def test_erasing_keeps_other_customers_untouched(tmp_path: Path) -> None:
    for store in opened("sqlite", tmp_path):
        from aftersales import Contact, Customer, CustomerId

        seed(store.desk, store.clock)
        store.desk.register_customer(
            MANAGER, Customer(CustomerId("c-2"), "李雷", Contact("李雷", phone="13700001111"), region="SH")
        )
        other = store.desk.open_ticket(AGENT, customer_id="c-2", description="李雷的热水器不热").ticket.id
        store.desk.privacy.erase_customer(MANAGER, "c-1", "asked", cancel_open_tickets=True)
        assert store.desk.ticket(AUDITOR, other).description == "李雷的热水器不热"
        assert store.desk.archives.customer_archive(MANAGER, "c-2").customer.contact.phone == "13700001111"
        assert store.desk.count(MANAGER, TicketFilter(customer_id="c-1")) == 1
        assert store.desk.triage(AGENT, other, nature="n", severity=Severity.LOW).ticket.priority is not None


def test_the_retention_job_expires_idempotency_rows_after_the_period(store: Opened) -> None:
    tid = seed(store.desk, store.clock)
    desk, clock = store.desk, store.clock
    desk.note_to_customer(AGENT, tid, text="第一次", idempotency_key="k-1")
    assert desk.privacy.purge_expired(Actor.system(), older_than=timedelta(days=30)) == 0  # stamps k-1
    clock.advance(timedelta(days=20))
    desk.note_to_customer(AGENT, tid, text="第二次", idempotency_key="k-2")
    assert desk.privacy.purge_expired(Actor.system(), older_than=timedelta(days=30)) == 0  # stamps k-2
    clock.advance(timedelta(days=11))  # k-1 is 31 days old, k-2 11
    assert desk.privacy.purge_expired(MANAGER, older_than=timedelta(days=30)) == 1
    # k-2 still replays; k-1 runs afresh (its result is gone).
    assert desk.note_to_customer(AGENT, tid, text="第二次", idempotency_key="k-2").replayed
    assert not desk.note_to_customer(AGENT, tid, text="第一次", idempotency_key="k-1").replayed
    with pytest.raises(PermissionDenied):
        desk.privacy.purge_expired(AGENT)
    with pytest.raises(ConfigurationError, match="older_than"):
        desk.privacy.purge_expired(MANAGER, older_than=timedelta(0))
    with pytest.raises(ConfigurationError, match="keep_idempotency_days"):  # the pack says 30 days
        desk.privacy.purge_expired(MANAGER, older_than=timedelta(days=7))


def _pack(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "retention.toml"
    path.write_text(f'[pack]\nname = "retention"\nextends = "sanitary_ware"\n\n{body}\n', encoding="utf-8")
    return path


def test_the_retention_period_is_a_pack_parameter(tmp_path: Path) -> None:
    from aftersales import ServiceDesk
    from aftersales.adapters.clock import ManualClock

    clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=TZ))
    pack = _pack(tmp_path, "[privacy]\nkeep_idempotency_days = 7\n\n[notification]\nkeep_sent_days = 10")
    desk = ServiceDesk.open(f"sqlite:///{tmp_path / 'r.db'}", pack=pack, clock=clock)
    try:
        tid = seed(desk, clock)
        desk.note_to_customer(AGENT, tid, text="第一次", idempotency_key="k-1")
        assert desk.jobs.run_due(only=("purge_idempotency",)).counts["purge_idempotency"] == 0  # stamped
        clock.advance(timedelta(days=6))
        assert desk.privacy.purge_expired(Actor.system()) == 0  # 6 days: still replayable
        assert desk.note_to_customer(AGENT, tid, text="第一次", idempotency_key="k-1").replayed
        clock.advance(timedelta(days=2))  # 8 days > the pack's 7
        report = desk.jobs.run_due(only=("purge_idempotency",))
        assert report.ran == ("purge_idempotency",) and report.counts["purge_idempotency"] == 1
        assert not desk.note_to_customer(AGENT, tid, text="第一次", idempotency_key="k-1").replayed
        # restating the pack's period is fine; another one conflicts with it
        assert desk.privacy.purge_expired(MANAGER, older_than=timedelta(days=7)) == 0
        with pytest.raises(ConfigurationError, match="keep_idempotency_days"):
            desk.privacy.purge_expired(MANAGER, older_than=timedelta(days=30))
        assert desk.outbox.purge_sent(MANAGER, keep=timedelta(days=10)) >= 0
        with pytest.raises(ConfigurationError, match="keep_sent_days"):
            desk.outbox.purge_sent(MANAGER, keep=timedelta(days=90))
        with pytest.raises(ConfigurationError, match="keep"):
            desk.outbox.purge_sent(MANAGER, keep=timedelta(days=-1))
    finally:
        desk.shutdown()


@pytest.mark.parametrize("value", ["0", "-3", '"30"', "1.5", "true", "4000"])
def test_a_bad_retention_in_the_pack_is_refused_when_it_loads(tmp_path: Path, value: str) -> None:
    from aftersales import ServiceDesk

    with pytest.raises(ConfigurationError) as caught:
        ServiceDesk.open("memory://", pack=_pack(tmp_path, f"[privacy]\nkeep_idempotency_days = {value}"))
    assert "keep_idempotency_days" in str(caught.value)


def test_erasure_removes_the_customers_attachments_from_the_filesystem(tmp_path: Path) -> None:
    from aftersales import Contact, Customer, CustomerId, DealerId, ServiceDesk
    from aftersales.adapters.attachments_fs import FileSystemAttachmentStore
    from aftersales.adapters.clock import ManualClock

    folder = tmp_path / "attachments"
    clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=TZ))
    desk = ServiceDesk.open(
        f"sqlite:///{tmp_path / 'p.db'}", pack="sanitary_ware", clock=clock,
        attachments=FileSystemAttachmentStore(folder),
    )  # fmt: skip
    try:
        tid = seed(desk, clock)
        other = Customer(CustomerId("c-2"), "李雷", Contact("李雷", phone="13800000002"), region="SH",
                         dealer_id=DealerId("d-sh"))  # fmt: skip
        desk.register_customer(MANAGER, other)
        other_tid = desk.open_ticket(AGENT, customer_id="c-2", description="地漏堵塞").ticket.id
        own = f"%PDF-1.4\n% signed by {NAME}, {ADDRESS}\n%%EOF\n".encode()
        shared = b"%PDF-1.4\n% the maker's installation guide\n%%EOF\n"
        desk.attachments.attach(AGENT, tid, kind="written_report", name="slip.pdf", content=own)
        desk.attachments.attach(AGENT, tid, kind="written_report", name="guide.pdf", content=shared)
        desk.attachments.attach(AGENT, other_tid, kind="written_report", name="guide.pdf", content=shared)

        def stored() -> list[bytes]:
            return [p.read_bytes() for p in folder.rglob("*") if p.is_file()]

        assert own in stored() and shared in stored()

        record = desk.privacy.erase_customer(
            OFFICER, "c-1", "the customer asked (PIPL art. 47)", cancel_open_tickets=True
        )

        assert record.attachments == 2
        assert own not in stored() and not any(NAME.encode() in blob for blob in stored())
        assert shared in stored()  # another customer's ticket still uses these bytes
        view = desk.ticket(MANAGER, tid)
        assert view.attachments == ()
        detached = [e for e in view.events if e.action == "detach"]
        assert len(detached) == 2 and all(e.reason == "personal data erased" for e in detached)
        kept = desk.attachments.list(MANAGER, other_tid)
        _attachment, handle = desk.attachments.open(MANAGER, other_tid, kept[0].id)
        with handle:
            assert handle.read() == shared
    finally:
        desk.shutdown()


def maintained(store: Opened) -> str:
    """Issue 26's records of c-1: a contract, two plans, a done visit and a postponed one naming the
    customer, and an answered campaign survey whose comment names them."""
    desk = store.desk
    seed(desk, store.clock)
    desk.register_asset(MANAGER, Asset(AssetId("a-2"), ProductId("wc-1"), "SN-2", CustomerId("c-1"),
                                       purchase_date=date(2025, 9, 1)))  # fmt: skip
    contract = ServiceContract(
        id="HT-1", starts_on=date(2026, 3, 1), ends_on=date(2027, 2, 28), price=Money("1200.00", "CNY"),
        customer_id="c-1", assets=("a-1", "a-2"), coverage=ContractCoverage(labour=True, visits_per_year=2),
    )  # fmt: skip
    desk.contracts.sign(MANAGER, contract)
    for asset in ("a-1", "a-2"):
        desk.maintenance.create_plan(MANAGER, asset_id=asset, contract_id="HT-1", first_due=date(2026, 3, 10))
    done, moved = sorted(desk.maintenance.generate_due(Actor.system()).generated, key=lambda v: v.asset_id)
    staff = Actor.dealer_staff("ds-1", "d-sh", regions=["SH"])  # the unit's dealer has the visit
    desk.start_work(staff, done.ticket_id)
    results = [ChecklistResult(t, True, note=f"{NAME} 家滤芯已换 {PHONE}") for t in done.checklist]
    desk.maintenance.complete_visit(staff, done.id, results=results, parts=[("WN-SEAL-02", 1)])
    desk.maintenance.postpone_visit(MANAGER, moved.id, to=date(2026, 3, 20), reason=f"{NAME}出差，{PHONE}")
    desk.surveys.start(MANAGER, campaign_id="Q1", period="2026-Q1")
    [task] = desk.surveys.tasks(AGENT, "Q1")
    assert task.customer_id == "c-1"
    desk.surveys.answer(
        AGENT, task.id, survey=SatisfactionSurvey(4, 5, 4, 5, 4, 4, attitude=4), comment=f"{NAME} 满意"
    )
    return str(done.id)


def maintenance_figures(store: Opened) -> tuple[Any, ...]:
    compliance = plan_compliance(store.desk.context.store, date(2026, 3, 1), date(2026, 4, 30))
    results = store.desk.surveys.results(MANAGER, "Q1")
    return compliance, results


def test_erasure_reaches_contracts_maintenance_and_campaign_surveys(store: Opened) -> None:
    maintained(store)
    exported = json.loads(store.desk.privacy.export_customer(OFFICER, "c-1"))["data"]
    assert [c["id"] for c in exported["service_contract"]] == ["HT-1"]
    assert sorted(p["asset_id"] for p in exported["maintenance_plan"]) == ["a-1", "a-2"]
    visits = {v["state"]: v for v in exported["maintenance_visit"]}
    assert NAME in visits["done"]["results"][0]["note"]
    assert NAME in visits["scheduled"]["changes"][0]["reason"]
    assert NAME in exported["survey_task"][0]["comment"]
    before = maintenance_figures(store)
    assert before[0][-1].on_time == 1 and before[1].regions

    store.desk.privacy.erase_customer(
        OFFICER, "c-1", "the customer asked (PIPL art. 47)", cancel_open_tickets=True
    )

    text = store.raw_text()
    assert [p for p in (NAME, PHONE) if p in text] == []
    if store.path is not None:  # nor in the SQLite file and its WAL
        raw = store.path.read_bytes()
        wal = Path(f"{store.path}-wal")
        raw += wal.read_bytes() if wal.exists() else b""
        assert [p for p in (NAME, PHONE) if p.encode() in raw] == []
    assert maintenance_figures(store) == before
    after = json.loads(store.desk.privacy.export_customer(OFFICER, "c-1"))["data"]
    visits = {v["state"]: v for v in after["maintenance_visit"]}
    assert visits["done"]["results"][0]["note"] == "[erased]"
    assert visits["done"]["parts"] == [["WN-SEAL-02", 1]]
    assert visits["scheduled"]["changes"][0]["reason"] == "[erased]出差，[erased]"
    assert visits["scheduled"]["due_on"] == "2026-03-20"
    assert after["survey_task"][0]["comment"] == "[erased]"
    assert after["survey_task"][0]["answers"] == exported["survey_task"][0]["answers"]
    unversioned = [{k: v for k, v in c.items() if k != "version"} for c in after["service_contract"]]
    assert unversioned == [
        {k: v for k, v in c.items() if k != "version"} for c in exported["service_contract"]
    ]
