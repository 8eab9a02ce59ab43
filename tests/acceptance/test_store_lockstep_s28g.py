# mypy: disable-error-code="arg-type"
"""The three stores in lockstep over the session-27 surfaces session 28 g raced that no machine drove.

Inherits every earlier machine's rules (``test_store_lockstep_s27g`` and those before it: the sweep,
contacts entered after the fact, reclassifying, callbacks, budgets, appraisals …) and adds, with hostile
values: the SLA alerts listed back (``desk.sla_alerts``: one ticket's or all, by target, kind, withdrawal
and announcement window, a page and the next; seed 003 二 3 超时升级, 考核), the complaint log of the
complaints registered in a month (``registered_in``, seed 004 第五条 1(6) 每月反馈), and the emergency team
(a team saved, a critical ticket dispatched to it, members added by the coordinator: seed 003 二 3
特急问题则启动应急小组). After every step each store gave the same answer (or the same typed error), and a
refused command changed nothing. :data:`NEWEST_S28G` lists those calls; a test checks each is driven.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import orjson
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule
from test_store_lockstep import ACTORS, WORLD, _tmp, actors, picks
from test_store_lockstep_s27g import SessionTwentySevenRaces

from aftersales.domain.teams import Team
from aftersales.service.complaint_log import ComplaintLogFilter

NEWEST_S28G = (
    "sla_alerts",
    "complaints.complaint_log",
    "teams.save_team",
    "teams.dispatch_critical",
    "teams.add_members",
    "teams.ticket_team",
)
"""The calls of session 28 g's races the three stores are compared on, beside the earlier machines'."""

TARGETS = st.sampled_from([None, "response", "arrival", "resolution", "callback", "dealer", ""])
ALERT_KINDS = st.sampled_from([None, "sla_warning", "sla_breach", "warning"])
WITHDRAWN = st.sampled_from([None, True, False, "yes"])
WINDOWS = st.sampled_from(
    [
        (None, None),
        (timedelta(days=-30), None),
        (None, timedelta(days=1)),
        (timedelta(days=-3), timedelta(days=1)),
        (timedelta(days=-400), timedelta(days=400)),
        (timedelta(days=1), timedelta(days=-1)),  # until before since
        (timedelta(0), timedelta(0)),
    ]
)
LIMITS = st.sampled_from([1, 2, 50, 0, 1001])
CURSORS = st.sampled_from([None, "", "garbage", "MTIzOmFiYw=="])
MONTHS = st.sampled_from(["2026-03", "2026-02", "2026-04", "2026-3", "9999-12", "２０２６-03", ""])
ENGINEERS = st.sampled_from(["eng-jr", "eng-sr", "eng-dealer-sh", "ghost", ""])
TEAMS = st.sampled_from([None, "emergency", "ghost", ""])


class SessionTwentyEightRaces(SessionTwentySevenRaces):
    """The earlier machines' rules, and the raced session-27 surfaces not driven before."""

    @rule(
        who=actors,
        pick=st.one_of(st.none(), picks),
        aim=TARGETS,
        kind=ALERT_KINDS,
        withdrawn=WITHDRAWN,
        window=WINDOWS,
        limit=LIMITS,
        cursor=CURSORS,
    )
    def list_alerts(
        self,
        who: str,
        pick: int | None,
        aim: str | None,
        kind: str | None,
        withdrawn: object,
        window: tuple[timedelta | None, timedelta | None],
        limit: int,
        cursor: str | None,
    ) -> None:
        actor = ACTORS[who]
        t = self._ticket(pick) if pick is not None else None
        now = self.clocks[0].now()
        since, until = (now + w if w is not None else None for w in window)

        def listing(at: str | None) -> object:
            return lambda d: d.sla_alerts(
                actor, ticket_id=t, target=aim, kind=kind, withdrawn=withdrawn,
                since=since, until=until, limit=limit, cursor=at,
            )  # fmt: skip

        answer, text = self._on_every_store(listing(cursor))
        if answer == "ok" and cursor is None:  # the next page, by the cursor the stores gave
            following = orjson.loads(text).get("next_cursor")
            if following:
                self._on_every_store(listing(following))

    @rule(who=actors, month=MONTHS)
    def complaints_registered_in(self, who: str, month: str) -> None:
        self._on_every_store(
            lambda d: d.complaints.complaint_log(ACTORS[who], ComplaintLogFilter(registered_in=month))
        )

    @rule(who=actors, lead=ENGINEERS, other=ENGINEERS)
    def save_emergency_team(self, who: str, lead: str, other: str) -> None:
        def save(d: object) -> object:
            team = Team("emergency", "应急小组", "emergency", lead, [other] if other else [])
            return d.teams.save_team(ACTORS[who], team)

        self._on_every_store(save)

    @precondition(lambda self: self.tickets)
    @rule(who=actors, pick=picks, team=TEAMS)
    def dispatch_to_the_team(self, who: str, pick: int, team: str | None) -> None:
        t = self._ticket(pick)
        self._on_every_store(lambda d: d.teams.dispatch_critical(ACTORS[who], t, team_id=team), t)
        self._on_every_store(lambda d: d.teams.ticket_team(WORLD.manager, t))

    @precondition(lambda self: self.tickets)
    @rule(who=actors, pick=picks, engineers=st.lists(ENGINEERS, max_size=3))
    def add_team_members(self, who: str, pick: int, engineers: list[str]) -> None:
        t = self._ticket(pick)
        self._on_every_store(lambda d: d.teams.add_members(ACTORS[who], t, engineers, note="增援"), t)


def test_every_raced_surface_is_driven_by_the_machine() -> None:
    source = (Path(__file__).parent / "test_store_lockstep_s28g.py").read_text(encoding="utf-8")
    calls = {".".join(c for c in call if c) for call in re.findall(r"\bd\.(?:(\w+)\.)?(\w+)\(", source)}
    assert [key for key in NEWEST_S28G if key not in calls] == []


SessionTwentyEightRaces.TestCase.settings = settings(
    max_examples=int(os.environ.get("LOCKSTEP_EXAMPLES", "4")),
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

__all__ = ["_tmp"]  # the temporary-directory fixture, applied to this module's machine too

TestSessionTwentyEightRaces = SessionTwentyEightRaces.TestCase
