# mypy: disable-error-code="arg-type"
"""Personal data in the records added since the last privacy audit (sessions 20-22), erased and
exported on memory, SQLite and PostgreSQL (PIPL art. 45 and 47; docs/concepts/personal-data.md).

A hostile tester wrote the person's name, phone, address and a sentence about them into every new field
the public API reaches, erased them, and read every row of the store. What was left:

- the note given to ``desk.assessments.refer`` (the referral for assessment, session 21) is the step's
  reason, as the notes of ``contact_customer`` and ``record_callback_attempt`` are: it was kept minus the
  person's strings, on the ticket, in its event message and in the notice to the engineer;
- a campaign answer's comment, blanked on the survey task, was still quoted in full in the low-score
  notice to the manager (session 21): the notice names the task, not the customer;
- what the customer said at a callback that found the problem back (the checklist's "other complaints",
  in their words, or the comment) is the reason of the rework step it opens: the erasure blanked the
  comment on the callback step and kept both on the ``reopen`` step, in its message and in the
  engineer's rework notice, and kept "other complaints" on the callback record, minus the person's
  strings only;
- a complaint remedy's note (session 20: free accessories, extra visits, warranty extensions) was kept
  minus the person's strings in the complaint file and in the warranty extension it granted.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Category, Severity
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.erasure import ERASED
from aftersales.domain.money import Money
from aftersales.domain.survey_campaigns import SamplingRules
from aftersales.domain.surveys import CallbackChecklist, SatisfactionSurvey
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]
DPO = Actor.privacy_officer("dpo-s22g")
SENTENCE = "住在静安寺旁边的那位老板脾气很急"
"""Free text about the person that names none of their own strings: blanked, not merely scrubbed."""
OTHERS = "展台灯光太暗，工作人员不理人"
"""Another customer's comment: not theirs, kept whole."""


@contextlib.contextmanager
def _opened(backend: str, tmp_path: Path, pack: str) -> Iterator[tuple[ServiceDesk, ManualClock, World, str]]:
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack=pack, clock=clock, staff=STAFF) as desk,
    ):
        register(desk, world)
        yield desk, clock, world, url


def _rows(desk: ServiceDesk, url: str) -> str:
    """Every row the store holds, read from its tables (the memory store: its stored texts)."""
    if url.startswith("memory:"):
        data = desk.store._data  # type: ignore[attr-defined]
        return "\n".join(sorted(f"{k!r} {r.text}" for k, r in data.items()))
    if url.startswith("sqlite:"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return "\n".join(f"{n} {row!r}" for n in names for row in conn.execute(f'SELECT * FROM "{n}"'))
        finally:
            conn.close()
    import psycopg

    dsn, _, schema = url.rpartition("schema=")
    with psycopg.connect(dsn.rstrip("?&"), options=f"-c search_path={schema}") as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
            )
        ]
        return "\n".join(
            f"{n} {row!r}" for n in names for row in conn.execute(f'SELECT t::text FROM "{n}" t')
        )


def _about(world: World, tag: str) -> str:
    """A note naming the person, giving their phone and address, and saying something about them."""
    zhang = world.cust_zh
    return f"{zhang.name}（{zhang.contact.phone}，{zhang.contact.address}）{SENTENCE}{tag}"


