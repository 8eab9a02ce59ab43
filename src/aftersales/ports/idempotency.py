"""Idempotency keys: the first result of a command, kept so a retried command returns it again."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["IdempotencyStore"]


@runtime_checkable
class IdempotencyStore(Protocol):
    """Results of commands by idempotency key, written in the command's own transaction."""

    def get(self, key: str) -> str | None:
        """The JSON result stored for ``key``, or ``None`` when the command has not run."""
        ...

    def put(self, key: str, result_json: str) -> None:
        """Store the first result for ``key``; a key already stored raises ``DuplicateError``."""
        ...
