"""A maintenance plan handed over with its unit: the plan as its former owner held it.

Why: a plan follows its unit to the buyer (``service/plan_owner``), and its record then names the
buyer. The seller's period of it — the terms, the due date and the readings while the unit was theirs —
is the seller's data (PIPL art. 45), and left their export with the record. The handover keeps that
period as it stood when the unit changed hands, indexed by the former owner; it names nothing of the
buyer.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from aftersales.domain.ids import AssetId, CustomerId
from aftersales.domain.maintenance import MaintenancePlan
from aftersales.domain.text import required_text
from aftersales.domain.work import aware

__all__ = ["PlanHandover"]


@attrs.frozen
class PlanHandover:
    """``plan`` as ``customer_id`` held it until ``at``, when it followed unit ``asset_id`` on."""

    DOCUMENT_KIND: ClassVar[str] = "plan_handover"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("customer_id", "plan_id")

    id: str = attrs.field(validator=required_text(160))
    plan_id: str = attrs.field(validator=required_text(64))
    asset_id: AssetId = attrs.field(validator=required_text(64))
    customer_id: CustomerId = attrs.field(validator=required_text(64))
    at: datetime = attrs.field(validator=aware)
    plan: MaintenancePlan
    restored: bool = False
    """Filed by the upgrade's catch-up (:mod:`aftersales.service.handover_catchup`) for a plan moved
    before handovers were kept: ``plan`` is rebuilt from the visits and the unit's history stored before
    the move, not kept by it."""
    version: int = 0
