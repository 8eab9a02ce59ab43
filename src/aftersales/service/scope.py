"""Scope checks for objects other than tickets: a unit (asset) is visible where its tickets would be.

Every out-of-scope lookup answers ``NotFound``, never "belongs to another customer": the caller must
not learn that someone else's ticket or unit exists.
"""

from __future__ import annotations

from aftersales.domain.actors import Role
from aftersales.domain.products import Asset
from aftersales.errors import NotFound
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.permissions import can_read

__all__ = ["asset_visible", "require_asset_visible"]

_SEE_ALL = frozenset(
    {Role.AGENT, Role.MANAGER, Role.DEPARTMENT_HEAD, Role.GENERAL_MANAGER, Role.AUDITOR, Role.SYSTEM}
)


def asset_visible(uow: UnitOfWork, actor: Actor, asset: Asset) -> bool:
    """May ``actor`` know ``asset``? Office roles always; a customer its own units; dealer staff its
    dealer's units and its regions' customers'; an engineer the units of tickets it may read."""
    if actor.has_role(*_SEE_ALL):
        return True
    if (
        actor.has_role(Role.CUSTOMER)
        and actor.customer_id is not None
        and asset.customer_id == actor.customer_id
    ):
        return True
    if actor.has_role(Role.DEALER_STAFF):
        if actor.dealer_id is not None and asset.dealer_id == actor.dealer_id:
            return True
        if asset.customer_id is not None and actor.regions:
            try:
                customer = uow.customers.get(asset.customer_id)
            except NotFound:
                return False
            if customer.region in actor.regions or (
                actor.dealer_id is not None and customer.dealer_id == actor.dealer_id
            ):
                return True
    if actor.has_role(Role.ENGINEER, Role.DEALER_STAFF) and asset.customer_id is not None:
        query = TicketFilter(customer_id=asset.customer_id)
        cursor: str | None = None
        while True:
            page = uow.tickets.query(query, PageRequest(limit=500, cursor=cursor))
            if any(t.asset_id == asset.id and can_read(actor, t) for t in page.items):
                return True
            cursor = page.next_cursor
            if cursor is None:
                return False
    return False


def require_asset_visible(uow: UnitOfWork, actor: Actor, asset_id: str) -> Asset:
    """The asset, or ``NotFound`` if it does not exist or ``actor`` may not know it."""
    asset = uow.assets.get(asset_id)
    if not asset_visible(uow, actor, asset):
        raise NotFound("asset", asset_id)
    return asset
