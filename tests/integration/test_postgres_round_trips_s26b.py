# mypy: disable-error-code="attr-defined"
"""PostgreSQL round trips of commands beyond a note (issue 21, session 26).

A command that moved a ticket's due times read the store's calendar stamp (the calendar guard) and,
for a due at or before now, the SLA sweep's mark, each by its own statement; dispatch, start, resolve
and close read the ticket's product by its own statement too. Now all three come with the ticket's
locking read (while this store's commands use them: ``postgres_entity_reads``), and what was read along
is the stored document (a write to the documents in the same transaction drops it). Skipped only when
``AFTERSALES_PG_DSN`` is unset.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_postgres_round_trips import DSN, Trips, trips, url

from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, EngineerId, ProductId
from aftersales.domain.parties import Customer, Engineer
from aftersales.domain.products import Asset, Product
from aftersales.errors import NotFound
from aftersales.service.actors import Actor
from aftersales.service.calendar_stamp import CalendarStamp
from aftersales.service.desk import ServiceDesk
from aftersales.service.sweep_mark import SweepMark

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set"),
]
__all__ = ["trips", "url"]  # the fixtures, shared with the first round-trip tests
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")


def _desk(url: str, pack: str = "general_maintenance") -> tuple[ServiceDesk, str]:
    desk = ServiceDesk.open(url, pack=pack)
    desk.register_customer(MANAGER, Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13900000000")))
    desk.register_product(MANAGER, Product(ProductId("p1"), "WH-1", "热水器 WH-1", "water_heater"))
    desk.register_asset(MANAGER, Asset("a1", ProductId("p1"), "SN-1", CustomerId("c1")))  # type: ignore[arg-type]
    desk.register_engineer(MANAGER, Engineer(EngineerId("e1"), "李工"))
    ticket = desk.open_ticket(AGENT, customer_id="c1", description="热水器漏水", asset_id="a1").ticket.id
    return desk, ticket


def test_documents_read_along_match_the_classes_that_store_them() -> None:
    from aftersales.adapters.postgres_entity_reads import DOCUMENTS

    assert DOCUMENTS == ((CalendarStamp.DOCUMENT_KIND, "calendar"), (SweepMark.DOCUMENT_KIND, SweepMark.ID))


def test_a_command_moving_due_times_reads_the_calendar_stamp_with_its_ticket(url: str, trips: Trips) -> None:
    desk, ticket = _desk(url)
    try:
        assert "sla_sweep" not in desk.run_due_jobs().failed  # the sweep stamps the store's calendar
        with desk.store() as uow:
            uow.documents.get(CalendarStamp, "calendar")  # there: the guard reads it
        desk.note_to_customer(AGENT, ticket, text="工程师已出发")  # statements get prepared
        before = desk.ticket(AGENT, ticket).resolution_due_at
        trips.count()
        desk.triage(AGENT, ticket, nature="repair", severity=Severity.HIGH, plan=Plan.ON_SITE)
        count, sent = trips.count()
        assert desk.ticket(AGENT, ticket).resolution_due_at != before  # the due times moved
        trips.count()
        assert count == 2, sent  # was 3: the stamp by its own statement
    finally:
        desk.shutdown()


def test_dispatch_and_start_read_the_product_with_the_ticket(url: str, trips: Trips) -> None:
    desk, ticket = _desk(url, "sanitary_ware")  # its rules read the unit's product
    try:
        desk.triage(AGENT, ticket, nature="repair", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        trips.count()
        desk.dispatch(AGENT, ticket, engineer_id="e1")
        count, sent = trips.count()
        # The ticket (and its product) with the engineer named, the writes; was 4, 3 until session 30.
        assert count == 2, sent
        desk.start_work(Actor.engineer("e1"), ticket)
        count, sent = trips.count()
        assert count == 2, sent  # was 3: the product by its own statement
    finally:
        desk.shutdown()


def test_a_document_read_along_is_the_stored_one_until_a_write_to_the_documents(
    url: str, trips: Trips
) -> None:
    desk, ticket = _desk(url)
    store: Any = desk.store
    try:
        with store() as uow:  # no stamp, as a store of a release before stamps (the opening stamped it)
            uow.documents.remove(CalendarStamp, ["calendar"])
            uow.documents.add(SweepMark(SweepMark.ID, due_us=5, ticket_id="T-0"))
            uow.commit()
        trips.count()
        with store() as uow:
            uow.tickets.get_for_update(ticket)
            assert uow.documents.get(SweepMark, SweepMark.ID).due_us == 5
            with pytest.raises(NotFound):  # not stored: read along as absent
                uow.documents.get(CalendarStamp, "calendar")
            uow.rollback()
        # (libpq's trace is complete once the connection is given back.) The ticket's read, ROLLBACK.
        assert trips.count()[0] == 2
        with store() as uow:
            uow.tickets.get_for_update(ticket)
            uow.documents.get(SweepMark, SweepMark.ID)
            assert uow.documents.get(SweepMark, SweepMark.ID).due_us == 5  # served once: read again
            uow.rollback()
        assert trips.count()[0] == 3
        with store() as uow:
            uow.tickets.get_for_update(ticket)
            mark = uow.documents.get_for_update(SweepMark, SweepMark.ID)  # another statement: read
            mark.due_us = 7
            uow.documents.save(mark)  # a write to the documents drops what was read along
            assert uow.documents.get(SweepMark, SweepMark.ID).due_us == 7
            uow.commit()
        with store() as uow:
            uow.tickets.get_for_update(ticket)
            uow.run("UPDATE documents SET data = data || '{\"due_us\": 9}' WHERE kind = 'sla_sweep_mark'")
            assert uow.documents.get(SweepMark, SweepMark.ID).due_us == 9
            uow.rollback()
    finally:
        desk.shutdown()


def test_a_callback_and_a_close_send_their_document_writes_with_other_statements(
    url: str, trips: Trips
) -> None:
    import old_store_workload as workload

    from aftersales.adapters.clock import ManualClock

    clock = ManualClock(workload.START)
    desk = workload.open_desk(url, clock)
    engineer = Actor.engineer("eng-jr", "李工")
    try:
        workload._register(desk)
        counted: dict[str, list[int]] = {}

        def walk() -> None:
            def step(kind: str, command: Any) -> None:
                trips.count()
                command()
                counted.setdefault(kind, []).append(trips.count()[0])

            opened = desk.open_ticket(AGENT, customer_id="cust-1", description="漏水", asset_id="asset-1")
            t = opened.ticket.id
            desk.triage(
                AGENT, t, nature="repair", severity=Severity.MEDIUM, plan=Plan.ON_SITE, skill="toilet"
            )
            desk.dispatch(AGENT, t, engineer_id="eng-jr")
            desk.start_work(engineer, t)
            desk.add_fault_record(
                engineer,
                t,
                symptom="leak",
                cause="inlet_valve_worn",
                action="replace_valve",
                part="flush_valve",
            )
            desk.resolve(engineer, t, summary="更换进水阀")
            step("confirm", lambda: desk.confirm(Actor.customer("cust-1"), t, note="已签字确认"))
            callback = {"problem_back": False, "satisfaction": 5, "answers": {"fixed": True}}
            step("callback", lambda: desk.record_callback(AGENT, t, **callback))
            step("close", lambda: desk.close(AGENT, t))

        walk()  # statements get prepared
        counted.clear()
        walk()
        # The callback task's save and its index rows, the record's index rows, the fault statistics'
        # saves: with the next read or the commit (before: 5, 11 and 9 round trips). Session 27: the
        # callback's pending tasks are read once, not twice, and the confirmation's query of the
        # ticket's callback tasks and a close's reading what the ticket taught the fault statistics come
        # with its read (test_postgres_round_trips_s27b). Session 28: a close reads both fault statistics
        # (the product's and every product's) in one round trip (test_postgres_client_cpu_s28b). Session
        # 29: a callback's pending tasks and its records come with its read, and a close's insert of what
        # the ticket taught, found absent with it, goes with the commit (test_postgres_round_trips_s29b).
        # Session 30: a confirmation's callback task goes with the commit (test_postgres_round_trips_s30c).
        # Session 38: the callback record's insert goes with the commit (known absent: numbered from the
        # ticket's records, which came with its read).
        # Session 39: a close's fault statistics come with its read (postgres_entity_reads.FAULT_STATS).
        assert counted == {"confirm": [2], "callback": [2], "close": [2]}
    finally:
        desk.shutdown()


def test_a_document_save_sent_later_that_lost_a_race_fails_the_commit_and_writes_nothing(url: str) -> None:
    from aftersales.errors import ConcurrencyConflict
    from aftersales.testing.storage_contract import ContractDoc

    desk, ticket = _desk(url)
    store: Any = desk.store
    try:
        with store() as uow:
            uow.documents.add(ContractDoc("d1", ticket, "open"))
            uow.commit()
        with store() as uow:
            uow.tickets.get_for_update(ticket)  # the command's writes wait for its next statement or commit
            mine = uow.documents.get(ContractDoc, "d1")
            with store() as other:  # another command saves the document first
                theirs = other.documents.get(ContractDoc, "d1")
                theirs.state = "theirs"
                other.documents.save(theirs)
                other.commit()
            mine.state = "mine"
            uow.documents.save(mine)
            with pytest.raises(ConcurrencyConflict) as lost:
                uow.commit()
            assert (lost.value.kind, lost.value.id, lost.value.expected_version) == ("contract_doc", "d1", 0)
        with store() as uow:
            stored = uow.documents.get(ContractDoc, "d1")
            assert (stored.state, stored.version) == ("theirs", 1)
            assert [d.id for d in uow.documents.query(ContractDoc, state="theirs")] == ["d1"]
            assert uow.documents.query(ContractDoc, state="mine") == []
    finally:
        desk.shutdown()


def test_a_document_saved_later_is_read_and_found_by_its_index_in_its_own_transaction(url: str) -> None:
    from aftersales.testing.storage_contract import ContractDoc

    desk, ticket = _desk(url)
    store: Any = desk.store
    try:
        with store() as uow:
            uow.documents.add(ContractDoc("d1", ticket, "open"))
            uow.commit()
        with store() as uow:
            uow.tickets.get_for_update(ticket)
            doc = uow.documents.get(ContractDoc, "d1")
            doc.state = "done"
            saved = uow.documents.save(doc)
            assert saved.version == 1
            assert uow.documents.get(ContractDoc, "d1").state == "done"
            assert [d.id for d in uow.documents.query(ContractDoc, state="done")] == ["d1"]
            assert uow.documents.query(ContractDoc, state="open") == []
            uow.commit()
        with store() as uow:
            assert [d.version for d in uow.documents.query(ContractDoc, ticket_id=ticket, state="done")] == [
                1
            ]
    finally:
        desk.shutdown()


def test_eight_closes_counting_into_one_fault_statistic_lose_no_update(url: str) -> None:
    import threading

    import old_store_workload as workload

    from aftersales.adapters.clock import ManualClock
    from aftersales.domain.fault_stats import FaultStats, stats_id

    clock = ManualClock(workload.START)
    desk = workload.open_desk(f"{url}&pool_max=8", clock)
    engineer = Actor.engineer("eng-jr", "李工")
    try:
        workload._register(desk)
        tickets = []
        for n in range(8):  # each fixed by the same cause: each close counts into the same two documents
            t = desk.open_ticket(
                AGENT, customer_id="cust-1", description=f"漏水 {n}", asset_id="asset-1"
            ).ticket.id
            desk.triage(
                AGENT, t, nature="repair", severity=Severity.MEDIUM, plan=Plan.ON_SITE, skill="toilet"
            )
            desk.dispatch(AGENT, t, engineer_id="eng-jr")
            desk.start_work(engineer, t)
            desk.add_fault_record(
                engineer,
                t,
                symptom="leak",
                cause="inlet_valve_worn",
                action="replace_valve",
                part="flush_valve",
            )
            desk.resolve(engineer, t, summary="更换进水阀")
            desk.confirm(Actor.customer("cust-1"), t, note="已签字确认")
            desk.record_callback(AGENT, t, problem_back=False, satisfaction=5, answers={"fixed": True})
            tickets.append(t)
        start = threading.Barrier(len(tickets))
        failures: list[BaseException] = []

        def close(ticket: str) -> None:
            start.wait()
            try:
                desk.close(AGENT, ticket)
            except BaseException as exc:  # reported below
                failures.append(exc)

        threads = [threading.Thread(target=close, args=(t,)) for t in tickets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        with desk.store() as uow:
            for product in ("wc-100", "*"):  # the product's statistic and the symptom's across products
                assert uow.documents.get(FaultStats, stats_id(product, "leak")).tickets == len(tickets)
    finally:
        desk.shutdown()
