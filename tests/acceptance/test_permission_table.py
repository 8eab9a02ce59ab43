# mypy: disable-error-code="arg-type"
# ruff: noqa: E501
"""Every role against the commands of every workflow: complaints, materials, documents, master data.

The service-ticket commands have their own table-driven test (``test_desk_permissions.py``). Here
each command runs, as each role, against objects in that role's scope (the Chinese customer's
tickets, the Shanghai dealer, the junior engineer's assignment), and the outcome must agree with the
one permission table: a role the table leaves out is refused (``PermissionDenied``, or ``NotFound``
when it may not even see the object) and the store does not change; a role the table lets in gets
through. The scope tests then check the second half of the rule: the right role outside its scope
is refused too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import Role
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.knowledge import ArticleContent, ArticleProblem
from aftersales.domain.money import Money
from aftersales.domain.staff_records import Trainee
from aftersales.domain.training import TrainingKind
from aftersales.errors import NotFound, PermissionDenied
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.permissions import PERMISSIONS, Workflow
from conftest import World

R = Role
ACTORS: dict[str, Callable[[World], Actor]] = {
    "customer": lambda w: w.customer_zh,
    "agent": lambda w: w.agent,
    "engineer": lambda w: w.junior,
    "dealer_staff": lambda w: w.dealer_sh_staff,
    "manager": lambda w: w.manager,
    "department_head": lambda w: w.department_head,
    "general_manager": lambda w: w.general_manager,
    "auditor": lambda w: w.auditor,
    "system": lambda w: w.system,
}


@attrs.frozen
class Case:
    workflow: Workflow
    command: str
    run: Callable[[ServiceDesk, World, Actor, dict[str, str]], object]


def _assigned(desk: ServiceDesk, world: World, clock: ManualClock) -> str:
    tid = desk.open_ticket(world.manager, customer_id=world.cust_zh.id, description="马桶漏水").ticket.id
    desk.triage(world.manager, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(world.manager, tid, engineer_id=world.eng_junior.id)
    desk.start_work(world.junior, tid)
    clock.advance(timedelta(minutes=5))
    return tid


def _complaint(desk: ServiceDesk, world: World) -> str:
    return desk.complaints.open_complaint(world.agent, world.cust_zh.id, "态度不好").ticket.id


LINE = ChargeLine(ChargeKind.MATERIALS, "inlet_valve", Money(Decimal("45"), "CNY"))
PROBLEM = ArticleProblem(symptoms=("no_flush",), category="repair")
CONTENT = ArticleContent("zh_Hans", "不冲水", "按下冲水键无水", ("进水阀堵塞",), ("清洗进水阀",))

CASES = [
    # complaints (the complaint workflow's own table)
    Case(Workflow.COMPLAINT, "open_complaint", lambda d, w, a, o: d.complaints.open_complaint(a, w.cust_zh.id, "差评")),
    Case(Workflow.COMPLAINT, "investigate", lambda d, w, a, o: d.complaints.investigate(a, o["complaint"])),
    Case(Workflow.COMPLAINT, "cancel_complaint", lambda d, w, a, o: d.complaints.cancel(a, o["complaint"], reason="x")),
    Case(Workflow.COMPLAINT, "withdraw", lambda d, w, a, o: d.complaints.withdraw(a, o["complaint"], reason="ok")),
    Case(Workflow.COMPLAINT, "link_tickets", lambda d, w, a, o: d.complaints.link_tickets(a, o["complaint"], [o["ticket"]])),
    Case(Workflow.COMPLAINT, "cancel", lambda d, w, a, o: d.cancel(a, o["complaint"], reason="filed twice")),
    Case(Workflow.COMPLAINT, "note_to_customer", lambda d, w, a, o: d.note_to_customer(a, o["complaint"], text="处理中")),
    Case(Workflow.COMPLAINT, "classify", lambda d, w, a, o: d.complaints.classify(a, o["complaint"])),
    Case(Workflow.COMPLAINT, "escalate", lambda d, w, a, o: d.complaints.escalate(a, o["complaint"], reason="客户不满意")),
    Case(Workflow.COMPLAINT, "complaint_log", lambda d, w, a, o: d.complaints.complaint_log(a)),
    # issue 20: repair outlets, crisis reports from anyone (seed 004)
    Case(Workflow.COMPLAINT, "refer_to_outlet", lambda d, w, a, o: d.complaints.refer_to_outlet(a, o["complaint"], dealer_id=w.dealer_sh.id)),
    Case(Workflow.COMPLAINT, "report_crisis", lambda d, w, a, o: d.complaints.report_crisis(a, w.cust_zh.id, "漏水泡坏地板", note="现场")),
    # materials
    Case(Workflow.MATERIALS, "run_overdue_chargebacks", lambda d, w, a, o: d.materials.run_overdue_chargebacks(a)),
    Case(Workflow.MATERIALS, "outbound_summary", lambda d, w, a, o: d.materials.outbound_summary(a, "2026-03")),
    # documents
    Case(Workflow.DOCUMENTS, "issue_fee_slip", lambda d, w, a, o: d.fees.issue_slip(a, o["ticket"], lines=[LINE])),
    Case(Workflow.DOCUMENTS, "record_slip_payment", lambda d, w, a, o: d.fees.record_payment(a, o["slip"], Money(Decimal("10"), "CNY"))),
    Case(Workflow.DOCUMENTS, "cancel_fee_slip", lambda d, w, a, o: d.fees.cancel_slip(a, o["slip"], "开错了")),
    Case(Workflow.DOCUMENTS, "approve_article", lambda d, w, a, o: d.knowledge.approve(a, o["draft"], 1)),
    Case(Workflow.DOCUMENTS, "write_article", lambda d, w, a, o: d.knowledge.write_article(a, problem=PROBLEM, contents=[CONTENT])),
    Case(
        Workflow.DOCUMENTS,
        "record_training",
        lambda d, w, a, o: d.archives.record_training(
            a, kind=TrainingKind.ON_SITE, held_on=date(2026, 3, 1), trainer="李工",
            dealer_ids=[w.dealer_sh.id], topics=["etiquette"],
        ),
    ),
    Case(
        Workflow.DOCUMENTS,
        "record_spot_check",
        lambda d, w, a, o: d.archives.record_spot_check(
            a, w.dealer_sh.id, checked_on=date(2026, 3, 1), outcome="satisfactory", findings="回访记录完整",
        ),
    ),
    Case(
        Workflow.DOCUMENTS,
        "submit_dealer_report",
        lambda d, w, a, o: d.reports.submit_dealer_report(a, w.dealer_sh.id, "2026-02", installations=3, repairs=4),
    ),
    Case(Workflow.DOCUMENTS, "callbacks", lambda d, w, a, o: d.callbacks.pending(a)),
    Case(Workflow.DOCUMENTS, "sla_sweep", lambda d, w, a, o: d.sla_watch.sweep(a)),
    Case(Workflow.DOCUMENTS, "learn", lambda d, w, a, o: d.knowledge.learn_from(a, o["ticket"])),
    Case(Workflow.DOCUMENTS, "raise_batch_incidents", lambda d, w, a, o: d.reports.raise_batch_incidents(a, [])),
    Case(Workflow.DOCUMENTS, "backfill_batch_tallies", lambda d, w, a, o: d.batch_tallies.backfill(a)),
    Case(Workflow.DOCUMENTS, "backfill_late_afters", lambda d, w, a, o: d.late_afters.backfill(a)),
    Case(Workflow.DOCUMENTS, "read_departments", lambda d, w, a, o: d.coordination.departments(a)),
    Case(Workflow.DOCUMENTS, "appraise_staff", lambda d, w, a, o: d.staff_records.appraise(a, w.eng_junior.id, "2026-02", kind="engineer", score=80)),
    Case(
        Workflow.DOCUMENTS,
        "record_staff_training",
        lambda d, w, a, o: d.staff_records.record_staff_training(
            a, held_on=date(2026, 3, 1), trainer="李工", topics=["repair_skills"], trainees=[Trainee(w.eng_junior.id, "engineer")],
        ),
    ),
    # master data
    Case(
        Workflow.MASTER_DATA,
        "register_customer",
        lambda d, w, a, o: d.register_customer(a, attrs.evolve(w.cust_zh, name="张伟先生")),
    ),
    Case(Workflow.MASTER_DATA, "register_asset", lambda d, w, a, o: d.register_asset(a, attrs.evolve(w.asset, batch="B9"))),
    Case(Workflow.MASTER_DATA, "register_reference", lambda d, w, a, o: d.register_product(a, attrs.evolve(w.product, name="WC-100S"))),
    Case(
        Workflow.MASTER_DATA,
        "transfer_asset",
        lambda d, w, a, o: d.transfer_asset(a, w.asset.id, customer_id=w.cust_en.id, reason="转售"),
    ),
    Case(
        Workflow.MASTER_DATA,
        "change_warranty_start",
        lambda d, w, a, o: d.change_warranty_start(a, w.asset.id, purchase_date=date(2025, 9, 2), reason="更正"),
    ),
    Case(Workflow.MASTER_DATA, "master_data_history", lambda d, w, a, o: d.master_data_history(a, "asset", w.asset.id)),
]  # fmt: skip


def _state(db: Path) -> tuple[int, ...]:
    with sqlite3.connect(db) as conn:
        return tuple(
            int(conn.execute(sql).fetchone()[0])
            for sql in (
                "SELECT coalesce(sum(version), 0) FROM tickets",
                "SELECT count(*) FROM tickets",
                "SELECT count(*) FROM documents",
                "SELECT coalesce(sum(version), 0) FROM documents",
                "SELECT count(*) FROM entities",
                "SELECT count(*) FROM outbox",
            )
        )


# A role the table admits may still be out of scope for the object chosen; these are the scope rules.
SCOPE_REFUSALS = {
    ("customer", "link_tickets"),  # not a complaint handler (the table says so too)
}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.workflow.value}.{c.command}")
@pytest.mark.parametrize("who", list(ACTORS))
def test_every_role_against_every_command(
    desk: ServiceDesk, clock: ManualClock, world: World, db_path: Path, who: str, case: Case
) -> None:
    actor = ACTORS[who](world)
    ticket = _assigned(desk, world, clock)
    objects = {
        "ticket": ticket,
        "complaint": _complaint(desk, world),
        "slip": desk.fees.issue_slip(world.manager, ticket, lines=[LINE]).id,
        "draft": desk.knowledge.write_article(world.junior, problem=PROBLEM, contents=[CONTENT]).id,
    }
    allowed = actor.role in PERMISSIONS[case.workflow][case.command]
    before = _state(db_path)
    if not allowed:
        with pytest.raises((PermissionDenied, NotFound)):
            case.run(desk, world, actor, objects)
        assert _state(db_path) == before
        return
    case.run(desk, world, actor, objects)


def test_the_table_has_a_section_per_workflow_and_no_empty_command() -> None:
    assert set(PERMISSIONS) == set(Workflow)
    empty = [(w.value, c) for w, table in PERMISSIONS.items() for c, roles in table.items() if not roles]
    assert empty == []
    for case in CASES:
        assert case.command in PERMISSIONS[case.workflow]
    # Auditors read; they never change anything.
    writes = {
        "issue_fee_slip",
        "write_article",
        "record_training",
        "record_spot_check",
        "register_customer",
        "transfer_asset",
    }
    assert all(R.AUDITOR not in PERMISSIONS[c.workflow][c.command] for c in CASES if c.command in writes)


# -- scopes -------------------------------------------------------------------------------------------------


def test_scopes_narrow_the_roles(desk: ServiceDesk, clock: ManualClock, world: World, db_path: Path) -> None:
    tid = _assigned(desk, world, clock)
    complaint = _complaint(desk, world)
    before = _state(db_path)
    other_customer = world.customer_en
    with pytest.raises(NotFound):  # customer: own tickets only
        desk.complaints.withdraw(other_customer, complaint, reason="not mine")
    with pytest.raises(NotFound):  # dealer region: Beijing staff do not see a Shanghai ticket
        desk.fees.issue_slip(world.dealer_bj_staff, tid, lines=[LINE])
    with pytest.raises(PermissionDenied):  # assigned engineer: the senior is not on this ticket
        desk.fees.issue_slip(world.senior, tid, lines=[LINE])
    with pytest.raises(PermissionDenied):  # dealer staff submit their own dealer's report only
        desk.reports.submit_dealer_report(
            world.dealer_bj_staff, world.dealer_sh.id, "2026-02", installations=1, repairs=1
        )
    assert _state(db_path) == before
    # team read: the senior engineer reads the team's ticket but may not change it
    assert desk.ticket(world.senior, tid).id == tid
    with pytest.raises(PermissionDenied):
        desk.note_to_customer(world.senior, tid, text="我来看看")
    # auditor: reads everything, changes nothing
    assert desk.ticket(world.auditor, complaint).id == complaint
    with pytest.raises(PermissionDenied):
        desk.note_to_customer(world.auditor, tid, text="审计")
    assert _state(db_path) == before
