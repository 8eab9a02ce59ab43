"""The SLA sweep's candidate rows (``tickets.sla_candidates``) on memory, SQLite and PostgreSQL.

The sweep skips a quiet ticket on what the row says (id, version, the customer's tier, the due time), so
every store must say the same as the ticket it would have loaded, page by page in the same order, and a
repeat sweep must still see a ticket whose customer became a VIP since the last one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_lifecycle_sla import AGENT, MANAGER, STORES, SYSTEM, _open

from aftersales import Contact, Customer, CustomerId, CustomerTier, Priority, ServiceDesk
from aftersales.domain.instants import micros
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.ports.sla_candidates import SlaCandidate, tier_named

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a Monday


@pytest.fixture(params=STORES)
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    opened = _open(str(request.param), tmp_path, "office_equipment", START)
    yield opened
    opened.shutdown()


def _tickets(desk: ServiceDesk) -> None:
    """Seven tickets of three customers: a VIP, an important one and a regular one."""
    for id_, tier in (("vip", CustomerTier.VIP), ("imp", CustomerTier.IMPORTANT)):
        desk.register_customer(
            MANAGER, Customer(CustomerId(id_), id_, Contact(id_, phone="13800000000"), tier=tier)
        )
    for n in range(7):
        opened = desk.open_ticket(AGENT, customer_id=("vip", "c1", "imp")[n % 3], description=f"卡纸 {n}")
        if n % 2:
            desk.contact_customer(AGENT, opened.ticket.id, note="明天上门")


@pytest.mark.parametrize(
    ("query", "sort"),
    [
        (TicketFilter(unresolved=True, due_before=START + timedelta(days=60)), Sort.DUE),
        (TicketFilter(is_open=True), Sort.RECEIVED_ASC),
    ],
)
def test_candidates_say_what_the_tickets_say_page_by_page(
    desk: ServiceDesk, query: TicketFilter, sort: Sort
) -> None:
    _tickets(desk)
    tiers = {"vip": CustomerTier.VIP, "c1": CustomerTier.REGULAR, "imp": CustomerTier.IMPORTANT}
    seen: list[SlaCandidate] = []
    expected: list[SlaCandidate] = []
    with desk.store() as uow:
        cursor: str | None = None
        while True:
            page = uow.tickets.sla_candidates(query, PageRequest(3, cursor, sort))
            tickets = uow.tickets.query(query, PageRequest(3, cursor, sort))
            assert page.next_cursor == tickets.next_cursor
            seen += page.items
            expected += [
                SlaCandidate(
                    t.id,
                    t.version,
                    tiers[t.customer_id],
                    None if t.resolution_due_at is None else micros(t.resolution_due_at),
                )
                for t in tickets.items
            ]
            cursor = page.next_cursor
            if cursor is None:
                break
    assert len(seen) == 7
    assert seen == expected
    assert {c.tier for c in seen} == set(tiers.values())


@pytest.fixture(params=STORES)
def vip_desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    """A desk whose SLA tightens a VIP's targets (the policy's VIP × 0.5, written out: the seeds' packs
    count a customer's importance in the grade alone, or not at all)."""
    pack = tmp_path / "vip_half.toml"
    pack.write_text(
        '[pack]\nname = "vip_half"\nextends = "general_maintenance"\n\n[sla]\ntier_factor = { vip = 0.5 }\n',
        encoding="utf-8",
    )
    opened = _open(str(request.param), tmp_path, str(pack), START)
    yield opened
    opened.shutdown()


def test_a_repeat_sweep_sees_a_customer_made_vip_since_the_last(vip_desk: ServiceDesk) -> None:
    desk = vip_desk
    desk.register_customer(
        MANAGER, Customer(CustomerId("c2"), "王先生", Contact("王先生", phone="13800000000"))
    )
    ticket = desk.open_ticket(AGENT, customer_id="c2", description="复印机不出纸", priority=Priority.NORMAL)
    desk.contact_customer(AGENT, ticket.ticket.id, note="工程师明天上午上门")  # only the resolution runs
    normal = desk.sla(AGENT, ticket.ticket.id)["resolution"]
    assert desk.sla_watch.sweep(SYSTEM).warnings == ()  # quiet until normal.warning_at
    desk.register_customer(
        MANAGER,
        Customer(CustomerId("c2"), "王先生", Contact("王先生", phone="13800000000"), tier=CustomerTier.VIP),
    )
    vip = desk.sla(AGENT, ticket.ticket.id)["resolution"]
    assert vip.warning_at is not None and normal.warning_at is not None
    assert vip.warning_at < normal.warning_at
    desk.clock.set(vip.warning_at + timedelta(minutes=1))  # type: ignore[attr-defined]
    warned = desk.sla_watch.sweep(SYSTEM)
    assert f"{ticket.ticket.id}:resolution" in warned.warnings
    assert desk.sla_watch.sweep(SYSTEM).warnings == ()  # once


def test_unknown_tier_text_reads_as_regular() -> None:
    assert tier_named("vip") is CustomerTier.VIP
    assert tier_named(None) is CustomerTier.REGULAR
    assert tier_named("gold") is CustomerTier.REGULAR


def test_the_sqlite_candidate_page_is_an_index_range_with_one_key_lookup_per_row(tmp_path: Path) -> None:
    from aftersales.adapters.sla_candidates_sql import SQLITE_TIER, candidate_query
    from aftersales.adapters.sla_sweep_ledger import DUE_SOURCE

    desk = _open("sqlite", tmp_path, "office_equipment", START)
    try:
        _tickets(desk)
        query = TicketFilter(unresolved=True, due_before=START + timedelta(days=60))
        for cursor in (None, "after"):
            page = PageRequest(2, None, Sort.DUE)
            if cursor is not None:
                with desk.store() as uow:
                    page = PageRequest(2, uow.tickets.sla_candidates(query, page).next_cursor, Sort.DUE)
            # the ledger's unresolved tickets by due are sla_due's range (session 33: no tickets_due)
            sql, params = candidate_query(query, page, "?", "LIKE", SQLITE_TIER, source=DUE_SOURCE)
            with desk.store() as uow:
                plan = [str(row[3]) for row in uow.run(f"EXPLAIN QUERY PLAN {sql}", params)]  # type: ignore[attr-defined]
            assert plan[0].startswith("SEARCH sla_due USING PRIMARY KEY ("), plan
            assert any("SEARCH c USING" in step for step in plan), plan
            assert not any(step.startswith("SCAN") for step in plan), plan
            assert not any("TEMP B-TREE" in step for step in plan), plan
    finally:
        desk.shutdown()
