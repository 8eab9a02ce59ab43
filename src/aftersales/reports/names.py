"""What reports call dealers, engineers and products: their registered names, read once per report."""

from __future__ import annotations

from aftersales.service.desk import ServiceDesk

__all__ = ["group_names"]


def group_names(desk: ServiceDesk) -> dict[str, str]:
    """Id → name of every registered dealer, engineer and product of ``desk`` (reference data)."""
    names: dict[str, str] = {}
    with desk.store() as uow:
        for product in uow.products.list():
            names[product.id] = product.name
        for dealer in uow.dealers.list():
            names[dealer.id] = dealer.name
        for engineer in uow.engineers.list():
            names[engineer.id] = engineer.name
    return names
