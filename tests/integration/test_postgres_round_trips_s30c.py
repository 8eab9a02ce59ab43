# mypy: disable-error-code="attr-defined"
"""PostgreSQL round trips per command that remained after session 29 (issue 21, session 30).

A fault record's after-step (the batch detector) read the follow-up watch, locked the unit, read the
batch's tally and inserted the unit, each by a statement of its own after the ticket's read: six round
trips. The detector now names those reads ahead (:mod:`aftersales.ports.read_ahead`, ``locked`` for
the unit's lock): one round trip for all of them, and a unit found absent there is inserted with the
commit. Skipped only when ``AFTERSALES_PG_DSN`` is unset.
"""

from __future__ import annotations

from datetime import date

import pytest
from test_postgres_round_trips import DSN, Trips, trips, url

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.ids import AssetId, CustomerId, ProductId
from aftersales.domain.products import Asset
from aftersales.domain.quality_incidents import BatchFaultTally, BatchFaultUnit, QualityIncident
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set"),
]
__all__ = ["trips", "url"]  # the fixtures, shared with the first round-trip tests
AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")
JR = Actor.engineer("eng-jr", "李工")


def _workload_desk(url: str) -> ServiceDesk:
    import old_store_workload as workload

    clock = ManualClock(workload.START)
    desk = ServiceDesk.open(f"{url}&pool_min=1&pool_max=1", pack=workload.PACK, clock=clock)
    workload._register(desk)
    return desk


def _unit(desk: ServiceDesk, n: int) -> str:
    unit = f"unit-{n}"
    desk.register_asset(
        MANAGER,
        Asset(AssetId(unit), ProductId("wc-100"), f"SN-X-{n}", CustomerId("cust-1"), batch=f"B-{n}",
              purchase_date=date(2025, 9, 1), installation_accepted_on=date(2025, 9, 3),
              dealer_id="dealer-sh"),
    )  # fmt: skip
    return unit


def _in_work(desk: ServiceDesk, unit: str) -> str:
    t = desk.open_ticket(AGENT, customer_id="cust-1", description="漏水", asset_id=unit).ticket.id
    desk.triage(AGENT, t, nature="repair", severity=Severity.MEDIUM, plan=Plan.ON_SITE, skill="toilet")
    desk.dispatch(AGENT, t, engineer_id="eng-jr")
    desk.start_work(JR, t)
    return str(t)


FAULT = {"symptom": "leak", "cause": "inlet_valve_worn", "action": "replace_valve", "part": "flush_valve"}


def test_a_fault_record_reads_what_the_batch_detector_needs_in_one_round_trip(url: str, trips: Trips) -> None:
    desk = _workload_desk(url)
    try:
        counted: list[int] = []
        for n in range(3):  # the first time statements get prepared
            t = _in_work(desk, _unit(desk, n))
            trips.count()
            desk.add_fault_record(JR, t, **FAULT)
            count, sent = trips.count()
            counted.append(count)
            # Each unit of its own batch: a new problem (no tally yet), a new unit. BEGIN with the
            # ticket; the watch, the unit locked, the tally and the unit's document; the ticket, the
            # tally's and the unit's inserts with COMMIT (was 6: each read, and the unit's insert, alone).
            assert sent.count("Bind") == 0, sent  # nothing ran by a statement of its own
        assert counted[1:] == [3, 3]
        t = _in_work(desk, "unit-2")  # the same unit again: counted already (its insert is refused)
        trips.count()
        desk.add_fault_record(JR, t, **FAULT)
        count, sent = trips.count()
        # Session 38: found stored by the read made ahead, its insert refused without a round trip (was 4;
        # 6 before session 30).
        assert count == 3, sent
        with desk.store() as uow:
            for n in range(3):
                key = f"B-{n}|cause|inlet_valve_worn|wc-100"  # the product's batch (session 33)
                assert uow.documents.get(BatchFaultTally, key).units == 1
                unit = uow.documents.get(BatchFaultUnit, f"{key}|unit-{n}")
                assert (unit.asset_id, unit.withdrawn) == (f"unit-{n}", False)
            assert (
                uow.documents.get(BatchFaultUnit, "B-2|cause|inlet_valve_worn|wc-100|unit-2").ticket_id != t
            )
            uow.rollback()
    finally:
        desk.shutdown()


