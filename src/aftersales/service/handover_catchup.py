"""The handovers of plans moved before they were kept, filed once over every plan (an upgrade's catch-up).

Why: since session 24 a plan that follows its unit to a buyer leaves the seller a
:class:`~aftersales.domain.plan_handover.PlanHandover` (the plan as they held it), which their export and
their erasure read. A plan moved by an earlier release left none, so the seller's export and erasure
missed their period of it.

What counts as evidence that a former owner held a plan: a visit of the plan opened for them, and each
transfer of the unit away from an owner (the unit's master-data history) made while the plan existed
(at or after its first visit was generated, before it ended). A plan moved before any visit was
generated for it left no trace of its first owners and gets no handover. The plan as they held it is
rebuilt from what was stored before the transfer — the plan's terms, their region and dealer, the last
visit done before it and its reading — never from the buyer's period; the handover reads
``restored=True``.

The pass reads the plans a page at a time in the order of their unit (``query_range``), files what is
missing and writes where it stands in a :class:`HandoverCatchUp` document in the same transaction: a run
stopped goes on from its last page; once the pass is complete every later run returns after one read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

import attrs

from aftersales.domain.ids import CustomerId
from aftersales.domain.maintenance import MaintenancePlan, MaintenanceVisit, VisitState, add_months
from aftersales.domain.plan_handover import PlanHandover
from aftersales.errors import ConfigurationError, NotFound
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.master_data import MasterDataChange

__all__ = ["PROGRESS_ID", "HandoverCatchUp", "file_page"]

PROGRESS_ID = "plan_handovers"
"""The id of the one :class:`HandoverCatchUp` document of a store."""

_LAST = "\U0010ffff"
"""Above every unit id (ids are ASCII): the range reads every plan."""


@attrs.define
class HandoverCatchUp:
    """How far the catch-up has read the plans: past ``(asset_id, plan_id)`` (``None``: from the first),
    whether the pass is complete, and how many handovers it filed."""

    DOCUMENT_KIND: ClassVar[str] = "plan_handover_catchup"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str
    asset_id: str | None = None
    plan_id: str | None = None
    done: bool = False
    filed: int = 0
    version: int = 0


def file_page(uow: UnitOfWork, limit: int) -> int:
    """File the missing handovers of the next ``limit`` plans; how many plans were read (0: the pass is
    complete). A store without ``query_range`` cannot page its plans: ``ConfigurationError`` on ``store``."""
    documents: Any = uow.documents
    if not callable(getattr(documents, "query_range", None)):
        raise ConfigurationError("this store cannot page its plans (no documents.query_range)", key="store")
    try:
        progress = uow.documents.get(HandoverCatchUp, PROGRESS_ID)
        stored = True
    except NotFound:
        progress, stored = HandoverCatchUp(PROGRESS_ID), False
    if progress.done:
        return 0
    after = None if progress.asset_id is None else (progress.asset_id, progress.plan_id or "")
    plans: Sequence[MaintenancePlan] = documents.query_range(
        MaintenancePlan, "asset_id", _LAST, limit=limit, after=after
    )
    for plan in plans:
        progress.filed += _file_missing(uow, plan)
    if len(plans) < limit:
        progress.done, progress.asset_id, progress.plan_id = True, None, None
    else:
        progress.asset_id, progress.plan_id = plans[-1].asset_id, plans[-1].id
    if stored:
        uow.documents.save(progress)
    else:
        uow.documents.add(progress)
    return len(plans)


def _file_missing(uow: UnitOfWork, plan: MaintenancePlan) -> int:
    """File the handovers ``plan`` lacks (how many): one per former holder's period not yet kept."""
    visits = sorted(
        uow.documents.query(MaintenanceVisit, plan_id=plan.id), key=lambda v: (v.generated_at, v.id)
    )
    if not visits:
        return 0  # never generated a visit: nothing shows who held it, or when
    periods = _periods(uow, plan, visits)
    kept = uow.documents.query(PlanHandover, plan_id=plan.id)
    filed = 0
    for holder in sorted({h for h, _ in periods}):
        theirs = [at for h, at in periods if h == holder]
        have = sum(1 for k in kept if k.customer_id == holder)
        for at in theirs[: max(0, len(theirs) - have)]:  # the earliest periods are the ones not kept
            uow.documents.add(_restored(plan, visits, holder, at, filed + len(kept) + 1))
            filed += 1
    return filed


def _periods(
    uow: UnitOfWork, plan: MaintenancePlan, visits: Sequence[MaintenanceVisit]
) -> list[tuple[str, datetime]]:
    """The former holders of ``plan`` and when each period ended: each transfer of the unit away from an
    owner while the plan existed, and a visit's customer no transfer accounts for (its last visit)."""
    started = visits[0].generated_at
    ended = plan.ended.at if plan.ended is not None else None
    changes = uow.documents.query(MasterDataChange, record_kind="asset", record_id=plan.asset_id)
    moves: list[tuple[str, object, datetime]] = []
    for change in sorted(changes, key=lambda c: (c.at, c.id)):
        before = (change.before or {}).get("customer_id")
        after = change.after.get("customer_id")
        if not isinstance(before, str) or not before or before == after:
            continue
        if change.at >= started and (ended is None or change.at < ended):
            moves.append((before, after, change.at))
    # The plan names the owner it followed last: transfers after it stopped following (ended by the
    # daily job for a unit sold under the seller's contract) moved the unit, not the plan.
    while moves and moves[-1][1] != plan.customer_id:
        moves.pop()
    periods = [(holder, at) for holder, _, at in moves]
    accounted = {h for h, _ in periods}
    for visit in visits:
        if visit.customer_id != plan.customer_id and visit.customer_id not in accounted:
            last = max(v.generated_at for v in visits if v.customer_id == visit.customer_id)
            periods.append((visit.customer_id, last))
            accounted.add(visit.customer_id)
    return periods


def _restored(
    plan: MaintenancePlan,
    visits: Sequence[MaintenanceVisit],
    holder: str,
    at: datetime,
    number: int,
) -> PlanHandover:
    """The handover of ``holder``'s period ending ``at``, rebuilt from what was stored before it."""
    before = [v for v in visits if v.generated_at <= at]
    done = [v for v in before if v.state is VisitState.DONE and v.done_on is not None]
    last = max(done, key=lambda v: (v.done_on, v.id)) if done else None
    theirs = [v for v in before if v.customer_id == holder]
    region, dealer = (theirs[-1].region, theirs[-1].dealer_id) if theirs else (None, None)
    if last is not None and last.done_on is not None:
        next_due = add_months(last.done_on, plan.interval_months)
    else:
        next_due = before[-1].due_on if before else plan.next_due
    open_visit = next((v.id for v in reversed(theirs) if v.state is not VisitState.DONE), None)
    held = attrs.evolve(
        plan,
        customer_id=CustomerId(holder),
        region=region,
        dealer_id=dealer,
        next_due=next_due,
        last_done_on=last.done_on if last is not None else None,
        last_reading=last.reading if last is not None else None,
        latest_reading=last.reading if last is not None else None,
        open_visit_id=open_visit if open_visit == plan.open_visit_id else None,
        generate_on=None,
        ended=None,
        version=0,
    )
    return PlanHandover(
        f"{plan.id}:handover:r{number}", plan.id, plan.asset_id, CustomerId(holder), at, held, restored=True
    )
