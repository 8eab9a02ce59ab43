"""A complaint about a batch quality incident is a major complaint (seed 004 第七条 5(2)), on memory,
SQLite and PostgreSQL.

Seed 004 第七条 5: 重大投诉 … (2) 批量质量事故:是指同一批次的产品由于设计、生产不当造成工程完工后出现的
同一质量问题在5%以上的. The desk's one detector raises the batch's incident when the fault records reach
the pack's share; before, a complaint about a service ticket of that incident (the same problem on a
unit of the batch) stayed *general* — whether it was opened before the incident was raised, after it,
or linked to such a ticket later — so the complaint log's major complaints, the major complaint's
satisfaction survey and the centre's view of its serious complaints all missed it. Now the complaint is
classified major with the incident's figures, in the command that raises the incident, joins a unit to
it, opens the complaint or links the ticket. The incident itself was escalated to the centre and the
general manager when it was raised: the complaint does not alarm them a second time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.domain.classification import Severity
from aftersales.domain.complaints import ComplaintSeverity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, EngineerId, ProductId
from aftersales.domain.parties import Customer, Engineer
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.errors import ValidationError
from aftersales.service.actors import Actor
from aftersales.service.complaint_desk import ComplaintLogFilter
from aftersales.service.desk import ServiceDesk
from conftest import START, store_url

BACKENDS = ["memory", "sqlite", "postgres"]
AGENT = Actor.agent("a1")
MANAGER = Actor.manager("m1")
ENGINEER = Actor.engineer("e1")
GM_MAIL = "gm@example.cn"
STAFF = {
    Role.MANAGER: [Contact("客服中心主任", email="centre@example.cn", locale="zh_Hans")],
    Role.GENERAL_MANAGER: [Contact("总经理", email=GM_MAIL, locale="zh_Hans")],
}
BATCH_SIZE = 40
"""One production batch of 40 units: 2 units with the same problem are 5 % (以上 includes it)."""


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[ServiceDesk]:
    with (
        store_url(backend, tmp_path, "incident.db") as url,
        ServiceDesk.open(
            url, pack="service_centre", clock=ManualClock(START), notifier=MemoryNotifier(), staff=STAFF
        ) as desk,
    ):
        desk.register_product(
            MANAGER, Product(ProductId("P-1"), "WC-9", "连体马桶", "toilet", (WarrantyTerm(12),))
        )
        desk.register_engineer(MANAGER, Engineer(EngineerId("e1"), "赵工"))
        for n in range(4):
            contact = Contact(f"客户{n}", phone=f"1380000000{n}", address=f"合肥市蜀山区 {n} 号")
            desk.register_customer(MANAGER, Customer(CustomerId(f"c{n}"), f"客户{n}", contact))
        for n in range(BATCH_SIZE):
            desk.register_asset(
                MANAGER,
                Asset(
                    AssetId(f"A-{n:02d}"), ProductId("P-1"), f"SN-{n:02d}", CustomerId(f"c{n % 4}"),
                    batch="B-9", purchase_date=date(2025, 6, 1),
                ),
            )  # fmt: skip
        yield desk


def _repair(desk: ServiceDesk, unit: int, cause: str | None = "seal_defect") -> str:
    """A repair call on unit ``unit`` (its owner's), worked by the engineer; the fault recorded unless
    ``cause`` is ``None``."""
    customer = f"c{unit % 4}"
    tid = desk.open_ticket(
        AGENT, customer_id=customer, description="漏水", asset_id=f"A-{unit:02d}"
    ).ticket.id
    desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM)
    desk.dispatch(AGENT, tid, engineer_id="e1")
    desk.start_work(ENGINEER, tid)
    if cause is not None:
        _fault(desk, tid, cause)
    return tid


def _fault(desk: ServiceDesk, tid: str, cause: str = "seal_defect") -> None:
    clock = desk.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(minutes=10))
    desk.add_fault_record(ENGINEER, tid, symptom="leak", cause=cause, action="replace_seal")


def _complain(desk: ServiceDesk, unit: int, about: str) -> str:
    opened = desk.complaints.open_complaint(AGENT, f"c{unit % 4}", "三天两头漏水，要求退货", [about])
    return str(opened.ticket.id)


def _sent_to(desk: ServiceDesk, address: str) -> int:
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    return len(notifier.to(address))


@pytest.mark.parametrize("backend", BACKENDS)
def test_complaints_about_the_incidents_tickets_become_major_when_it_is_raised(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as desk:
        first = _repair(desk, 0)
        early = _complain(desk, 0, first)  # before the incident: one unit is that unit's problem
        other = _complain(desk, 2, _repair(desk, 2, cause="glaze_crack"))  # the same batch, another problem
        assert desk.complaints.complaint_file(MANAGER, early).severity is ComplaintSeverity.GENERAL
        before = _sent_to(desk, GM_MAIL)

        second = _repair(desk, 1)  # 2 of 40 with seal_defect: 5 % — the incident is raised
        (incident,) = desk.quality_incidents.incidents(MANAGER)
        assert sorted(incident.ticket_ids) == sorted([first, second])
        file = desk.complaints.complaint_file(MANAGER, early)
        assert file.severity is ComplaintSeverity.MAJOR
        assert file.batch_incident is not None
        assert (file.batch_incident.batch, file.batch_incident.cause) == ("B-9", "seal_defect")
        assert (file.batch_incident.affected, file.batch_incident.batch_size) == (2, BATCH_SIZE)
        assert "batch_incident" in [r.code for r in file.severity_reasons]
        assert desk.ticket(MANAGER, early).events[-1].action == "classify"
        # the general manager heard of the incident once; the complaint does not alarm them again
        assert _sent_to(desk, GM_MAIL) == before + 1
        assert file.escalations == []
        # a complaint about another problem of the batch is still general
        assert desk.complaints.complaint_file(MANAGER, other).severity is ComplaintSeverity.GENERAL

        # after the incident: a complaint about a ticket with its problem is major at once
        late = _complain(desk, 1, second)
        assert desk.complaints.complaint_file(MANAGER, late).severity is ComplaintSeverity.MAJOR

        # a unit whose ticket a complaint is about joins the incident later: the complaint is major then
        third = _repair(desk, 3, cause=None)
        joined = _complain(desk, 3, third)
        assert desk.complaints.complaint_file(MANAGER, joined).severity is ComplaintSeverity.GENERAL
        _fault(desk, third)
        assert desk.complaints.complaint_file(MANAGER, joined).severity is ComplaintSeverity.MAJOR
        assert desk.complaints.complaint_file(MANAGER, joined).batch_incident.affected == 3  # type: ignore[union-attr]

        # a complaint linked later to a ticket of the incident
        linked = desk.complaints.open_complaint(AGENT, "c0", "客服态度差").ticket.id
        assert desk.complaints.complaint_file(MANAGER, linked).severity is ComplaintSeverity.GENERAL
        desk.complaints.link_tickets(AGENT, linked, [first])
        assert desk.complaints.complaint_file(MANAGER, linked).severity is ComplaintSeverity.MAJOR

        # the complaint log's major complaints are these four
        major = desk.complaints.complaint_log(MANAGER, ComplaintLogFilter(severity=ComplaintSeverity.MAJOR))
        assert sorted(e.complaint_id for e in major) == sorted([early, late, joined, linked])
        assert _sent_to(desk, GM_MAIL) == before + 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_major_complaint_of_the_incident_is_owed_its_survey(backend: str, tmp_path: Path) -> None:
    """Major by the incident, the complaint's callback asks for the satisfaction survey (seed 001:
    对于重大售后问题…进行客户满意度调查; ``[callback] survey_major_complaints``), and the handler may not
    leave the callback to the host."""
    with _desk(backend, tmp_path) as desk:
        first = _repair(desk, 0)
        _repair(desk, 4)  # the incident: units 0 and 4
        cid = _complain(desk, 0, first)
        desk.complaints.investigate(MANAGER, cid)
        # Major: the solution is the general manager's instruction (seed 004 第八条 2(4), session 33).
        desk.complaints.propose_solution(
            Actor.general_manager("gm1"), cid, solution="免费更换密封件并延保一年"
        )
        desk.complaints.agree_solution(MANAGER, cid)
        with pytest.raises(ValidationError) as refused:
            desk.complaints.give_feedback(MANAGER, cid, outcome="已更换", schedule_callback=False)
        assert refused.value.field == "schedule_callback"
        given = desk.complaints.give_feedback(MANAGER, cid, outcome="已更换")
        (task,) = desk.callbacks.pending(MANAGER)
        assert task.ticket_id == cid and task.survey is True
        assert given.ticket.state == "feedback_given"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_dismissed_incident_makes_no_complaint_major(backend: str, tmp_path: Path) -> None:
    """The office dismisses a detected incident (not a batch problem after all): a complaint opened
    about one of its tickets afterwards is judged on its own facts, general."""
    with _desk(backend, tmp_path) as desk:
        first = _repair(desk, 0)
        _repair(desk, 1)
        (incident,) = desk.quality_incidents.incidents(MANAGER)
        desk.quality_incidents.dismiss(MANAGER, incident.id, reason="安装方错误，非批次问题")
        cid = _complain(desk, 0, first)
        assert desk.complaints.complaint_file(MANAGER, cid).severity is ComplaintSeverity.GENERAL


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_handler_names_only_a_real_incident(backend: str, tmp_path: Path) -> None:
    """Naming the desk's incident spares the general manager a second alarm, so the name must be true:
    an unknown or dismissed incident is refused (nothing written); a real one gives its own figures,
    whatever the handler typed."""
    from aftersales.domain.complaints import BatchIncident

    with _desk(backend, tmp_path) as desk:
        general = desk.complaints.open_complaint(AGENT, "c0", "漏水", asset_id="A-00").ticket.id
        events = len(desk.ticket(MANAGER, general).events)
        gm_before = _sent_to(desk, GM_MAIL)
        forged = BatchIncident(ProductId("P-1"), "B-9", "seal_defect", 40, 40, incident_id="QI-404")
        with pytest.raises(ValidationError) as refused:
            desk.complaints.classify(AGENT, general, batch_incident=forged)
        assert refused.value.field == "batch_incident"
        assert len(desk.ticket(MANAGER, general).events) == events
        # figures without a name are judged and escalated as before
        typed = BatchIncident(ProductId("P-1"), "B-9", "seal_defect", 2, 40)
        desk.complaints.classify(AGENT, general, batch_incident=typed)
        file = desk.complaints.complaint_file(MANAGER, general)
        assert file.severity is ComplaintSeverity.MAJOR and len(file.escalations) == 1
        assert _sent_to(desk, GM_MAIL) == gm_before + 1

        first = _repair(desk, 0)
        _repair(desk, 1)
        (incident,) = desk.quality_incidents.incidents(MANAGER)
        other = desk.complaints.open_complaint(AGENT, "c1", "漏水", asset_id="A-01").ticket.id
        named = BatchIncident(ProductId("P-1"), "B-9", "seal_defect", 40, 40, incident_id=incident.id)
        desk.complaints.classify(AGENT, other, batch_incident=named)
        file = desk.complaints.complaint_file(MANAGER, other)
        assert file.batch_incident is not None and file.batch_incident.affected == 2  # the incident's
        assert file.severity is ComplaintSeverity.MAJOR and file.escalations == []

        desk.quality_incidents.dismiss(MANAGER, incident.id, reason="误报")
        late = desk.complaints.open_complaint(AGENT, "c0", "漏水", [first]).ticket.id
        with pytest.raises(ValidationError):
            desk.complaints.classify(AGENT, late, batch_incident=named)
        assert desk.complaints.complaint_file(MANAGER, late).severity is ComplaintSeverity.GENERAL


def _imported(n: int) -> object:
    """A repair of unit ``n`` from the old system, its fault (seal_defect) recorded at triage by phone."""
    from aftersales.domain.actors import ActorRef
    from aftersales.domain.classification import Category, Channel, Priority
    from aftersales.domain.ids import TicketId
    from aftersales.domain.ticket import Ticket
    from aftersales.domain.work import Assessment, FaultRecord

    at = START - timedelta(days=30 - n)
    agent = ActorRef("a1", Role.AGENT)
    ticket = Ticket.open(
        id=TicketId(f"OLD-{n:02d}"), customer_id=CustomerId(f"c{n % 4}"), channel=Channel.PHONE,
        category=Category.REPAIR, description="漏水", received_at=at, taken_by=agent,
        asset_id=AssetId(f"A-{n:02d}"), product_id=ProductId("P-1"), batch="B-9",
    )  # fmt: skip
    ticket.triage(agent, at + timedelta(minutes=5), Assessment("leak", Severity.MEDIUM), Priority.NORMAL)
    ticket.record_fault(
        agent, at + timedelta(minutes=6), FaultRecord("leak", "seal_defect", "replace_seal", at, agent)
    )
    return ticket


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_incident_raised_from_the_fault_report_makes_its_complaints_major(
    backend: str, tmp_path: Path
) -> None:
    """Imported history is not counted by the detector as it is written; the fault report finds the
    batch incident and ``desk.reports.raise_batch_incidents`` raises it: the complaint already made about
    one of its tickets becomes major in that same command."""
    from aftersales.adapters.reporting import reporting_for
    from aftersales.reports.faults import detect_batch_incidents

    with _desk(backend, tmp_path) as desk:
        desk.import_tickets(Actor.system(), [_imported(0), _imported(1)])  # type: ignore[list-item]
        assert desk.quality_incidents.incidents(MANAGER) == []
        cid = _complain(desk, 0, "OLD-00")
        assert desk.complaints.complaint_file(MANAGER, cid).severity is ComplaintSeverity.GENERAL
        found = detect_batch_incidents(
            reporting_for(desk.store), START + timedelta(days=1), params=desk.policies.complaint.params
        )  # type: ignore[arg-type]
        (raised,) = desk.reports.raise_batch_incidents(MANAGER, found)
        file = desk.complaints.complaint_file(MANAGER, cid)
        assert file.severity is ComplaintSeverity.MAJOR
        assert file.batch_incident is not None and file.batch_incident.incident_id == raised.id


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_about_two_tickets_of_the_incident_is_classified_once(
    backend: str, tmp_path: Path
) -> None:
    """One customer's two units of the batch, one complaint about both repairs: the incident raised by
    the second repair's fault classifies the complaint once (one ``classify`` event), on every store."""
    with _desk(backend, tmp_path) as desk:
        first = _repair(desk, 0)
        second = _repair(desk, 4, cause=None)  # unit 4 is c0's too
        cid = desk.complaints.open_complaint(AGENT, "c0", "两台都漏水", [first, second]).ticket.id
        _fault(desk, second)
        (incident,) = desk.quality_incidents.incidents(MANAGER)
        assert sorted(incident.ticket_ids) == sorted([first, second])
        actions = [e.action for e in desk.ticket(MANAGER, cid).events]
        assert actions.count("classify") == 1
        assert desk.complaints.complaint_file(MANAGER, cid).severity is ComplaintSeverity.MAJOR


