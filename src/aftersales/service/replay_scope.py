"""What a replayed document write may hand back: its record as it now stands, to an actor who may still
read it — a replay is no way back in.

A keyed write that is not a ticket step (a contract signed, a plan made, a survey answered, an article
written…) is replayed by reloading the record its first run made (:meth:`CommandRunner.write`). The
record may have left the actor's scope since — the staff member now works for another dealer, the
ticket a movement was filed on was passed to another dealer — and the replay would hand them the record
as it now stands. Every replay is therefore judged by the read rule of the record's kind, in this one
table, on the one path every document write takes: a record the actor may no longer read is
``NotFound``, as an unknown id (ticket replays: ``CommandRunner._ticket_replay``).

A kind with no rule here is one only the office writes; it replays only to an actor who reads every
record (the office, auditors, the system) — a new kind written by dealer staff, engineers or customers
must be given its rule, or their replays are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aftersales.domain.correspondence import CorrespondenceGuidance
from aftersales.domain.fee_slips import FeeSlip, InvoiceRecord, MaterialsMovement
from aftersales.domain.knowledge import Article
from aftersales.domain.maintenance import MaintenancePlan
from aftersales.domain.materials import MaterialsRequest
from aftersales.domain.products import Asset
from aftersales.domain.quality_reports import DealerMonthlyReport
from aftersales.domain.return_relay import RelayedReturn
from aftersales.domain.service_contracts import ServiceContract
from aftersales.domain.survey_campaigns import SurveyTask
from aftersales.domain.technical_support import TechnicalSupportRequest
from aftersales.errors import NotFound
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.erasure_record import ErasureRecord
from aftersales.service.permissions import KNOWLEDGE_ROLES, PRIVACY_ROLES
from aftersales.service.scope import (
    asset_visible,
    contract_visible,
    party_visible,
    sees_every,
    ticket_id_readable,
)

__all__ = ["REPLAY_RULES", "ReplayRule", "check_replay", "guidance_visible"]

ReplayRule = Callable[[UnitOfWork, Actor, Any], bool]
"""``rule(uow, actor, record)``: may ``actor`` still read ``record``?"""


def _contract(uow: UnitOfWork, actor: Actor, contract: ServiceContract) -> bool:
    region = None
    if contract.customer_id is not None:
        try:
            region = uow.customers.get(contract.customer_id).region
        except NotFound:
            region = None
    return contract_visible(actor, contract, region)


def _invoice(uow: UnitOfWork, actor: Actor, invoice: InvoiceRecord) -> bool:
    if sees_every(actor):
        return True
    for slip_id in invoice.slip_ids:
        try:
            slip = uow.documents.get(FeeSlip, slip_id)
        except NotFound:
            return False
        if not ticket_id_readable(uow, actor, slip.ticket_id):
            return False
    return True


def guidance_visible(uow: UnitOfWork, actor: Actor, record: CorrespondenceGuidance) -> bool:
    """May ``actor`` read guidance sent to a customer (函授): about a ticket, when it reads the ticket;
    otherwise when it may know the customer (their own, their dealer's or region's, the office)."""
    if record.ticket_id is not None:
        return ticket_id_readable(uow, actor, record.ticket_id)
    try:
        customer = uow.customers.get(record.customer_id)
    except NotFound:
        return False
    return party_visible(actor, customer_id=customer.id, region=customer.region, dealer_id=customer.dealer_id)


REPLAY_RULES: dict[type, ReplayRule] = {
    CorrespondenceGuidance: guidance_visible,
    ServiceContract: _contract,
    MaintenancePlan: lambda uow, actor, plan: party_visible(
        actor, customer_id=plan.customer_id, region=plan.region, dealer_id=plan.dealer_id
    ),
    SurveyTask: lambda uow, actor, task: party_visible(
        actor, customer_id=task.customer_id, region=task.region
    ),
    DealerMonthlyReport: lambda uow, actor, report: party_visible(actor, dealer_id=report.dealer_id),
    Asset: asset_visible,
    Article: lambda uow, actor, article: actor.has_role(*KNOWLEDGE_ROLES["article_history"]),
    MaterialsRequest: lambda uow, actor, request: ticket_id_readable(uow, actor, request.ticket_id),
    MaterialsMovement: lambda uow, actor, movement: ticket_id_readable(uow, actor, movement.ticket_id),
    # Session 31 (seed 002): a relay of old parts, a dealer's technical support request: with their job.
    RelayedReturn: lambda uow, actor, relay: ticket_id_readable(uow, actor, relay.ticket_id),
    TechnicalSupportRequest: lambda uow, actor, asked: ticket_id_readable(uow, actor, asked.ticket_id),
    FeeSlip: lambda uow, actor, slip: ticket_id_readable(uow, actor, slip.ticket_id),
    InvoiceRecord: _invoice,
    # An erasure is replayed to whoever may erase (a privacy officer reads no other record of the office).
    ErasureRecord: lambda uow, actor, record: actor.has_role(*PRIVACY_ROLES["erase_customer"]),
}
"""The read rule of every kind of record a keyed document write returns, by kind (see the module)."""


def check_replay(uow: UnitOfWork, actor: Actor, result: object) -> None:
    """Raise ``NotFound`` unless ``actor`` may still read every record of a replayed ``result`` (one
    record, or a list of them; ``None`` is nothing to hand back)."""
    records = result if isinstance(result, list | tuple) else (result,)
    for record in records:
        if record is None:
            continue
        rule = REPLAY_RULES.get(type(record))
        readable = rule(uow, actor, record) if rule is not None else sees_every(actor)
        if not readable:
            kind = getattr(record, "DOCUMENT_KIND", type(record).__name__)
            raise NotFound(kind, getattr(record, "id", None))
