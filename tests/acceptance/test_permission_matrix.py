# mypy: disable-error-code="arg-type"
"""The permission matrix as a hostile peer would run it: every read of the desk and its sub-desks as every
kind of actor, on memory, SQLite and PostgreSQL.

Seed 002: each dealer serves what it sold (乙方负责所售产品的全过程服务), the maker passes a dealer the
calls of its region and may check any dealer's service (甲方有权对乙方的服务情况进行抽查); the office and
the auditors read everything, a customer its own, an engineer what it works on. The convention of the one
permission table (``service/permissions.py``): a record outside the reader's scope is ``NotFound`` exactly
as an unknown id is, so nobody learns that another customer's ticket, slip, invoice, parts request or
return exists; a write outside one's role or scope is refused with a typed error and changes nothing.

The world: the seed-002 maker with a Shanghai dealer and a Beijing dealer. Four tickets — the Shanghai
customer's repair by the Shanghai dealer (``sh``), the Beijing customer's repair by the Beijing dealer
(``bj``), a Beijing customer's call the maker passed to the Shanghai dealer (``x``), and a Shanghai
customer's repair assigned to the maker's engineer of team east (``eng``) — a batch quality incident
reaching both dealers' units, fee slips, an invoice, a parts request and its return, a complaint, an
attachment and a survey campaign.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import attrs
import pytest

from aftersales import ChargeKind, ChargeLine, to_json
from aftersales.adapters.attachments_memory import MemoryAttachmentStore
from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import Role
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.fee_slips import FeeSlip, InvoiceRecord, InvoiceWish
from aftersales.domain.ids import AssetId, CustomerId, DealerId, EngineerId
from aftersales.domain.materials import MaterialsLine, MaterialsRequest, PartyRef
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer, CustomerTier, Engineer, EngineerLevel
from aftersales.domain.products import Asset
from aftersales.domain.quality_reports import DealerMonthlyReport
from aftersales.domain.survey_campaigns import SamplingRules
from aftersales.errors import AftersalesError, NotFound, PermissionDenied
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, priced_fees, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")
SH = Actor.dealer_staff("sh-staff-1", "dealer-sh", {"SH"})
BJ = Actor.dealer_staff("bj-staff-1", "dealer-bj", {"BJ"})
BJ_PHONE = "13711112222"
# The Beijing dealer's staff member who is also the Shanghai customer 张伟, both ways round.
BJ_STAFF_AND_ZH = attrs.evolve(BJ, customer_id=CustomerId("cust-zh")).with_roles(Role.CUSTOMER)
ZH_AND_BJ_STAFF = attrs.evolve(
    Actor.customer("cust-zh"), dealer_id=DealerId("dealer-bj"), regions=frozenset({"BJ"})
).with_roles(Role.DEALER_STAFF)

ACTORS: dict[str, Actor] = {
    "customer zh": Actor.customer("cust-zh"),
    "customer bj": Actor.customer("cust-bj"),
    "customer en": Actor.customer("cust-en"),
    "dealer sh": SH,
    "dealer bj": BJ,
    "engineer jr (assigned)": Actor.engineer("eng-jr", team="team-east"),
    "engineer sr (teammate)": Actor.engineer("eng-sr", team="team-east"),
    "engineer x (other team)": Actor.engineer("eng-x", team="team-west"),
    "agent": AGENT,
    "manager": MANAGER,
    "auditor": Actor.auditor("audit-1"),
    "privacy officer": Actor.privacy_officer("po-1"),
    "dealer bj and customer zh": BJ_STAFF_AND_ZH,
    "customer zh and dealer bj": ZH_AND_BJ_STAFF,
}
OFFICE = {"agent", "manager", "auditor"}
ALL = {"sh", "bj", "x", "eng"}
READS_BY_ID: dict[str, set[str]] = {
    "customer zh": {"sh"},
    "customer bj": {"bj", "x"},
    "customer en": {"eng"},
    "dealer sh": {"sh", "x", "eng"},  # its customers' tickets and the call passed to it
    "dealer bj": {"bj", "x"},  # its customer's call, wherever the maker passed it
    "engineer jr (assigned)": {"eng"},
    "engineer sr (teammate)": {"eng"},  # its team's ticket, by id only
    "engineer x (other team)": set(),
    "agent": ALL,
    "manager": ALL,
    "auditor": ALL,
    "privacy officer": set(),
    "dealer bj and customer zh": {"sh", "bj", "x"},
    "customer zh and dealer bj": {"sh", "bj", "x"},
}
"""Which tickets each actor reads by id: the one permission table (seed 002) written out by hand."""
LISTS = {**READS_BY_ID, "engineer sr (teammate)": set()}
"""Which tickets each actor's lists show (the ledger, its rows and count, search, the export)."""


