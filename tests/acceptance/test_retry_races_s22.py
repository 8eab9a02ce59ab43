# mypy: disable-error-code="arg-type"
"""A keyed retry racing its original on another desk of the store gets the original's answer (session 22).

The command path promises that a retry with the same idempotency key returns the first result, and that
"a retry that races its original gets the original's replay". A host that timed out on one desk and
retried on another while the first was still committing met a different answer on PostgreSQL: the retry
looked for the key before the original had committed (nothing yet), then waited for the ticket's row
lock, and once the original committed ran the step again on a ticket it had already moved — a cancel
was refused as ``InvalidTransition`` ("cannot 'cancel' from state 'cancelled'"), and so was a request
reclassified as a complaint (session 21), the retry telling the host its command had failed when it had
succeeded. SQLite and the memory store run writers one at a time and answered with the replay. Now
every store does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from aftersales.domain.events import TicketEvent
from aftersales.domain.ticket import Ticket
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import World, two_desks

HELD_BACK = 0.7
"""Seconds the original waits, inside its transaction, for the retry (held back until it commits)."""


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desks(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ServiceDesk, World]]:
    with two_desks(request.param, tmp_path, pack="general_maintenance") as opened:
        yield opened


class Retry:
    """The retry of a command, started on the other desk while the original is inside its transaction."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self.call = call
        self.thread: threading.Thread | None = None
        self.answer: Any = None
        self.raised: BaseException | None = None

    def _run(self) -> None:
        try:
            self.answer = self.call()
        except BaseException as error:  # the test reads what the retry was told
            self.raised = error

    def start_once(self) -> None:
        """Start the retry (once) and give it time to reach the store before the original commits."""
        if self.thread is None:
            self.thread = threading.Thread(target=self._run)
            self.thread.start()
            self.thread.join(HELD_BACK)

    def result(self) -> Any:
        assert self.thread is not None, "the retry never started"
        self.thread.join()
        if self.raised is not None:
            raise self.raised
        return self.answer


def _inside_ticket_commands(desk: ServiceDesk, retry: Retry) -> None:
    """Start ``retry`` from inside the next ticket command of ``desk`` (a hook runs in its transaction)."""

    def hook(
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        before: str,
        events: Sequence[TicketEvent],
        now: datetime,
    ) -> None:
        retry.start_once()

    desk.runner.on_ticket_change(hook)


def test_a_cancel_retried_while_it_commits_is_answered_by_its_replay(
    desks: tuple[ServiceDesk, ServiceDesk, World],
) -> None:
    first, other, world = desks
    ticket_id = first.open_ticket(world.agent, customer_id=world.cust_zh.id, description="重复报修").ticket.id
    retry = Retry(lambda: other.cancel(world.agent, ticket_id, reason="重复", idempotency_key="host-7"))
    _inside_ticket_commands(first, retry)

    original = first.cancel(world.agent, ticket_id, reason="重复", idempotency_key="host-7")
    replay = retry.result()  # InvalidTransition on PostgreSQL before

    assert replay.replayed and replay.events == original.events
    assert [e.action for e in first.ticket(world.manager, ticket_id).events] == ["opened", "cancel"]


def test_a_request_handed_over_to_a_complaint_retried_while_it_commits_is_one_complaint(
    desks: tuple[ServiceDesk, ServiceDesk, World],
) -> None:
    first, other, world = desks
    ticket_id = first.open_ticket(world.agent, customer_id=world.cust_zh.id, description="态度差").ticket.id
    retry = Retry(
        lambda: other.reclassify(
            world.agent, ticket_id, category="complaint", reason="是投诉", idempotency_key="host-8"
        )
    )
    _inside_ticket_commands(first, retry)

    original = first.reclassify(
        world.agent, ticket_id, category="complaint", reason="是投诉", idempotency_key="host-8"
    )
    replay = retry.result()  # InvalidTransition on PostgreSQL before

    assert replay.replayed and replay.events == original.events
    complaints = [v for v in first.ledger(world.manager).items if v.kind.value == "complaint"]
    assert len(complaints) == 1
