# mypy: disable-error-code="arg-type"
"""Personal data (PIPL), second pass: export and erasure of what features added since hold, on memory,
SQLite and PostgreSQL.

1. A customer's own export holds their complaint file as they read it. The export gave the customer the
   file whole — the handler's judgement of its weight, the escalations, the referral to the general
   manager, the review and what each remedy cost the company — which ``complaints.complaint_file``
   keeps from them (the office's deliberation). Now the export gives what ``complaint_file`` gives.
2. A text custom field's value is free text about the person, like the description and the notes: the
   erasure blanks it (on the ticket, in its ``set_fields`` steps, in the search index, the ledger CSV,
   the outbox). Before, "门口有大黄狗，找302室" typed in a text field stayed, and searching for it still
   found the erased customer's ticket. Number, date, choice and money fields are kept (codes and
   figures, as the ledger's other columns).
3. A materials request's note is free text on the person's job, like the ticket's notes and a visit's
   checklist notes: the erasure blanks it. Before, "客户周末在家，送到小区东门" stayed on the request
   (the person's name and phone only were replaced). The parts, states and dates are kept.
4. A legal hold is the person's own debt. An unpaid slip holds the erasure while the company still has
   to collect from the person; a chargeback owed by the dealer for a lent part it kept (退料: 视用户对该
   材料为事实占有, 需收取相关费用 — the dealer is the 用户 of the loan) names the customer's ticket but
   is not the customer's to pay, and the erasure keeps the slip's ids and amounts. Before, the dealer's
   unpaid chargeback refused the customer's erasure with ``LegalHold``; now the customer is erased and
   the dealer's slip is untouched, still owed. A slip the customer owes still holds the erasure.
5. A batch quality incident is many customers' record; the quality staff's notes on it may name one of
   them ("张伟家漏水最严重，电话…"). The erasure replaces the person's strings in the incidents that
   count their unit, as in their other records; the incident, its units, figures and the other
   customers' words are kept. Before, the name and phone stayed in the incident's notes and root cause.
6. The erasure's own record says who erased, when and why — not whose data. A reason quoting the person
   ("张伟本人来电要求删除，电话…") is kept minus their strings, in the record and in the erasure event.
   Before, the record (kept for ever, for the auditor) and the event carried the name and phone.
7. The notes given to ``contact_customer``, ``record_callback_attempt`` and ``confirm`` are notes, like
   ``note_to_customer``'s, though a ticket keeps them as the step's reason: the erasure blanks them
   ("客户说周末在家", "邻居说已搬走"). Before, only the person's name and phone were replaced in them.
   The steps, their times and the other steps' reasons (a cancellation's, the resolution's summary —
   the reports' outcome) are kept as the earlier audits decided.
8. An open complaint with a compensation granted holds the erasure as one with a compensation demanded
   does: the company still has to pay the person (seed 002: 落实工作一定要及时到位, 包括赔偿). Before,
   only a crisis's recourse or economic loss counted; a complaint whose handler had granted 800 CNY
   compensation, not yet closed, let the person be erased. Withdrawn (or closed), it no longer holds.
9. An erasure whose attachment bytes cannot be deleted once it has committed (the attachment store is
   down) is finished by a retry. Before, the ``StorageError`` skipped the rest of the erasure's work
   after the commit (dropping the person from this process's memos, truncating SQLite's WAL), and a
   retry, finding nothing left in the store, was ``AlreadyErased`` at once: the person's photos and
   slips stayed in the attachment store for good, linked from nothing. Now the memos are dropped and
   the WAL truncated whatever the bytes do, and a retry deletes the bytes the erasure freed (still
   ``AlreadyErased``: no second record).
10. An erasure changes no other customer's messages. The free text blanked in the person's records was
   replaced in every outbox message and idempotency row of the store: "明天上午上门维修", typed in the
   person's note, is typed in other customers' notes too, and the progress message still to be sent to
   another customer read "[erased]". Now free text goes only from the rows naming the person or their
   tickets; their own strings (name, phone …) still go from every row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from test_materials_s17 import _lend
from test_seed002_money import SH, _repair, story

from aftersales.adapters.attachments_memory import MemoryAttachmentStore
from aftersales.adapters.clock import ManualClock
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.classification import Severity
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.custom_fields import CustomField, CustomFieldSet, FieldType
from aftersales.domain.fee_slips import FeeSlip, SlipState
from aftersales.domain.ids import AssetId
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.materials_workflow import MaterialsState
from aftersales.domain.money import Money
from aftersales.domain.products import Asset
from aftersales.errors import AlreadyErased, LegalHold, StorageError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.privacy import ERASED_TOPIC
from conftest import World, priced_fees, world_desk

__all__ = ["story"]  # the seed-002 money story's fixture, used here

BACKENDS = ["memory", "sqlite", "postgres"]
DPO = Actor.privacy_officer("dpo-s18")

Setup = tuple[ServiceDesk, ManualClock, World]


FIELDS = CustomFieldSet.of(
    CustomField("site_note", FieldType.TEXT),
    CustomField("floor", FieldType.NUMBER),
    CustomField("visit_day", FieldType.DATE),
)


@pytest.fixture(params=BACKENDS)
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Setup]:
    fees = priced_fees("sanitary_ware", {"SEAL-01": ("8.00", "15.00")})  # the requested part is priced
    with world_desk(
        request.param, tmp_path, pack="sanitary_ware", custom_fields=FIELDS, overrides={"fees": fees}
    ) as found:
        yield found


def _exported(desk: ServiceDesk, actor: Actor, customer_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(desk.privacy.export_customer(actor, customer_id))["data"]
    return data


# -- 1. the customer's export of a complaint file -------------------------------------------------------


def test_a_customers_export_holds_its_complaint_file_as_the_customer_reads_it(setup: Setup) -> None:
    desk, _, world = setup
    complaints = desk.complaints
    cid = complaints.open_complaint(world.agent, world.cust_zh.id, "漏水泡坏地板").ticket.id
    complaints.classify(world.manager, cid, major_by_judgement="媒体已关注，客户情绪激动")
    complaints.escalate(world.manager, cid, reason="客户扬言找媒体")
    complaints.investigate(world.manager, cid)
    complaints.propose_solution(world.manager, cid, solution="赠送礼品卡")
    complaints.grant_remedy(
        world.manager, cid, kind=RemedyKind.GIFT, cost=Money(Decimal("300"), "CNY"), item="gift_card"
    )
    whole = complaints.complaint_file(world.manager, cid)
    assert whole.judgement is not None and whole.escalations  # the office's deliberation is on file
    as_read = complaints.complaint_file(world.customer_zh, cid)
    assert as_read.judgement is None and as_read.escalations == []

    [exported] = _exported(desk, world.customer_zh, world.cust_zh.id)["complaint_file"]

    assert exported["judgement"] is None and exported["escalations"] == []  # before: the office's words
    assert [r["cost"] for r in exported["remedies"]] == [{"amount": "0.00", "currency": "CNY"}]
    text = desk.privacy.export_customer(world.customer_zh, world.cust_zh.id)
    assert "媒体已关注" not in text and "客户扬言找媒体" not in text
    # the office's export (the privacy officer's, for the customer's request) keeps the whole file
    [office] = _exported(desk, DPO, world.cust_zh.id)["complaint_file"]
    assert office["judgement"]["reason"] == "媒体已关注，客户情绪激动" and office["escalations"]


# -- 2. text custom fields ------------------------------------------------------------------------------

SITE_NOTE = "门口有大黄狗，找302室"


def _raw(desk: ServiceDesk) -> str:
    """Everything the store holds about tickets and messages, read through the store's own units of
    work (tickets, their events, the outbox)."""
    with desk.store() as uow:
        tickets = [uow.tickets.get(v.id) for v in desk.ledger(Actor.system()).items]
        messages = uow.outbox.pending(10_000)
    return repr(tickets) + repr(messages)


def test_an_erasure_blanks_the_text_custom_fields_and_keeps_the_others(setup: Setup) -> None:
    desk, _, world = setup
    opened = desk.open_ticket(
        world.agent, customer_id=world.cust_zh.id, description="漏水", custom_fields={"site_note": "三楼东户"}
    )
    tid = opened.ticket.id
    desk.set_custom_fields(world.agent, tid, {"site_note": SITE_NOTE, "floor": 3, "visit_day": "2026-03-05"})
    other = desk.open_ticket(
        world.agent, customer_id=world.cust_en.id, description="漏水", custom_fields={"site_note": SITE_NOTE}
    ).ticket.id
    assert {v.id for v in desk.search(world.agent, "大黄狗").items} == {tid, other}

    desk.privacy.erase_customer(DPO, world.cust_zh.id, "the customer asked", cancel_open_tickets=True)

    assert [v.id for v in desk.search(world.agent, "大黄狗").items] == [other]  # before: the erased one too
    fields = desk.ticket(world.manager, tid).custom_fields
    assert fields == {"site_note": "[erased]", "floor": "3", "visit_day": "2026-03-05"}
    steps = [e.payload for e in desk.ticket(world.manager, tid).events if e.action == "set_fields"]
    assert steps and all(p["set"].get("site_note") in (None, "[erased]") for p in steps)
    csv = desk.export_ledger(world.manager)
    assert csv.count(SITE_NOTE) == 1  # the other customer's ticket only
    assert "三楼东户" not in _raw(desk) and _raw(desk).count(SITE_NOTE) == 1
    assert desk.ticket(world.manager, other).custom_fields == {"site_note": SITE_NOTE}


# -- 3. a materials request's note ----------------------------------------------------------------------

REQUEST_NOTE = "客户周末在家，送到小区东门"


def _requested(desk: ServiceDesk, world: World, customer_id: str) -> str:
    """A repair of ``customer_id`` worked by the junior engineer, who requests a part with a note."""
    tid = desk.open_ticket(world.agent, customer_id=customer_id, description="漏水").ticket.id
    desk.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM)
    desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id)
    desk.start_work(world.junior, tid)
    party = PartyRef.engineer(world.eng_junior.id)
    note = f"{REQUEST_NOTE}，{customer_id}"
    return desk.materials.request(
        world.junior, tid, party=party, lines=[MaterialsLine("SEAL-01")], note=note
    ).id


def test_an_erasure_blanks_the_note_of_the_persons_materials_requests(setup: Setup) -> None:
    desk, _, world = setup
    mine = _requested(desk, world, world.cust_zh.id)
    other = _requested(desk, world, world.cust_en.id)
    before = desk.materials.materials_request(world.manager, mine)

    desk.privacy.erase_customer(DPO, world.cust_zh.id, "the customer asked", cancel_open_tickets=True)

    after = desk.materials.materials_request(world.manager, mine)
    assert after.note == "[erased]"  # before: the note kept, minus the person's strings
    assert (after.lines, after.requested_at) == (before.lines, before.requested_at)
    # Session 22: the erasure cancelled the person's job, which calls off its parts not yet shipped.
    assert (before.state, after.state) == (MaterialsState.REQUESTED, MaterialsState.CANCELLED)
    assert (
        desk.materials.materials_request(world.manager, other).note == f"{REQUEST_NOTE}，{world.cust_en.id}"
    )
    assert REQUEST_NOTE not in json.dumps(_exported(desk, DPO, world.cust_zh.id), ensure_ascii=False)


# -- 4. a legal hold is the person's own debt -------------------------------------------------------------


def test_a_chargeback_owed_by_the_dealer_does_not_hold_the_customers_erasure(story: Setup) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-in")
    _lend(desk, world, ticket_id)  # a part lent to the dealer for the customer's in-warranty repair
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SH))  # past the return deadline: charged to the dealer
    (chargeback,) = desk.materials.run_overdue_chargebacks(world.system)
    assert chargeback.party == PartyRef.dealer("dealer-sh")
    with desk.store() as uow:
        (slip,) = uow.documents.query(FeeSlip, customer_id=world.cust_zh.id)
    assert (slip.payer_kind, slip.state, slip.balance) == ("dealer", SlipState.ISSUED, Money("75.00", "CNY"))

    record = desk.privacy.erase_customer(
        DPO, world.cust_zh.id, "the customer asked", cancel_open_tickets=True
    )  # before: LegalHold

    assert record.customer_id == world.cust_zh.id
    assert desk.archives.customer_archive(world.manager, world.cust_zh.id).customer.name == "[erased]"
    after = desk.fees.slip(world.manager, slip.id)
    assert (after.payer_kind, after.payer_id, after.state, after.balance) == (
        "dealer", "dealer-sh", SlipState.ISSUED, Money("75.00", "CNY"),
    )  # fmt: skip


def test_a_slip_the_customer_owes_still_holds_the_erasure(story: Setup) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    line = ChargeLine(ChargeKind.LABOUR, "repair_visit", Money(Decimal("80"), "CNY"))
    slip = desk.fees.issue_slip(world.agent, ticket_id, lines=[line])
    with pytest.raises(LegalHold) as held:
        desk.privacy.erase_customer(DPO, world.cust_zh.id, "the customer asked")
    assert (held.value.hold, held.value.target) == ("unpaid_fee_slip", slip.id)
    assert desk.archives.customer_archive(world.manager, world.cust_zh.id).customer.name == world.cust_zh.name


# -- 5. a batch quality incident's notes ----------------------------------------------------------------


def test_an_erasure_replaces_the_persons_strings_in_the_quality_incidents_counting_their_unit(
    setup: Setup,
) -> None:
    desk, _, world = setup
    zh, en = world.cust_zh, world.cust_en
    second = Asset(
        AssetId("asset-2"), world.product.id, "SN-2025-0002", customer_id=en.id, batch="B2025-07",
        purchase_date=date(2025, 9, 1), installation_accepted_on=date(2025, 9, 3),
        dealer_id=world.dealer_sh.id,
    )  # fmt: skip
    desk.register_asset(world.manager, second)
    for customer_id, asset_id in ((zh.id, world.asset.id), (en.id, second.id)):  # 2 of the batch's 2 units
        tid = desk.open_ticket(
            world.agent, customer_id=customer_id, description="漏水", asset_id=asset_id
        ).ticket.id
        desk.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM)
        desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id)
        desk.start_work(world.junior, tid)
        desk.add_fault_record(world.junior, tid, symptom="leak", cause="seal_defect", action="replace_seal")
    qi = desk.quality_incidents
    (incident,) = qi.incidents(world.manager)
    phone = zh.contact.phone or ""
    qi.confirm(world.manager, incident.id, note=f"{zh.name}家漏水最严重，电话{phone}；{en.name}家轻微")
    qi.contain(world.manager, incident.id)
    qi.record_root_cause(world.manager, incident.id, root_cause=f"密封圈批次不良（{zh.name}家的样品）")
    before = qi.incident(world.manager, incident.id)

    desk.privacy.erase_customer(DPO, zh.id, "the customer asked", cancel_open_tickets=True)

    after = qi.incident(world.manager, incident.id)
    words = repr(after)
    assert zh.name not in words and phone not in words  # before: both stayed in the notes
    [confirmed] = [e.note for e in after.events if e.action == "confirm"]
    assert confirmed == f"[erased]家漏水最严重，电话[erased]；{en.name}家轻微"
    assert after.root_cause == "密封圈批次不良（[erased]家的样品）"
    assert (after.state, after.customer_ids) == (before.state, before.customer_ids)
    # Session 22: the erasure cancelled the person's call, and a cancelled call is no fault evidence (as
    # in the reports): its unit leaves the count, recorded on the incident, which stays as it was.
    assert (before.unit_ids, after.unit_ids, after.affected) == ([world.asset.id, "asset-2"], ["asset-2"], 1)
    assert after.events[-1].action == "unit_withdrawn"
    assert after.events[-1].payload["asset_id"] == world.asset.id


# -- 6. the erasure's own record -----------------------------------------------------------------------


def test_the_erasure_record_and_event_do_not_quote_the_person(setup: Setup) -> None:
    desk, _, world = setup
    person = world.cust_zh
    phone = person.contact.phone or ""
    record = desk.privacy.erase_customer(DPO, person.id, f"{person.name}本人来电要求删除，电话{phone}")

    assert record.reason == "[erased]本人来电要求删除，电话[erased]"  # before: the name and phone
    assert desk.privacy.erasures(world.auditor, person.id) == [record]
    with desk.store() as uow:
        [event] = [m for m in uow.outbox.pending(10_000) if m.topic == ERASED_TOPIC]
    assert event.payload["reason"] == record.reason
    with pytest.raises(AlreadyErased):  # a retry quoting them again writes nothing
        desk.privacy.erase_customer(DPO, person.id, f"{person.name}本人来电要求删除，电话{phone}")


# -- 7. the notes a ticket keeps as a step's reason -------------------------------------------------------

CONTACT_NOTE = "客户说周末在家，门口有狗"
ATTEMPT_NOTE = "无人接听，邻居说已搬走"
CONFIRM_NOTE = "我儿子帮我确认的"


def test_an_erasure_blanks_the_notes_kept_as_a_steps_reason(setup: Setup) -> None:
    desk, clock, world = setup
    tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="漏水").ticket.id
    desk.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM)
    desk.contact_customer(world.agent, tid, note=CONTACT_NOTE, expected_at=clock.now() + timedelta(hours=3))
    desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id)
    desk.start_work(world.junior, tid)
    desk.add_fault_record(world.junior, tid, symptom="leak", cause="seal_worn", action="replace_seal")
    desk.resolve(world.junior, tid, summary="更换密封圈")
    desk.confirm(world.customer_zh, tid, note=CONFIRM_NOTE)
    desk.record_callback_attempt(world.agent, tid, note=ATTEMPT_NOTE)
    before = desk.ticket(world.manager, tid)

    desk.privacy.erase_customer(DPO, world.cust_zh.id, "the customer asked")

    after = desk.ticket(world.manager, tid)
    reasons = {e.action: e.reason for e in after.events}
    assert reasons["contact_customer"] == reasons["callback_attempt"] == reasons["confirm"] == "[erased]"
    assert reasons["resolve"] == "更换密封圈"  # a step's reason other than a note is kept
    # The events kept as they were; the accepted ticket's callback can no longer be made, so the erasure
    # closes it (session 21), one event more.
    assert [(e.action, e.at) for e in after.events[:-1]] == [(e.action, e.at) for e in before.events]
    assert (after.events[-1].action, after.events[-1].reason) == ("close", "customer_erased")
    text = _raw(desk)
    assert [n for n in (CONTACT_NOTE, ATTEMPT_NOTE, CONFIRM_NOTE) if n in text] == []  # nor in the outbox


# -- 8. a compensation granted on an open complaint ------------------------------------------------------


def test_an_open_complaint_with_a_compensation_granted_holds_the_erasure(setup: Setup) -> None:
    desk, _, world = setup
    complaints = desk.complaints
    cid = complaints.open_complaint(world.agent, world.cust_zh.id, "漏水泡坏了地板").ticket.id
    complaints.investigate(world.manager, cid)
    complaints.propose_solution(world.manager, cid, solution="赔偿地板损失")
    complaints.grant_remedy(world.manager, cid, kind=RemedyKind.COMPENSATION, cost=Money("800.00", "CNY"))

    with pytest.raises(LegalHold) as held:  # before: erased, the compensation still to pay
        desk.privacy.erase_customer(DPO, world.cust_zh.id, "the customer asked")
    assert (held.value.hold, held.value.target) == ("open_compensation_claim", cid)
    assert desk.archives.customer_archive(world.manager, world.cust_zh.id).customer.name == world.cust_zh.name
    assert desk.privacy.erasures(DPO, world.cust_zh.id) == []
    complaints.withdraw(world.customer_zh, cid, reason="已私下和解")
    assert (
        desk.privacy.erase_customer(DPO, world.cust_zh.id, "the customer asked").customer_id
        == world.cust_zh.id
    )


# -- 9. bytes that could not be deleted at once ----------------------------------------------------------


class _FlakyAttachments(MemoryAttachmentStore):
    """Attachment bytes in memory whose deletions fail while ``down`` (a store out of reach)."""

    down = False

    def delete(self, sha256: str) -> None:
        if self.down:
            raise StorageError("the attachment store is out of reach")
        super().delete(sha256)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_retry_deletes_the_attachment_bytes_an_erasure_could_not(backend: str, tmp_path: Path) -> None:
    blobs = _FlakyAttachments()
    with world_desk(backend, tmp_path, pack="sanitary_ware", attachments=blobs) as (desk, clock, world):
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="漏水").ticket.id
        signed = f"%PDF-1.4\n% signed by {world.cust_zh.name}\n%%EOF\n".encode()
        desk.attachments.attach(world.agent, tid, kind="written_report", name="slip.pdf", content=signed)
        [attachment] = desk.attachments.list(world.manager, tid)
        sha256 = attachment.sha256
        assert blobs.exists(sha256)
        blobs.down = True
        with pytest.raises(StorageError):
            desk.privacy.erase_customer(DPO, world.cust_zh.id, "the customer asked", cancel_open_tickets=True)
        [record] = desk.privacy.erasures(DPO, world.cust_zh.id)  # the erasure itself committed
        assert desk.search(world.agent, world.cust_zh.name).items == ()
        if backend == "sqlite":  # its WAL truncated all the same
            wal = tmp_path / "desk.db-wal"
            assert not wal.exists() or world.cust_zh.name.encode() not in wal.read_bytes()
        assert blobs.exists(sha256)

        blobs.down = False
        clock.advance(timedelta(minutes=1))
        with pytest.raises(AlreadyErased):
            desk.privacy.erase_customer(DPO, world.cust_zh.id, "the customer asked", cancel_open_tickets=True)
        assert not blobs.exists(sha256)  # before: kept for good
        assert desk.privacy.erasures(DPO, world.cust_zh.id) == [record]


# -- 10. other customers' messages --------------------------------------------------------------------------

STOCK_NOTE = "明天上午上门维修"


def _messages(desk: ServiceDesk) -> dict[str, Any]:
    with desk.store() as uow:
        return {m.id: m.payload for m in uow.outbox.pending(10_000) if m.topic == "notification"}


def test_an_erasure_leaves_the_messages_of_other_customers_alone(setup: Setup) -> None:
    desk, _, world = setup
    for customer_id in (world.cust_en.id, world.cust_zh.id):
        tid = desk.open_ticket(world.agent, customer_id=customer_id, description="漏水").ticket.id
        desk.note_to_customer(world.agent, tid, text=STOCK_NOTE)  # the same words to both
    before = _messages(desk)
    theirs = {k for k, p in before.items() if p["recipient"] == world.cust_en.contact.email}
    assert any(STOCK_NOTE in str(before[k]) for k in theirs)  # their progress message quotes the note

    desk.privacy.erase_customer(DPO, world.cust_zh.id, "the customer asked", cancel_open_tickets=True)

    after = _messages(desk)
    assert {k: after[k] for k in theirs} == {k: before[k] for k in theirs}  # before: their note "[erased]"
    mine = [p for k, p in after.items() if k not in theirs]
    assert mine and not any(STOCK_NOTE in str(p) for p in mine)  # the person's own are blanked
