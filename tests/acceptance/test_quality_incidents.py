"""Batch quality incidents (批量质量事故, seed 004): one detector, many customers, remedies for the batch."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tests.acceptance.store_templates import fresh_sqlite_file

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, EngineerId, ProductId
from aftersales.domain.parties import Customer, CustomerTier, Dealer, Engineer
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.domain.quality_incidents import IncidentRemedyKind, IncidentState
from aftersales.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from aftersales.policies.complaints import ComplaintParams, DefaultComplaintPolicy
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import pg_schema_url

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
AGENT = Actor.agent("a1")
MANAGER = Actor.manager("m1")
GM = Actor.general_manager("gm1")
ENGINEER = Actor.engineer("e1")
STAFF = {Role.GENERAL_MANAGER: [Contact("总经理", email="gm@example.cn", locale="zh_Hans")]}


def _build(url: str, **params: object) -> ServiceDesk:
    overrides = None
    if params:  # the pack's [complaint] parameters, as a configured policy
        overrides = {"complaint": DefaultComplaintPolicy(ComplaintParams(**params))}  # type: ignore[arg-type]
    desk = ServiceDesk.open(
        url, pack="service_centre", clock=ManualClock(START), notifier=MemoryNotifier(), staff=STAFF,
        overrides=overrides,
    )  # fmt: skip
    desk.register_product(
        MANAGER, Product(ProductId("P-1"), "WC-100", "连体马桶", "toilet", (WarrantyTerm(12),))
    )
    desk.register_engineer(MANAGER, Engineer(EngineerId("e1"), "赵工"))
    for dealer_id, region in (("d-sh", "SH"), ("d-bj", "BJ")):  # units name their dealer: it must exist
        desk.register_dealer(MANAGER, Dealer(DealerId(dealer_id), dealer_id, region, frozenset({region})))
    # One production batch of 100 units sold to 100 customers in two regions.
    for n in range(100):
        cid = f"c{n:03d}"
        region = "SH" if n < 50 else "BJ"
        contact = Contact(cid, phone="13800000000", address="上海市浦东新区 1 号")
        desk.register_customer(
            MANAGER, Customer(CustomerId(cid), cid, contact, CustomerTier.REGULAR, region=region)
        )
        desk.register_asset(
            MANAGER,
            Asset(
                AssetId(f"A-{n:03d}"), ProductId("P-1"), f"SN-{n:03d}", CustomerId(cid), batch="B-7",
                purchase_date=date(2025, 4, 1), dealer_id=DealerId(f"d-{region.lower()}"),
            ),
        )  # fmt: skip
    return desk


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgres":
        with pg_schema_url() as pg:
            yield pg
        return
    yield "memory://" if request.param == "memory" else f"sqlite:///{fresh_sqlite_file(tmp_path / 'qi.db')}"


def _fault(desk: ServiceDesk, n: int, cause: str = "seal_defect", symptom: str = "leak") -> str:
    cid = f"c{n:03d}"
    tid = desk.open_ticket(AGENT, customer_id=cid, description="漏水", asset_id=f"A-{n:03d}").ticket.id
    desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM)
    desk.dispatch(AGENT, tid, engineer_id="e1")
    desk.start_work(ENGINEER, tid)
    clock = desk.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(minutes=10))
    desk.add_fault_record(ENGINEER, tid, symptom=symptom, cause=cause, action="replace_seal")
    return tid


def test_the_fifth_unit_raises_one_incident_across_five_customers_escalated_at_once(url: str) -> None:
    with _build(url) as desk:
        qi = desk.quality_incidents
        tickets = [_fault(desk, n) for n in range(4)]
        _fault(desk, 10, cause="glaze_crack")  # another cause does not count towards seal_defect
        assert qi.incidents(MANAGER) == []
        tickets.append(_fault(desk, 4))
        detected_at = desk.clock.now()
        (incident,) = qi.incidents(MANAGER)
        assert incident.state is IncidentState.DETECTED
        assert (incident.batch, incident.dimension, incident.value) == ("B-7", "cause", "seal_defect")
        assert incident.affected == 5 and incident.batch_size == 100
        assert sorted(incident.ticket_ids) == sorted(tickets)
        assert len(set(incident.customer_ids)) == 5
        assert incident.detected_at == detected_at
        assert "general_manager" in incident.escalated_to
        assert [e.action for e in incident.events][:2] == ["detect", "escalate"]
        desk.deliver()
        notifier = desk.notifier
        assert isinstance(notifier, MemoryNotifier)
        assert len(notifier.to("gm@example.cn")) == 1

        # A 6th record on a unit already counted changes nothing.
        desk.add_fault_record(
            ENGINEER, tickets[0], symptom="leak", cause="seal_defect", action="replace_seal"
        )
        again = qi.incident(MANAGER, incident.id)
        assert again.affected == 5 and len(again.events) == len(incident.events)
        # A new unit joins the incident; no second incident is raised.
        _fault(desk, 5)
        (joined,) = qi.incidents(MANAGER)
        assert joined.affected == 6 and len(joined.events) == len(incident.events)
        units = qi.units(MANAGER, incident.id)  # when each unit was counted, and on which ticket
        assert [u.asset_id for u in units] == [f"A-{n:03d}" for n in range(6)]
        assert units[-1].ticket_id == joined.ticket_ids[-1]
        with pytest.raises(PermissionDenied):  # customers see their ticket, never the incident
            qi.units(Actor.customer("c000"), incident.id)
        with pytest.raises(NotFound):  # a dealer of a region the incident does not touch
            qi.units(Actor.dealer_staff("x", "d-gz", ["GZ"]), incident.id)


def test_a_four_percent_pack_raises_it_at_the_fourth_unit() -> None:
    with _build("memory://", batch_threshold_percent=Decimal(4)) as desk:
        for n in range(3):
            _fault(desk, n)
        assert desk.quality_incidents.incidents(MANAGER) == []
        _fault(desk, 3)
        (incident,) = desk.quality_incidents.incidents(MANAGER)
        assert incident.affected == 4 and incident.threshold_percent == 4


def test_the_packs_dimension_decides_what_the_same_problem_is() -> None:
    with _build("memory://") as by_cause:
        for n in range(5):
            _fault(by_cause, n, cause=f"cause_{n}", symptom="leak")
        assert by_cause.quality_incidents.incidents(MANAGER) == []  # five causes, none reaches 5 %
    with _build("memory://", batch_dimension="symptom") as by_symptom:
        for n in range(5):
            _fault(by_symptom, n, cause=f"cause_{n}", symptom="leak")
        (incident,) = by_symptom.quality_incidents.incidents(MANAGER)
        assert (incident.dimension, incident.value, incident.affected) == ("symptom", "leak", 5)
    with pytest.raises(ValidationError):
        ComplaintParams(batch_dimension="colour")


def test_workflow_remedies_reach_every_unit_and_scopes_hold() -> None:
    with _build("memory://") as desk:
        qi = desk.quality_incidents
        for n in range(5):
            _fault(desk, n)
        (incident,) = qi.incidents(MANAGER)
        iid = incident.id
        with pytest.raises(ValidationError):  # remedies wait for confirmation
            qi.apply_remedy(MANAGER, iid, kind=IncidentRemedyKind.FREE_REPLACEMENT)
        with pytest.raises(InvalidTransition):
            qi.contain(MANAGER, iid)
        qi.confirm(MANAGER, iid, note="质检确认密封圈批次缺陷")
        qi.contain(MANAGER, iid, note="停止发货")
        with pytest.raises(ValidationError):
            qi.apply_remedy(MANAGER, iid, kind=IncidentRemedyKind.WARRANTY_EXTENSION)
        done = qi.apply_remedy(MANAGER, iid, kind=IncidentRemedyKind.WARRANTY_EXTENSION, extend_by=12)
        reached = {e.payload["asset_id"] for e in done.events if e.action == "remedy_applied"}
        assert reached == {f"A-{n:03d}" for n in range(100)}
        assert len(desk.complaints.warranty_extensions(MANAGER, "A-099")) == 1
        qi.record_root_cause(MANAGER, iid, root_cause="密封圈供应商材料不合格")
        qi.record_corrective_action(MANAGER, iid, action="更换供应商并加严来料检验")
        closed = qi.close(GM, iid)
        assert closed.state is IncidentState.CLOSED and closed.root_cause.startswith("密封圈")
        assert [e.to_state for e in closed.events if e.from_state != e.to_state] == [
            "confirmed", "contained", "root_cause", "corrective_action", "closed",
        ]  # fmt: skip

        # Scopes: the SH dealer sees it (its region's tickets), the BJ dealer and customers never.
        sh = Actor.dealer_staff("s1", "d-sh", {"SH"})
        bj = Actor.dealer_staff("b1", "d-bj", {"BJ"})
        assert [i.id for i in qi.incidents(sh)] == [iid]
        assert qi.incidents(bj) == []
        with pytest.raises(NotFound):
            qi.incident(bj, iid)
        assert [i.id for i in qi.incidents(ENGINEER)] == [iid]  # the engineer on its tickets
        assert qi.incidents(Actor.engineer("e9")) == []
        with pytest.raises(PermissionDenied):
            qi.incidents(Actor.customer("c000"))
        with pytest.raises(PermissionDenied):
            qi.confirm(sh, iid)


def test_linking_tickets_of_other_customers_and_dismissal() -> None:
    with _build("memory://") as desk:
        qi = desk.quality_incidents
        for n in range(5):
            _fault(desk, n)
        (incident,) = qi.incidents(MANAGER)
        other = desk.open_ticket(
            AGENT, customer_id="c077", description="同批次漏水", asset_id="A-077"
        ).ticket.id
        linked = qi.link_tickets(MANAGER, incident.id, [other])
        assert other in linked.ticket_ids and "c077" in linked.customer_ids and "BJ" in linked.regions
        assert qi.incidents(Actor.dealer_staff("b1", "d-bj", {"BJ"}))  # now it touches a BJ ticket
        with pytest.raises(NotFound):
            qi.link_tickets(MANAGER, incident.id, ["SR-none"])
        # Session 37: a re-link (or a call naming nothing) linked nothing and answered as if it had;
        # refused as the complaints' link_tickets refuses it, nothing written.
        for again, rule in (([other, other], "already_linked"), ([], "empty")):
            with pytest.raises(ValidationError) as caught:
                qi.link_tickets(MANAGER, incident.id, again)
            assert (caught.value.field, caught.value.rule) == ("ticket_ids", rule)
        assert qi.incident(MANAGER, incident.id).version == linked.version
        with pytest.raises(ValidationError):
            qi.dismiss(MANAGER, incident.id, reason=" ")
        assert qi.dismiss(MANAGER, incident.id, reason="编码错误").state is IncidentState.DISMISSED


def test_a_tally_kept_without_its_members_is_counted_again_at_the_crossing(url: str) -> None:
    # A store written before the tally linked its units: the crossing record counts the batch's
    # stored fault records again instead of judging on the units it happens to know.
    from aftersales.domain.quality_incidents import BatchFaultTally, BatchFaultUnit, incident_key

    with _build(url) as desk:
        for n in range(4):
            _fault(desk, n)
        key = incident_key("B-7", "cause", "seal_defect", "P-1")  # P-1's batch B-7
        with desk.store() as uow:
            tally = uow.documents.get(BatchFaultTally, key)
            # The tally stays small: a count and the last unit, each unit linked to the one before.
            assert tally.members == [] and tally.last == "A-003" and tally.units == 4
            chain = [uow.documents.get(BatchFaultUnit, f"{key}|A-00{n}").previous for n in range(4)]
            assert chain == [None, "A-000", "A-001", "A-002"]
            tally.last = None
            uow.documents.save(tally)
            uow.commit()
        _fault(desk, 4)
        (incident,) = desk.quality_incidents.incidents(MANAGER)
        assert incident.affected == 5 and len(incident.ticket_ids) == 5


def test_a_tally_that_listed_its_members_still_raises_the_incident(url: str) -> None:
    # A store of the earlier release: the tally lists the units; the detector links the next ones.
    from aftersales.domain.quality_incidents import BatchFaultTally, BatchFaultUnit, incident_key

    with _build(url) as desk:
        for n in range(3):
            _fault(desk, n)
        key = incident_key("B-7", "cause", "seal_defect", "P-1")  # P-1's batch B-7
        with desk.store() as uow:
            tally = uow.documents.get(BatchFaultTally, key)
            tally.members, tally.last = ["A-000", "A-001", "A-002"], None
            uow.documents.save(tally)
            for n in range(3):  # as stored then: no links
                unit = uow.documents.get(BatchFaultUnit, f"{key}|A-00{n}")
                unit.previous = None
                uow.documents.save(unit)
            uow.commit()
        _fault(desk, 3)
        assert desk.quality_incidents.incidents(MANAGER) == []
        _fault(desk, 4)
        (incident,) = desk.quality_incidents.incidents(MANAGER)
        assert incident.affected == 5 and len(incident.ticket_ids) == 5


@pytest.mark.parametrize(("min_units", "raised_at"), [(None, 2), (1, 1), (3, 3)])
def test_the_detector_applies_the_packs_minimum_of_units(
    url: str, min_units: int | None, raised_at: int
) -> None:
    # 1 % of the batch of 100 is one unit: with the default minimum (2) one unit raises nothing; a pack
    # counting single units raises the incident on that unit's record, one asking 3 on the third unit.
    params: dict[str, object] = {"batch_threshold_percent": Decimal(1)}
    if min_units is not None:
        params["batch_min_units"] = min_units
    with _build(url, **params) as desk:
        for n in range(raised_at - 1):
            _fault(desk, n)
            assert desk.quality_incidents.incidents(MANAGER) == []
        _fault(desk, raised_at - 1)
        (incident,) = desk.quality_incidents.incidents(MANAGER)
        assert incident.affected == raised_at
        assert incident.unit_ids == [f"A-{n:03d}" for n in range(raised_at)]


def test_a_dealer_reads_its_part_of_an_incident_that_reaches_another_dealers_customers(url: str) -> None:
    # Units 0-2 are Shanghai's customers, 50-51 Beijing's: both dealers see the incident (their tickets are
    # in it), each with its own tickets, customers and units only; the counts and the problem stay whole.
    with _build(url) as desk:
        qi = desk.quality_incidents
        sh_tickets = [_fault(desk, n) for n in range(3)]
        bj_tickets = [_fault(desk, n) for n in (50, 51)]
        (whole,) = qi.incidents(MANAGER)
        assert sorted(whole.ticket_ids) == sorted(sh_tickets + bj_tickets)
        sh = Actor.dealer_staff("s1", "d-sh", {"SH"})
        bj = Actor.dealer_staff("b1", "d-bj", {"BJ"})
        for actor, tickets, customers, dealer, region in (
            (sh, sh_tickets, {"c000", "c001", "c002"}, "d-sh", "SH"),
            (bj, bj_tickets, {"c050", "c051"}, "d-bj", "BJ"),
        ):
            for seen in (qi.incident(actor, whole.id), *qi.incidents(actor)):
                assert sorted(seen.ticket_ids) == sorted(tickets)
                assert set(seen.customer_ids) == customers
                assert seen.dealer_ids == [dealer] and seen.regions == [region]
                assert seen.engineer_ids == []
                assert (seen.affected, seen.batch_size, seen.value) == (5, 100, "seal_defect")
            assert {u.customer_id for u in qi.units(actor, whole.id)} == customers
            # Session 36: the chain's link of a unit names no unit of the other dealer's customers.
            own = {u.asset_id for u in qi.units(actor, whole.id)}
            assert {u.previous for u in qi.units(actor, whole.id)} <= own | {None}
        # The office and the engineer on every ticket read it whole.
        assert len(qi.units(MANAGER, whole.id)) == 5
        assert set(qi.incident(ENGINEER, whole.id).ticket_ids) == set(whole.ticket_ids)
        assert qi.incident(ENGINEER, whole.id).engineer_ids == ["e1"]