@attrs.frozen
class World:
    desk: ServiceDesk
    clock: ManualClock
    tickets: dict[str, str]
    ids: dict[str, str]
    """Records by name: slip_bj, invoice_bj, request_bj, return_bj, attachment_bj, complaint_bj,
    incident, linked (a Beijing ticket linked to the incident)."""


def _repair(desk: ServiceDesk, clock: ManualClock, customer: str, asset: str | None, **to: str) -> str:
    tid = desk.open_ticket(AGENT, customer_id=customer, description="马桶一直冲水", asset_id=asset).ticket.id
    clock.advance(timedelta(minutes=10))
    desk.triage(AGENT, tid, nature="flush_valve_leak", severity=Severity.MEDIUM)
    desk.dispatch(AGENT, tid, **to)
    worker = SH if to.get("dealer_id") == "dealer-sh" else BJ
    if "engineer_id" in to:
        worker = Actor.engineer(to["engineer_id"])
    desk.start_work(worker, tid)
    clock.advance(timedelta(minutes=10))
    desk.add_fault_record(
        worker, tid, symptom="keeps_flushing", cause="flush_valve_worn", action="replace_flush_valve",
        component="flush_valve",
    )  # fmt: skip
    return tid


def _build(desk: ServiceDesk, clock: ManualClock) -> World:
    register(desk, make_world())
    desk.register_customer(
        MANAGER,
        Customer(
            CustomerId("cust-bj"), "刘洋", Contact("刘洋", phone=BJ_PHONE, address="北京市朝阳区建国路 9 号"),
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
    t = {
        "sh": _repair(desk, clock, "cust-zh", "asset-1", dealer_id="dealer-sh"),
        "bj": _repair(desk, clock, "cust-bj", "unit-bj", dealer_id="dealer-bj"),
        "x": _repair(desk, clock, "cust-bj", None, dealer_id="dealer-sh"),
        "eng": _repair(desk, clock, "cust-en", None, engineer_id="eng-jr"),
    }
    ids: dict[str, str] = {}
    # One batch (B2025-07), one cause, two units of two dealers' customers: a batch quality incident.
    (incident,) = desk.quality_incidents.incidents(MANAGER)
    ids["incident"] = incident.id
    linked = desk.open_ticket(AGENT, customer_id="cust-bj", description="冲水声异常", asset_id="unit-bj")
    ids["linked"] = linked.ticket.id
    desk.quality_incidents.link_tickets(MANAGER, incident.id, [ids["linked"]])
    desk.quality_incidents.confirm(MANAGER, incident.id)
    desk.quality_incidents.apply_remedy(MANAGER, incident.id, kind="warranty_extension", extend_by=12)
    line = ChargeLine(ChargeKind.LABOUR, "repair_visit", Money("91", "CNY"))
    ids["slip_bj"] = desk.fees.issue_slip(BJ, t["bj"], lines=[line], invoice=InvoiceWish.LATER).id
    ids["invoice_bj"] = desk.fees.request_invoice(BJ, "cust-bj", slip_ids=[ids["slip_bj"]], title="刘洋").id
    request = desk.materials.request(
        BJ, t["bj"], party=PartyRef.dealer("dealer-bj"), lines=[MaterialsLine("WN-FV-01", 1)], urgent=True
    )
    ids["request_bj"] = request.id
    for step in (desk.materials.check, desk.materials.pick, desk.materials.ship):
        step(AGENT, request.id)
        if step == desk.materials.check:
            desk.materials.approve(MANAGER, request.id)
    ids["return_bj"] = desk.materials.register_return(AGENT, request_id=request.id, part="WN-FV-01").id
    photo = b"\xff\xd8\xff\xe0" + b"\x00" * 200
    done = desk.attachments.attach(BJ, t["bj"], kind="photo", name="现场.jpg", content=photo)
    ids["attachment_bj"] = done.ticket.attachments[0].id
    customer = Actor.customer("cust-bj")
    complaint = desk.complaints.open_complaint(customer, "cust-bj", "上门太慢", about=[t["bj"]])
    ids["complaint_bj"] = complaint.ticket.id
    rules = SamplingRules(sample_size=10, served_within_days=None)
    desk.surveys.start(MANAGER, campaign_id="q1", period="2026-Q1", rules=rules)
    return World(desk, clock, t, ids)


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path, "matrix.db"))
        clock = ManualClock(START)
        desk = stack.enter_context(
            ServiceDesk.open(
                url,
                pack="sanitary_ware",
                clock=clock,
                staff=STAFF,
                attachments=MemoryAttachmentStore(),
                overrides={"fees": priced_fees("sanitary_ware", {"WN-FV-01": ("30.00", "45.00")})},
            )
        )
        yield _build(desk, clock)


