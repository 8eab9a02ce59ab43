"""A batch quality incident follows the ticket read at read time, session 29 f, on memory, SQLite and
PostgreSQL.

Seed 004 第七条 5(2) (批量质量事故): the incident records the engineers whose tickets it counted. The reads
let an engineer see an incident when it was recorded there, whatever it may read now: the engineer whose
tickets were passed to a team-mate and who then moved to another team — who may no longer open any of
them (``desk.ticket`` is ``NotFound``) — still listed the incident and read it (its problem, batch, counts
and workflow), only without the tickets. Now an engineer sees an incident while one of its tickets is
readable to it by the ticket read's rule (service/scope.ticket_readable_as, the team rule included), as
``incidents``, ``incident`` and ``units`` judge it at read time.
"""

from __future__ import annotations

import pytest
from test_quality_incident_team_s28e import HOLDER, MANAGER, MATE, OTHER, _fault, desk  # noqa: F401

from aftersales.errors import NotFound
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

MOVED = Actor.engineer("e1", team="t-west")
"""The holder, after moving to the other team."""


def test_an_engineer_who_may_no_longer_read_the_tickets_no_longer_sees_their_incident(
    desk: ServiceDesk,  # noqa: F811
) -> None:
    tickets = [_fault(desk, n) for n in range(5)]
    qi = desk.quality_incidents
    (incident,) = qi.incidents(MANAGER)
    assert incident.engineer_ids == ["e1"]
    for tid in tickets:  # the work goes to a team-mate: the holder still reads it by the team rule
        desk.dispatch(MANAGER, tid, engineer_id="e2", reason="调岗交接")
    assert all(desk.ticket(HOLDER, t).id == t for t in tickets)
    assert [i.id for i in qi.incidents(HOLDER)] == [incident.id]
    assert sorted(qi.incident(HOLDER, incident.id).ticket_ids) == sorted(tickets)
    # Moved to the other team, the former holder reads none of the tickets: nor their incident.
    for tid in tickets:
        with pytest.raises(NotFound):
            desk.ticket(MOVED, tid)
    assert qi.incidents(MOVED) == []
    with pytest.raises(NotFound):
        qi.incident(MOVED, incident.id)
    with pytest.raises(NotFound):
        qi.units(MOVED, incident.id)
    # The team-mate now holding them, and the office, read it as before; the other team still does not.
    assert sorted(qi.incident(MATE, incident.id).ticket_ids) == sorted(tickets)
    assert qi.incidents(OTHER) == []
    assert len(qi.units(MANAGER, incident.id)) == 5


def test_an_engineer_whose_tickets_went_to_another_team_no_longer_sees_their_incident(
    desk: ServiceDesk,  # noqa: F811
) -> None:
    tickets = [_fault(desk, n) for n in range(5)]
    qi = desk.quality_incidents
    (incident,) = qi.incidents(MANAGER)
    for tid in tickets:
        desk.dispatch(MANAGER, tid, engineer_id="e3", reason="转西区")
    with pytest.raises(NotFound):
        desk.ticket(HOLDER, tickets[0])
    assert qi.incidents(HOLDER) == []
    with pytest.raises(NotFound):
        qi.incident(HOLDER, incident.id)
    assert [i.id for i in qi.incidents(OTHER)] == [incident.id]  # the new holder reads its tickets' incident