@pytest.mark.parametrize("backend", BACKENDS)
def test_faults_the_user_or_the_mains_caused_make_no_batch_incident(backend: str, tmp_path: Path) -> None:
    """第七条 5(2): a batch quality incident is a problem 由于设计、生产不当 — from design or production.
    Before, the detector counted every cause: 2 of 40 units hit by an unstable mains supply (a cause
    seed 002 charges the user for) raised a "quality incident", alarmed the general manager and would
    make their complaints major. Now the pack's ``[complaint] batch_excluded_causes`` (by default the
    five user or outside causes) never count, in the detector and in the fault report alike; a design
    or production cause still does."""
    from aftersales.adapters.reporting import reporting_for
    from aftersales.reports.faults import detect_batch_incidents

    with _desk(backend, tmp_path) as desk:
        gm_before = _sent_to(desk, GM_MAIL)
        first = _repair(desk, 0, cause="unstable_power_supply")
        _repair(desk, 1, cause="unstable_power_supply")
        _repair(desk, 2, cause="misuse_against_manual")
        _repair(desk, 3, cause="misuse_against_manual")
        assert desk.quality_incidents.incidents(MANAGER) == []
        assert _sent_to(desk, GM_MAIL) == gm_before
        cid = _complain(desk, 0, first)
        assert desk.complaints.complaint_file(MANAGER, cid).severity is ComplaintSeverity.GENERAL
        params = desk.policies.complaint.params
        report = detect_batch_incidents(reporting_for(desk.store), START + timedelta(days=1), params=params)  # type: ignore[arg-type]
        assert report == []
        assert desk.reports.raise_batch_incidents(MANAGER, report) == []
        # a production defect on two units is one
        _repair(desk, 5, cause="glaze_crack")
        _repair(desk, 6, cause="glaze_crack")
        (incident,) = desk.quality_incidents.incidents(MANAGER)
        assert incident.value == "glaze_crack"