def _outcome(read: Callable[..., object], *args: object) -> tuple[str, str]:
    """How ``read(*args)`` ended: ``("answered", "")`` or the typed error's class name and text."""
    try:
        read(*args)
    except AftersalesError as error:
        return type(error).__name__, str(error)
    return "answered", ""


# -- 1. by id: out of scope is as unknown ----------------------------------------------------------------

UNKNOWN = "ZZ-2026-999999"
ById = Callable[[ServiceDesk, Actor, str], object]
BY_ID: dict[str, tuple[str, ById]] = {
    "desk.ticket": ("ticket", lambda d, a, i: d.ticket(a, i)),
    "desk.progress": ("ticket", lambda d, a, i: d.progress(a, i)),
    "desk.sla": ("ticket", lambda d, a, i: d.sla(a, i)),
    "charges.sheet": ("ticket", lambda d, a, i: d.charges.sheet(a, i)),
    "fees.slips_of": ("ticket", lambda d, a, i: d.fees.slips_of(a, i)),
    "callbacks.records": ("ticket", lambda d, a, i: d.callbacks.records(a, i)),
    "attachments.list": ("ticket", lambda d, a, i: d.attachments.list(a, i)),
    "teams.ticket_team": ("ticket", lambda d, a, i: d.teams.ticket_team(a, i)),
    "fees.slip": ("slip_bj", lambda d, a, i: d.fees.slip(a, i)),
    "fees.invoice": ("invoice_bj", lambda d, a, i: d.fees.invoice(a, i)),
    "materials.materials_request": ("request_bj", lambda d, a, i: d.materials.materials_request(a, i)),
    "materials.part_return": ("return_bj", lambda d, a, i: d.materials.part_return(a, i)),
    "complaints.complaint_file": ("complaint_bj", lambda d, a, i: d.complaints.complaint_file(a, i)),
    "quality_incidents.incident": ("incident", lambda d, a, i: d.quality_incidents.incident(a, i)),
    "quality_incidents.units": ("incident", lambda d, a, i: d.quality_incidents.units(a, i)),
}
"""Reads that name one record: which record of the world, and the read."""


def test_a_record_outside_the_readers_scope_is_refused_as_an_unknown_id_is(world: World) -> None:
    # For every read by id x actor x record it does not answer: the same error, word for word (the ids
    # swapped), as for an id that does not exist. Before: another customer's invoice was "fee_slip
    # 'FS-…' not found" (it exists, and here is its slip), a parts request "materials request …" (not
    # "materials_request …"), a part return PermissionDenied naming the dealer's ledger.
    desk = world.desk
    failures = []
    for read_name, (record, read) in BY_ID.items():
        targets = world.tickets if record == "ticket" else {record: world.ids[record]}
        for who, actor in ACTORS.items():
            for name, real in targets.items():
                got = _outcome(read, desk, actor, real)
                if got[0] == "answered":
                    continue
                unknown = _outcome(read, desk, actor, UNKNOWN)
                if (got[0], got[1].replace(real, UNKNOWN)) != unknown:
                    failures.append(f"{read_name} of {name} as {who}: {got} but unknown: {unknown}")
    assert failures == []


