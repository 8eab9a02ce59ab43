# mypy: disable-error-code="attr-defined"
"""PostgreSQL round trips that remained per command (issue 21, session 29).

An intake on a unit sold by a dealer read the dealer's service contracts by a statement of its own
once the unit was read (``contract_covering`` asks for them by the unit's dealer): three round
trips, four with an idempotency key. Now the read-ahead that names the unit brings them in the same
round trip (:mod:`aftersales.adapters.postgres_ahead`). Skipped only when ``AFTERSALES_PG_DSN`` is unset.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from test_postgres_round_trips import DSN, Trips, trips, url

from aftersales.adapters.clock import ManualClock
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer, Dealer
from aftersales.domain.products import Asset, Product
from aftersales.domain.service_contracts import ContractSla, ServiceContract
from aftersales.errors import DuplicateError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set"),
]
__all__ = ["trips", "url"]  # the fixtures, shared with the first round-trip tests
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")
CALLBACK: dict[str, Any] = {"problem_back": False, "satisfaction": 5, "answers": {"fixed": True}}
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _dealer_desk(url: str) -> ServiceDesk:
    """A desk whose unit u1 was sold by dealer D1, under D1's contract; u2 by no dealer."""
    desk = ServiceDesk.open(f"{url}&pool_min=1&pool_max=1", pack="sanitary_ware", clock=ManualClock(MONDAY))
    desk.register_dealer(MANAGER, Dealer("D1", "浦东网点", "SH", frozenset({"SH"})))
    desk.register_customer(
        MANAGER, Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13800000001"), region="SH")
    )
    desk.register_product(MANAGER, Product("wc-100", "WC-100", "智能马桶", "toilet"))
    desk.register_asset(MANAGER, Asset(AssetId("u1"), "wc-100", "SN-u1", customer_id="c1", dealer_id="D1"))
    desk.register_asset(MANAGER, Asset(AssetId("u2"), "wc-100", "SN-u2", customer_id="c1"))
    desk.contracts.sign(
        MANAGER,
        ServiceContract(
            id="HT-D1", starts_on=date(2026, 3, 1), ends_on=date(2027, 2, 28), price=Money("800", "CNY"),
            dealer_id="D1", assets=("u1",), sla=ContractSla(response_hours=1, resolution_hours=6),
        ),
    )  # fmt: skip
    return desk


def _terms(opened: Any) -> object:
    terms = opened.ticket.events[0].payload.get("sla_terms")
    return None if terms is None else terms["id"]


def test_an_intake_on_a_dealers_unit_reads_the_dealers_contracts_with_the_unit(
    url: str, trips: Trips
) -> None:
    desk = _dealer_desk(url)
    try:
        desk.open_ticket(AGENT, customer_id="c1", description="漏水", asset_id="u1")  # statements prepared
        desk.open_ticket(AGENT, customer_id="c1", description="漏水", asset_id="u2")
        trips.count()
        for n in range(2):
            opened = desk.open_ticket(AGENT, customer_id="c1", description=f"水箱异响 {n}", asset_id="u1")
            count, sent = trips.count()
            # BEGIN with the customer, the unit, the contracts of the customer and of the unit's dealer
            # and the counter; then the writes with COMMIT (was 3: the dealer's contracts on their own).
            assert count == 2, sent
            assert _terms(opened) == "HT-D1"  # the dealer's contract covers the unit
        keyed = desk.open_ticket(
            AGENT, customer_id="c1", description="溢流", asset_id="u1", idempotency_key="k1"
        )
        count, sent = trips.count()
        assert count == 3, sent  # the key's look-up, then as above (was 4)
        assert _terms(keyed) == "HT-D1"
        plain = desk.open_ticket(AGENT, customer_id="c1", description="溢流", asset_id="u2")
        assert trips.count()[0] == 2
        assert _terms(plain) is None  # a unit of no dealer: no dealer's contract read, none covers it
    finally:
        desk.shutdown()


