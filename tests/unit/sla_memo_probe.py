"""What the SLA memo tests share: a fresh SLA service on the mainland calendar and a walk of the objects
the collector tracks that a kept memo entry holds of its own."""

from __future__ import annotations

import gc

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.holidays_cn import china_mainland_calendar
from aftersales.service.desk import ServiceDesk
from aftersales.service.sla import SlaService

from .factories import at

CN = china_mainland_calendar()
DUES = ("response_due_at", "resolution_due_at", "response_late_after", "resolution_late_after")


def sla_service() -> SlaService:
    """A fresh SLA service with the sanitary_ware pack's policy (its memo empty)."""
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=ManualClock(at(2)), calendar=CN)
    return SlaService(desk.sla_service.policy, CN)


def own_tracked(root: object, shared: set[int]) -> list[object]:
    """The objects the collector tracks reachable from ``root`` and not from anything in ``shared``."""
    seen: set[int] = set()
    found: list[object] = []
    todo = [root]
    while todo:
        item = todo.pop()
        if id(item) in seen or id(item) in shared or not gc.is_tracked(item) or isinstance(item, type):
            continue  # (a class leads to its module and from there to everything)
        seen.add(id(item))
        found.append(item)
        todo.extend(gc.get_referents(item))
    return found