def _open(desk: ServiceDesk, actor: Actor, ticket_id: str, attachment_id: str) -> None:
    desk.attachments.open(actor, ticket_id, attachment_id)[1].close()


def test_attachments_open_names_no_attachment_of_a_ticket_out_of_scope(world: World) -> None:
    desk, bj, attachment = world.desk, world.tickets["bj"], world.ids["attachment_bj"]
    for who, actor in ACTORS.items():
        got = _outcome(_open, desk, actor, bj, attachment)
        if "bj" in READS_BY_ID[who]:
            assert got == ("answered", ""), who
        else:
            assert got == _outcome(_open, desk, actor, bj, "att-unknown"), who
            assert got[0] == "NotFound" and attachment not in got[1], who


# -- 2. who reads which ticket, and what every list shows ------------------------------------------------


def test_each_actor_reads_by_id_exactly_the_tickets_the_table_grants(world: World) -> None:
    desk = world.desk
    for who, actor in ACTORS.items():
        readable = {n for n, t in world.tickets.items() if _outcome(desk.ticket, actor, t)[0] == "answered"}
        assert readable == READS_BY_ID[who], who
        records = (desk.charges.sheet, desk.fees.slips_of, desk.callbacks.records, desk.attachments.list)
        for n, tid in world.tickets.items():  # the ticket's own records answer where the ticket does
            for read in records:
                assert (_outcome(read, actor, tid)[0] == "answered") == (n in readable), (who, n, read)


def _single_role(actor: Actor) -> bool:
    return not actor.extra_roles


def test_every_list_shows_and_counts_only_the_readers_tickets(world: World) -> None:
    # The ledger, its rows, its count, search (by words, by another customer's phone) and the export:
    # each shows the tickets the table lists for the actor and counts no other.
    desk = world.desk
    names = {tid: n for n, tid in world.tickets.items()}
    extra = {world.ids["linked"], world.ids["complaint_bj"]}  # further Beijing tickets, listed to BJ readers

    def shown(ids: object) -> set[str]:
        return {names[i] for i in ids if i in names}  # type: ignore[attr-defined]

    for who, actor in ACTORS.items():
        if not _single_role(actor):  # two narrow roles cannot be listed at once (PermissionDenied)
            with pytest.raises(PermissionDenied):
                desk.ledger(actor)
            continue
        ledger = [v.id for v in desk.ledger(actor).items]
        rows = [r.id for r in desk.ticket_rows(actor).items]
        assert shown(ledger) == LISTS[who] == shown(rows), who
        assert desk.count(actor) == len(ledger) == len(rows), who
        assert set(ledger) <= set(world.tickets.values()) | extra, who
        assert shown(v.id for v in desk.search(actor, "马桶").items) == LISTS[who], who
        by_phone = shown(v.id for v in desk.search(actor, BJ_PHONE).items)
        assert by_phone == LISTS[who] & {"bj", "x"}, who
        export = desk.export_ledger(actor)
        assert {n for n, tid in world.tickets.items() if tid in export} == LISTS[who], who


# -- 3. the side channels: parts of records, counts ------------------------------------------------------


def test_a_dealer_reads_its_part_of_the_incident_and_no_other_dealers_unit_or_ticket(world: World) -> None:
    # The incident reached the Shanghai customer's unit (asset-1) and the Beijing customer's (unit-bj); a
    # Beijing ticket was linked and a warranty extension reached every unit of the batch. Each dealer reads
    # how far it reached (2 units of 2) and its own unit, ticket and the remedy's steps, but no other
    # dealer's unit or ticket, in any field or step. Before: unit_ids listed both units, the link step
    # named the Beijing ticket and the remedy steps every unit of the batch.
    qi, incident = world.desk.quality_incidents, world.ids["incident"]
    whole = qi.incident(MANAGER, incident)
    assert sorted(whole.unit_ids) == ["asset-1", "unit-bj"] and whole.affected == 2
    theirs = {
        "dealer sh": ({"asset-1"}, {world.tickets["sh"]}),
        "dealer bj": ({"unit-bj"}, {world.tickets["bj"], world.ids["linked"]}),
    }
    others = {"asset-1", "unit-bj", world.tickets["sh"], world.tickets["bj"], world.ids["linked"]}
    for who, (units, tickets) in theirs.items():
        actor = ACTORS[who]
        for seen in (qi.incident(actor, incident), *qi.incidents(actor)):
            assert set(seen.unit_ids) == units, who
            assert set(seen.ticket_ids) == tickets, who
            assert (seen.affected, seen.batch_size) == (2, 2), who
            assert [e.action for e in seen.events] == [e.action for e in whole.events], who
            text = to_json(seen)
            assert [i for i in others - units - tickets if i in text] == [], who
        assert {u.asset_id for u in qi.units(actor, incident)} == units, who
    assert qi.incident(AGENT, incident) == whole  # the office reads it whole