def test_a_dealers_contract_signed_on_another_desk_covers_the_next_intake(url: str) -> None:
    desk = _dealer_desk(url)
    other = ServiceDesk.open(url, pack="sanitary_ware", clock=ManualClock(MONDAY))
    try:
        assert _terms(desk.open_ticket(AGENT, customer_id="c1", description="漏水", asset_id="u2")) is None
        other.register_asset(
            MANAGER, Asset(AssetId("u2"), "wc-100", "SN-u2", customer_id="c1", dealer_id="D1")
        )
        other.contracts.sign(
            MANAGER,
            ServiceContract(
                id="HT-D2", starts_on=date(2026, 3, 1), ends_on=date(2027, 2, 28), price=Money("600", "CNY"),
                dealer_id="D1", assets=("u2",), sla=ContractSla(response_hours=2, resolution_hours=8),
            ),
        )  # fmt: skip
        assert _terms(desk.open_ticket(AGENT, customer_id="c1", description="漏水", asset_id="u2")) == "HT-D2"
        assert _terms(desk.open_ticket(AGENT, customer_id="c1", description="漏水", asset_id="u1")) == "HT-D1"
    finally:
        other.shutdown()
        desk.shutdown()


def _walk_to_confirmed(desk: ServiceDesk, step: Any) -> str:
    from aftersales.domain.classification import Plan, Severity

    engineer = Actor.engineer("eng-jr", "李工")
    t = desk.open_ticket(AGENT, customer_id="cust-1", description="漏水", asset_id="asset-1").ticket.id
    desk.triage(AGENT, t, nature="repair", severity=Severity.MEDIUM, plan=Plan.ON_SITE, skill="toilet")
    desk.dispatch(AGENT, t, engineer_id="eng-jr")
    desk.start_work(engineer, t)
    fault = {"symptom": "leak", "cause": "inlet_valve_worn", "action": "replace_valve"}
    desk.add_fault_record(engineer, t, part="flush_valve", **fault)
    desk.resolve(engineer, t, summary="更换进水阀")
    step("confirm", lambda: desk.confirm(Actor.customer("cust-1"), t, note="已签字确认"))
    return str(t)


def test_a_callback_reads_its_pending_tasks_and_records_with_the_ticket(url: str, trips: Trips) -> None:
    import old_store_workload as workload

    from aftersales.domain.surveys import CallbackRecord, CallbackTask

    desk = workload.open_desk(url, ManualClock(workload.START))
    try:
        workload._register(desk)
        counted: dict[str, list[int]] = {}

        def step(kind: str, command: Any) -> None:
            trips.count()
            command()
            counted.setdefault(kind, []).append(trips.count()[0])

        for _ in range(2):  # the first time statements get prepared
            t = _walk_to_confirmed(desk, step)
            step("callback", lambda t=t: desk.record_callback(AGENT, t, **CALLBACK))  # type: ignore[misc]
            with desk.context.store() as uow:
                assert [x.state.value for x in uow.documents.query(CallbackTask, ticket_id=t)] == ["done"]
                assert len(uow.documents.query(CallbackRecord, ticket_id=t)) == 1
        # BEGIN with the ticket, its pending callback tasks (a narrower query of those it brings) and
        # its callback records; the task's save with the record's insert; COMMIT (was 5: the pending
        # tasks, then the records after the task's save, by statements of their own).
        # Session 38: the record's insert goes with the commit too (was 3).
        assert counted["callback"][1:] == [2]
        assert counted["confirm"][1:] == [2]  # session 30: its callback task with the commit (was 3)
    finally:
        desk.shutdown()


