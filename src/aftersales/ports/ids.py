"""The ``IdGenerator`` port: new ids for tickets, requests, messages.

Adapters: ``aftersales.adapters.ids`` (``UuidIds``, ``SequentialIds`` giving readable ``T-000001``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

__all__ = ["IdGenerator", "LearnsTakenIds", "SpellsIds"]


@runtime_checkable
class IdGenerator(Protocol):
    """Makes ids that are unique per ``kind`` (``"ticket"``, ``"complaint"``, ``"message"``…)."""

    def next_id(self, kind: str) -> str:
        """A new id for an object of ``kind``; never returned before for that kind."""
        ...


@runtime_checkable
class LearnsTakenIds(Protocol):
    """An :class:`IdGenerator` that can be told of ids stored by other means, so it never hands them out.

    A bulk import (``desk.import_tickets``) stores tickets under the ids they come with: the host's own
    export, a move between stores. A generator counting ``T-000001``, ``T-000002``… would hand an imported
    id out again, and every call numbered with it would be refused (``DuplicateError``). The import tells a
    generator offering this method the ids of each batch, before the batch is written (session 34); a
    host's generator without it is not told, and is the host's to move (``UuidIds`` needs nothing).
    """

    def move_past(self, kind: str, ids: Iterable[str]) -> None:
        """Never hand out any of ``ids`` for ``kind``: an id of this generator's own spelling moves it past
        that id (never back); any other id it could not hand out anyway."""
        ...


@runtime_checkable
class SpellsIds(Protocol):
    """An :class:`IdGenerator` that can tell its own ids typed without their separators.

    Search reads a term as the desk's ticket number typed without its dashes (``SR2026000001``,
    :mod:`aftersales.ports.ticket_number_terms`); a host numbering tickets its own way (``T-000001``) is
    asked the same of its spelling through this method (session 35): ``T000001`` then finds ``T-000001``.
    A host's generator without it is searched by its ids as written, or by their digits.
    """

    def spelt_id(self, kind: str, term: str) -> str | None:
        """The id of ``kind`` that ``term`` (normalised: NFKC, case-folded) is when typed without some of
        its separators, normalised as search indexes it (``"t000001"`` → ``"t-000001"``); else None."""
        ...