def test_a_dispatch_reads_the_engineer_it_names_with_the_ticket(url: str, trips: Trips) -> None:
    from aftersales.errors import NotFound

    desk = _workload_desk(url)
    try:
        counted: list[int] = []
        for n in range(3):  # the first time statements get prepared
            t = desk.open_ticket(AGENT, customer_id="cust-1", description=f"漏水 {n}").ticket.id
            desk.triage(
                AGENT, t, nature="repair", severity=Severity.MEDIUM, plan=Plan.ON_SITE, skill="toilet"
            )
            trips.count()
            done = desk.dispatch(AGENT, t, engineer_id="eng-jr")
            count, sent = trips.count()
            counted.append(count)
            # BEGIN with the ticket locked, its documents and the engineer named; the writes with COMMIT
            # (was 3: the engineer by a statement of its own after the ticket).
            # The read one simple query, the writes one pipeline with one Sync (session 36).
            assert (sent.count("Query"), sent.count("Sync")) == (1, 1), sent
            assert done.ticket.assignee is not None and done.ticket.assignee.id == "eng-jr"
        assert counted[1:] == [2, 2]
        moved = desk.dispatch(AGENT, t, engineer_id="eng-sr", reason="换人")  # a reassignment: the same
        assert trips.count()[0] == 2
        assert moved.ticket.assignee is not None and moved.ticket.assignee.id == "eng-sr"
        keyed = desk.dispatch(AGENT, t, engineer_id="eng-jr", reason="换回", idempotency_key="d-1")
        count, sent = trips.count()
        assert count == 2, sent  # the key's look-up with the ticket's read (session 31; was 4)
        assert keyed.ticket.assignee is not None and keyed.ticket.assignee.id == "eng-jr"
        with pytest.raises(NotFound):
            desk.dispatch(AGENT, t, engineer_id="eng-nobody", reason="无此人")
        assert desk.ticket(AGENT, t).assignee.id == "eng-jr"  # nothing changed
    finally:
        desk.shutdown()


def test_reads_named_for_the_ticket_read_are_made_by_whatever_statement_comes_first(url: str) -> None:
    """Reads named ``with_ticket`` wait for the transaction's first statement: the ticket's locking read
    takes them along; any other first statement (a plain read, a write) makes them on their own first,
    and the repositories answer the same either way."""
    from aftersales.adapters.postgres import open_postgres
    from aftersales.domain.parties import Engineer
    from aftersales.errors import NotFound
    from aftersales.ports.read_ahead import ReadAhead, read_ahead

    desk = _workload_desk(url)
    t = desk.open_ticket(AGENT, customer_id="cust-1", description="漏水").ticket.id
    desk.shutdown()
    store = open_postgres(f"{url}&pool_min=1&pool_max=1")
    ahead = ReadAhead(entities=(("engineers", "eng-sr"), ("engineers", "eng-none")), with_ticket=True)
    try:
        for first in ("ticket", "customer", "write", "nothing"):
            with store() as uow:
                read_ahead(uow, ahead)
                if first == "ticket":
                    assert uow.tickets.get_for_update(t).id == t
                elif first == "customer":
                    assert uow.customers.get("cust-1").id == "cust-1"
                elif first == "write":
                    uow.engineers.save(attrs_evolve(uow_engineer(store), name="王工二"))
                if first != "nothing":
                    assert uow.engineers.get("eng-sr").name == ("王工二" if first == "write" else "王工")
                    with pytest.raises(NotFound):
                        uow.engineers.get("eng-none")
                uow.rollback()
        with store() as uow:
            assert isinstance(uow.engineers.get("eng-sr"), Engineer)
            uow.rollback()
    finally:
        store.close()


def uow_engineer(store: object) -> object:
    with store() as uow:  # type: ignore[operator]
        found = uow.engineers.get("eng-sr")
        uow.rollback()
    return found


def attrs_evolve(obj: object, **changes: object) -> object:
    import attrs

    return attrs.evolve(obj, **changes)  # type: ignore[misc]


def _resolved(desk: ServiceDesk, n: int) -> str:
    t = _in_work(desk, _unit(desk, 100 + n))
    desk.add_fault_record(JR, t, **FAULT)
    desk.resolve(JR, t, summary="更换进水阀")
    return t


