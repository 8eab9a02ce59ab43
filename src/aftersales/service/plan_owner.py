"""A maintenance plan follows its unit to the unit's owner (seed 000 保養服務: 定期為產品提供保養服務).

A plan is one unit's. When the unit is sold on (``transfer_asset``), its visits are the new owner's:
opened for them, in their region, by their dealer (seed 002: 乙方负责所售产品的全过程服务). A plan paid
by the old owner's service contract ends instead: that contract was bought by the old owner and pays
for nothing of the new one's. Both the transfer and the daily job (for a plan stored before the unit
moved) apply this one rule; before it, the daily job opened the visit for the old owner and the intake
refused it (the unit is not theirs), failing the whole batch of visits it was in.

A plan that moves leaves its former owner a :class:`~aftersales.domain.plan_handover.PlanHandover`:
the plan as they held it, which their export (PIPL art. 45) and their erasure read.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.maintenance import MaintenancePlan, PlanState, VisitChange
from aftersales.domain.plan_handover import PlanHandover
from aftersales.domain.products import Asset
from aftersales.domain.service_contracts import ServiceContract
from aftersales.errors import NotFound
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["follow_owner", "follow_unit"]


def follow_unit(uow: UnitOfWork, asset: Asset, at: datetime, by: ActorRef) -> None:
    """Make the unit's active plans follow it to its owner now (called when the unit changes hands)."""
    for plan in uow.documents.query(MaintenancePlan, asset_id=asset.id, state=PlanState.ACTIVE.value):
        if plan.customer_id != asset.customer_id:
            follow_owner(uow, plan, asset, at, by)
            uow.documents.save(plan)


def follow_owner(
    uow: UnitOfWork, plan: MaintenancePlan, asset: Asset | None, at: datetime, by: ActorRef
) -> None:
    """Move ``plan`` (not saved) to ``asset``'s owner, or end it (``at``, ``by``): the unit is gone or has
    no owner (``unit_gone``), or the plan is paid by a contract held by another customer than the new
    owner (``unit_sold``)."""
    if asset is None or asset.customer_id is None:
        plan.end(VisitChange("ended", at, by, "unit_gone"))
        return
    if plan.contract_id is not None and not _pays_for(uow, plan.contract_id, asset.customer_id):
        plan.end(VisitChange("ended", at, by, "unit_sold"))
        return
    try:
        customer = uow.customers.get(asset.customer_id)
    except NotFound:
        plan.end(VisitChange("ended", at, by, "unit_gone"))
        return
    _hand_over(uow, plan, at)
    plan.moved_to(customer.id, customer.region, customer.dealer_id or asset.dealer_id)


def _hand_over(uow: UnitOfWork, plan: MaintenancePlan, at: datetime) -> None:
    """Keep ``plan`` as its owner holds it before it moves: their period of it stays theirs."""
    held = attrs.evolve(plan, version=0)
    number = len(uow.documents.query(PlanHandover, plan_id=plan.id)) + 1
    uow.documents.add(
        PlanHandover(f"{plan.id}:handover:{number}", plan.id, plan.asset_id, plan.customer_id, at, held)
    )


def _pays_for(uow: UnitOfWork, contract_id: str, customer_id: str) -> bool:
    """Whether the contract may pay for ``customer_id``'s visits: it is theirs, or a dealer's (a dealer's
    contract covers the units it looks after, whoever owns them)."""
    try:
        contract = uow.documents.get(ServiceContract, contract_id)
    except NotFound:
        return False
    return contract.customer_id is None or contract.customer_id == customer_id
