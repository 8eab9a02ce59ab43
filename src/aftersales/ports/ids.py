"""The ``IdGenerator`` port: new ids for tickets, requests, messages.

Adapters: ``aftersales.adapters.ids`` (``UuidIds``, ``SequentialIds`` giving readable ``T-000001``).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["IdGenerator"]


@runtime_checkable
class IdGenerator(Protocol):
    """Makes ids that are unique per ``kind`` (``"ticket"``, ``"complaint"``, ``"message"``…)."""

    def next_id(self, kind: str) -> str:
        """A new id for an object of ``kind``; never returned before for that kind."""
        ...
