"""Whether a route's coordinator has already been told of a ticket's coordination (seed 001 二(二)1).

The routing names a coordinator for a critical or multi-department problem (售后经理…协调各部门之间的工作,
对重大售后问题进行决策和处理) and tells them when the ticket is dispatched. A reassignment of the same
problem in the same cycle is no new escalation: telling the manager "escalated to the after-sales manager"
again for it repeated news they had (session 39). A reopen starts a new cycle, a problem found back: the
coordination is told again then, and so is a coordination whose reasons changed (the ticket became
critical, more departments were involved).
"""

from __future__ import annotations

from collections.abc import Sequence

from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket

__all__ = ["coordination_already_told"]

_DISPATCHES = frozenset({"assign", "reassign"})


def coordination_already_told(ticket: Ticket, why: Sequence[Reason]) -> bool:
    """True when a dispatch of the current cycle already carried every coordination reason ``why``."""
    if not why:
        return False
    wanted = [{"code": r.code, "params": dict(r.params)} for r in why]
    for event in reversed(ticket.events):
        if event.action == "reopen":
            return False
        if event.action not in _DISPATCHES:
            continue
        given = event.payload.get("reasons")
        if isinstance(given, list | tuple) and all(reason in given for reason in wanted):
            return True
    return False
