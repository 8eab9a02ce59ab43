"""A critical dispatch on PostgreSQL reads the emergency teams' versions with its ticket (issue 21, s37 b).

Seed 003 二 3 (特急问题则启动应急小组): a critical call's dispatch calls its emergency team out. The desk
keeps the teams parsed and checks them against their stored versions on every dispatch
(``service.team_roster``); on PostgreSQL that check was a round trip of its own, a third one beside the
ticket's read and the commit, on about half the dispatches. It now comes with the ticket's locking read
(``postgres_entity_reads.VERSIONS``), in the command's own transaction: a team changed on another desk
is still the one the next dispatch calls out.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Priority, Severity
from aftersales.domain.teams import Team, TeamKind
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, START, World, make_world, pg_schema_url, register

pytestmark = pytest.mark.postgres


class _Trips:
    """Round trips (each turn from the client's messages to the server's answer) on the connections
    the PostgreSQL store hands out, from libpq's protocol trace."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from psycopg.pq import Trace

        from aftersales.adapters.postgres import PostgresStore

        self.file = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed by the fixture
        acquire, release = PostgresStore.acquire, PostgresStore.release

        def traced(store: Any) -> Any:
            conn = acquire(store)
            conn.pgconn.trace(self.file.fileno())
            conn.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS)
            return conn

        def untraced(store: Any, conn: Any) -> None:
            conn.pgconn.untrace()
            release(store, conn)

        monkeypatch.setattr(PostgresStore, "acquire", traced)
        monkeypatch.setattr(PostgresStore, "release", untraced)

    def count(self) -> int:
        """Round trips since the last count."""
        self.file.seek(0)
        trips, last = 0, ""
        for line in self.file.read().splitlines():
            side = line[:2]  # a query's text may go on over several lines
            trips += side == "B\t" and last == "F\t"
            last = side if side in ("F\t", "B\t") else last
        self.file.seek(0)
        self.file.truncate()
        return trips


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Trips]:
    counter = _Trips(monkeypatch)
    try:
        yield counter
    finally:
        monkeypatch.undo()
        counter.file.close()


def _critical(desk: ServiceDesk, w: World) -> str:
    tid = desk.open_ticket(w.agent, customer_id=w.cust_en.id, description="All printers down", urgent=True)
    desk.triage(w.agent, tid.ticket.id, nature="outage", severity=Severity.SEVERE)
    assert desk.ticket(w.manager, tid.ticket.id).priority is Priority.CRITICAL
    return tid.ticket.id


def test_a_critical_dispatch_checks_its_kept_teams_in_two_round_trips_and_sees_another_desks_change(
    trips: _Trips,
) -> None:
    clock, w, notifier = ManualClock(START), make_world(), MemoryNotifier()
    with pg_schema_url() as url:
        desks = [
            ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF, notifier=notifier)
            for _ in range(2)
        ]
        first, second = desks
        try:
            register(first, w)
            clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))
            lead, junior = w.eng_senior.id, w.eng_junior.id
            first.teams.save_team(w.manager, Team("em", "应急小组", TeamKind.EMERGENCY, lead))
            dispatched, tids = [], []
            for n in range(4):  # statements get prepared, the team is kept parsed
                tid = _critical(first, w)
                tids.append(tid)
                trips.count()
                first.dispatch(w.agent, tid, engineer_id=junior)
                dispatched.append(trips.count())
                if n == 2:  # another desk adds the junior engineer to the team
                    second.teams.save_team(
                        w.manager, Team("em", "应急小组", TeamKind.EMERGENCY, lead, [junior])
                    )
            first.deliver()
            # Read with the ticket (BEGIN, its locking read, the teams' versions …), then the writes
            # and COMMIT: were 3, the teams' versions a round trip of their own. After the other desk's
            # change the team is read again and its members' contacts (to tell them): were 5.
            assert dispatched[1:] == [2, 2, 4], dispatched
            overrides = []
            for tid in tids:
                (assigned,) = [e for e in first.ticket(w.manager, tid).events if e.action == "assign"]
                overrides.append("dispatch_outside_emergency_team" in str(assigned.payload))
            # The junior engineer is on no emergency team (an override) until the other desk's change,
            # which the next dispatch saw although its desk kept the team parsed.
            assert overrides == [True, True, True, False]
        finally:
            for desk in desks:
                desk.shutdown()


def test_the_versions_read_along_are_the_emergency_teams() -> None:
    from aftersales.adapters import postgres_entity_reads as reads

    (brought,) = reads.VERSIONS
    assert brought == (Team.DOCUMENT_KIND, Team.DOCUMENT_INDEX[0], TeamKind.EMERGENCY.value)