def test_a_callback_task_numbered_under_the_locked_ticket_is_inserted_with_the_commit(
    url: str, trips: Trips
) -> None:
    from aftersales.domain.surveys import CallbackTask, CallbackTaskState

    desk = _workload_desk(url)
    try:
        counted: dict[str, list[int]] = {}
        for n in range(3):  # the first time statements get prepared
            t = _resolved(desk, n)
            trips.count()
            desk.confirm(Actor.customer("cust-1"), t, note="已签字确认")  # plans the callback
            counted.setdefault("confirm", []).append(trips.count()[0])
            desk.schedule_callback(AGENT, t)  # planned again: the first task dropped, a second one
            counted.setdefault("schedule", []).append(trips.count()[0])
            with desk.store() as uow:
                tasks = uow.documents.query(CallbackTask, ticket_id=t)
                assert [(x.id, x.state) for x in tasks] == [
                    (f"{t}:callback:1", CallbackTaskState.DROPPED),
                    (f"{t}:callback:2", CallbackTaskState.PENDING),
                ]
                uow.rollback()
        # BEGIN with the ticket (and its callback tasks); the writes, the task's insert with them,
        # and COMMIT (were 3: the task's insert at once).
        assert (counted["confirm"][1:], counted["schedule"][1:]) == ([2, 2], [2, 2])
    finally:
        desk.shutdown()


def test_a_callback_task_stored_under_the_next_number_fails_the_command_and_writes_nothing(url: str) -> None:
    import psycopg

    from aftersales.errors import DuplicateError

    desk = _workload_desk(url)
    schema = url.rsplit("schema=", 1)[1]
    try:
        t = _resolved(desk, 9)
        version = desk.ticket(AGENT, t).version
        with psycopg.connect(DSN or "", autocommit=True, options=f"-c search_path={schema}") as other:
            other.execute(  # behind the desk's back, with no index row: its tasks do not count it
                "INSERT INTO documents (kind, id, version, data) VALUES ('callback_task', %s, 0, '{}')",
                (f"{t}:callback:1",),
            )
        with pytest.raises(DuplicateError):
            desk.confirm(Actor.customer("cust-1"), t, note="已签字确认")
        after = desk.ticket(AGENT, t)
        assert (after.version, str(after.state)) == (version, "resolved")  # nothing of it written
    finally:
        desk.shutdown()


def test_a_fault_record_in_a_batch_with_an_incident_reads_the_incident_with_the_tally(
    url: str, trips: Trips
) -> None:
    """Session 38: a fault record on a unit of a batch whose incident is raised joined the incident
    (seed 004 第七条 5(2)) after reading it by a statement of its own; the tally's read made ahead now
    brings the incident it names along (``postgres_ahead.FOLLOWED``)."""
    desk = _workload_desk(url)
    try:
        counted: list[int] = []
        for n in range(6):  # one batch: its incident is raised once enough of its units are counted
            unit = f"unit-{n}"
            desk.register_asset(
                MANAGER,
                Asset(AssetId(unit), ProductId("wc-100"), f"SN-Y-{n}", CustomerId("cust-1"), batch="B-Y",
                      purchase_date=date(2025, 9, 1), installation_accepted_on=date(2025, 9, 3)),
            )  # fmt: skip
            t = _in_work(desk, unit)
            trips.count()
            desk.add_fault_record(JR, t, **FAULT)
            counted.append(trips.count()[0])
        key = "B-Y|cause|inlet_valve_worn|wc-100"
        with desk.store() as uow:
            incident_id = uow.documents.get(BatchFaultTally, key).incident_id
            assert incident_id is not None
            raised = uow.documents.get(QualityIncident, incident_id)
            uow.rollback()
        # Raised at the second unit (the pack's threshold); each unit after it joins the incident.
        assert raised.unit_ids == [f"unit-{n}" for n in range(6)], raised.unit_ids
        # Those joining: BEGIN with the ticket; the watch, the unit locked, the tally with the incident it
        # names and the unit's document; the incident's save and the rest with COMMIT (was 4: the
        # incident read by a statement of its own).
        assert counted[2:] == [3, 3, 3, 3], counted
    finally:
        desk.shutdown()


def test_the_document_a_tally_brings_along_is_the_incident_its_field_names() -> None:
    import attrs

    from aftersales.adapters.postgres_ahead import FOLLOWED

    assert FOLLOWED == {BatchFaultTally.DOCUMENT_KIND: ("incident_id", QualityIncident.DOCUMENT_KIND)}
    assert "incident_id" in {f.name for f in attrs.fields(BatchFaultTally)}
