# mypy: disable-error-code="attr-defined"
"""PostgreSQL round trips of a callback and a fault record (issue 21, session 27).

A callback read its ticket's pending callback tasks twice (the survey check, then marking them done),
a round trip each; a fault record on a unit already counted in its batch tally tried the insert,
took the ``DuplicateError`` and then read the unit by its own statement. Now the same document query
asked again with nothing run between is answered once, and a document's insert gives back the row
inserted or the one already stored, which answers the next ``get`` of it. Skipped only when
``AFTERSALES_PG_DSN`` is unset.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_postgres_round_trips import DSN, Trips, trips, url

from aftersales.domain.classification import Plan, Severity
from aftersales.errors import DuplicateError
from aftersales.service.actors import Actor
from aftersales.testing.storage_contract import ContractDoc

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set"),
]
__all__ = ["trips", "url"]  # the fixtures, shared with the first round-trip tests
AGENT = Actor.agent("agent-1")


def test_a_callback_and_a_recounted_fault_record_read_each_document_once(url: str, trips: Trips) -> None:
    import old_store_workload as workload

    from aftersales.adapters.clock import ManualClock

    desk = workload.open_desk(url, ManualClock(workload.START))
    engineer = Actor.engineer("eng-jr", "李工")
    try:
        workload._register(desk)
        counted: dict[str, list[int]] = {}

        def step(kind: str, command: Any) -> None:
            trips.count()
            command()
            counted.setdefault(kind, []).append(trips.count()[0])

        def walk() -> None:  # the same unit each time: its second fault record is counted already
            opened = desk.open_ticket(AGENT, customer_id="cust-1", description="漏水", asset_id="asset-1")
            t = opened.ticket.id
            desk.triage(
                AGENT, t, nature="repair", severity=Severity.MEDIUM, plan=Plan.ON_SITE, skill="toilet"
            )
            desk.dispatch(AGENT, t, engineer_id="eng-jr")
            desk.start_work(engineer, t)
            fault = {"symptom": "leak", "cause": "inlet_valve_worn", "action": "replace_valve"}
            step("fault", lambda: desk.add_fault_record(engineer, t, part="flush_valve", **fault))
            desk.resolve(engineer, t, summary="更换进水阀")
            desk.confirm(Actor.customer("cust-1"), t, note="已签字确认")
            callback = {"problem_back": False, "satisfaction": 5, "answers": {"fixed": True}}
            step("callback", lambda: desk.record_callback(AGENT, t, **callback))

        walk()  # statements get prepared
        counted.clear()
        walk()
        assert counted == {"fault": [5], "callback": [5]}  # were 6 and 6
    finally:
        desk.shutdown()


def _store(url: str) -> Any:
    from aftersales.adapters.postgres import open_postgres

    return open_postgres(url)


def test_a_query_asked_again_is_answered_once_and_a_write_between_reads_again(url: str, trips: Trips) -> None:
    store = _store(url)
    try:
        with store() as uow:
            uow.documents.add(ContractDoc("d1", "T-1", "open", ["a"]))
            uow.documents.add(ContractDoc("d2", "T-1", "open"))
            uow.commit()
        for _ in range(2):  # the first time its statements get prepared
            trips.count()
            with store() as uow:
                first = uow.documents.query(ContractDoc, ticket_id="T-1", state="open")
                first[0].lines.append("changed by the caller")  # not seen by the second answer
                second = uow.documents.query(ContractDoc, ticket_id="T-1", state="open")
                assert [(d.id, d.lines, d.version) for d in second] == [("d1", ["a"], 0), ("d2", [], 0)]
                assert second[0] is not first[0]
                other = uow.documents.query(ContractDoc, ticket_id="T-1")  # another query: read
                assert [d.id for d in other] == ["d1", "d2"]
                uow.rollback()
        assert trips.count()[0] == 3  # BEGIN and the first query, the other query, ROLLBACK
        with store() as uow:
            found = uow.documents.query(ContractDoc, ticket_id="T-1", state="open")
            found[0].state = "done"
            uow.documents.save(found[0])  # a write between: the query is made again
            assert [d.id for d in uow.documents.query(ContractDoc, ticket_id="T-1", state="open")] == ["d2"]
            uow.documents.query(ContractDoc, ticket_id="T-1")
            uow.documents.get(ContractDoc, "d2")  # another statement between: read again
            again = uow.documents.query(ContractDoc, ticket_id="T-1")
            assert [(d.id, d.state) for d in again] == [("d1", "done"), ("d2", "open")]
            uow.commit()
    finally:
        store.close()


def test_an_insert_gives_back_the_row_added_or_the_one_stored_for_a_get(url: str, trips: Trips) -> None:
    store = _store(url)
    try:
        with store() as uow:
            uow.documents.add(ContractDoc("d1", "T-1", "open", ["stored"]))
            uow.commit()
        for n in range(2):  # the first time its statements get prepared
            trips.count()
            with store() as uow:
                with pytest.raises(DuplicateError):
                    uow.documents.add(ContractDoc("d1", "T-2", "new"))
                stored = uow.documents.get(ContractDoc, "d1")  # the row the insert found
                assert (stored.ticket_id, stored.lines, stored.version) == ("T-1", ["stored"], 0)
                uow.documents.add(ContractDoc("d2", "T-2", "new", ["x"]))
                added = uow.documents.get(ContractDoc, "d2")
                assert (added.ticket_id, added.lines, added.version) == ("T-2", ["x"], 0)
                assert [d.id for d in uow.documents.query(ContractDoc, ticket_id="T-2")] == ["d2"]
                if n == 1:
                    uow.commit()
        # BEGIN with the failed insert, the insert, its index rows (at once: no ticket held), the query,
        # COMMIT: neither get is sent (was 7).
        count, sent = trips.count()
        assert count == 5, sent
        with store() as uow:
            uow.documents.add(ContractDoc("d3", "T-3", "new"))
            saved = uow.documents.get(ContractDoc, "d1")
            saved.state = "done"
            uow.documents.save(saved)  # a write to the documents: what the insert gave back is dropped
            assert uow.documents.get(ContractDoc, "d1").state == "done"
            uow.commit()
        with store() as uow:
            assert uow.documents.get(ContractDoc, "d2").lines == ["x"]
            assert [d.id for d in uow.documents.query(ContractDoc, state="new")] == ["d2", "d3"]
    finally:
        store.close()
