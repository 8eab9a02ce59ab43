"""A unit's installation completion recorded late takes back the faults it counted before it.

Seed 004 第七条 5(2): a batch quality incident counts 工程完工后出现的同一质量问题 — faults reported after the
installation was completed. The detector asks this when it counts a fault
(:func:`~aftersales.service.complaint_incident_facts.in_service`), but a unit with no completion date
recorded counts every fault. When the date is recorded or corrected afterwards (an installation accepted,
``change_warranty_start``), the unit's counted faults reported before it no longer count: each is taken
back as a cancelled call's is (:func:`~aftersales.service.cancelled_faults.take_back`) — counted on a
later call of the unit that recorded the same problem, else withdrawn (an incident already raised keeps
its judgement and records ``unit_withdrawn``).

A date moved earlier (``change_warranty_start``) brings the faults reported between the new date and the
old one back into service: they are counted at the correction, in its transaction, by the detector's own
step (:func:`count_since_completion`; a unit withdrawn counts again, the crossing raises the incident and
hears the complaints as a fault record does). They waited for the unit's next fault record before, and a
unit with no further call never counted again.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.products import Asset
from aftersales.domain.quality_incidents import BatchFaultUnit
from aftersales.errors import NotFound
from aftersales.policies.complaints import ComplaintParams
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.reporting import is_fault_evidence
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.batch_keys import tally_key
from aftersales.service.cancelled_faults import take_back
from aftersales.service.complaint_incident_facts import IncidentComplaints
from aftersales.service.context import DeskContext
from aftersales.service.quality_incidents import count_unit, first_recorded, tickets_of_batch

__all__ = ["count_since_completion", "take_back_before_completion"]


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
            key = tally_key(uow, asset.batch, params.batch_dimension, value, asset.product_id)
            take_back(uow, ticket, key, value, params, now, later)


def count_since_completion(
    context: DeskContext,
    uow: UnitOfWork,
    asset: Asset,
    now: datetime,
    on_incident: IncidentComplaints | None = None,
) -> list[OutboxMessage]:
    """Count what ``asset``'s calls reported on or after its installation completion and its batch's
    tally does not count (not counted, or withdrawn): a completion date moved earlier brings those faults
    into service (see the module's docstring). The messages of an incident raised, for the outbox."""
    if asset.batch is None:
        return []
    params = context.policies.complaint.params
    messages: list[OutboxMessage] = []
    for ticket in tickets_of_batch(uow, asset.batch):
        if ticket.asset_id != asset.id or not is_fault_evidence(ticket):
            continue
        if not asset.completed_by(ticket.received_at):
            continue
        for value, at in first_recorded(params, ticket).items():
            key = tally_key(uow, asset.batch, params.batch_dimension, value, asset.product_id)
            try:
                if not uow.documents.get(BatchFaultUnit, f"{key}|{asset.id}").withdrawn:
                    continue  # counted already (on this call or another)
            except NotFound:
                pass
            messages += count_unit(
                context, uow, ticket, params.batch_dimension, value, now, on_incident, at=at
            )
    return messages
