"""Open loads of the engineers on a dispatch roster, counted for them only (issue 26).

Dispatch scores engineers by their open tickets. Counting every assignee's open tickets made each
dispatch — and each batch of the daily maintenance job — pay for every open ticket of every dealer;
a store implementing :class:`~aftersales.ports.assignee_loads.OpenLoads` counts only the named
engineers' tickets from its open-assignee index. Another store is counted with the generic grouped
count, and the answer is the same.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from aftersales.ports.assignee_loads import OpenLoads
from aftersales.ports.queries import CountField, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["open_loads"]


def open_loads(uow: UnitOfWork, assignee_ids: Collection[str], states: Sequence[str]) -> dict[str, int]:
    """Assignee id → open tickets in ``states`` of each of ``assignee_ids`` (absent: none), in ``uow``."""
    if not assignee_ids:
        return {}
    tickets = uow.tickets
    if isinstance(tickets, OpenLoads):
        return tickets.open_loads(assignee_ids, states)
    wanted = set(assignee_ids)
    counted = tickets.count_by(CountField.ASSIGNEE_ID, TicketFilter(states=tuple(states)))
    return {who: n for who, n in counted.items() if who in wanted}