def test_a_dealer_reads_the_survey_campaign_with_its_own_sampled_count(world: World) -> None:
    # Three customers sampled: two of Shanghai, one of Beijing. Before, each dealer's staff read the
    # market's count (3) beside its own region's scores.
    surveys = world.desk.surveys
    assert surveys.results(MANAGER, "q1").campaign.sampled == 3
    for actor, count in ((SH, 2), (BJ, 1)):
        results = surveys.results(actor, "q1")
        assert results.campaign.sampled == results.total.sampled == len(surveys.tasks(actor, "q1")) == count


def test_the_money_reads_answer_the_office_whole_and_each_dealer_its_own(world: World) -> None:
    # The month's revenue and money (heads, auditors, dealer staff: 乙方 reports its own), the budget
    # report (the office and auditors): refused to the others before any figure is read, and a dealer's
    # staff never reads the other dealer's slip.
    from aftersales.reports import scoped_budget_report, scoped_month_money

    desk, slip = world.desk, world.ids["slip_bj"]
    money_readers = {"manager", "auditor", "dealer sh", "dealer bj"} | {w for w in ACTORS if "and" in w}
    for who, actor in ACTORS.items():
        revenue = _outcome(desk.fees.monthly_revenue, actor, "2026-03")
        month = _outcome(scoped_month_money, desk, actor, "2026-03")
        budget = _outcome(scoped_budget_report, desk, actor, "2026-03")
        assert revenue[0] == month[0] == ("answered" if who in money_readers else "PermissionDenied"), who
        assert budget[0] == ("answered" if who in OFFICE else "PermissionDenied"), who
    assert slip not in to_json(desk.fees.monthly_revenue(SH, "2026-03"))
    assert scoped_month_money(desk, SH, "2026-03").income == Money(0, "CNY")
    assert slip in to_json(desk.fees.monthly_revenue(BJ, "2026-03"))
    assert scoped_month_money(desk, BJ, "2026-03").income == Money("91", "CNY")


# -- 4. writes: refused with a typed error, nothing changed ----------------------------------------------


def _state(world: World) -> list[str]:
    desk = world.desk
    with desk.store() as uow:
        docs = [
            repr(sorted(map(repr, uow.documents.query(kind))))
            for kind in (FeeSlip, InvoiceRecord, MaterialsRequest, DealerMonthlyReport)
        ]
    tickets = [to_json(desk.ticket(MANAGER, tid)) for tid in world.tickets.values()]
    return tickets + docs


