# mypy: disable-error-code="arg-type"
"""The three stores in lockstep over session 26's new surfaces (hostile tester, session 26 j).

Inherits every earlier machine's rules (``test_store_lockstep_s25``) and adds, with hostile values: a
contact recorded after the fact (``contact_customer(at=)``: naive, before the request, in the future, a
microsecond off, another zone's offset) on service tickets and on complaints passed to an outlet (the
outlet's own call, another outlet's, the centre's); the seed-000 budget steps (``draft_budget``,
``approve_budget``, ``return_budget``, the reads) with periods in other digits, year 0000, amounts beyond a
fen; and passing a complaint to an outlet. After every step each store gave the same answer (or the same
typed error), and a refused command changed nothing. :data:`NEWEST_S26` lists those commands; a test
checks each is driven here.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule
from test_store_lockstep import ACTORS, WORLD, _tmp, actors, picks
from test_store_lockstep_s25 import NewestLockstep

from aftersales.domain.money import Money
from aftersales.service.actors import Actor

NEWEST_S26 = (
    "contact_customer",
    "charges.draft_budget",
    "charges.approve_budget",
    "charges.return_budget",
    "charges.budgets",
    "charges.budget_drafts",
    "complaints.refer_to_outlet",
    "complaints.reply_from_outlet",
)
"""Session 26's surfaces the three stores are compared on (the brief of its hostile tester)."""

HEADS: dict[str, Actor] = {
    "manager": WORLD.manager,
    "department_head": WORLD.department_head,
    "general_manager": WORLD.general_manager,
    "auditor": WORLD.auditor,
    "agent": WORLD.agent,
    "dealer_sh": WORLD.dealer_sh_staff,
}
heads = st.sampled_from(sorted(HEADS))
PERIODS = st.sampled_from(["2026", "2026-03", "２０２６", "0000", "2026-13", "2026-٠٣", "9999-12"])
CATEGORIES = st.sampled_from(["materials", "labour", "travel", "postage"])
AMOUNTS = st.sampled_from(["1000", "0.01", "12000.50", "0.001", "1e3", "-5", "99999999999999"])
SHIFTS = st.sampled_from(
    [
        None,
        timedelta(0),
        timedelta(microseconds=-1),
        timedelta(minutes=-30),
        timedelta(hours=-5),
        timedelta(days=-400),
        timedelta(microseconds=1),
        timedelta(hours=2),
    ]
)
ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=45)), timezone(timedelta(hours=-9, minutes=-30))]
)


class SessionTwentySixLockstep(NewestLockstep):
    """The earlier machines' rules, and session 26's surfaces with hostile values beside them."""

    @precondition(lambda self: self.tickets or self.complaints)
    @rule(who=actors, pick=picks, shift=SHIFTS, zone=ZONES, naive=st.booleans(), complaint=st.booleans())
    def contact_after_the_fact(
        self, who: str, pick: int, shift: timedelta | None, zone: timezone, naive: bool, complaint: bool
    ) -> None:
        pool = self.complaints if complaint and self.complaints else self.tickets or self.complaints
        t = pool[pick % len(pool)]
        at: datetime | None = None
        if shift is not None:
            at = (self.clocks[0].now() + shift).astimezone(zone)
            at = at.replace(tzinfo=None) if naive else at
        self._on_every_store(lambda d: d.contact_customer(ACTORS[who], t, note="已电话联系客户", at=at), t)
        self._on_every_store(lambda d: d.sla(WORLD.auditor, t))

    @precondition(lambda self: self.complaints)
    @rule(who=actors, pick=picks, engineer=st.booleans(), reply=st.booleans())
    def pass_to_an_outlet(self, who: str, pick: int, engineer: bool, reply: bool) -> None:
        c = self.complaints[pick % len(self.complaints)]
        if engineer:
            self._on_every_store(
                lambda d: d.complaints.refer_to_outlet(ACTORS[who], c, engineer_id="eng-jr", note="请核实"), c
            )
        else:
            self._on_every_store(
                lambda d: d.complaints.refer_to_outlet(ACTORS[who], c, dealer_id="dealer-sh", note="请核实"),
                c,
            )
        if reply:
            self._on_every_store(
                lambda d: d.complaints.reply_from_outlet(ACTORS[who], c, reply="已安抚客户", handled=False), c
            )

    @rule(who=heads, period=PERIODS, category=CATEGORIES, amount=AMOUNTS, step=st.integers(0, 3))
    def budget_steps(self, who: str, period: str, category: str, amount: str, step: int) -> None:
        actor = HEADS[who]
        if step == 0:  # the amount made inside: a value Money refuses is an answer too
            self._on_every_store(
                lambda d: d.charges.draft_budget(
                    actor, period, category, Money(Decimal(amount), "CNY"), note="全年预算"
                )
            )
        elif step == 1:
            self._on_every_store(lambda d: d.charges.approve_budget(actor, period, category))
        elif step == 2:
            self._on_every_store(lambda d: d.charges.return_budget(actor, period, category, reason="偏高"))
        self._on_every_store(lambda d: d.charges.budgets(actor, period))
        self._on_every_store(lambda d: d.charges.budget_drafts(actor, period))


def test_every_session_26_surface_is_driven_by_the_machine() -> None:
    source = (Path(__file__).parent / "test_store_lockstep_s26j.py").read_text(encoding="utf-8")
    calls = {".".join(c for c in call if c) for call in re.findall(r"\bd\.(?:(\w+)\.)?(\w+)\(", source)}
    assert [key for key in NEWEST_S26 if key not in calls] == []


SessionTwentySixLockstep.TestCase.settings = settings(
    max_examples=int(os.environ.get("LOCKSTEP_EXAMPLES", "6")),
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

__all__ = ["_tmp"]  # the temporary-directory fixture, applied to this module's machine too

TestSessionTwentySixLockstep = SessionTwentySixLockstep.TestCase