def _left(text: str, world: World, tag: str) -> list[str]:
    zhang = world.cust_zh
    needles = (zhang.name, str(zhang.contact.phone), str(zhang.contact.address), SENTENCE, tag)
    return [n for n in needles if n in text]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_note_of_a_referral_for_assessment_is_erased_with_the_person(
    backend: str, tmp_path: Path
) -> None:
    with _opened(backend, tmp_path, "sanitary_ware") as (desk, _clock, world, url):
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="马桶漏水").ticket.id
        note = _about(world, "REFERRAL")
        desk.assessments.refer(
            world.manager, tid, engineer_id=world.eng_senior.id, note=note, idempotency_key="refer-1"
        )
        exported = desk.privacy.export_customer(DPO, world.cust_zh.id)
        assert "REFERRAL" in exported  # the right of access holds the note before the erasure

        desk.privacy.erase_customer(DPO, world.cust_zh.id, "the customer asked", cancel_open_tickets=True)

        assert _left(_rows(desk, url), world, "REFERRAL") == []
        assert _left(desk.privacy.export_customer(DPO, world.cust_zh.id), world, "REFERRAL") == []
        assert desk.search(world.manager, SENTENCE).items == ()
        (referral,) = [
            e for e in desk.ticket(world.manager, tid).events if e.action == "refer_for_assessment"
        ]
        assert (referral.reason, referral.payload) == (ERASED, {"engineer": world.eng_senior.id})
        with desk.store() as uow:  # the engineer's notice still waits, blanked, not gone
            bodies = [m.payload.get("body", "") for m in uow.outbox.pending(10_000)]
        assert any(f"{tid}" in str(b) and ERASED in str(b) for b in bodies)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_campaign_comment_quoted_to_the_manager_is_erased_and_another_customers_kept(
    backend: str, tmp_path: Path
) -> None:
    with _opened(backend, tmp_path, "exhibition_services") as (desk, clock, world, url):
        for customer in (world.cust_zh, world.cust_en):
            tid = desk.open_ticket(
                world.agent, customer_id=customer.id, description="展位网络断开",
                category=Category.TECHNICAL_SUPPORT,
            ).ticket.id  # fmt: skip
            desk.cancel(world.agent, tid, reason="客户已自行处理")
        clock.advance(timedelta(days=1))
        rules = SamplingRules(sample_size=10, served_within_days=None, exclude_surveyed_days=0)
        desk.surveys.start(world.manager, campaign_id="Q2", period="2026-Q2", rules=rules)
        tasks = {t.customer_id: t for t in desk.surveys.tasks(world.agent, "Q2")}
        low = SatisfactionSurvey(1, 1, 1, 1, 1, 1, attitude=1)
        comment = _about(world, "CAMPAIGN")
        desk.surveys.answer(world.agent, tasks[world.cust_zh.id].id, survey=low, comment=comment)
        desk.surveys.answer(world.agent, tasks[world.cust_en.id].id, survey=low, comment=OTHERS)
        assert "CAMPAIGN" in desk.privacy.export_customer(DPO, world.cust_zh.id)

        desk.privacy.erase_customer(DPO, world.cust_zh.id, "the customer asked")

        assert _left(_rows(desk, url), world, "CAMPAIGN") == []
        with desk.store() as uow:
            notices = [m for m in uow.outbox.pending(10_000) if "survey_low_score" in m.idempotency_key]
        assert len(notices) == 2  # both managers' notices stay: the person's blanked, the other's whole
        kept = [m for m in notices if world.cust_en.id in m.idempotency_key]
        assert len(kept) == 1 and OTHERS in json.dumps(kept[0].payload, ensure_ascii=False)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_remedys_note_is_erased_and_its_kind_cost_and_work_kept(backend: str, tmp_path: Path) -> None:
    with _opened(backend, tmp_path, "sanitary_ware") as (desk, _clock, world, url):
        complaints = desk.complaints
        cid = complaints.open_complaint(
            world.agent, world.cust_zh.id, "马桶漏水三天没人管", asset_id=world.asset.id
        ).ticket.id
        complaints.investigate(world.manager, cid)
        complaints.propose_solution(world.manager, cid, solution="更换进水阀")
        cost = Money(Decimal("20"), "CNY")
        complaints.grant_remedy(
            world.manager, cid, kind=RemedyKind.FREE_ACCESSORY, cost=cost, item="seat",
            note=_about(world, "ACCESSORY"), idempotency_key="remedy-1",
        )  # fmt: skip
        complaints.grant_remedy(
            world.manager, cid, kind=RemedyKind.WARRANTY_EXTENSION, cost=cost, extend_by=6,
            note=_about(world, "EXTENSION"), idempotency_key="remedy-2",
        )  # fmt: skip
        exported = desk.privacy.export_customer(DPO, world.cust_zh.id)
        assert "ACCESSORY" in exported and "EXTENSION" in exported
        before = complaints.complaint_file(world.manager, cid).remedies

        desk.privacy.erase_customer(DPO, world.cust_zh.id, "the customer asked", cancel_open_tickets=True)

        rows = _rows(desk, url)
        assert _left(rows, world, "ACCESSORY") == [] and _left(rows, world, "EXTENSION") == []
        after = complaints.complaint_file(world.manager, cid).remedies
        assert [r.note for r in after] == [ERASED, ERASED]
        # The money record keeps what was granted, at what cost, and the work it set going.
        assert [(r.kind, r.cost, r.quantity, r.item, r.work) for r in after] == [
            (r.kind, r.cost, r.quantity, r.item, r.work) for r in before
        ]
        (extension,) = complaints.warranty_extensions(world.manager, world.asset.id)
        assert (extension.note, extension.amount, extension.complaint_id) == (ERASED, 6, cid)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("said", ["other_complaints", "comment"])
def test_what_the_customer_said_at_a_callback_finding_the_problem_back_is_erased(
    backend: str, said: str, tmp_path: Path
) -> None:
    with _opened(backend, tmp_path, "exhibition_services") as (desk, _clock, world, url):
        tid = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="展位网络断开",
            category=Category.TECHNICAL_SUPPORT,
        ).ticket.id  # fmt: skip
        desk.triage(world.agent, tid, nature="network", severity=Severity.MEDIUM)
        desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
        desk.start_work(world.senior, tid)
        desk.resolve(world.senior, tid, summary="交换机重启, 已测试")
        desk.confirm(world.agent, tid, channel="phone")
        words = _about(world, "CALLBACK")
        checklist = CallbackChecklist(other_complaints=words if said == "other_complaints" else "")
        desk.callbacks.record(
            world.agent, tid, problem_back=True, checklist=checklist,
            comment=words if said == "comment" else "", idempotency_key="callback-1",
        )  # fmt: skip
        (reopened,) = [e for e in desk.ticket(world.manager, tid).events if e.action == "reopen"]
        assert reopened.reason == words
        assert "CALLBACK" in desk.privacy.export_customer(DPO, world.cust_zh.id)

        desk.privacy.erase_customer(DPO, world.cust_zh.id, "the customer asked", cancel_open_tickets=True)

        assert _left(_rows(desk, url), world, "CALLBACK") == []
        assert _left(desk.privacy.export_customer(DPO, world.cust_zh.id), world, "CALLBACK") == []
        assert desk.search(world.manager, SENTENCE).items == ()
        (reopened,) = [e for e in desk.ticket(world.manager, tid).events if e.action == "reopen"]
        assert (reopened.reason, reopened.to_state) == (ERASED, "rework")
        (record,) = desk.callbacks.records(world.manager, tid)
        assert record.problem_back and record.checklist.other_complaints in ("", ERASED)
