"""What reports call dealers, engineers and products: their registered names, read once per report."""

from __future__ import annotations

from aftersales.ports.unit_of_work import StoreFactory, reader_of

__all__ = ["group_names"]


def group_names(store: StoreFactory) -> dict[str, str]:
    """Id → name of every registered dealer, engineer and product in ``store`` (``desk.store``).

    Read through the store's read path: a report's names need no write lock (on SQLite a unit of work
    for commands begins ``BEGIN IMMEDIATE``, so a report waited behind every command, and failed with
    StoreBusy behind a long one).
    """
    names: dict[str, str] = {}
    with reader_of(store) as uow:
        for product in uow.products.list():
            names[product.id] = product.name
        for dealer in uow.dealers.list():
            names[dealer.id] = dealer.name
        for engineer in uow.engineers.list():
            names[engineer.id] = engineer.name
    return names