def test_a_narrower_query_of_a_tickets_documents_is_answered_until_a_save_of_their_kind(
    url: str, trips: Trips
) -> None:
    import old_store_workload as workload

    from aftersales.domain.surveys import CallbackTask, CallbackTaskState
    from aftersales.testing.storage_contract import ContractDoc

    desk = workload.open_desk(url, ManualClock(workload.START))
    store: Any = desk.store
    try:
        workload._register(desk)
        t = _walk_to_confirmed(desk, lambda _kind, command: command())
        with store() as uow:
            uow.documents.add(ContractDoc("d1", t, "open"))
            uow.commit()
        pending = CallbackTaskState.PENDING
        for _ in range(2):  # the first time statements get prepared
            trips.count()
            with store() as uow:
                uow.tickets.get_for_update(t)
                doc = uow.documents.get(ContractDoc, "d1")  # another kind, read by its own statement
                tasks = uow.documents.query(CallbackTask, ticket_id=t, state=pending)
                assert [x.state for x in tasks] == [pending]
                assert uow.documents.query(CallbackTask, ticket_id=t, state=CallbackTaskState.DONE) == []
                doc.state = "done"
                uow.documents.save(doc)  # a save of another kind: the tasks stay as read along
                again = uow.documents.query(CallbackTask, ticket_id=t, state=pending)
                assert [(x.id, x.version) for x in again] == [(tasks[0].id, tasks[0].version)]
                assert again[0] is not tasks[0]
                uow.rollback()
            # BEGIN with the ticket (and its tasks), the other document, ROLLBACK.
            count, sent = trips.count()
        assert count == 3, sent
        with store() as uow:
            uow.tickets.get_for_update(t)
            task = uow.documents.query(CallbackTask, ticket_id=t, state=pending)[0]
            uow.documents.save(attrs_evolve(task, state=CallbackTaskState.DROPPED))  # its own kind
            assert uow.documents.query(CallbackTask, ticket_id=t, state=pending) == []  # read again
            dropped = uow.documents.query(CallbackTask, ticket_id=t, state=CallbackTaskState.DROPPED)
            assert [x.id for x in dropped] == [task.id]
            uow.rollback()
    finally:
        desk.shutdown()


def attrs_evolve(obj: Any, **changes: Any) -> Any:
    import attrs

    return attrs.evolve(obj, **changes)


def test_text_enums_are_written_as_psycopg_writes_them_and_other_subclasses_left_to_it() -> None:
    import enum

    import psycopg

    from aftersales.adapters.postgres_literals import literals, literals_utf8, render_utf8
    from aftersales.domain.surveys import CallbackTaskState

    class Plain(enum.Enum):  # not text: psycopg writes its name, this module leaves it to psycopg
        A = "a"

    class Quoted(enum.StrEnum):
        Q = "it's"

    with psycopg.connect(DSN or "", autocommit=True) as conn:
        mogrify = psycopg.ClientCursor(conn).mogrify
        for value in (CallbackTaskState.PENDING, Quoted.Q):
            assert literals([value]) == [mogrify("%s", [value])]
            assert literals_utf8([value]) == [mogrify("%s", [value]).encode()]
            assert render_utf8("SELECT %s", [value], mogrify) == mogrify("SELECT %s", [value]).encode()
            assert conn.execute(render_utf8("SELECT %s", [value], mogrify)).fetchone() == (str(value),)
        assert literals([Plain.A]) is None and literals_utf8([Plain.A]) is None


def test_a_documents_enum_index_values_travel_prepared(url: str, trips: Trips) -> None:
    import old_store_workload as workload

    desk = workload.open_desk(url, ManualClock(workload.START))
    try:
        workload._register(desk)
        sent: dict[str, str] = {}

        def step(kind: str, command: Any) -> None:
            trips.count()
            command()
            trips.file.seek(0)
            sent[kind] = trips.file.read()
            trips.count()

        for _ in range(2):  # the first time statements get prepared
            t = _walk_to_confirmed(desk, step)
            step("callback", lambda t=t: desk.record_callback(AGENT, t, **CALLBACK))  # type: ignore[misc]
        # A confirmation adds a pending callback task and a callback marks it done: their index rows
        # (state: a CodedEnum) went as text rendered by psycopg, for the server to parse and plan every
        # time; now as EXECUTE of the statement prepared once per connection.
        for kind in ("confirm", "callback"):
            assert "'callback_task'" in sent[kind]
            assert "INSERT INTO document_index" not in sent[kind], sent[kind]
    finally:
        desk.shutdown()


