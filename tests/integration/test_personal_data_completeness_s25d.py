"""Every stored kind that can hold a customer's personal data is covered by the export and the erasure.

PIPL art. 45 (access) and art. 47 (erasure) reach everything held about a person. Each record kind was
wired into ``desk.privacy`` by hand, feature by feature; a kind added later without that wiring left the
person's data out of their export and behind after their erasure, and no test said so. This test
enumerates the document kinds the package defines (every class with a ``DOCUMENT_KIND``, found by
importing every module) and requires each to be classified here: exported (under which key) or, with
the reason, not (bookkeeping, ids and codes only, or another party's record kept minus the person's
strings). Then, on memory, SQLite and PostgreSQL, a customer with a history across the kinds is
exported: every stored document naming them (their customer id, one of their tickets) of an exported
kind is in their export; after their erasure no byte of their name, phone, e-mail, address or of the
free text they gave is left in any table.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hostile import ADDRESS, AGENT, EMAIL, MANAGER, NAME, PHONE, STORES, Opened, opened
from test_privacy import OFFICER, maintained

import aftersales
from aftersales import Actor
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, ProductId
from aftersales.domain.parties import Customer, CustomerTier
from aftersales.domain.products import Asset
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.serialization import unstructure

EXPORTED: dict[str, str] = {
    # kind: the key of the export's ``data`` holding it
    "callback_record": "callback_record",
    "callback_task": "callback_task",
    "complaint_file": "complaint_file",
    "correspondence_guidance": "correspondence_guidance",
    "fee_slip": "fee_slip",
    "granted_warranty_extension": "granted_warranty_extension",
    "invoice_record": "invoice_record",
    "maintenance_plan": "maintenance_plan",
    "maintenance_visit": "maintenance_visit",
    "master_data_change": "master_data_changes",  # and, of their units, "unit_changes"
    "materials_movement": "materials_movement",
    "materials_request": "materials_request",
    "personal_data_access": "reads",
    "personal_data_erasure": "erasures",
    "plan_handover": "plan_handover",
    "remote_resolution": "remote_resolution",
    "service_contract": "service_contract",
    "survey_task": "survey_task",
}
"""Kinds a customer's personal data is held in, by the key their export holds them under."""

NOT_EXPORTED: dict[str, str] = {
    # Another party's record naming the person: kept minus their strings by the erasure, not theirs to get.
    "quality_incident": "a batch's incident, many customers': erased minus the person's strings",
    "dealer_spot_check": "the dealer's record: erased minus the person's strings",
    "technical_support": "the dealer's request to the maker: its question and answer blanked by the erasure",
    "staff_measure": "the staff member's record: erased minus the person's strings",
    # Ids, codes, counts and instants only: no name, contact or free text to export or erase.
    "attachment_link": "a ticket's attachment by content hash (the ticket lists its attachments)",
    "batch_fault_unit": "ids of a unit counted by the batch-incident detector",
    "batch_fault_tally": "a batch's counts",
    "calendar_notice": "a ticket id and a date",
    "complaint_link": "two ticket ids",
    "fault_learning": "fault codes a ticket contributed",
    "part_return": "a part returned by a dealer: codes and quantities",
    "relayed_return": "a part a dealer handed in for relay: codes and quantities",
    "remedy_visit": "a remedy visit's ticket, complaint and unit ids, its due day and grant instant",
    "sla_alert": "a ticket id, a target and instants",
    "sla_sweep_mark": "a ticket id and an instant",
    "job_mark": "a job's key and instant",
    "late_call": "a ticket id and two months",
    "loan_ledger": "a dealer's or engineer's lent parts",
    # The organisation's records and the store's bookkeeping.
    "attachment_blob_guard": "bookkeeping",
    "batch_tally_backfill": "bookkeeping",
    "complaint_stamp_backfill": "bookkeeping",
    "books_zone": "bookkeeping",
    "custom_field_types": "bookkeeping",
    "progress_watch": "a ticket id and an instant",
    "progress_watch_basis": "bookkeeping",
    "calendar_stamp": "bookkeeping",
    "budget_draft": "the office's drafted budget",
    "cost_budget": "the office's budget",
    "daily_cursor": "bookkeeping",
    "dealer_monthly_report": "a dealer's counts",
    "department": "the organisation",
    "desk_roster": "agents' shifts",
    "fault_stats": "fault counts per product",
    "id_counter": "bookkeeping",
    "index_filled": "bookkeeping",
    "escalation_key_fill": "bookkeeping: a complaint id the catch-up reached",
    "job_lease": "bookkeeping",
    "knowledge_article": "the knowledge base",
    "knowledge_generation": "bookkeeping",
    "late_after_backfill": "bookkeeping",
    "number_counter": "bookkeeping",
    "plan_handover_catchup": "bookkeeping",
    "purge_cursor": "bookkeeping",
    "quality_follow_up": "incident ids",
    "repair_point": "the organisation's service points",
    "roster_stamp": "bookkeeping",
    "staff_appraisal": "a staff member's record: in their own export (staff_records.export_staff)",
    "staff_data_erasure": "a staff member's erasure record: in their own export (staff_records.export_staff)",
    "staff_departure": "a staff member's record: in their own export (staff_records.export_staff)",
    "staff_training": "a staff member's record: in their own export (staff_records.export_staff)",
    "survey_campaign": "a campaign's rules",
    "survey_sampling_turn": "bookkeeping",
    "team": "the organisation",
    "training_record": "dealers' training",
}
"""Kinds not in the export, each with why."""

BUYER = "buyer-9"
FREE_TEXT = "客户说周末下午家里才有人"
"""A note the person gave (blanked by the erasure; the export holds it until then)."""


