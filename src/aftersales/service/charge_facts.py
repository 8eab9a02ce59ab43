"""What a ticket's charge sheet was assessed on, so a quote is never offered or accepted on stale facts.

Seed 002 (材料收费的原则): whether a repair is free depends on facts that can change after the sheet was
assessed — the engineer finds on site that the unit was misused or moved by the user (① ②, a fault
record), a complaint's remedy extends the free service period (延长免费售后服务期), the manager corrects
the purchase or installation date, a service contract is signed or cancelled, the product's terms are
corrected. A quote offered or accepted on the old sheet would charge the customer for a repair now free,
or give free what is now chargeable. So the assessment records these facts (the ``facts`` of its event's
payload, one text per fact), and :func:`check_current` refuses a quote, a dealer's purchase or an
acceptance while any of them differs (``PolicyError`` ``assessment_stale``, naming them): assess again.
A sheet assessed before the facts were recorded (an imported ticket) is not checked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import attrs

from aftersales.domain.classification import Category, Plan
from aftersales.domain.complaints import GrantedExtension
from aftersales.domain.contact import zone
from aftersales.domain.maintenance import MaintenancePlan, MaintenanceVisit
from aftersales.domain.products import Asset, Product
from aftersales.domain.service_contracts import ServiceContract
from aftersales.domain.ticket import Ticket
from aftersales.domain.warranty_records import WarrantyExtension
from aftersales.domain.work import VisitKind
from aftersales.errors import NotFound, PolicyError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.contracts import contract_covering
from aftersales.service.scope import purchasing_dealer

__all__ = [
    "PHONE_GUIDANCE",
    "VisitCover",
    "assessed_facts",
    "charging_visit",
    "check_current",
    "contract_on_call_day",
    "phone_guidance_only",
    "unit_extensions",
    "visit_cover",
]

_ASSESS = "assess_charges"
_DISPATCHES = frozenset({"assign", "reassign"})
PHONE_GUIDANCE = "phone_guidance"
"""The fact recorded (only) when an assessment charged the call as phone guidance alone."""


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def unit_extensions(uow: UnitOfWork, asset_id: str) -> tuple[WarrantyExtension, ...]:
    """The unit's warranty extensions granted as remedies, oldest first (what an assessment counts)."""
    found = uow.documents.query(GrantedExtension, asset_id=asset_id)
    return tuple(sorted((g.granted() for g in found), key=lambda e: e.granted_at))


@attrs.frozen
class VisitCover:
    """Who pays for a generated maintenance visit: the contract that pays for it (on its due day), or
    the contract whose visits of the year it came after (it is then charged as any visit)."""

    paid_by: ServiceContract | None
    used_up: ServiceContract | None


def visit_cover(uow: UnitOfWork, ticket: Ticket) -> VisitCover | None:
    """The cover of the maintenance visit ``ticket`` was opened for under a contract; ``None`` for any
    other ticket (a visit of a plan under no contract included: judged as any call on its unit).

    A visit's ticket is opened days before the visit is due (the plan's lead time): the contract that
    pays is the one the visit was generated under, if it is in force on the due day — not the one
    covering the unit on the day the ticket was opened (a contract starting in between paid nothing,
    and one whose visits of the year were used up paid for more)."""
    if ticket.category != Category.MAINTENANCE or ticket.asset_id is None:
        return None
    for plan in uow.documents.query(MaintenancePlan, asset_id=ticket.asset_id):
        for visit in uow.documents.query(MaintenanceVisit, plan_id=plan.id):
            if visit.ticket_id == ticket.id:
                if visit.contract_id is None and visit.beyond_contract is None:
                    return None  # a plan under no contract: judged as any call, as before
                paid = _contract(uow, visit.contract_id)
                if paid is not None and not paid.active_on(visit.planned_due()):
                    paid = None  # cancelled before the visit was due
                return VisitCover(paid, _contract(uow, visit.beyond_contract))
    return None


def _contract(uow: UnitOfWork, contract_id: str | None) -> ServiceContract | None:
    if contract_id is None:
        return None
    try:
        return uow.documents.get(ServiceContract, contract_id)
    except NotFound:
        return None


def contract_on_call_day(uow: UnitOfWork, asset: Asset, ticket: Ticket) -> ServiceContract | None:
    """The service contract covering ``asset`` on the local day the call was received, if any; for a
    generated maintenance visit, the contract that pays for the visit (:func:`visit_cover`)."""
    cover = visit_cover(uow, ticket)
    if cover is not None:
        return cover.paid_by
    day = ticket.received_at.astimezone(zone(asset.market_timezone)).date()
    return contract_covering(uow, asset, day, ticket.customer_id)


