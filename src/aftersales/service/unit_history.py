"""The changes of a person's units that are theirs: the master-data history while a unit named them.

Why a module of its own: a unit's history (``desk.master_data_history("asset", …)``) is the unit's,
across its owners; a transfer's reason names the old owner ("王先生卖给了邻居"), a change while they
owned it is about them. The data subject's export (PIPL art. 45) gives the person those changes — each
whose record before or after names them as the owner — and not the history of the unit before it was
theirs or after it was sold on (another person's). The access log names the owners a history read names.

A transfer names two owners: the seller's export held the buyer's customer id (the record after it),
the buyer's the seller's id and the reason naming the seller. Each export now holds the change as its
subject's own period reads it: the other owner's id reads :data:`~aftersales.domain.erasure.WITHHELD`,
as do their name and contact in the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from aftersales.domain.erasure import WITHHELD, customer_needles, scrub_text
from aftersales.errors import NotFound
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.master_data import MasterDataChange, owners_named

__all__ = ["unit_changes_of"]


def unit_changes_of(uow: UnitOfWork, customer_id: str, asset_ids: Iterable[str]) -> list[MasterDataChange]:
    """The changes of ``asset_ids`` naming ``customer_id`` as the owner, by unit, oldest first, each with
    any other owner it names withheld (:func:`_as_owner_reads`)."""
    found: list[MasterDataChange] = []
    for asset_id in sorted(set(asset_ids)):
        changes = uow.documents.query(MasterDataChange, record_kind="asset", record_id=asset_id)
        found += sorted(
            (_as_owner_reads(uow, c, customer_id) for c in changes if customer_id in owners_named(c)),
            key=lambda c: (c.at, int(c.id.rsplit(":", 1)[1])),
        )
    return found


def _as_owner_reads(uow: UnitOfWork, change: MasterDataChange, customer_id: str) -> MasterDataChange:
    """``change`` as ``customer_id`` is given it: the other owners it names (the buyer of a unit they
    sold, the seller of one they bought) withheld in the records before and after and in the reason."""
    others = owners_named(change) - {customer_id}
    if not others:
        return change
    needles: list[str] = []
    for other in sorted(others):
        try:
            needles += customer_needles(uow.customers.get(other))
        except NotFound:  # an owner no longer registered: only their id is named
            continue
    reason = change.reason
    if reason is not None:
        # Longest first across both owners, so a full name goes before a part of it.
        reason = scrub_text(reason, sorted(set(needles), key=lambda s: (-len(s), s)), WITHHELD)
    return attrs.evolve(
        change,
        before=None if change.before is None else _withheld(change.before, others),
        after=_withheld(change.after, others),
        reason=reason,
    )


def _withheld(snapshot: dict[str, Any], others: set[str]) -> dict[str, Any]:
    if snapshot.get("customer_id") not in others:
        return snapshot
    return {**snapshot, "customer_id": WITHHELD}
