# mypy: disable-error-code="arg-type"
"""Issue 17 re-read by a peer tester (session 32, k): one command path, one permission table, no silently
ignored configuration — through the public desk on memory, SQLite and PostgreSQL.

Checked: a dealer's staff reading another dealer's tickets (ticket, SLA, ledger, CSV export, search,
count) meet not-found or nothing; dealer staff may not overwrite another region's customer nor move a
stored customer to another region (nothing changes); a key reused with a different request is
`IdempotencyKeyReused` and the same request replays without a second event; an override of an unknown
kind, or one that is no policy, is a `ConfigurationError`, as is an unknown option of `ServiceDesk.open`.
All passed on the code as found.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import attrs
import pytest

from aftersales import ServiceDesk, TicketFilter
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.classification import Category
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer
from aftersales.domain.training import TrainingKind, TrainingTopic
from aftersales.errors import (
    ConfigurationError,
    IdempotencyKeyReused,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _bj_customer(w: World) -> Customer:
    return Customer(
        CustomerId("cust-bj"),
        "赵六",
        Contact("赵六", phone="13811112222"),
        region="BJ",
        dealer_id=w.dealer_bj.id,
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_dealer_reads_nothing_of_another_dealers_tickets(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, _clock, w):
        desk.register_customer(w.manager, _bj_customer(w))
        sh = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="浦东马桶漏水XYZ", category=Category.REPAIR
        ).ticket.id
        bj = desk.open_ticket(
            w.agent, customer_id="cust-bj", description="朝阳马桶漏水XYZ", category=Category.REPAIR
        ).ticket.id
        staff = w.dealer_bj_staff
        for read in (lambda: desk.ticket(staff, sh), lambda: desk.sla(staff, sh)):
            with pytest.raises(NotFound):
                read()
        assert desk.ticket(staff, bj).id == bj
        assert [t.id for t in desk.ledger(staff).items] == [bj]
        assert desk.count(staff, TicketFilter()) == 1
        assert sh not in desk.export_ledger(staff) and "浦东马桶" not in desk.export_ledger(staff)
        assert [v.id for v in desk.search(staff, "马桶漏水XYZ").items] == [bj]
        # The other dealer's staff and customer see the same from their side.
        assert [t.id for t in desk.ledger(w.dealer_sh_staff).items] == [sh]
        with pytest.raises(NotFound):
            desk.ticket(w.customer_zh, bj)


@pytest.mark.parametrize("backend", BACKENDS)
def test_dealer_staff_cannot_overwrite_or_move_a_customer(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, _clock, w):
        refused = [
            (w.dealer_bj_staff, attrs.evolve(w.cust_zh, contact=Contact("冒名", phone="13900009999"))),
            (w.dealer_sh_staff, attrs.evolve(w.cust_zh, region="BJ")),
            (w.dealer_sh_staff, attrs.evolve(w.cust_zh, dealer_id=w.dealer_bj.id)),
            (w.dealer_sh_staff, attrs.evolve(_bj_customer(w), id=CustomerId("cust-new"))),
        ]
        for actor, record in refused:
            with pytest.raises(PermissionDenied):
                desk.register_customer(actor, record)
        assert len(desk.master_data_history(w.manager, "customer", w.cust_zh.id)) == 1
        # Inside its region the dealer may correct a contact: an audit record, before -> after, names it.
        fixed = attrs.evolve(w.cust_zh, contact=attrs.evolve(w.cust_zh.contact, phone="13912340000"))
        desk.register_customer(w.dealer_sh_staff, fixed)
        change = desk.master_data_history(w.manager, "customer", w.cust_zh.id)[-1]
        assert change.by.id == w.dealer_sh_staff.id
        assert (change.before or {})["contact"]["phone"] == "13912345678"
        assert change.after["contact"]["phone"] == "13912340000"
        with pytest.raises((PermissionDenied, NotFound)):
            desk.master_data_history(w.dealer_bj_staff, "customer", w.cust_zh.id)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_reused_key_with_another_request_is_refused_and_the_same_one_replays(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, _clock, w):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="漏水").ticket.id
        first = desk.note_to_customer(w.agent, tid, text="明天上门", idempotency_key="k-1")
        events = len(desk.ticket(w.manager, tid).events)
        again = desk.note_to_customer(w.agent, tid, text="明天上门", idempotency_key="k-1")
        assert again.ticket.version == first.ticket.version
        assert len(desk.ticket(w.manager, tid).events) == events
        with pytest.raises(IdempotencyKeyReused):
            desk.note_to_customer(w.agent, tid, text="后天上门", idempotency_key="k-1")
        assert len(desk.ticket(w.manager, tid).events) == events


def test_configuration_nothing_consumes_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        ServiceDesk.open("memory://", pack="sanitary_ware", overrides={"nonsense": object()})
    with pytest.raises(ConfigurationError):  # a dict is no policy: refused, not read as parameters
        ServiceDesk.open(
            "memory://", pack="sanitary_ware", overrides={"complaint": {"batch_threshold_pct": 4}}
        )
    with pytest.raises(ValidationError):
        ServiceDesk.open("memory://", pack="sanitary_ware", bogus_option=3)  # type: ignore[call-arg]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_cannot_be_ended_through_the_ticket_commands(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, _clock, w):
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "安装师傅态度差").ticket.id
        events = len(desk.ticket(w.manager, cid).events)
        for actor in (w.customer_zh, w.dealer_sh_staff):
            for end in (
                lambda a: desk.cancel(a, cid, reason="不投诉了"),
                lambda a: desk.close(a, cid),
                lambda a: desk.resolve(a, cid, summary="已处理"),
            ):
                with pytest.raises((PermissionDenied, InvalidTransition, NotFound, ValidationError)):
                    end(actor)
        ticket = desk.ticket(w.manager, cid)
        assert len(ticket.events) == events and ticket.state not in ("closed", "cancelled", "resolved")


@pytest.mark.parametrize("backend", BACKENDS)
def test_fee_slips_and_training_records_replay_by_key(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, _clock, w):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="漏水").ticket.id
        lines = [ChargeLine(ChargeKind.LABOUR, "labour", Money("80.00", "CNY"))]
        slip = desk.fees.issue_slip(w.agent, tid, lines=lines, idempotency_key="slip-1")
        assert desk.fees.issue_slip(w.agent, tid, lines=lines, idempotency_key="slip-1").id == slip.id
        with pytest.raises(IdempotencyKeyReused):
            desk.fees.issue_slip(
                w.agent, tid, lines=[ChargeLine(ChargeKind.LABOUR, "labour", Money("90.00", "CNY"))],
                idempotency_key="slip-1",
            )  # fmt: skip
        assert [s.id for s in desk.fees.slips_of(w.manager, tid)] == [slip.id]
        record = {
            "kind": TrainingKind.CENTRAL, "held_on": date(2026, 3, 1), "trainer": "王工",
            "dealer_ids": [w.dealer_sh.id], "topics": [TrainingTopic.WARRANTY_RULES],
        }  # fmt: skip
        first = desk.archives.record_training(w.manager, **record, idempotency_key="tr-1")  # type: ignore[arg-type]
        again = desk.archives.record_training(w.manager, **record, idempotency_key="tr-1")  # type: ignore[arg-type]
        assert again.id == first.id
        with pytest.raises(IdempotencyKeyReused):
            desk.archives.record_training(  # type: ignore[arg-type]
                w.manager, **{**record, "trainer": "李工"}, idempotency_key="tr-1"
            )


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_dealer_reads_and_submits_only_its_own_reports(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, _clock, w):
        staff = w.dealer_bj_staff
        with pytest.raises((PermissionDenied, NotFound)):
            desk.archives.dealer_archive(staff, w.dealer_sh.id, start=date(2026, 1, 1), end=date(2026, 3, 31))
        with pytest.raises((PermissionDenied, NotFound)):
            desk.reports.submit_dealer_report(staff, w.dealer_sh.id, "2026-02", installations=1, repairs=1)
        with pytest.raises((PermissionDenied, NotFound)):
            desk.archives.customer_archive(staff, w.cust_zh.id)
        scopes = (desk.reports.kpi_scope, desk.reports.dealer_monthly_scope, desk.reports.fault_scope)
        assert [scope(staff) for scope in scopes] == [w.dealer_bj.id] * 3
        for outsider in (w.customer_zh, w.junior):
            with pytest.raises(PermissionDenied):
                desk.reports.kpi_scope(outsider)
