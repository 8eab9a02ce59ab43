# mypy: disable-error-code="attr-defined"
"""PostgreSQL: a close's fault statistics come with its ticket's read (issue 21, session 39).

A close counts the ticket's fault records into one statistics document per product and symptom
(``fault_stats.stats_id``). It named them only once it had the ticket, and read them by a statement of
its own: three round trips. Now the ticket's locking read brings them along, named in SQL from the row
it locked (``postgres_entity_reads.FAULT_STATS``), those not stored known absent (their inserts go with
the commit): two. Skipped only when ``AFTERSALES_PG_DSN`` is unset.
"""

from __future__ import annotations

import pytest
from test_postgres_round_trips import DSN, Trips, trips, url

from aftersales.domain.classification import Plan, Severity
from aftersales.service.actors import Actor

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not DSN, reason="AFTERSALES_PG_DSN is not set"),
]
__all__ = ["trips", "url"]  # the fixtures, shared with the first round-trip tests
AGENT = Actor.agent("agent-1")
CALLBACK = {"problem_back": False, "satisfaction": 5, "answers": {"fixed": True}}


def test_a_close_reads_its_fault_statistics_with_its_ticket_and_counts_them(url: str, trips: Trips) -> None:
    import old_store_workload as workload

    from aftersales.adapters.clock import ManualClock
    from aftersales.domain.fault_stats import ALL_PRODUCTS, FaultStats, stats_id

    desk = workload.open_desk(url, ManualClock(workload.START))
    engineer = Actor.engineer("eng-jr", "李工")
    symptoms = ("leak", "button_stuck", "seat_not_heating")
    products: set[str | None] = set()
    try:
        workload._register(desk)
        closes: list[int] = []

        def walk(symptoms: tuple[str, ...], key: str | None = None) -> None:
            opened = desk.open_ticket(AGENT, customer_id="cust-1", description="漏水", asset_id="asset-1")
            t = opened.ticket.id
            products.add(opened.ticket.product_id)
            last[:] = [t]
            desk.triage(
                AGENT, t, nature="repair", severity=Severity.MEDIUM, plan=Plan.ON_SITE, skill="toilet"
            )
            desk.dispatch(AGENT, t, engineer_id="eng-jr")
            desk.start_work(engineer, t)
            for symptom in symptoms:
                desk.add_fault_record(
                    engineer, t, symptom=symptom, cause="spring_broken", action="replace_button"
                )
            desk.resolve(engineer, t, summary="更换")
            desk.confirm(Actor.customer("cust-1"), t, note="已签字确认")
            desk.record_callback(AGENT, t, **CALLBACK)
            trips.count()
            desk.close(AGENT, t, idempotency_key=key)
            closes.append(trips.count()[0])

        last: list[str] = []

        def again(t: str) -> None:  # reopened (the problem is back) and closed again
            desk.reopen(AGENT, t, reason="复发")
            desk.start_work(engineer, t)
            desk.resolve(engineer, t, summary="再次更换")
            desk.confirm(Actor.customer("cust-1"), t, note="已签字确认")
            desk.record_callback(AGENT, t, **CALLBACK)
            trips.count()
            desk.close(AGENT, t)
            closes.append(trips.count()[0])

        walk(symptoms[:1])  # statements get prepared, the close's state learns what it reads
        walk(symptoms[:2])  # one statistic stored (leak), one not (button_stuck): inserted with the commit
        walk(symptoms, key="close-3")  # its idempotency key is read with the ticket too
        again(last[0])  # what it taught before is taken back (not a first-time fix any more)
        # Were 6 each: the statistics were read by a round trip of their own once the ticket was read, and
        # the save of a stored one dropped what the read had found absent, so the new ones and what the
        # ticket taught were inserted at once, a round trip each.
        assert closes[1:] == [2, 2, 2]
        (product,) = products
        assert product
        with desk.store() as uow:
            counted = {
                (p, s): [
                    (t.count, t.first_time_fixes)
                    for t in uow.documents.get(FaultStats, stats_id(p, s)).tallies
                ]
                for p in (product, ALL_PRODUCTS)
                for s in symptoms
            }
            uow.rollback()
        # Each ticket counted each of its symptoms once, under its product and every product; the
        # reopened one's fix no longer first-time.
        assert counted == {
            (p, s): [(3 - n, 2 - n)] for p in (product, ALL_PRODUCTS) for n, s in enumerate(symptoms)
        }
    finally:
        desk.shutdown()


def test_the_fault_statistics_read_along_are_the_documents_a_close_counts_into() -> None:
    from aftersales.adapters.postgres_entity_reads import FAULT_STATS
    from aftersales.domain.fault_stats import FaultStats

    assert FaultStats.DOCUMENT_KIND == FAULT_STATS