def charging_visit(ticket: Ticket) -> VisitKind:
    """The kind of visit a ticket's charges are judged as: a callback visit (回访) only when every visit
    of the ticket is one; else the latest other visit's kind (service when there is none).

    Seed 002 (材料收费的原则 d): 回访服务时 … 不收取服务费 — the callback visit brings no service fee; the
    repair it follows up is charged as a repair. Judged by the latest visit alone, a callback visit
    after the repair made the repair's labour, travel and fee free on the next assessment.
    """
    kinds = [visit.kind for visit in ticket.visits]
    if kinds and all(kind is VisitKind.CALLBACK for kind in kinds):
        return VisitKind.CALLBACK
    return next((kind for kind in reversed(kinds) if kind is not VisitKind.CALLBACK), VisitKind.SERVICE)


def phone_guidance_only(ticket: Ticket, chargeability: object) -> bool:
    """Whether ``ticket`` is charged as a call handled by phone guidance alone: planned remote, never
    dispatched to anyone and with no visit, under a chargeability policy whose ``remote_labour_and_travel``
    is ``False`` (seed 002 叫修处理流程: 电话指导 → 结案; once 是否需派人现场服务 says yes and the call is
    dispatched, fees are computed after 现场检修 as for any repair)."""
    params = getattr(chargeability, "params", None)
    if getattr(params, "remote_labour_and_travel", True) is not False:
        return False
    assessment = ticket.assessment
    if assessment is None or assessment.plan is not Plan.REMOTE or ticket.visits:
        return False
    return not any(event.action in _DISPATCHES for event in ticket.events)


def assessed_facts(
    ticket: Ticket,
    asset: Asset,
    product: Product,
    extensions: Iterable[WarrantyExtension],
    contract: ServiceContract | None,
) -> dict[str, str]:
    """The facts a charge assessment of ``ticket`` reads, one JSON text per fact (stored in the payload)."""
    visit = charging_visit(ticket)
    return {
        "unit": _text(
            [
                asset.id,
                asset.product_id,
                _day(asset.purchase_date),
                _day(asset.shipment_date),
                _day(asset.installation_accepted_on),
                asset.market_timezone,
            ]
        ),
        "terms": _text(
            [
                [[t.months, t.component, t.starts_from.value] for t in product.warranty_terms],
                sorted(product.components),
            ]
        ),
        "extensions": _text(
            [[e.granted_at.isoformat(), e.amount, e.unit.value, e.component] for e in extensions]
        ),
        "faults": _text([[r.cause, r.part, r.component] for r in ticket.fault_records]),
        "visit": visit.value,
        "contract": _text(
            None
            if contract is None
            else [
                contract.id,
                contract.coverage.labour,
                contract.coverage.parts,
                contract.coverage.travel,
            ]
        ),
        "dealer": _text(purchasing_dealer(ticket)),
        "nature": _text(ticket.assessment.nature if ticket.assessment else None),
    }


def _recorded(ticket: Ticket) -> Mapping[str, Any] | None:
    for event in reversed(ticket.events):
        if event.action == _ASSESS:
            facts = event.payload.get("facts")
            return facts if isinstance(facts, Mapping) else None
    return None


def check_current(uow: UnitOfWork, ticket: Ticket, chargeability: object = None) -> None:
    """``PolicyError`` ``assessment_stale`` when a fact the ticket's last assessment read has changed
    (``chargeability``: the desk's policy, which says whether a call by phone guidance alone is charged)."""
    recorded = _recorded(ticket)
    if recorded is None or ticket.asset_id is None:
        return
    try:
        asset = uow.assets.get(ticket.asset_id)
        product = uow.products.get(asset.product_id)
    except NotFound:
        changed = ["unit"]
    else:
        now = assessed_facts(
            ticket, asset, product, unit_extensions(uow, asset.id), contract_on_call_day(uow, asset, ticket)
        )
        if phone_guidance_only(ticket, chargeability):
            now[PHONE_GUIDANCE] = "true"
        changed = sorted(k for k in recorded.keys() | now.keys() if recorded.get(k) != now.get(k))
    if changed:
        raise PolicyError(
            f"ticket {ticket.id}: what its charges were assessed on has changed since "
            f"({', '.join(changed)}): assess the charges again first",
            code="assessment_stale",
        )
