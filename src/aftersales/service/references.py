"""References between master-data records, checked inside the transaction that writes them.

Why: an asset of an unknown product or a customer of an unknown dealer used to be stored, and every
later intake or dispatch on it failed. Checking inside the same unit of work means a record cannot
point at something a concurrent command has not committed yet.
"""

from __future__ import annotations

from collections.abc import Mapping

from aftersales.errors import NotFound, ValidationError
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["REFERENCES", "check_references"]

REFERENCES: Mapping[str, tuple[tuple[str, str, str], ...]] = {
    "assets": (
        ("product_id", "products", "product"),
        ("customer_id", "customers", "customer"),
        ("dealer_id", "dealers", "dealer"),
    ),
    "customers": (("dealer_id", "dealers", "dealer"),),
    "engineers": (("dealer_id", "dealers", "dealer"),),
}
"""Per repository: (field, repository it names, what it is called in the message)."""


def check_references(uow: UnitOfWork, repo: str, record: object, field: str) -> None:
    """Refuse ``record`` (about to be saved in ``repo``) if one of its references names nothing.

    The error is a ``ValidationError`` naming ``field.attribute`` and the missing id.
    """
    for attribute, target, kind in REFERENCES.get(repo, ()):
        value = getattr(record, attribute, None)
        if value is None:
            continue
        try:
            getattr(uow, target).get(value)
        except NotFound:
            raise ValidationError(
                f"{field}.{attribute} names no registered {kind}: {value!r} (register the {kind} first)",
                field=f"{field}.{attribute}",
            ) from None