Write = Callable[[World, Actor], object]
LINE = ChargeLine(ChargeKind.LABOUR, "repair_visit", Money("80", "CNY"))
WRITES_ON_BJ: dict[str, Write] = {
    "tag": lambda w, a: w.desk.tag(a, w.tickets["bj"], add=["抽查"]),
    "note_to_customer": lambda w, a: w.desk.note_to_customer(a, w.tickets["bj"], text="内部", visible=False),
    "attach": lambda w, a: w.desk.attachments.attach(
        a, w.tickets["bj"], kind="photo", name="p.jpg", content=b"\xff\xd8\xff\xe0" + b"\x01" * 99
    ),
    "attachments.remove": lambda w, a: w.desk.attachments.remove(a, w.tickets["bj"], w.ids["attachment_bj"]),
    "fees.issue_slip": lambda w, a: w.desk.fees.issue_slip(a, w.tickets["bj"], lines=[LINE]),
    "fees.record_payment": lambda w, a: w.desk.fees.record_payment(a, w.ids["slip_bj"], Money("91", "CNY")),
    "fees.cancel_slip": lambda w, a: w.desk.fees.cancel_slip(a, w.ids["slip_bj"], "写错了"),
    "callbacks.schedule": lambda w, a: w.desk.callbacks.schedule(a, w.tickets["bj"]),
    "materials.request": lambda w, a: w.desk.materials.request(
        a, w.tickets["bj"], party=PartyRef.dealer("dealer-bj"), lines=[MaterialsLine("WN-FV-01", 1)]
    ),
    "materials.cancel": lambda w, a: w.desk.materials.cancel(a, w.ids["request_bj"], reason="不要了"),
    "charges.assess": lambda w, a: w.desk.charges.assess(a, w.tickets["bj"]),
    "resolve": lambda w, a: w.desk.resolve(a, w.tickets["bj"], summary="已修好"),
    "cancel": lambda w, a: w.desk.cancel(a, w.tickets["bj"], reason="不修了"),
    "reports.submit_dealer_report": lambda w, a: w.desk.reports.submit_dealer_report(
        a, "dealer-bj", "2026-02", installations=3, repairs=9
    ),
}
"""Writes on the Beijing dealer's customer's ticket (or its records, or the Beijing dealer's report)."""
OUTSIDERS = {
    "customer zh": Actor.customer("cust-zh"),
    "customer en": Actor.customer("cust-en"),
    "dealer sh": SH,
    "engineer jr (assigned elsewhere)": Actor.engineer("eng-jr", team="team-east"),
    "engineer x": Actor.engineer("eng-x", team="team-west"),
    "auditor": Actor.auditor("audit-1"),
    "privacy officer": Actor.privacy_officer("po-1"),
    "Shanghai staff and customer zh": attrs.evolve(SH, customer_id=CustomerId("cust-zh")).with_roles(
        Role.CUSTOMER
    ),
    "customer zh and Shanghai staff": attrs.evolve(
        Actor.customer("cust-zh"), dealer_id=DealerId("dealer-sh"), regions=frozenset({"SH"})
    ).with_roles(Role.DEALER_STAFF),
}
"""Actors who may not touch the Beijing ticket, its records or the Beijing dealer's report."""


def test_a_write_outside_the_writers_role_or_scope_is_refused_and_changes_nothing(world: World) -> None:
    failures = []
    for name, write in WRITES_ON_BJ.items():
        for who, actor in OUTSIDERS.items():
            before = _state(world)
            got = _outcome(write, world, actor)
            if got[0] not in ("NotFound", "PermissionDenied") or _state(world) != before:
                failures.append(f"{name} as {who}: {got}")
    assert failures == []


def test_a_dealers_monthly_report_is_its_own_staffs_whatever_their_primary_role(world: World) -> None:
    # Seed 002 (乙方必须每月…统计并报至甲方): the Beijing staff member who is also a Shanghai customer —
    # customer first or staff first — submits the Beijing dealer's report, never the Shanghai dealer's.
    # Before, with the customer role first, the check looked at the primary role only and let it through.
    reports = world.desk.reports
    for actor in (BJ_STAFF_AND_ZH, ZH_AND_BJ_STAFF):
        before = _state(world)
        with pytest.raises(PermissionDenied):
            reports.submit_dealer_report(actor, "dealer-sh", "2026-02", installations=1, repairs=99)
        assert _state(world) == before
        own = reports.submit_dealer_report(actor, "dealer-bj", "2026-02", installations=1, repairs=2)
        assert own.repairs == 2
    office = reports.submit_dealer_report(MANAGER, "dealer-sh", "2026-02", installations=1, repairs=1)
    assert office.repairs == 1


