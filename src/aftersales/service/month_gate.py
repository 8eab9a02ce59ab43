"""The month gate: a complaint's registration and the month's feedback send take turns (seed 004 第五条 1(6)).

A complaint is registered in the first month whose feedback is still to send
(:func:`~aftersales.service.complaint_month.registration_month` reads which months were sent); the
feedback job sends a month only if no complaint was registered in it after it read the month. Between
the opening's read of the sent months and its commit, the job must not mark that month sent: it would
go out without the complaint, which still names it. Each opening holds the gate shared from that read
to its commit (openings do not wait for each other), the job's send holds it exclusively: it waits for
the openings under way, and an opening after it reads the month sent.

Before session 34 the job waited on the year's ticket counter, which the openings hold until they
commit: a desk's first ticket of a year has no counter row to lock yet, nor does a desk numbering with
the host's ids, and on PostgreSQL the month went out without such a complaint. A store whose writers
take turns (SQLite's ``BEGIN IMMEDIATE``, the memory store) needs no gate and offers none: the
transactions cannot overlap there.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["MONTH_GATE", "Gated", "hold_month_gate"]

MONTH_GATE = "monthly_feedback"
"""The gate's name (a store keys its lock on it, within its own schema)."""


@runtime_checkable
class Gated(Protocol):
    """A unit of work whose transactions may overlap, offering named locks held to its end."""

    def hold_gate(self, name: str, *, exclusive: bool) -> None:
        """Hold the gate ``name`` until the transaction ends: shared (``exclusive=False``) alongside
        other shared holders, exclusive alone; waits until it may."""


def hold_month_gate(uow: UnitOfWork, *, exclusive: bool) -> None:
    """Hold the month gate in ``uow``'s transaction (see the module docstring): shared for an opening
    about to read which months were sent, exclusive for the job about to mark one sent. A store whose
    writers take turns offers no gate: nothing to hold."""
    if isinstance(uow, Gated):
        uow.hold_gate(MONTH_GATE, exclusive=exclusive)
