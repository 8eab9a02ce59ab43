"""Hostile round, session 34 h: a notifier transport failing with text a store cannot keep.

The outbox records what a failed attempt raised (``last_error``): ``str(exc)`` of a host's notifier or
transport, which may quote a server's answer or a name decoded with ``surrogateescape``. A NUL
(which PostgreSQL refuses in text) or a lone surrogate (which no store writes as UTF-8) in it made
recording the batch's outcomes fail: ``desk.deliver()`` raised, the messages already delivered in that
batch were not marked sent (sent again once their lease ran out) and every later run met the same text.
The text is now stored with each such character as its escape (``domain/failure_text.py``), the same
on memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.errors import DeliveryError
from aftersales.ports.notifier import RenderedMessage
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


class _Refusing:
    """Delivers every message but those to ``refused``, which fail with ``error``."""

    def __init__(self, refused: str, error: Exception) -> None:
        self.refused, self.error = refused, error
        self.delivered: list[RenderedMessage] = []

    def send(self, message: RenderedMessage) -> None:
        if message.recipient == self.refused:
            raise self.error
        self.delivered.append(message)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (RuntimeError("relay said: 550 mailbox\x00gone"), "RuntimeError: relay said: 550 mailbox\\x00gone"),
        (OSError("no such spool \udcff\udcfe"), "OSError: no such spool \\udcff\\udcfe"),
    ],
)
def test_a_failure_quoting_a_nul_or_a_lone_surrogate_is_recorded_and_the_batch_is_marked(
    backend: str, tmp_path: Path, error: Exception, shown: str
) -> None:
    with world_desk(backend, tmp_path, notifier=_Refusing("13912345678", error)) as (desk, clock, world):
        notifier = desk.context.notifier
        assert isinstance(notifier, _Refusing)
        desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸")
        desk.open_ticket(world.agent, customer_id=world.cust_en.id, description="paper jam")

        report = desk.deliver()

        assert len(report.failed) == 1 and not report.dead
        with desk.context.store() as uow:
            (waiting,) = [m for m in uow.outbox.pending() if m.id in report.failed]
        assert waiting.last_error == shown
        assert [m.recipient for m in notifier.delivered] == ["alice@example.co.uk"]
        clock.advance(timedelta(hours=1))  # past the first retry: the failing one is tried again, alone
        again = desk.deliver()
        assert again.failed == report.failed and not again.sent
        assert [m.recipient for m in notifier.delivered] == ["alice@example.co.uk"]  # not sent twice


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_permanent_refusal_quoting_a_nul_becomes_a_dead_letter_with_its_text_escaped(
    backend: str, tmp_path: Path
) -> None:
    refusal = DeliveryError("gateway: number \x00\u202e13912345678 unknown", permanent=True)
    with world_desk(backend, tmp_path, notifier=_Refusing("13912345678", refusal)) as (desk, _, world):
        desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸")

        report = desk.deliver()

        (dead,) = desk.outbox.dead_letters(world.manager)
        assert report.dead == (dead.id,)
        assert dead.last_error == "DeliveryError: gateway: number \\x00\\u202e13912345678 unknown"


def test_failure_text_keeps_plain_and_chinese_text_and_stays_bounded() -> None:
    from aftersales.domain.failure_text import FAILURE_TEXT_MOST, failure_text

    assert failure_text("ConnectionRefusedError: [Errno 111] 连接被拒绝") == (
        "ConnectionRefusedError: [Errno 111] 连接被拒绝"
    )
    assert failure_text("line one\nline two\ttab") == "line one\\nline two\\ttab"
    assert len(failure_text("\x00" * 5000)) == FAILURE_TEXT_MOST
