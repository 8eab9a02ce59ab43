"""The hourly progress reminder reads only the tickets due (session 34 g), on memory, SQLite and PostgreSQL.

Seed 001 三(五)1 (定期向客户反馈处理情况): the ``progress_updates`` job tells the specialists of each open
service ticket whose customer has heard nothing for ``update_every`` working hours. It read every watched
ticket of the store on each hourly run to find the few due. Each watched ticket is now keyed by when its
next period can end (``service/progress_watch``): a run reads one range of the key, so a ticket is read
when it may be due, not every hour. What is announced is unchanged (``test_progress_updates_s33f``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from seed_s33h_world import BACKENDS, MONDAY, company

from aftersales import Category, Channel, Severity
from aftersales.domain import customer_heard
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.ticket import Ticket

PACK = "exhibition_services"  # [progress] update_every = 8 working hours (lunch 12:00-13:00)


@contextmanager
def _reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The tickets whose customer's last news the reminder works out (one per ticket it reads)."""
    seen: list[str] = []
    real: Callable[..., Any] = customer_heard.last_heard

    def counted(ticket: Any, told: Any) -> Any:
        seen.append(ticket.id)
        return real(ticket, told)

    import aftersales.service.progress_updates as updates

    with monkeypatch.context() as patch:
        for module in (updates, *_keyed_modules()):
            patch.setattr(module, "last_heard", counted, raising=False)
        yield seen


def _keyed_modules() -> tuple[Any, ...]:
    try:
        import aftersales.service.progress_watch as watch
    except ImportError:  # the code before the keys
        return ()
    return (watch,)


def _run(co: Any) -> int:
    return int(co.desk.jobs.run_due(only=("progress_updates",)).counts["progress_updates"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_run_reads_the_tickets_due_not_every_watched_ticket(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with company(backend, tmp_path, PACK) as co:
        desk, clock = co.desk, co.clock
        early = [
            desk.open_ticket(co.agent, customer_id=co.customer_id, description=f"展位灯箱不亮 {n}").ticket.id
            for n in range(6)
        ]  # 09:00: due at 18:00
        clock.set(MONDAY.replace(hour=10))
        assert _run(co) == 0  # the first run on the store keys every watched ticket once
        clock.set(MONDAY.replace(hour=13))
        late = [
            desk.open_ticket(co.agent, customer_id=co.customer_id, description=f"展位插座无电 {n}").ticket.id
            for n in range(6)
        ]  # 13:00: due Tuesday 13:00
        clock.set(MONDAY.replace(hour=14))
        with _reads(monkeypatch) as seen:
            assert _run(co) == 0
        assert seen == []  # nothing due: nothing read (was all 12)
        clock.set(MONDAY.replace(hour=18))
        with _reads(monkeypatch) as seen:
            assert _run(co) == 6
        assert sorted(set(seen)) == sorted(early)  # the six due, not the six opened at 13:00
        clock.set(MONDAY.replace(hour=19))
        with _reads(monkeypatch) as seen:
            assert _run(co) == 0
        assert seen == []  # announced: looked at again when the next period may end
        # News to a late ticket's customer: its key stays, so the run that reaches it reads it once and
        # finds it not due; the others are announced.
        clock.set(MONDAY.replace(day=3, hour=9, minute=30))
        desk.contact_customer(co.agent, late[0], channel=Channel.PHONE, note="已电话告知进度")
        clock.set(MONDAY.replace(day=3, hour=13))
        with _reads(monkeypatch) as seen:
            assert _run(co) == 5
        assert sorted(set(seen)) == sorted(late)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_ticket_back_from_waiting_for_the_customer_is_reminded_of_a_period_after_it_came_back(
    backend: str, tmp_path: Path
) -> None:
    """Waiting for the customer is no silence owed (三(五)1 owes news of the handling, and nothing was
    handled while it waited on them); back in progress, the period starts at their return, as at a reopen
    or a rejection (session 39: the run right after ``resume`` announced it, the wait counted)."""
    with company(backend, tmp_path, PACK) as co:
        desk, clock = co.desk, co.clock
        tid = desk.open_ticket(co.agent, customer_id=co.customer_id, description="展位灯箱不亮").ticket.id
        desk.triage(co.agent, tid, nature="lamp_out", severity=Severity.MEDIUM)
        desk.dispatch(co.agent, tid, engineer_id="eng-sr")  # news at 09:00
        clock.set(MONDAY.replace(hour=10))
        desk.start_work(co.senior, tid)
        desk.await_customer(co.senior, tid, reason="客户不在展位")
        clock.set(MONDAY.replace(hour=18))
        assert _run(co) == 0  # waiting on the customer: not watched (its key is cleared)
        clock.set(MONDAY.replace(day=4, hour=15))
        desk.resume(co.senior, tid)  # Wednesday 15:00: 3 working hours that day, 5 on Thursday
        ran = [_run(co)]
        for hour, minute in ((14, 59), (15, 0)):
            clock.set(MONDAY.replace(day=5, hour=hour, minute=minute))
            ran.append(_run(co))
        assert ran == [0, 0, 1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_imported_open_ticket_is_reminded_of(backend: str, tmp_path: Path) -> None:
    """An import writes tickets without keys: the next run keys every watched ticket again."""
    with company(backend, tmp_path, PACK) as co:
        desk, clock = co.desk, co.clock
        desk.open_ticket(co.agent, customer_id=co.customer_id, description="展位灯箱不亮")
        clock.set(MONDAY.replace(hour=10))
        assert _run(co) == 0  # keyed
        copy = Ticket.open(
            id=TicketId("IMP-1"), customer_id=CustomerId(co.customer_id), channel=Channel.PHONE,
            category=Category.REPAIR, description="旧系统工单", received_at=MONDAY - timedelta(days=3),
            taken_by=co.manager.ref,
        )  # fmt: skip
        desk.import_tickets(co.manager, [copy])
        clock.set(MONDAY.replace(hour=11))
        assert _run(co) == 1  # silent since last week: due at once
        (reminder,) = [m for m in co.sent_to("callcentre@venus.example") if "IMP-1" in m]
        assert reminder