def _document_classes() -> dict[str, type[Any]]:
    """Every document class the package defines, by kind (the storage contract's test kinds aside)."""
    found: dict[str, type[Any]] = {}
    for module in pkgutil.walk_packages(aftersales.__path__, "aftersales."):
        if module.name.startswith("aftersales.testing") or module.name.endswith("__main__"):
            continue
        loaded = importlib.import_module(module.name)
        for value in vars(loaded).values():
            if (
                isinstance(value, type)
                and "DOCUMENT_KIND" in vars(value)
                and value.__module__ == loaded.__name__
            ):
                found[value.DOCUMENT_KIND] = value
    return found


CLASSES = _document_classes()


def test_every_document_kind_is_classified() -> None:
    unclassified = sorted(set(CLASSES) - set(EXPORTED) - set(NOT_EXPORTED))
    assert unclassified == [], (
        f"stored kinds {unclassified} are neither in the export nor said why not: wire them into "
        "desk.privacy (export_customer and erase_customer) or classify them here"
    )
    assert set(EXPORTED).isdisjoint(NOT_EXPORTED)


def test_no_classified_kind_is_gone() -> None:
    gone = sorted((set(EXPORTED) | set(NOT_EXPORTED)) - set(CLASSES))
    assert gone == [], f"classified kinds no longer stored: {gone}"


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def _world(store: Opened) -> None:
    """c-1 with a contract, plans, visits, a campaign survey, notes, and a unit sold on with its plan."""
    desk = store.desk
    maintained(store)
    with desk.store() as uow:
        tid = min(t.id for t in uow.tickets.query(TicketFilter(customer_id="c-1"), PageRequest(500)).items)
    desk.note_to_customer(AGENT, tid, text=f"{FREE_TEXT}，{NAME} {PHONE} {ADDRESS} {EMAIL}")
    desk.register_asset(MANAGER, Asset(AssetId("a-3"), ProductId("wc-1"), "SN-3", CustomerId("c-1"),
                                       purchase_date=date(2025, 9, 1)))  # fmt: skip
    desk.maintenance.create_plan(MANAGER, asset_id="a-3", first_due=date(2026, 3, 12))
    desk.maintenance.generate_due(Actor.system())
    desk.register_customer(
        MANAGER, Customer(CustomerId(BUYER), "李建国", Contact("李建国", phone="13800001111"),
                          CustomerTier.REGULAR, region="SH"),
    )  # fmt: skip
    store.clock.advance(timedelta(minutes=1))
    desk.transfer_asset(MANAGER, "a-3", customer_id=BUYER, reason=f"{NAME}转卖")


def _names(data: Any, customer_id: str, tickets: set[str]) -> bool:
    """Whether a stored document (as data) names the customer: their id, or one of their tickets."""
    if isinstance(data, dict):
        if data.get("record_kind") == "customer" and data.get("record_id") == customer_id:
            return True
        for key, value in data.items():
            if key == "customer_id" and value == customer_id:
                return True
            if key == "customer_ids" and customer_id in (value or ()):
                return True
            if key == "ticket_id" and value in tickets:
                return True
            if _names(value, customer_id, tickets):
                return True
    elif isinstance(data, list):
        return any(_names(item, customer_id, tickets) for item in data)
    return False


def _ids(data: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(data, dict):
        if isinstance(data.get("id"), str):
            found.add(data["id"])
        for value in data.values():
            found |= _ids(value)
    elif isinstance(data, list):
        for item in data:
            found |= _ids(item)
    return found


def test_every_document_naming_the_customer_is_exported_and_erased(store: Opened) -> None:
    _world(store)
    desk = store.desk
    with desk.store() as uow:  # before the export, which logs a read of its own
        tickets = {t.id for t in uow.tickets.query(TicketFilter(customer_id="c-1"), PageRequest(500)).items}
        naming = {
            kind: sorted(d.id for d in uow.documents.query(cls) if _names(unstructure(d), "c-1", tickets))
            for kind, cls in CLASSES.items()
        }
    exported = json.loads(desk.privacy.export_customer(OFFICER, "c-1"))["data"]
    assert {EXPORTED[k] for k in EXPORTED} <= set(exported)  # a key for every exported kind
    held: dict[str, set[str]] = {key: _ids(value) for key, value in exported.items()}
    kinds = {kind for kind, ids in naming.items() if ids}
    # The world reaches the kinds a customer's history holds (so the check below is not empty).
    assert {
        "maintenance_plan",
        "maintenance_visit",
        "service_contract",
        "survey_task",
        "plan_handover",
    } <= kinds
    missing = {
        kind: [i for i in ids if i not in held[EXPORTED[kind]] | held.get("unit_changes", set())]
        for kind, ids in naming.items()
        if kind in EXPORTED
    }
    assert {k: v for k, v in missing.items() if v} == {}
    assert FREE_TEXT in json.dumps(exported, ensure_ascii=False)
    assert [p for p in (NAME, PHONE, FREE_TEXT) if p not in store.raw_text()] == []

    desk.privacy.erase_customer(OFFICER, "c-1", "PIPL art. 47", cancel_open_tickets=True)

    text = store.raw_text()
    assert [p for p in (NAME, PHONE, EMAIL, ADDRESS, FREE_TEXT) if p in text] == []
    if store.path is not None:  # nor in the SQLite file and its WAL (the search index's words too)
        raw = store.path.read_bytes()
        wal = Path(f"{store.path}-wal")
        raw += wal.read_bytes() if wal.exists() else b""
        assert [p for p in (NAME, PHONE, EMAIL, FREE_TEXT) if p.encode() in raw] == []
