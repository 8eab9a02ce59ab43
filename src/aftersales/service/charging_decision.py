"""One chargeability decision for a ticket, shared by the charges and materials desks.

Why a module: both desks must judge the same way — warranty on the ticket's received-at local date (the
day the customer called), extensions known at the time of the decision (a complaint remedy granted after
the call still counts), the ticket's causes — or a part would be free on one paper and charged on the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs

from aftersales.domain.products import Asset, Product
from aftersales.domain.warranty_records import WarrantyExtension
from aftersales.domain.work import VisitKind
from aftersales.policies.chargeability import ChargeableWork, ChargeOutcome
from aftersales.policies.decision import Decision

__all__ = ["decide_charges"]


def decide_charges(
    warranty: Any,
    chargeability: Any,
    asset: Asset,
    product: Product,
    *,
    received_at: datetime,
    now: datetime,
    component: str | None,
    extensions: Sequence[WarrantyExtension],
    visit: VisitKind,
    causes: tuple[str, ...],
) -> Decision[ChargeOutcome]:
    """Chargeability of work on ``asset`` for a call received at ``received_at``, decided at ``now``."""
    by_phase = getattr(chargeability, "decide_for_phase", None)
    if warranty is not None and by_phase is not None:
        status = warranty.decide(
            asset, product, received_at, component=component, extensions=tuple(extensions), known_at=now
        )
        decided: Decision[ChargeOutcome] = by_phase(status, visit, causes)
        return decided
    # A plugged-in policy without decide_for_phase: extensions known now count as of the received day.
    known = tuple(
        attrs.evolve(e, granted_at=min(e.granted_at, received_at)) for e in extensions if e.granted_at <= now
    )
    work = ChargeableWork(product, visit, component, known)
    result: Decision[ChargeOutcome] = chargeability.decide(work, asset, received_at, causes)
    return result
