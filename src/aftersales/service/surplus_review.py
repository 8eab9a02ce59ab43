"""Which job a surplus taken into stock is booked under (the books list movements per ticket).

A surplus sent back with a return (``source == "return"``) belongs to that return's ticket; one a stock
count found has no ticket, and is booked under the count sheet's reference, as a chargeback without a
request is booked under its own key.
"""

from __future__ import annotations

from aftersales.domain.materials import PartReturn
from aftersales.domain.surplus_review import SurplusClosure
from aftersales.errors import NotFound
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["surplus_ticket"]


def surplus_ticket(uow: UnitOfWork, closure: SurplusClosure) -> str:
    """The ticket (or count sheet) the ``surplus_into_stock`` movement of ``closure`` is booked under."""
    if closure.source == "return":
        try:
            found: str = uow.documents.get(PartReturn, closure.reference).ticket_id
            return found
        except NotFound:
            pass  # a return purged since: its reference names it still
    return closure.reference