def test_a_replayed_key_is_no_way_back_to_a_record_out_of_scope(world: World) -> None:
    # A keyed command replayed returns its first result with the record as it now stands. An engineer the
    # ticket was reassigned from (another team) and a dealer the call moved away from may no longer read
    # it: the replay is NotFound like a read. Before, the replay handed them the current ticket (a later
    # internal note included), the current slip and the current parts request.
    desk, clock = world.desk, world.clock
    desk.register_engineer(
        MANAGER, Engineer(EngineerId("eng-x"), "外援", EngineerLevel.SENIOR, frozenset({"plumbing"}), "SH")
    )
    outsider = Actor.engineer("eng-x", team="team-west")
    tid = desk.open_ticket(AGENT, customer_id="cust-zh", description="水箱漏水").ticket.id
    desk.triage(AGENT, tid, nature="flush_valve_leak", severity=Severity.MEDIUM)
    desk.dispatch(AGENT, tid, engineer_id="eng-x")
    assert not desk.start_work(outsider, tid, idempotency_key="k-start").replayed
    assert desk.start_work(outsider, tid, idempotency_key="k-start").replayed  # still its ticket
    x = world.tickets["x"]  # the Beijing customer's call the maker passed to the Shanghai dealer
    slip = desk.fees.issue_slip(SH, x, lines=[LINE], idempotency_key="k-slip")
    part, sh = [MaterialsLine("WN-FV-01", 1)], PartyRef.dealer("dealer-sh")
    request = desk.materials.request(SH, x, party=sh, lines=part, idempotency_key="k-req")
    clock.advance(timedelta(minutes=5))
    desk.dispatch(MANAGER, tid, engineer_id="eng-jr", reason="换人")
    desk.note_to_customer(AGENT, tid, text="客户脾气急", visible=False)
    desk.dispatch(MANAGER, x, dealer_id="dealer-bj", reason="本区域经销商接手")
    replays: list[Callable[[], object]] = [
        lambda: desk.start_work(outsider, tid, idempotency_key="k-start"),
        lambda: desk.fees.issue_slip(SH, x, lines=[LINE], idempotency_key="k-slip"),
        lambda: desk.materials.request(SH, x, party=sh, lines=part, idempotency_key="k-req"),
    ]
    for replay in replays:
        before = _state(world)
        with pytest.raises(NotFound):
            replay()
        assert _state(world) == before
    assert desk.fees.slip(BJ, slip.id).id == slip.id  # the call's own dealer reads them
    assert desk.materials.materials_request(BJ, request.id).id == request.id


def test_a_customer_takes_back_its_own_attachment_not_the_services_record(world: World) -> None:
    # The table lets a customer attach to and detach from its ticket. Before, that let the Beijing customer
    # delete the dealer's photo of the job (its written report likewise): the record of the repair the
    # customer confirms and the maker files (seed 002: 维修记录…经客户确认后汇总至甲方处备案).
    desk, bj = world.desk, world.tickets["bj"]
    customer = Actor.customer("cust-bj")
    staffs = world.ids["attachment_bj"]
    before = _state(world)
    for remove in (
        lambda: desk.attachments.remove(customer, bj, staffs),
        lambda: desk.attachments.remove_all(customer, bj, reason="不想留"),
    ):
        with pytest.raises(PermissionDenied):
            remove()
        assert _state(world) == before
        assert [a.id for a in desk.attachments.list(customer, bj)] == [staffs]
    photo = b"\xff\xd8\xff\xe0" + b"\x02" * 99
    mine = desk.attachments.attach(customer, bj, kind="photo", name="我拍的.jpg", content=photo)
    own = mine.ticket.attachments[-1].id
    desk.attachments.remove(customer, bj, own)
    assert [a.id for a in desk.attachments.list(customer, bj)] == [staffs]
    desk.attachments.remove(BJ, bj, staffs, reason="传错了")  # the dealer's staff remove their own
    assert desk.attachments.list(customer, bj) == ()


def test_send_requested_neither_reads_nor_resends_an_invoice_out_of_the_callers_hand(world: World) -> None:
    # desk.fees.send_requested is public (the charges desk calls it after its commit). Before, it took the
    # slip and the invoice request the caller handed it at their word: the Shanghai customer, handing a
    # copy of the Beijing customer's slip and request, had the request sent to finance again and read the
    # slip back from the store; and a request finance had answered went again (a second invoice).
    desk = world.desk
    fees = desk.fees
    record = fees.invoice(MANAGER, world.ids["invoice_bj"])
    slip = fees.slip(MANAGER, world.ids["slip_bj"])
    assert slip.invoice_id == record.id and record.state.value == "failed"  # no finance system: answered
    before = _state(world)
    with pytest.raises(NotFound):
        fees.send_requested(Actor.customer("cust-zh"), slip, record)
    assert _state(world) == before
    assert fees.send_requested(BJ, slip, record).id == slip.id  # its own: read back, not sent again
    assert _state(world) == before
    assert fees.invoice(MANAGER, record.id).version == record.version