def test_a_commands_saved_ticket_is_copied_once_for_the_memo(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aftersales.domain.ticket as ticket_module

    desk = ServiceDesk.open(f"{url}&pool_min=1&pool_max=1", pack="general_maintenance")
    try:
        desk.register_customer(
            MANAGER, Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13900000000"))
        )
        t = desk.open_ticket(AGENT, customer_id="c1", description="热水器漏水").ticket.id
        desk.note_to_customer(AGENT, t, text="工程师已出发")
        copies: list[str] = []
        copy = ticket_module._copy

        def counted(ticket: Any) -> Any:
            copies.append(ticket.id)
            return copy(ticket)

        monkeypatch.setattr(ticket_module, "_copy", counted)
        desk.note_to_customer(AGENT, t, text="已到达")
        # The memo's copy handed to the command, and the state saved kept for the memo: that copy is
        # the memo's own (it copied it again: 3).
        assert copies == [t, t]
        desk.note_to_customer(AGENT, t, text="修好了")  # served from the memo, as saved
        with desk.store() as uow:
            assert [n.text for n in uow.tickets.get(t).notes] == ["工程师已出发", "已到达", "修好了"]
    finally:
        desk.shutdown()


def _held_ticket_and_doc_store(url: str) -> tuple[Any, str]:
    """A store with a ticket (to hold, so that writes are sent later) and the contract's document d1."""
    from aftersales.adapters.postgres import open_postgres
    from aftersales.testing.storage_contract import ContractDoc

    desk = ServiceDesk.open(url, pack="general_maintenance")
    try:
        desk.register_customer(
            MANAGER, Customer(CustomerId("c1"), "张伟", Contact("张伟", phone="13900000000"))
        )
        t = str(desk.open_ticket(AGENT, customer_id="c1", description="热水器漏水").ticket.id)
    finally:
        desk.shutdown()
    store = open_postgres(f"{url}&pool_min=1&pool_max=1")
    with store() as uow:
        uow.documents.add(ContractDoc("d1", t, "open"))
        uow.commit()
    return store, t


def test_an_insert_of_a_document_found_absent_goes_with_the_commit(url: str, trips: Trips) -> None:
    from aftersales.errors import NotFound
    from aftersales.testing.storage_contract import ContractDoc

    store, t = _held_ticket_and_doc_store(url)
    try:
        for n in range(2):  # the first time statements get prepared
            trips.count()
            with store() as uow:
                uow.tickets.get_for_update(t)
                with pytest.raises(NotFound):
                    uow.documents.get(ContractDoc, f"new-{n}")
                uow.documents.add(ContractDoc(f"new-{n}", t, "open", ["x"]))
                uow.commit()
            # BEGIN with the ticket, the read finding it absent, the insert with COMMIT (was 4: the
            # insert at once).
            count, sent = trips.count()
        assert count == 3, sent
        with store() as uow:
            found = uow.documents.get(ContractDoc, "new-1")
            assert (found.lines, found.version) == (["x"], 0)
            assert [d.id for d in uow.documents.query(ContractDoc, ticket_id=t, state="open")] == [
                "d1",
                "new-0",
                "new-1",
            ]
            uow.rollback()
        with store() as uow:
            uow.tickets.get_for_update(t)
            with pytest.raises(NotFound):
                uow.documents.get(ContractDoc, "new-2")
            uow.documents.add(ContractDoc("new-2", t, "open"))
            assert uow.documents.get(ContractDoc, "new-2").state == "open"  # read back: the insert first
            with pytest.raises(DuplicateError):
                uow.documents.add(ContractDoc("new-2", t, "again"))  # added here: refused at once
            uow.rollback()
        with store() as uow, pytest.raises(NotFound):
            uow.documents.get(ContractDoc, "new-2")  # rolled back
    finally:
        store.close()


def test_an_insert_sent_later_that_another_transaction_stored_meanwhile_fails_the_commit(url: str) -> None:
    import psycopg

    from aftersales.errors import NotFound
    from aftersales.testing.storage_contract import ContractDoc

    store, t = _held_ticket_and_doc_store(url)
    schema = url.rsplit("schema=", 1)[1]
    try:
        with store() as uow:
            ticket = uow.tickets.get_for_update(t)
            with pytest.raises(NotFound):
                uow.documents.get(ContractDoc, "raced")
            with psycopg.connect(DSN or "", autocommit=True, options=f"-c search_path={schema}") as other:
                theirs = '{"id": "raced", "ticket_id": "T-x", "state": "theirs", "lines": [], "version": 0}'
                other.execute(
                    "INSERT INTO documents (kind, id, version, data) VALUES ('contract_doc', 'raced', 0, %s)",
                    (theirs,),
                )
            uow.documents.add(ContractDoc("raced", t, "mine"))  # found absent: sent with the commit
            ticket.description = "改过的描述"
            uow.tickets.save(ticket)
            with pytest.raises(DuplicateError):
                uow.commit()
        with store() as uow:
            assert uow.documents.get(ContractDoc, "raced").state == "theirs"
            assert uow.tickets.get(t).description == "热水器漏水"  # nothing of the command was written
            uow.rollback()
        with store() as uow:
            uow.tickets.get_for_update(t)
            with pytest.raises(NotFound):
                uow.documents.get(ContractDoc, "later")
            uow.run("DELETE FROM documents WHERE kind = 'contract_doc' AND id = 'raced'")  # a write between
            uow.documents.add(ContractDoc("raced", t, "mine"))  # not read absent: inserted at once
            uow.documents.add(ContractDoc("later", t, "mine"))  # its absence read before the write: at once
            with pytest.raises(DuplicateError):
                uow.documents.add(ContractDoc("later", t, "again"))
            uow.rollback()
    finally:
        store.close()


@pytest.mark.parametrize("options", ["", "&prepare_threshold=100"])  # prepared, or as text
def test_an_intakes_reads_and_search_row_travel_prepared_and_survive_a_discard(
    url: str, trips: Trips, options: str
) -> None:
    desk = _dealer_desk(url + options)
    store: Any = desk.store
    try:
        desk.open_ticket(AGENT, customer_id="c1", description="漏水", asset_id="u1")  # statements prepared
        trips.count()
        trips.file.seek(0)
        trips.file.truncate()
        opened = desk.open_ticket(AGENT, customer_id="c1", description="水箱异响", asset_id="u1")
        trips.file.seek(0)
        sent = trips.file.read()
        assert trips.count()[0] == 2
        assert _terms(opened) == "HT-D1"
        # The customer, the unit, the counter, the customer's and the dealer's contracts, the store's
        # calendar stamp (an opening is checked against it): parsed and planned once per connection,
        # not on every intake (they went as text).
        prepared = sent.count("EXECUTE aftersales_r_")
        assert (prepared, "FROM entities c WHERE" in sent) == ((0, True) if options else (6, False))
        # And the new search row (its position taken by the statement), with the commit.
        assert ("INSERT INTO ticket_search" in sent) == bool(options)
        conn = store.acquire()
        conn.pgconn.exec_(b"DEALLOCATE ALL")  # behind the store's back: the session forgets them all
        store.release(conn)
        again = desk.open_ticket(AGENT, customer_id="c1", description="溢流", asset_id="u1")
        assert _terms(again) == "HT-D1"
        assert (
            desk.open_ticket(AGENT, customer_id="c1", description="异响", asset_id="u2").ticket.asset_id
            == "u2"
        )
    finally:
        desk.shutdown()
