# mypy: disable-error-code="arg-type"
"""Seed 001 三(五)1 (售后专员负责跟踪售后问题的处理进度,定期向客户反馈处理情况): the "定期" made to happen.

Session 33 (f). Before: a visible progress note existed, but an open ticket whose customer heard nothing
for days was never flagged. Now the pack's ``[progress] update_every`` (exhibition_services: 8 working
hours) drives the ``progress_updates`` job: the specialists (agents) are told of each open ticket whose
customer has heard nothing for that long, once per period. Memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from seed_s33h_world import BACKENDS, MONDAY, company

from aftersales import Channel, ConfigurationError, Severity
from aftersales.policies.progress import ProgressParams, pack_progress_rules
from aftersales.policies.registry import Registry

PACK = "exhibition_services"
AGENTS = "callcentre@venus.example"
SUBJECT = "待反馈进度：工单 "


def _reminders(co: object, ticket_id: str) -> list[str]:
    return [m for m in co.sent_to(AGENTS) if m.startswith(SUBJECT + ticket_id)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_ticket_whose_customer_heard_nothing_for_a_working_day_is_announced_once_a_period(
    backend: str, tmp_path: Path
) -> None:
    with company(backend, tmp_path, PACK) as co:
        desk, clock = co.desk, co.clock
        tid = desk.open_ticket(co.agent, customer_id=co.customer_id, description="展位灯箱不亮").ticket.id
        desk.triage(co.agent, tid, nature="lamp_out", severity=Severity.MEDIUM)  # internal: no news
        desk.dispatch(co.agent, tid, engineer_id="eng-sr")  # the customer is told who comes: news, 09:00
        clock.advance(timedelta(hours=1))
        desk.start_work(co.senior, tid)  # not told to the customer: no news
        desk.note_to_customer(co.senior, tid, text="等备件", visible=False)  # internal: no news
        # Monday 09:00 + 8 working hours (12:00-13:00 is lunch) = Monday 18:00.
        clock.set(MONDAY.replace(hour=17, minute=59))
        assert desk.jobs.run_due(only=("progress_updates",)).counts["progress_updates"] == 0
        clock.set(MONDAY.replace(hour=18))
        assert desk.jobs.run_due(only=("progress_updates",)).counts["progress_updates"] == 1
        clock.advance(timedelta(hours=3))  # the evening: no working hour, the same period
        assert desk.jobs.run_due(only=("progress_updates",)).counts["progress_updates"] == 0
        (reminder,) = _reminders(co, tid)
        assert "张伟" in reminder and "8 个工作小时" in reminder
        # A second working day of silence: told again, once.
        clock.set(MONDAY.replace(day=3, hour=18))
        assert desk.jobs.run_due(only=("progress_updates",)).counts["progress_updates"] == 1
        assert desk.jobs.run_due(only=("progress_updates",)).counts["progress_updates"] == 0
        assert len(_reminders(co, tid)) == 2
        # The specialist tells the customer: the count starts afresh there.
        desk.note_to_customer(co.agent, tid, text="备件明早到,预计中午前修复")
        clock.set(MONDAY.replace(day=4, hour=17))
        assert desk.jobs.run_due(only=("progress_updates",)).counts["progress_updates"] == 0
        clock.set(MONDAY.replace(day=4, hour=18))
        assert desk.jobs.run_due(only=("progress_updates",)).counts["progress_updates"] == 1
        # A contact recorded with the customer is news too; a resolved ticket is the customer's to confirm.
        clock.set(MONDAY.replace(day=5, hour=9, minute=30))
        desk.contact_customer(co.agent, tid, channel=Channel.PHONE, note="已电话告知进度")
        clock.set(MONDAY.replace(day=5, hour=18))
        assert desk.jobs.run_due(only=("progress_updates",)).counts["progress_updates"] == 0
        desk.resolve(co.senior, tid, summary="更换灯管")
        clock.set(MONDAY.replace(day=9, hour=18))
        assert desk.jobs.run_due(only=("progress_updates",)).counts["progress_updates"] == 0
        assert len(_reminders(co, tid)) == 3


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_pack_without_a_period_reminds_nobody(backend: str, tmp_path: Path) -> None:
    with company(backend, tmp_path, "service_centre") as co:
        co.desk.open_ticket(co.agent, customer_id=co.customer_id, description="空调不制冷")
        co.clock.set(MONDAY.replace(day=20))
        assert co.desk.jobs.run_due(only=("progress_updates",)).counts["progress_updates"] == 0


def test_seed_001s_pack_sets_a_working_day_and_the_default_is_off() -> None:
    assert pack_progress_rules(Registry.discover().resolve(PACK).extra).update_every == 8
    assert pack_progress_rules(Registry.discover().resolve("service_centre").extra).update_every == 0


@pytest.mark.parametrize("body", ["update_every = -1", "update_every = 2001", 'update_every = "8"',
                                  "update_every = true", "update_every = 7.5"])  # fmt: skip
def test_a_malformed_period_is_refused_naming_the_key(tmp_path: Path, body: str) -> None:
    path = tmp_path / "expo.toml"
    path.write_text(f'[pack]\nname = "expo"\nextends = "{PACK}"\n\n[progress]\n{body}\n', encoding="utf-8")
    with pytest.raises(ConfigurationError) as refused:
        Registry.discover().resolve(str(path))
    assert refused.value.key == "progress.update_every"
    with pytest.raises(ConfigurationError):
        ProgressParams(update_every=-1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_reminders_marks_go_once_the_ticket_is_settled(backend: str, tmp_path: Path) -> None:
    """The once-a-period marks are kept while the ticket may still be reminded of (open), dropped by the
    daily purge once it is cancelled or closed: they grew with every period of every ticket otherwise."""
    with company(backend, tmp_path, PACK) as co:
        desk, clock = co.desk, co.clock
        kept = desk.open_ticket(co.agent, customer_id=co.customer_id, description="网络时断时续").ticket.id
        gone = desk.open_ticket(co.agent, customer_id=co.customer_id, description="展位插座无电").ticket.id
        clock.set(MONDAY.replace(hour=18))
        assert desk.jobs.run_due(only=("progress_updates",)).counts["progress_updates"] == 2
        desk.cancel(co.agent, gone, reason="客户自行解决")
        clock.set(MONDAY.replace(day=5, hour=9))
        assert desk.jobs.marks.purge_job_marks(co.manager).dropped == 1
        # The open ticket is still reminded of: its next period (Thursday), once.
        clock.set(MONDAY.replace(day=5, hour=10))
        before = len(_reminders(co, kept))
        desk.jobs.run_due(only=("progress_updates",))
        assert len(_reminders(co, kept)) == before + 1
        assert desk.jobs.run_due(only=("progress_updates",)).counts["progress_updates"] == 0