def test_the_excluded_causes_are_the_packs_to_set() -> None:
    """Configuration is used or refused: a malformed cause code is refused; an empty list counts every
    cause (the detector then raises the mains supply's incident)."""
    from aftersales.policies.complaints import ComplaintParams, DefaultComplaintPolicy

    with pytest.raises(ValidationError) as refused:
        ComplaintParams(batch_excluded_causes=("Unstable Power",))
    assert refused.value.field == "batch_excluded_causes"
    assert "unstable_power_supply" in ComplaintParams().batch_excluded_causes
    every = {"complaint": DefaultComplaintPolicy(ComplaintParams(batch_excluded_causes=()))}
    with ServiceDesk.open(
        "memory://",
        pack="service_centre",
        clock=ManualClock(START),
        overrides=every,  # type: ignore[arg-type]
    ) as desk:
        desk.register_product(
            MANAGER, Product(ProductId("P-1"), "WC-9", "连体马桶", "toilet", (WarrantyTerm(12),))
        )
        desk.register_engineer(MANAGER, Engineer(EngineerId("e1"), "赵工"))
        contact = Contact("客户0", phone="13800000000")
        for n in range(4):
            desk.register_customer(MANAGER, Customer(CustomerId(f"c{n}"), f"客户{n}", contact))
        for n in range(BATCH_SIZE):
            desk.register_asset(
                MANAGER,
                Asset(
                    AssetId(f"A-{n:02d}"),
                    ProductId("P-1"),
                    f"SN-{n:02d}",
                    CustomerId(f"c{n % 4}"),
                    batch="B-9",
                ),
            )
        _repair(desk, 0, cause="unstable_power_supply")
        _repair(desk, 1, cause="unstable_power_supply")
        (incident,) = desk.quality_incidents.incidents(MANAGER)
        assert incident.value == "unstable_power_supply"


