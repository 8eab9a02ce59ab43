"""The child process of the two-deliverer test: its own desk on a shared store, delivering into a file.

Kept out of the test module because a ``spawn`` child imports its target's module afresh, and the test
module's ``from conftest import …`` can find the top-level ``tests/conftest.py`` first in the child.
"""

from __future__ import annotations

from pathlib import Path

from aftersales import RenderedMessage, ServiceDesk


def deliver_in_child(url: str, out: str, rounds: int) -> None:
    """A second process: its own desk on the shared store, delivering into its own file."""
    sent: list[str] = []

    class _File:
        def send(self, message: RenderedMessage) -> None:
            sent.append(message.idempotency_key)

    with ServiceDesk.open(url, pack="sanitary_ware", notifier=_File()) as desk:
        for _ in range(rounds):
            desk.deliver(limit=10)
    Path(out).write_text("\n".join(sent), encoding="utf-8")
