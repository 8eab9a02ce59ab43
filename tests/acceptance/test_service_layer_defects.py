# mypy: disable-error-code="arg-type"
"""One test per defect of issue 17 (the service layer), as a user met each of them on main.

Each test failed before the refactor (composition root, one command runner, one permission table,
typed policy wiring) and passes after it. They run through ``ServiceDesk`` on SQLite files (two
desks on one file stand for two processes); the idempotency race also runs on PostgreSQL when
``AFTERSALES_PG_DSN`` is set.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.classification import Severity, TicketKind
from aftersales.domain.complaints import ComplaintSubject
from aftersales.domain.ids import EngineerId
from aftersales.domain.knowledge import ArticleContent, ArticleProblem
from aftersales.domain.money import Money
from aftersales.domain.parties import CustomerTier
from aftersales.domain.training import TrainingKind
from aftersales.errors import (
    ConfigurationError,
    IdempotencyKeyReused,
    PermissionDenied,
    ValidationError,
)
from aftersales.policies.complaints import ComplaintParams, DefaultComplaintPolicy
from aftersales.policies.registry import Registry
from aftersales.service.actors import Actor
from aftersales.service.context import DeskSettings
from aftersales.service.desk import ServiceDesk
from aftersales.service.materials_params import MaterialsParams
from aftersales.service.ngram_index import NgramIndex
from conftest import STAFF, World, open_desk, pg_schema_url, register

CNY = "CNY"


def _ticket(desk: ServiceDesk, world: World, customer: str | None = None) -> str:
    return desk.open_ticket(
        world.agent, customer_id=customer or world.cust_zh.id, description="马桶不冲水", asset_id=None
    ).ticket.id


def _resolved(desk: ServiceDesk, world: World, engineer: Actor | None = None) -> str:
    tid = _ticket(desk, world)
    desk.triage(world.agent, tid, nature="no_flush", severity=Severity.LOW)
    desk.dispatch(world.manager, tid, engineer_id=world.eng_junior.id)
    desk.start_work(engineer or world.junior, tid)
    # The seed-002 pack resolves a repair only with its fault record (故障描述→故障原因→处理措施).
    desk.add_fault_record(engineer or world.junior, tid, symptom="no_flush", cause="valve", action="replace")
    desk.resolve(engineer or world.junior, tid, summary="valve replaced")
    return tid


# -- 1. pack [complaint], overrides and extends reach the complaint desk ------------------------------


def _pack(tmp_path: Path, text: str) -> str:
    path = tmp_path / "pack.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_1_complaint_section_override_and_extends_reach_the_complaint_desk(tmp_path: Path) -> None:
    pack = _pack(
        tmp_path,
        '[pack]\nname = "my_centre"\ndescription = "d"\nextends = "service_centre"\n\n'
        "[complaint]\ncomplaint_below_score = 4\nescalation_ack_hours = 2\n\n"
        "[callback]\nsurvey_tiers = []\n",
    )
    desk = ServiceDesk.open("memory://", pack=pack)
    params = desk.complaints.policy.params
    assert (params.complaint_below_score, params.escalation_ack_hours) == (4, 2)
    # extends: the parent's keys the child does not name are inherited, key by key.
    assert desk.policies.callback.params.complaint_within_days == 7  # type: ignore[attr-defined]
    assert desk.policies.callback.params.survey_tiers == ()  # type: ignore[attr-defined]
    assert params.batch_threshold_inclusive is True  # the parent's [complaint] key

    policy = DefaultComplaintPolicy(ComplaintParams(batch_threshold_percent=Decimal(3)))
    overridden = ServiceDesk.open("memory://", pack="service_centre", overrides={"complaint": policy})
    assert overridden.complaints.policy is policy


def test_1_an_unconsumed_section_or_override_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="complaints"):
        ServiceDesk.open("memory://", overrides={"complaints": object()})
    registry = Registry()  # no kinds registered: every section of the pack is unconsumed
    from aftersales.policies.pack import Pack

    registry.register(Pack("bare", "d", "bare.toml", pending={"complaint": {"x": 1}}))
    with pytest.raises(ConfigurationError, match=r"\[complaint\]"):
        registry.resolve("bare")
    missing = _pack(tmp_path, '[pack]\nname = "orphan"\ndescription = "d"\nextends = "no_such_pack"\n')
    with pytest.raises(ConfigurationError, match="no_such_pack"):
        ServiceDesk.open("memory://", pack=missing)
    with pytest.raises(ConfigurationError, match=r"settings\.colour"):
        ServiceDesk.open("memory://", settings={"colour": "red"})


# -- 2. engineers' loads follow the store, whatever path changed them ---------------------------------


def _load(desk: ServiceDesk, engineer: str) -> int:
    with desk.store() as uow:
        return desk.dispatching.roster(uow).engineers.load(EngineerId(engineer))


def test_2_loads_follow_reject_reopen_and_other_processes(
    desk: ServiceDesk, world: World, db_path: Path, clock: ManualClock
) -> None:
    eng = world.eng_junior.id
    assert _load(desk, eng) == 0
    tid = _resolved(desk, world)
    assert _load(desk, eng) == 0  # resolved: the work is done
    desk.reject(world.customer_zh, tid, reason="still leaking")
    assert _load(desk, eng) == 1  # rework is work again
    desk.start_work(world.junior, tid)
    desk.resolve(world.junior, tid)
    desk.confirm(world.customer_zh, tid)
    desk.reopen(world.manager, tid, reason="problem is back")
    assert _load(desk, eng) == 1
    with open_desk(db_path, clock) as other:  # another process assigns a ticket to the same engineer
        other_tid = _ticket(other, world)
        other.triage(world.agent, other_tid, nature="leak", severity=Severity.LOW)
        other.dispatch(world.manager, other_tid, engineer_id=eng)
    assert _load(desk, eng) == 2
    desk.cancel(world.manager, other_tid, reason="duplicate")
    assert _load(desk, eng) == 1


# -- 3. a tier changed by another process counts at once --------------------------------------------


def test_3_customer_upgraded_elsewhere_is_vip_here(world: World, db_path: Path, clock: ManualClock) -> None:
    # A pack that raises a VIP's grade (seed 003 客户重要性): seed 002's sanitary_ware serves callers in their
    # order (第六条 4), seed 000's general_maintenance grades the problem alone (session 30).
    url = f"sqlite:///{db_path}"
    with ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF) as desk:
        register(desk, world)
        first = _ticket(desk, world)
        before = desk.triage(world.agent, first, nature="leak", severity=Severity.LOW)
        assert "customer_tier" not in {r.code for d in before.decisions for r in d.reasons}  # type: ignore[attr-defined]
        with ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF) as other:
            other.register_customer(world.manager, attrs.evolve(world.cust_zh, tier=CustomerTier.VIP))
        second = _ticket(desk, world)
        after = desk.triage(world.agent, second, nature="leak", severity=Severity.LOW)
        assert "customer_tier" in {r.code for d in after.decisions for r in d.reasons}  # type: ignore[attr-defined]
        assert after.ticket.priority.rank > before.ticket.priority.rank  # type: ignore[union-attr]


# -- 4. one callback API -------------------------------------------------------------------------------


def test_4_desk_schedule_callback_writes_the_task(desk: ServiceDesk, world: World) -> None:
    tid = _resolved(desk, world)
    desk.confirm(world.customer_zh, tid)  # the acceptance schedules the callback; the agent moves it
    result = desk.schedule_callback(world.agent, tid)
    pending = desk.callbacks.pending(world.manager)
    assert [t.ticket_id for t in pending] == [tid]
    assert pending[0].due_at == result.ticket.callback_due_at
    desk.record_callback(world.agent, tid, problem_back=False, satisfaction=5, answers={"polite": True})
    assert desk.callbacks.pending(world.manager) == []
    (record,) = desk.callbacks.records(world.manager, tid)  # the same record as desk.callbacks.record
    assert record.checklist.polite is True and record.complaint_id is None
    low = _resolved(desk, world)
    desk.confirm(world.customer_zh, low)
    desk.record_callback(world.agent, low, problem_back=False, satisfaction=1, comment="师傅迟到")
    (unhappy,) = desk.callbacks.records(world.manager, low)
    assert unhappy.complaint_id is not None  # a low score opens a complaint, whichever door it came in
    assert desk.ticket(world.agent, unhappy.complaint_id).kind is TicketKind.COMPLAINT


# -- 5. complaint tickets are judged by the complaint workflow -----------------------------------------


def test_5_ticket_commands_on_a_complaint_use_the_complaint_table(desk: ServiceDesk, world: World) -> None:
    complaint = desk.complaints.open_complaint(
        world.agent, world.cust_zh.id, "服务态度差", subject=ComplaintSubject.SERVICE_QUALITY
    ).ticket
    assert complaint.kind is TicketKind.COMPLAINT
    version = complaint.version
    with pytest.raises(PermissionDenied):
        desk.cancel(world.customer_zh, complaint.id, reason="never mind")
    with pytest.raises(PermissionDenied):
        desk.close(world.dealer_sh_staff, complaint.id, reason="done")
    with pytest.raises(PermissionDenied):
        desk.cancel(world.dealer_sh_staff, complaint.id, reason="done")
    with pytest.raises(ValidationError, match="complaint"):
        desk.resolve(world.agent, complaint.id, summary="sorted")  # feedback and callback would be skipped
    assert desk.ticket(world.auditor, complaint.id).version == version
    desk.cancel(world.manager, complaint.id, reason="filed twice")  # the complaint workflow allows this
    assert desk.ticket(world.auditor, complaint.id).state == "cancelled"


# -- 6. master data: regions, owners and warranty starts ---------------------------------------------


def test_6_dealer_staff_stay_in_their_region_and_cannot_move_owners(desk: ServiceDesk, world: World) -> None:
    bj, sh = world.dealer_bj_staff, world.dealer_sh_staff
    with pytest.raises(PermissionDenied):  # another region's customer (and its notifications)
        desk.register_customer(bj, attrs.evolve(world.cust_zh, name="冒名"))
    with pytest.raises(PermissionDenied):  # moving a customer out of one's region
        desk.register_customer(sh, attrs.evolve(world.cust_zh, region="BJ"))
    with pytest.raises(PermissionDenied):  # a unit to another owner
        desk.register_asset(sh, attrs.evolve(world.asset, customer_id=world.cust_en.id))
    with pytest.raises(PermissionDenied):  # a fresh warranty start
        desk.register_asset(sh, attrs.evolve(world.asset, purchase_date=date(2026, 3, 1)))
    with pytest.raises(PermissionDenied):  # not even a manager through the blind path
        desk.register_asset(world.manager, attrs.evolve(world.asset, purchase_date=date(2026, 3, 1)))
    with desk.store() as uow:
        # as registered: the sale's month is the desk's stamp (its purchase month, none sent; session 37)
        assert uow.assets.get(world.asset.id) == attrs.evolve(world.asset, registered_month="2025-09")
        assert uow.customers.get(world.cust_zh.id) == world.cust_zh
    desk.register_customer(sh, attrs.evolve(world.cust_zh, name="张伟（新）"))  # in region: fine

    with pytest.raises(PermissionDenied):
        desk.transfer_asset(sh, world.asset.id, customer_id=world.cust_en.id, reason="sold")
    with pytest.raises(ValidationError):
        desk.transfer_asset(world.manager, world.asset.id, customer_id=world.cust_en.id, reason=" ")
    moved = desk.transfer_asset(world.manager, world.asset.id, customer_id=world.cust_en.id, reason="转售")
    assert moved.customer_id == world.cust_en.id
    fixed = desk.change_warranty_start(
        world.manager, world.asset.id, purchase_date=date(2025, 10, 1), reason="发票日期更正"
    )
    assert fixed.purchase_date == date(2025, 10, 1)

    history = desk.master_data_history(world.auditor, "asset", world.asset.id)
    assert [c.command for c in history] == ["register_asset", "transfer_asset", "change_warranty_start"]
    transfer = history[1]
    assert (transfer.by, transfer.reason) == (world.manager.ref, "转售")
    assert transfer.before is not None and transfer.before["customer_id"] == world.cust_zh.id
    assert transfer.after["customer_id"] == world.cust_en.id and transfer.changed == ("customer_id",)
    names = [c.after["name"] for c in desk.master_data_history(world.manager, "customer", world.cust_zh.id)]
    assert names == ["张伟", "张伟（新）"]
    with pytest.raises(PermissionDenied):
        desk.master_data_history(sh, "asset", world.asset.id)


# -- 7. every write is idempotent by key, and a key names one request ---------------------------------


def _line(amount: str, chargeable: bool = True) -> ChargeLine:
    return ChargeLine(ChargeKind.MATERIALS, "inlet_valve", Money(Decimal(amount), CNY), 1, chargeable)


def test_7_document_writes_replay_by_key(desk: ServiceDesk, world: World) -> None:
    tid = _resolved(desk, world)
    slip = desk.fees.issue_slip(world.agent, tid, lines=[_line("45")], idempotency_key="slip-1")
    again = desk.fees.issue_slip(world.agent, tid, lines=[_line("45")], idempotency_key="slip-1")
    assert again.id == slip.id and len(desk.fees.slips_of(world.agent, tid)) == 1
    with pytest.raises(IdempotencyKeyReused):
        desk.fees.issue_slip(world.agent, tid, lines=[_line("46")], idempotency_key="slip-1")

    pay = Money(Decimal("20"), CNY)
    desk.fees.record_payment(world.agent, slip.id, pay, idempotency_key="pay-1")
    paid = desk.fees.record_payment(world.agent, slip.id, pay, idempotency_key="pay-1")
    assert paid.paid == pay

    seal = [_line("5", chargeable=False)]
    free = desk.fees.record_free_issue(world.agent, tid, seal, idempotency_key="free-1")
    assert desk.fees.record_free_issue(world.agent, tid, seal, idempotency_key="free-1").id == free.id
    assert desk.materials.record_free_issue(world.agent, tid, seal, idempotency_key="free-1").id == free.id

    problem = ArticleProblem(symptoms=("no_flush",), category="repair")
    content = ArticleContent("zh_Hans", "不冲水", "按下冲水键无水", ("进水阀堵塞",), ("清洗进水阀",))
    article = desk.knowledge.write_article(
        world.agent, problem=problem, contents=[content], idempotency_key="kb"
    )
    repeat = desk.knowledge.write_article(
        world.agent, problem=problem, contents=[content], idempotency_key="kb"
    )
    assert repeat.id == article.id and len(repeat.versions) == 1

    training = {
        "kind": TrainingKind.ON_SITE,
        "held_on": date(2026, 3, 1),
        "trainer": "李工",
        "dealer_ids": [world.dealer_sh.id],
        "topics": ["product_knowledge"],
    }
    record = desk.archives.record_training(world.manager, **training, idempotency_key="tr-1")
    assert desk.archives.record_training(world.manager, **training, idempotency_key="tr-1").id == record.id


def test_7_a_ticket_key_with_different_arguments_is_refused(desk: ServiceDesk, world: World) -> None:
    tid = _ticket(desk, world)
    first = desk.note_to_customer(world.agent, tid, text="上门时间已约", idempotency_key="n-1")
    replay = desk.note_to_customer(world.agent, tid, text="上门时间已约", idempotency_key="n-1")
    assert replay.replayed and replay.events == first.events
    with pytest.raises(IdempotencyKeyReused):
        desk.note_to_customer(world.agent, tid, text="另一条", idempotency_key="n-1")
    assert desk.ticket(world.auditor, tid).version == first.ticket.version


# -- 8. the timestamp is taken inside the transaction --------------------------------------------------


def test_8_eight_writers_on_one_sqlite_file_never_meet_an_earlier_event(tmp_path: Path, world: World) -> None:
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    setup = ServiceDesk.open(url, pack="sanitary_ware", staff=STAFF)  # the real clock
    register(setup, world)
    tickets = [_ticket(setup, world) for _ in range(2)]
    start = {t: setup.ticket(world.auditor, t).version for t in tickets}
    errors: list[BaseException] = []
    per_writer = 30

    def writer(n: int) -> None:
        with ServiceDesk.open(url, pack="sanitary_ware", staff=STAFF) as desk:
            for i in range(per_writer):
                try:
                    desk.note_to_customer(world.agent, tickets[i % 2], text=f"w{n} #{i}", visible=False)
                except BaseException as error:
                    errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for tid in tickets:
        ticket = setup.ticket(world.auditor, tid)
        assert ticket.version == start[tid] + 8 * per_writer // 2
        times = [e.at for e in ticket.events]
        assert times == sorted(times)
    setup.shutdown()


# -- 9. time zone, materials parameters and the text index come from ServiceDesk.open ----------------


def test_9_settings_reach_every_capability(tmp_path: Path, world: World) -> None:
    index = NgramIndex()
    params = MaterialsParams(return_days=10, receiving_location="ningbo", timezone="Europe/London")
    clock = ManualClock(datetime.fromisoformat("2026-03-31T20:00:00+00:00"))
    desk = ServiceDesk.open(
        f"sqlite:///{tmp_path / 'london.db'}",
        pack="sanitary_ware",
        clock=clock,
        settings={"timezone": "Europe/London", "materials": params, "text_index": index},
    )
    register(desk, world)
    assert desk.materials.params is params
    assert desk.knowledge.text_index is index
    tid = _ticket(desk, world)
    slip = desk.fees.issue_slip(world.agent, tid, lines=[_line("10")])
    assert slip.month == "2026-03"  # 21:00 in London; it is already April in Shanghai
    default = ServiceDesk.open("memory://", settings=DeskSettings(timezone="Europe/London"))
    assert default.materials.params.timezone == "Europe/London"
    with pytest.raises(ConfigurationError, match="timezone"):
        ServiceDesk.open("memory://", settings={"timezone": "Mars/Olympus"})
    desk.shutdown()


@pytest.fixture(params=["sqlite", "postgresql"])
def replay_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The store of the race test: a SQLite file, or a private schema on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'race.db'}"
        return
    with pg_schema_url() as url:
        yield url


def test_7_a_retry_racing_its_original_gets_the_replay(replay_store: str, world: World) -> None:
    setup = ServiceDesk.open(replay_store, pack="sanitary_ware", staff=STAFF)
    register(setup, world)
    tid = _ticket(setup, world)
    barrier = threading.Barrier(4)
    results: list[object] = []

    def retry() -> None:
        with ServiceDesk.open(replay_store, pack="sanitary_ware", staff=STAFF) as desk:
            barrier.wait()
            results.append(desk.note_to_customer(world.agent, tid, text="已派工", idempotency_key="race"))

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timedelta(seconds=60).total_seconds())
    assert len(results) == 4
    seqs = {tuple(e.seq for e in r.events) for r in results}  # type: ignore[attr-defined]
    assert len(seqs) == 1
    assert sum(not r.replayed for r in results) == 1  # type: ignore[attr-defined]
    setup.shutdown()


def test_3_the_knowledge_index_follows_articles_approved_elsewhere(
    desk: ServiceDesk, world: World, db_path: Path, clock: ManualClock
) -> None:
    assert desk.knowledge.search(world.agent, "进水阀") == []  # this desk has built its index
    with open_desk(db_path, clock) as other:  # another process writes and approves an article
        problem = ArticleProblem(symptoms=("no_flush",), category="repair")
        content = ArticleContent("zh_Hans", "不冲水", "按下冲水键无水", ("进水阀堵塞",), ("清洗进水阀",))
        article = other.knowledge.write_article(world.agent, problem=problem, contents=[content])
        other.knowledge.approve(world.manager, article.id, 1)
    assert [a.id for a in desk.knowledge.search(world.agent, "进水阀")] == [article.id]
    desk.knowledge.withdraw(world.manager, article.id)  # our own change patches our index
    assert desk.knowledge.search(world.agent, "进水阀") == []
