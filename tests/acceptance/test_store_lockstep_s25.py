# mypy: disable-error-code="arg-type"
"""The three stores in lockstep over the newest commands and their options (sessions 23–25).

``test_store_lockstep_s22`` drives the capabilities up to session 22. This machine inherits all of it and
adds what came since, with the options a host passes: the purges of the outbox, the access log and the
expired personal data with their ``keep``/``older_than``/``limit``/``at``; the back-fills of the late-after
instants, the batch tallies and the money index with ``batch``/``max_batches`` (and ``next_page``); the
scheduled jobs run one by one (``only=``) at a later instant; the closing of a surplus review; and the
erasure of a customer repeated. After every step each store must have given the same answer (or the same
typed error), and a refused command must have changed nothing. :data:`NEWEST` is the list of those
commands; a test checks that each of them is driven by one of the machines.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import rule
from test_store_lockstep import ACTORS, _tmp, actors
from test_store_lockstep_s22 import LaterLockstep, _no_upkeep

from aftersales import PartyRef, SurplusOutcome
from aftersales.service.jobs import JOB_NAMES

NEWEST = (
    "outbox.purge_sent",
    "outbox.purge_dead_letters",
    "privacy.purge_access_log",
    "privacy.purge_expired",
    "privacy.erase_customer",
    "late_afters.backfill",
    "late_afters.next_page",
    "batch_tallies.backfill",
    "fees.backfill_money_index",
    "materials.close_surplus",
    "jobs.run_due",
)
"""The commands sessions 23–25 added or gave new options (the brief of session 25's hostile tester)."""

KEEPS = st.sampled_from([None, timedelta(0), timedelta(hours=1), timedelta(days=30), timedelta(days=-1)])
LIMITS = st.sampled_from([1, 2, 1000, 0, 10**9])
BATCHES = st.sampled_from([1, 2, 500, 0])
MAX_BATCHES = st.sampled_from([None, 1, 3, 0])
JOBS = st.sampled_from([name for name in JOB_NAMES if name != "store_upkeep"])


class NewestLockstep(LaterLockstep):
    """The earlier machines' rules, and the newest commands with their options beside them."""

    @rule(who=actors, keep=KEEPS, limit=LIMITS, dead=st.booleans(), later=st.booleans())
    def purge_outbox(self, who: str, keep: timedelta | None, limit: int, dead: bool, later: bool) -> None:
        at = self.clocks[0].now() + timedelta(days=60) if later else None
        if dead:
            self._on_every_store(lambda d: d.outbox.purge_dead_letters(ACTORS[who], keep, limit, at=at))
        else:
            self._on_every_store(lambda d: d.outbox.purge_sent(ACTORS[who], keep, limit, at=at))

    @rule(who=actors, limit=LIMITS, older=KEEPS, later=st.booleans())
    def purge_personal_data(self, who: str, limit: int, older: timedelta | None, later: bool) -> None:
        at = self.clocks[0].now() + timedelta(days=400) if later else None
        self._on_every_store(lambda d: d.privacy.purge_access_log(ACTORS[who], at=at, limit=limit))
        self._on_every_store(
            lambda d: d.privacy.purge_expired(ACTORS[who], older_than=older, at=at, limit=limit)
        )

    @rule(who=actors, batch=BATCHES, most=MAX_BATCHES)
    def back_fills(self, who: str, batch: int, most: int | None) -> None:
        actor = ACTORS[who]
        self._on_every_store(lambda d: d.late_afters.backfill(actor, batch=batch, max_batches=most))
        self._on_every_store(lambda d: d.late_afters.next_page(actor, batch=batch))
        self._on_every_store(lambda d: d.batch_tallies.backfill(actor, batch=batch, max_batches=most))
        self._on_every_store(lambda d: d.fees.backfill_money_index(actor, batch=batch, max_batches=most))

    @rule(job=JOBS, days=st.sampled_from([0, 1, 40, 400]))
    def run_one_job(self, job: str, days: int) -> None:
        now = self.clocks[0].now() + timedelta(days=days)
        self._on_every_store(lambda d: _no_upkeep(d.jobs.run_due(now, only=(job,))))

    @rule(who=actors, outcome=st.sampled_from(list(SurplusOutcome)), dealer=st.booleans())
    def close_a_surplus(self, who: str, outcome: SurplusOutcome, dealer: bool) -> None:
        party = PartyRef.dealer("dealer-sh") if dealer else PartyRef.engineer("eng-jr")
        self._on_every_store(
            lambda d: d.materials.close_surplus(ACTORS[who], party, "return:none", outcome, "盘点后处理")
        )

    @rule(who=actors)
    def erase_again(self, who: str) -> None:
        for _ in range(2):  # the second is refused (already erased) the same way everywhere
            self._on_every_store(lambda d: d.privacy.erase_customer(ACTORS[who], "cust-en", "客户要求删除"))


def test_every_newest_command_is_driven_by_a_machine() -> None:
    here = Path(__file__).parent
    sources = "".join(
        (here / name).read_text(encoding="utf-8")
        for name in ("test_store_lockstep.py", "test_store_lockstep_s22.py", "test_store_lockstep_s25.py")
    )
    calls = set(re.findall(r"\bd\.(\w+)\.(\w+)\(", sources))
    missing = [key for key in NEWEST if tuple(key.split(".")) not in calls]
    assert missing == []


NewestLockstep.TestCase.settings = settings(
    max_examples=int(os.environ.get("LOCKSTEP_EXAMPLES", "8")),
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

__all__ = ["_tmp"]  # the temporary-directory fixture, applied to this module's machine too

TestNewestLockstep = NewestLockstep.TestCase