@pytest.mark.parametrize(
    "line",
    [
        'batch_excluded_causes = "misuse_against_manual"',
        'batch_excluded_causes = ["Misuse"]',
        "batch_excluded_causes = 3",
    ],
)
def test_a_pack_with_nonsense_excluded_causes_is_refused_naming_the_key(tmp_path: Path, line: str) -> None:
    from aftersales.errors import ConfigurationError
    from aftersales.policies.pack import load_pack

    path = tmp_path / "pack.toml"
    path.write_text(f'[pack]\nname = "mine"\n[complaint]\n{line}\n', encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_pack(path)
    assert caught.value.key == "complaint.batch_excluded_causes"


def test_a_pack_sets_its_excluded_causes(tmp_path: Path) -> None:
    from aftersales.policies.complaints import NOT_QUALITY_CAUSES
    from aftersales.policies.pack import load_pack

    path = tmp_path / "pack.toml"
    path.write_text('[pack]\nname = "mine"\n[complaint]\nbatch_excluded_causes = ["transport_damage"]\n')
    assert load_pack(path).parameters["complaint"].batch_excluded_causes == ("transport_damage",)
    with ServiceDesk.open("memory://", pack="service_centre") as desk:
        assert desk.policies.complaint.params.batch_excluded_causes == NOT_QUALITY_CAUSES