def test_an_engineer_puts_parts_on_its_own_ledger_or_the_jobs_dealer_not_on_anothers(world: World) -> None:
    # A parts request names who owes the old part back and pays for what it keeps (seed 002 退料: 若在规定
    # 时间内未退料…收取相关费用). Dealer staff could file only for their own dealer; an engineer filed
    # for anyone: the maker's engineer on the Shanghai dealer's job put parts on the Beijing dealer's
    # ledger, or on a colleague's. Now it files for itself or the dealer whose job the ticket is.
    desk, eng = world.desk, world.tickets["eng"]  # the Shanghai customer's repair, eng-jr's
    engineer, line = ACTORS["engineer jr (assigned)"], [MaterialsLine("WN-FV-01", 1)]
    for party in (PartyRef.dealer("dealer-bj"), PartyRef.engineer("eng-sr")):
        before = _state(world)
        with pytest.raises(PermissionDenied):
            desk.materials.request(engineer, eng, party=party, lines=line)
        assert _state(world) == before
    for party in (PartyRef.engineer("eng-jr"), PartyRef.dealer("dealer-sh")):
        assert desk.materials.request(engineer, eng, party=party, lines=line).party == party
    fitter = Actor.engineer("eng-dealer-sh")  # the Shanghai dealer's own fitter, on a job passed to it
    desk.dispatch(MANAGER, eng, engineer_id="eng-dealer-sh", reason="经销商师傅上门")
    own_dealer = PartyRef.dealer("dealer-sh")
    assert desk.materials.request(fitter, eng, party=own_dealer, lines=line).party == own_dealer


def test_a_second_dealer_of_the_region_calls_back_on_the_first_dealers_job_and_does_nothing_else(
    world: World,
) -> None:
    # Seed 002: each dealer serves what it sold (乙方负责所售产品的全过程服务) and helps with the callbacks
    # of its region (乙方有义务配合甲方对本区域的用户进行回访). A second Shanghai dealer reads the Shanghai
    # dealer's job, as before, and makes its callbacks; it no longer resolves it, tags it, writes on it,
    # files parts on it, charges on it or cancels the first dealer's slip (before: all of them went through).
    from aftersales.domain.parties import Dealer

    desk, sh = world.desk, world.tickets["sh"]
    desk.register_dealer(MANAGER, Dealer(DealerId("dealer-sh2"), "上海二号经销商", "SH", frozenset({"SH"})))
    second = Actor.dealer_staff("sh2-staff-1", "dealer-sh2", {"SH"})
    slip = desk.fees.issue_slip(SH, sh, lines=[LINE])
    assert desk.ticket(second, sh).id == sh  # reads its region's ticket
    refused: dict[str, Callable[[], object]] = {
        "tag": lambda: desk.tag(second, sh, add=["抢单"]),
        "note_to_customer": lambda: desk.note_to_customer(second, sh, text="我们来修", visible=True),
        "resolve": lambda: desk.resolve(second, sh, summary="已修好"),
        "fees.issue_slip": lambda: desk.fees.issue_slip(second, sh, lines=[LINE]),
        "fees.cancel_slip": lambda: desk.fees.cancel_slip(second, slip.id, "不算"),
        "charges.assess": lambda: desk.charges.assess(second, sh),
        "materials.request": lambda: desk.materials.request(
            second, sh, party=PartyRef.dealer("dealer-sh2"), lines=[MaterialsLine("WN-FV-01", 1)]
        ),
    }
    for name, write in refused.items():
        before = _state(world)
        with pytest.raises(PermissionDenied):
            write()
        assert _state(world) == before, name
    desk.resolve(SH, sh, summary="换了进水阀")  # its own dealer resolves it; the customer confirms
    desk.confirm(Actor.customer("cust-zh"), sh)
    assert desk.callbacks.schedule(second, sh).events[-1].action == "schedule_callback"
    desk.contact_customer(second, sh, note="回访：问问用得怎么样")
    done = desk.record_callback(second, sh, problem_back=False, satisfaction=5)
    assert done.events[0].action == "record_callback"
    # The call the maker passed to the Shanghai dealer is its job, though the customer is Beijing's.
    assert desk.tag(SH, world.tickets["x"], add=["转派"]).ticket.id == world.tickets["x"]
