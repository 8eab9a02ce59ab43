"""A cancelled call's faults leave the batch-incident count: the unit it counted is withdrawn.

Seed 004 第七条 5(2): a batch quality incident (批量质量事故) is the same quality problem, caused by design or
production, on 5 % or more of one batch; seed 002 反馈信息的处理 classifies and counts the problems found.
A call cancelled — logged by mistake, a duplicate, the customer withdrew it, their data erased — is no
evidence of a fault of the product: the reports leave its faults out
(:func:`~aftersales.ports.reporting.fault_evidence`), and so does the desk's detector
(:mod:`aftersales.service.quality_incidents`), which counts a unit when its fault is recorded, before
anyone knows the call will be cancelled. So the cancellation, in its own transaction, takes back what
the call gave the count:

- for each problem of the ticket's fault records the detector counts (the pack's ``batch_dimension``,
  causes not excluded by ``batch_excluded_causes``) whose unit was counted on this ticket: when another
  call about the unit, not cancelled, recorded the same problem, the unit stays counted, on that call
  (linked to the incident, if one was raised); otherwise it is withdrawn
  (:attr:`~aftersales.domain.quality_incidents.BatchFaultUnit.withdrawn`) — the tally counts one unit
  fewer, and a later fault record on the unit counts it again.
- an incident already raised is not withdrawn: it was escalated to the centre and the general manager
  when it was raised, and whether it is a batch problem is the quality manager's judgement now (confirm
  or dismiss, seed 004 第八条 2(4): the general manager's instructions). The unit leaves the incident's
  count (``affected``) and the incident records a ``unit_withdrawn`` event naming the ticket and unit, the
  units still counted and whether they are below the threshold now, so the withdrawal is seen, never
  silent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aftersales.domain.quality_incidents import (
    BatchFaultTally,
    BatchFaultUnit,
    QualityIncident,
)
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound
from aftersales.policies.complaints import ComplaintParams, batch_threshold_reached
from aftersales.ports.reporting import is_fault_evidence
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.batch_keys import tally_key
from aftersales.service.complaint_incident_facts import DETECTOR
from aftersales.service.context import DeskContext
from aftersales.service.on_cancellation import on_cancellation
from aftersales.service.quality_incidents import engineer_of, first_recorded, tickets_of_batch
from aftersales.service.runner import TicketHook

__all__ = ["UNIT_WITHDRAWN", "take_back", "withdraw_cancelled_units"]

UNIT_WITHDRAWN = "unit_withdrawn"
"""The incident event recording a unit that no longer counts, its call cancelled."""


def withdraw_cancelled_units(context: DeskContext) -> TicketHook:
    """The hook: a cancelled ticket's counted units are withdrawn or counted on another call (see the
    module's docstring)."""

    def settle(uow: UnitOfWork, actor: Actor, ticket: Ticket, reason: str, now: datetime) -> None:
        if not ticket.fault_records or ticket.asset_id is None or ticket.batch is None:
            return  # the detector counted nothing
        params = context.policies.complaint.params
        for value in first_recorded(params, ticket):
            key = tally_key(uow, ticket.batch, params.batch_dimension, value, ticket.product_id)
            _take_back(uow, ticket, key, value, params, now)

    return on_cancellation(settle)


def _take_back(
    uow: UnitOfWork,
    ticket: Ticket,
    key: str,
    value: str,
    params: ComplaintParams,
    now: datetime,
    others: Sequence[Ticket] | None = None,
) -> None:
    """Withdraw the unit ``ticket`` counted for ``value``, or count it on another call: one of
    ``others`` (the calls still counting; by default the unit's calls not cancelled)."""
    try:
        unit = uow.documents.get(BatchFaultUnit, f"{key}|{ticket.asset_id}")
        tally = uow.documents.get(BatchFaultTally, key)
    except NotFound:
        return  # not counted (recorded before the detector, or imported history)
    if unit.withdrawn or unit.ticket_id != ticket.id:
        return  # counted on another call: it still counts
    incident = uow.documents.get(QualityIncident, tally.incident_id) if tally.incident_id else None
    other, at = (
        _other_call(uow, ticket, value, params) if others is None else _first_of(others, value, params)
    )
    if other is not None and at is not None:
        unit.ticket_id, unit.customer_id, unit.recorded_at = other.id, other.customer_id, at
        uow.documents.save(unit)
        if incident is not None and incident.link(
            other.id, other.customer_id, other.region, other.dealer_id, engineer_of(other)
        ):
            uow.documents.save(incident)
        return
    unit.withdrawn = True
    uow.documents.save(unit)
    if incident is None:
        tally.units = max(0, tally.units - 1)
        uow.documents.save(tally)
        return
    if unit.asset_id in incident.unit_ids:
        incident.unit_ids.remove(unit.asset_id)
    below = not batch_threshold_reached(incident.affected, incident.batch_size, params) or (
        incident.affected < params.batch_min_units
    )
    payload = {
        "ticket_id": ticket.id,
        "asset_id": unit.asset_id,
        "affected": str(incident.affected),
        "batch_size": str(incident.batch_size),
        "below_threshold": "true" if below else "false",
    }
    incident.record(UNIT_WITHDRAWN, DETECTOR.ref, now, payload=payload)
    uow.documents.save(incident)


def take_back(
    uow: UnitOfWork,
    ticket: Ticket,
    key: str,
    value: str,
    params: ComplaintParams,
    now: datetime,
    others: Sequence[Ticket],
) -> None:
    """:func:`_take_back` for another reason than a cancellation: ``others`` are the unit's calls
    still counting (the installation completion recount, :mod:`~aftersales.service.completion_recount`)."""
    _take_back(uow, ticket, key, value, params, now, others)


def _first_of(
    others: Sequence[Ticket], value: str, params: ComplaintParams
) -> tuple[Ticket | None, datetime | None]:
    """The first of ``others`` that recorded the problem ``value``, and when it first did."""
    for other in others:
        at = first_recorded(params, other).get(value)
        if at is not None:
            return other, at
    return None, None


def _other_call(
    uow: UnitOfWork, ticket: Ticket, value: str, params: ComplaintParams
) -> tuple[Ticket | None, datetime | None]:
    """Another call about ``ticket``'s unit, not cancelled, that recorded the problem, and when it first
    did; ``(None, None)`` when there is none. Reads the batch's tickets: a cancellation with faults
    recorded is rare."""
    assert ticket.batch is not None
    for other in tickets_of_batch(uow, ticket.batch):
        if other.id == ticket.id or other.asset_id != ticket.asset_id or not is_fault_evidence(other):
            continue
        at = first_recorded(params, other).get(value)
        if at is not None:
            return other, at
    return None, None
