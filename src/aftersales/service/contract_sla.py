"""The SLA terms of the service contract covering a ticket's unit, settled at intake (issue 26).

The contract is the one covering the unit on the call's local date (the unit's market time zone, as
for chargeability); its targets are recorded in the ticket's ``opened`` event and override the pack's
for the ticket's whole life (see :mod:`aftersales.policies.sla_terms`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aftersales.domain.classification import TicketKind
from aftersales.domain.products import Asset
from aftersales.policies.sla_terms import SlaTerm, SlaTerms
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.contracts import contract_covering

__all__ = ["contract_terms"]


def contract_terms(
    uow: UnitOfWork, asset: Asset | None, received_at: datetime, kind: TicketKind
) -> SlaTerms | None:
    """The terms of the contract covering ``asset`` when the call came in, if it sets any targets.

    Complaints keep the pack's targets: a contract promises service times, not complaint handling.
    """
    if asset is None or kind is not TicketKind.SERVICE:
        return None
    day = received_at.astimezone(ZoneInfo(asset.market_timezone)).date()
    contract = contract_covering(uow, asset, day)
    if contract is None:
        return None
    hours = contract.sla.hours()
    if not hours:
        return None
    return SlaTerms("service_contract", contract.id, tuple(SlaTerm(n, h * 60) for n, h in hours))
