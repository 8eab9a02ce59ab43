"""Engineers the coordinator adds to a critical ticket's team see it wherever tickets are listed
(issue 20: every read is scoped by the one permission table) — ledger, count, open-ticket list, search,
engineer loads — on memory, SQLite and PostgreSQL; engineers not on it still see nothing."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Priority, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, EngineerId
from aftersales.domain.parties import Customer, CustomerTier, Engineer, EngineerLevel
from aftersales.errors import ValidationError
from aftersales.ports.queries import CountField, PageRequest, Sort, TicketFilter
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import store_url

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
AGENT = Actor.agent("a1")
MANAGER = Actor.manager("m1")
HEAD = Actor.department_head("h1")
LEAD, HELPER, OUTSIDER = Actor.engineer("e1"), Actor.engineer("e2"), Actor.engineer("e3")


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[ServiceDesk]:
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(backend, tmp_path, "members.db"))
        desk = stack.enter_context(ServiceDesk.open(url, pack="service_centre", clock=ManualClock(MONDAY)))
        for eid in ("e1", "e2", "e3"):
            desk.register_engineer(MANAGER, Engineer(EngineerId(eid), eid, EngineerLevel.SENIOR))
        contact = Contact("c1", phone="13800000000", address="上海市浦东新区 1 号")
        desk.register_customer(MANAGER, Customer(CustomerId("c1"), "张三", contact, CustomerTier.REGULAR))
        yield desk


def _ticket(desk: ServiceDesk, text: str, critical: bool) -> str:
    tid = desk.open_ticket(AGENT, customer_id="c1", description=text).ticket.id
    if critical:
        desk.triage(AGENT, tid, nature="smoke", severity=Severity.SEVERE, production_stopped=True)
        assert desk.ticket(MANAGER, tid).priority is Priority.CRITICAL
    else:
        desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM)
    desk.dispatch(AGENT, tid, engineer_id="e1")
    return tid


def _ids(desk: ServiceDesk, actor: Actor, filters: TicketFilter | None = None) -> set[str]:
    out: set[str] = set()
    page = PageRequest(limit=2, sort=Sort.PRIORITY)  # small pages: the keyset walks the member's tickets
    while True:
        found = desk.ledger(actor, filters, page)
        out |= {t.id for t in found.items}
        if found.next_cursor is None:
            return out
        page = PageRequest(limit=2, cursor=found.next_cursor, sort=Sort.PRIORITY)


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_an_added_member_finds_the_ticket_in_every_listing(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as desk:
        critical = _ticket(desk, "整栋楼停水设备冒烟", critical=True)
        other = _ticket(desk, "马桶漏水", critical=False)
        assert _ids(desk, HELPER) == set()
        desk.teams.add_members(HEAD, critical, ["e2"], note="加派人手")

        assert _ids(desk, HELPER) == {critical}
        assert _ids(desk, LEAD) == {critical, other}  # the assignee keeps both
        assert _ids(desk, OUTSIDER) == set()
        assert _ids(desk, HELPER, TicketFilter(is_open=True)) == {critical}  # the open-ticket list
        assert desk.count(HELPER) == 1 and desk.count(OUTSIDER) == 0
        assert _ids(desk, HELPER, TicketFilter(engineer_id="e1")) == {critical}  # assigned to e1, mine too
        assert {t.id for t in desk.search(HELPER, "停水").items} == {critical}
        assert not desk.search(HELPER, "漏水").items  # e1's other ticket stays out of reach
        assert not desk.search(OUTSIDER, "停水").items

        loads = {load.engineer_id: load for load in desk.engineer_loads(MANAGER)}
        assert (loads["e2"].open, loads["e2"].assisting) == (1, 1)
        assert (loads["e1"].open, loads["e1"].assisting) == (2, 0)
        assert loads["e3"].open == 0
        assert sum(loads["e2"].by_state.values()) == 1
        with desk.store() as uow:
            members = uow.tickets.count_by(CountField.MEMBER, TicketFilter(is_open=True))
        assert members == {"e2": 1}

        desk.cancel(MANAGER, critical, reason="误报")  # closed tickets leave the open lists and loads
        assert _ids(desk, HELPER, TicketFilter(is_open=True)) == set()
        assert _ids(desk, HELPER) == {critical}  # … the ledger still lists what was theirs
        loads = {load.engineer_id: load for load in desk.engineer_loads(MANAGER)}
        assert loads["e2"].open == 0 and loads["e2"].assisting == 0


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_member_who_becomes_the_assignee_counts_once(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as desk:
        critical = _ticket(desk, "设备冒烟", critical=True)
        desk.teams.add_members(HEAD, critical, ["e2"])
        desk.dispatch(AGENT, critical, engineer_id="e2", reason="组长病假")
        loads = {load.engineer_id: load for load in desk.engineer_loads(MANAGER)}
        assert (loads["e2"].open, loads["e2"].assisting) == (1, 0)
        assert loads["e1"].open == 0  # the former lead was not added as a member
        assert _ids(desk, HELPER) == {critical} and _ids(desk, LEAD) == set()


def test_worked_by_is_checked() -> None:
    with pytest.raises(ValidationError) as caught:
        TicketFilter(worked_by="")
    assert caught.value.field == "worked_by"
    with pytest.raises(ValidationError):
        TicketFilter(worked_by=7)  # type: ignore[arg-type]


def test_the_member_listing_uses_the_label_index(tmp_path: Path) -> None:
    with _desk("sqlite", tmp_path) as desk:
        critical = _ticket(desk, "设备冒烟", critical=True)
        desk.teams.add_members(HEAD, critical, ["e2"])
        assert _ids(desk, HELPER) == {critical}
    from aftersales.adapters.sql_ledger import count_query, page_query

    sql, params = page_query(TicketFilter(worked_by="e2"), PageRequest(), "data", "?", "LIKE")
    count_sql, count_params = count_query(CountField.MEMBER, TicketFilter(is_open=True), "?", "LIKE")
    with sqlite3.connect(tmp_path / "members.db") as conn:
        plan = " | ".join(str(row[-1]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
        counted = " | ".join(
            str(row[-1]) for row in conn.execute(f"EXPLAIN QUERY PLAN {count_sql}", count_params)
        )
    assert "ticket_labels" in plan and "SCAN tickets" not in plan, plan
    assert "SEARCH l USING PRIMARY KEY" in counted and "SCAN" not in counted, counted


def test_document_queries_by_value_read_the_index(tmp_path: Path) -> None:
    # Issue 20: the emergency team is found through the (kind, field, value) index, never a scan.
    from aftersales.adapters.sqlite import SqliteStore
    from aftersales.domain.teams import Team, TeamKind

    store = SqliteStore(f"sqlite:///{tmp_path / 'docs.db'}")
    try:
        with store() as uow:
            for n in range(300):
                kind = TeamKind.EMERGENCY if n % 100 == 0 else TeamKind.REGION
                uow.documents.add(Team(f"t{n:03d}", f"team {n}", kind, "e1"))
            uow.commit()
        plans: list[str] = []
        with store() as uow:
            run = uow.run

            def explained(sql: str, params: object = ()) -> object:
                if sql.lstrip().upper().startswith("SELECT"):
                    rows = run(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
                    plans.append(" | ".join(str(r[-1]) for r in rows))
                return run(sql, params)

            uow.run = explained  # type: ignore[method-assign]
            found = uow.documents.query(Team, kind="emergency")
            versions = uow.documents.versions(Team, kind="emergency")
        assert [t.id for t in found] == ["t000", "t100", "t200"]
        assert versions == {"t000": 0, "t100": 0, "t200": 0}
        assert len(plans) == 2
        for plan in plans:
            assert "document_index_value" in plan and "SCAN" not in plan, plan
    finally:
        store.close()
