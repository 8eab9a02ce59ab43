"""A unit's installation completion recorded late takes back the faults it counted before it.

Seed 004 第七条 5(2): a batch quality incident counts 工程完工后出现的同一质量问题 — faults reported after the
installation was completed. The detector asks this when it counts a fault
(:func:`~aftersales.service.complaint_incident_facts.in_service`), but a unit with no completion date
recorded counts every fault. When the date is recorded or corrected afterwards (an installation accepted,
``change_warranty_start``), the unit's counted faults reported before it no longer count: each is taken
back as a cancelled call's is (:func:`~aftersales.service.cancelled_faults.take_back`) — counted on a
later call of the unit that recorded the same problem, else withdrawn (an incident already raised keeps
its judgement and records ``unit_withdrawn``). Faults a later date brings back into service are counted
again by the unit's next fault record, as a withdrawn unit is.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.products import Asset
from aftersales.domain.quality_incidents import incident_key
from aftersales.policies.complaints import ComplaintParams
from aftersales.ports.reporting import is_fault_evidence
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.cancelled_faults import take_back
from aftersales.service.quality_incidents import first_recorded, tickets_of_batch

__all__ = ["take_back_before_completion"]


def take_back_before_completion(
    params: ComplaintParams, uow: UnitOfWork, asset: Asset, now: datetime
) -> None:
    """Take back what ``asset``'s calls reported before its installation completion counted toward its
    batch's tally (see the module's docstring). Reads the batch's tickets: a date changes rarely."""
    if asset.batch is None or asset.installation_accepted_on is None:
        return
    calls = [t for t in tickets_of_batch(uow, asset.batch) if t.asset_id == asset.id and is_fault_evidence(t)]
    later = [t for t in calls if asset.completed_by(t.received_at)]
    for ticket in calls:
        if asset.completed_by(ticket.received_at):
            continue
        for value in first_recorded(params, ticket):
            key = incident_key(asset.batch, params.batch_dimension, value)
            take_back(uow, ticket, key, value, params, now, later)
