# mypy: disable-error-code="arg-type"
"""The three stores in lockstep over the commands session 27 g raced on two desks.

Inherits every earlier machine's rules (``test_store_lockstep_s26j``: budget drafts, approvals and
returns, contacts entered after the fact, the sweep, reclassifying, callbacks, the jobs) and adds the rest
of what the race tests drive (``test_*_s27g.py``), with hostile values: a budget set directly and an
overrun approved (seed 000 超预算审批); the appraisal of a person and month and the incentives and
sanctions decided for them (seed 001 考核, seed 000 人员激励与约束); a unit's completion date corrected
(earlier, later, in the future, before its purchase: seed 004 第七条 5(2)); the open tickets' due times
recomputed page by page (the move a pack swap makes, ``recompute_provisional_dues``); a callback
scheduled by hand. After every step each store gave the same answer (or the same typed error), and a
refused command changed nothing. :data:`NEWEST_S27G` lists those commands; a test checks each is driven.
"""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule
from test_store_lockstep import ACTORS, OUT_OF_WARRANTY, WORLD, _tmp, actors, picks
from test_store_lockstep_s26j import AMOUNTS, CATEGORIES, HEADS, PERIODS, SessionTwentySixLockstep, heads

from aftersales.domain.money import Money
from aftersales.domain.staff_records import MeasureKind

NEWEST_S27G = (
    "charges.set_budget",
    "charges.approve_overrun",
    "staff_records.appraise",
    "staff_records.record_measure",
    "staff_records.staff_record",
    "master_data.change_warranty_start",
    "recompute_provisional_dues",
    "callbacks.schedule",
    "health",
)
"""The commands of session 27 g's races the three stores are compared on, beside the earlier machines'."""

STAFF_IDS = st.sampled_from(["eng-jr", "eng-sr", "eng-dealer-sh", "agent-1", "ghost", ""])
KINDS = st.sampled_from(["engineer", "agent", "dealer"])
SCORES = st.sampled_from(["80", "100", "59.5", "0", "101", "-1", "NaN"])
MONTHS = st.sampled_from(["2026-03", "2026-02", "2099-01", "2026-3", "２０２６-03"])
MEASURES = st.sampled_from([m.value for m in MeasureKind] + ["bonus"])
COMPLETIONS = st.sampled_from(
    [date(2021, 1, 11), date(2021, 1, 1), date(2020, 12, 31), date(2026, 3, 2), date(2099, 1, 1)]
)
PAGES = st.sampled_from([1, 2, 500, 0, 1001])
DUES = st.sampled_from([None, timedelta(hours=2), timedelta(days=-1), timedelta(days=400)])


class SessionTwentySevenRaces(SessionTwentySixLockstep):
    """The earlier machines' rules, and the raced commands not driven before, with hostile values."""

    @rule(who=heads, period=PERIODS, category=CATEGORIES, amount=AMOUNTS, overrun=st.booleans())
    def set_or_overrun_budget(self, who: str, period: str, category: str, amount: str, overrun: bool) -> None:
        actor = HEADS[who]
        if overrun:  # the amount made inside: a value Money refuses is an answer too
            self._on_every_store(
                lambda d: d.charges.approve_overrun(
                    actor, period, category, Money(Decimal(amount), "CNY"), reason="配件涨价"
                )
            )
        else:
            self._on_every_store(
                lambda d: d.charges.set_budget(
                    actor, period, category, Money(Decimal(amount), "CNY"), note="核定"
                )
            )
        self._on_every_store(lambda d: d.charges.budgets(actor, period))

    @rule(who=actors, staff=STAFF_IDS, kind=KINDS, month=MONTHS, score=SCORES, measure=MEASURES)
    def appraise_and_measure(
        self, who: str, staff: str, kind: str, month: str, score: str, measure: str
    ) -> None:
        actor = ACTORS[who]
        self._on_every_store(
            lambda d: d.staff_records.appraise(actor, staff, month, kind=kind, score=Decimal(score))
        )
        self._on_every_store(
            lambda d: d.staff_records.record_measure(
                actor, staff, kind=kind, measure=measure, reason="展会抢修及时"
            )
        )
        self._on_every_store(lambda d: d.staff_records.staff_record(WORLD.manager, staff))

    @rule(who=actors, on=COMPLETIONS, unit=st.booleans())
    def correct_completion(self, who: str, on: date, unit: bool) -> None:
        asset = OUT_OF_WARRANTY.id if unit else WORLD.asset.id
        self._on_every_store(
            lambda d: d.master_data.change_warranty_start(
                ACTORS[who], asset, reason="安装验收单更正", installation_accepted_on=on
            )
        )

    @rule(who=actors, page=PAGES)
    def recompute_dues(self, who: str, page: int) -> None:
        self._on_every_store(lambda d: d.recompute_provisional_dues(ACTORS[who], page_size=page))
        self._on_every_store(lambda d: d.health())

    @precondition(lambda self: self.tickets)
    @rule(who=actors, pick=picks, due=DUES)
    def schedule_callback_by_hand(self, who: str, pick: int, due: timedelta | None) -> None:
        t = self._ticket(pick)
        at = self.clocks[0].now() + due if due is not None else None
        self._on_every_store(lambda d: d.callbacks.schedule(ACTORS[who], t, due_at=at), t)


def test_every_raced_command_is_driven_by_the_machine() -> None:
    source = (Path(__file__).parent / "test_store_lockstep_s27g.py").read_text(encoding="utf-8")
    calls = {".".join(c for c in call if c) for call in re.findall(r"\bd\.(?:(\w+)\.)?(\w+)\(", source)}
    assert [key for key in NEWEST_S27G if key not in calls] == []


SessionTwentySevenRaces.TestCase.settings = settings(
    max_examples=int(os.environ.get("LOCKSTEP_EXAMPLES", "4")),
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

__all__ = ["_tmp"]  # the temporary-directory fixture, applied to this module's machine too

TestSessionTwentySevenRaces = SessionTwentySevenRaces.TestCase
