"""A maintenance visit called off because its unit was sold before the work began.

A visit is opened for the unit's owner: its ticket names them, their address and their dealer, and the
engineer goes to them (seed 000 售后维护服务流程: 派工处理 — 前往客户现场; 服务回访 asks the customer served).
Once the unit is sold on, the unit is no longer there: a visit not yet begun cannot take place at the
seller's, and the seller is owed nothing more by the plan, which now serves the buyer (seed 002 分工 1:
乙方负责所售产品的全过程服务). Such a visit is called off with the code :data:`UNIT_SOLD` — its ticket
cancelled as any, the dealer holding it told — and is no miss of the dealer's (plan compliance leaves it out).
"""

from __future__ import annotations

from aftersales.domain.maintenance import MaintenanceVisit, VisitState

__all__ = ["UNIT_SOLD", "called_off_for_sale"]

UNIT_SOLD = "unit_sold"
"""The reason of a visit (and its ticket) called off because the unit changed hands before the work."""


def called_off_for_sale(visit: MaintenanceVisit) -> bool:
    """Whether ``visit`` was called off because its unit was sold (not missed by anyone)."""
    return (
        visit.state is VisitState.MISSED
        and bool(visit.changes)
        and visit.changes[-1].kind == "missed"
        and visit.changes[-1].reason == UNIT_SOLD
    )
