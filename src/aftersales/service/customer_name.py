"""The customer's name a staff notice shows, or their id when the record is gone.

A ticket, a callback task or a survey task can outlive its customer's record (erased, or a host's
migration left it out); its notice still reaches the staff, naming the customer by id. Every notice that
names the customer reads it here.
"""

from __future__ import annotations

from aftersales.errors import NotFound
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["customer_name"]


def customer_name(uow: UnitOfWork, customer_id: str) -> str:
    """``customer_id``'s name, or ``customer_id`` itself when no such customer is stored."""
    try:
        return uow.customers.get(customer_id).name
    except NotFound:
        return customer_id
