"""The changes of a person's units that are theirs: the master-data history while a unit named them.

Why a module of its own: a unit's history (``desk.master_data_history("asset", …)``) is the unit's,
across its owners; a transfer's reason names the old owner ("王先生卖给了邻居"), a change while they
owned it is about them. The data subject's export (PIPL art. 45) gives the person those changes — each
whose record before or after names them as the owner — and not the history of the unit before it was
theirs or after it was sold on (another person's). The access log names the owners a history read names.
"""

from __future__ import annotations

from collections.abc import Iterable

from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.master_data import MasterDataChange, owners_named

__all__ = ["unit_changes_of"]


def unit_changes_of(uow: UnitOfWork, customer_id: str, asset_ids: Iterable[str]) -> list[MasterDataChange]:
    """The changes of ``asset_ids`` naming ``customer_id`` as the owner, by unit, oldest first."""
    found: list[MasterDataChange] = []
    for asset_id in sorted(set(asset_ids)):
        changes = uow.documents.query(MasterDataChange, record_kind="asset", record_id=asset_id)
        found += sorted(
            (c for c in changes if customer_id in owners_named(c)),
            key=lambda c: (c.at, int(c.id.rsplit(":", 1)[1])),
        )
    return found
