# mypy: disable-error-code="arg-type"
"""What an erasure left of the person (PIPL art. 47) in records that are not theirs alone.

A spot-check of a dealer's service (seed 002 12: 甲方有权对乙方的服务情况进行抽查和指导) looks at the
dealer's jobs — the person's tickets among them — and its findings are written from calling them
("回访张伟 13912345678，称师傅迟到"). The erasure did not read spot-checks: the dealer's archive, which the
dealer reads too, still named the person and gave their number. The spot-checks listing one of the
person's tickets now keep their text minus the person's strings (the record is the dealer's, as a
batch incident is many customers': its verdict, dates and tickets are kept), on memory, SQLite and
PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aftersales.domain.custom_fields import CustomField, CustomFieldSet, FieldType
from aftersales.domain.erasure import ERASED
from aftersales.domain.spot_checks import SpotCheckOutcome
from aftersales.ports.queries import TicketFilter
from aftersales.service.actors import Actor
from conftest import world_desk

DPO = Actor.privacy_officer("dpo-s20")
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 4, 1)}


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_spot_check_of_the_persons_ticket_keeps_its_findings_without_the_person(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, w):
        name, phone = w.cust_zh.name, str(w.cust_zh.contact.phone)
        theirs = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="马桶漏水").ticket.id
        other = desk.open_ticket(w.agent, customer_id=w.cust_en.id, description="水箱不进水").ticket.id
        for tid in (theirs, other):
            desk.cancel(w.agent, tid, reason="客户已自行处理")
        sh = w.dealer_sh.id
        about_them = desk.archives.record_spot_check(
            w.manager, sh, checked_on=date(2026, 3, 2), outcome="needs_improvement",
            findings=f"回访{name}（{phone}），称师傅迟到", guidance=f"向{name}致歉", ticket_ids=[theirs],
        )  # fmt: skip
        not_them = desk.archives.record_spot_check(
            w.manager, sh, checked_on=date(2026, 3, 2), outcome="satisfactory",
            findings="回访客户，服务规范", ticket_ids=[other],
        )  # fmt: skip

        record = desk.privacy.erase_customer(DPO, w.cust_zh.id, "the customer asked")

        archive = desk.archives.dealer_archive(w.dealer_sh_staff, sh, **MARCH)
        checks = {c.id: c for c in archive.spot_checks}
        erased = checks[about_them.id]
        assert name not in repr(archive) and phone not in repr(archive)
        assert (erased.findings, erased.guidance) == (
            f"回访{ERASED}（{ERASED}），称师傅迟到",
            f"向{ERASED}致歉",
        )
        assert (erased.outcome, erased.ticket_ids) == (SpotCheckOutcome.NEEDS_IMPROVEMENT, (theirs,))
        assert checks[not_them.id] == not_them  # another customer's check is left as it was
        assert record.documents >= 1
        assert name not in desk.privacy.export_customer(DPO, w.cust_zh.id)


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_staff_measure_citing_the_persons_complaint_keeps_its_reason_without_the_person(
    backend: str, tmp_path: Path
) -> None:
    """Seed 000 (人员激励与约束): a sanction names the complaint that found the breach, and its reason
    is written from what the complainant said. The erasure left the measure naming them."""
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, w):
        name, phone = w.cust_zh.name, str(w.cust_zh.contact.phone)
        complaint = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "师傅上门迟到两小时").ticket.id
        desk.cancel(w.manager, complaint, reason="客户撤回")
        staff = desk.staff_records
        cited = staff.record_measure(
            w.manager, w.eng_junior.id, kind="engineer", measure="criticism",
            reason=f"{name}（{phone}）投诉上门迟到", complaint_id=complaint,
        )  # fmt: skip
        other = staff.record_measure(
            w.manager, w.eng_junior.id, kind="engineer", measure="reward", reason="月度服务之星"
        )

        desk.privacy.erase_customer(DPO, w.cust_zh.id, "the customer asked")

        measures = {m.id: m for m in staff.staff_record(w.manager, w.eng_junior.id).measures}
        assert measures[cited.id].reason == f"{ERASED}（{ERASED}）投诉上门迟到"
        assert (measures[cited.id].measure, measures[cited.id].complaint_id) == (cited.measure, complaint)
        assert measures[other.id] == other


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_after_an_erasure_no_search_nor_read_surface_names_the_person(backend: str, tmp_path: Path) -> None:
    """End to end, as a manager reads: the search index (memory, SQLite FTS, PostgreSQL text search)
    finds the person's tickets by none of their strings, their free text, the staff's internal note or
    a staff-only field's text, and no listing, archive, log, export or waiting message quotes them.
    (A regression guard for the erasure's reach: it held on every store when checked.)"""
    fields = CustomFieldSet.of(CustomField("risk_note", FieldType.TEXT, staff_only=True))
    with world_desk(backend, tmp_path, "sanitary_ware", custom_fields=fields) as (desk, _clock, w):
        name, phone = w.cust_zh.name, str(w.cust_zh.contact.phone)
        complaint = desk.complaints.open_complaint(w.agent, w.cust_zh.id, f"{name}投诉师傅迟到，电话{phone}")
        ticket = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description=f"{name}家漏水，地下室返潮",
            custom_fields={"risk_note": "拒付前科要先收费"},
        ).ticket.id  # fmt: skip
        desk.note_to_customer(w.agent, ticket, text=f"已致电{name}，脾气急要小心", visible=False)
        assert [v.id for v in desk.search(w.manager, "拒付前科").items] == [ticket]

        desk.privacy.erase_customer(DPO, w.cust_zh.id, "the customer asked", cancel_open_tickets=True)

        for words in (name, phone, "地下室返潮", "脾气急", "拒付前科", "师傅迟到"):
            assert desk.search(w.manager, words).items == ()
            assert desk.count(w.manager, TicketFilter(text=words)) == 0
        march = {"start": date(2026, 3, 1), "end": date(2026, 4, 1)}
        read = [
            desk.export_ledger(w.manager),
            repr(desk.archives.customer_archive(w.manager, w.cust_zh.id)),
            repr(desk.archives.dealer_archive(w.manager, w.dealer_sh.id, **march)),
            repr(desk.complaints.complaint_log(w.manager)),
            repr(desk.master_data_history(w.manager, "customer", w.cust_zh.id)),
            repr(desk.privacy.access_log(w.auditor)),
            repr(desk.ticket(w.manager, ticket)) + repr(desk.ticket(w.manager, complaint.ticket.id)),
        ]
        with desk.store() as uow:
            read.append(repr(list(uow.outbox.pending(10_000))))
        assert [n for n, text in enumerate(read) if name in text or phone in text] == []
