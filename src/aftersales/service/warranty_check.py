"""A materials request's warranty check (是否在保修期内), and whether it still holds at the approval.

Seed 002 (材料处理 一、发料 2): the after-sales office checks whether the parts asked for are in warranty —
a) free: the pick slip (领料单); b) not: the repair is priced and the payer agrees to pay. Whether they are
free depends on facts that can change between the check and the approval: the manager corrects the purchase
date (保修期限自用户购买之日起计算), a complaint's remedy extends the free period, the engineer finds on site
that the user misused the unit (材料收费 1 b ①–⑤), a contract is signed. Approving the old slip or quote
would give free what is now charged, or sell what is now free. So :func:`judge` is the one decision the
check makes, the check records what it was asked (its extra causes and component), and :func:`still_holds`
judges again at the approval: free turned charged or charged turned free is ``PolicyError``
``warranty_check_stale`` (the charge sheet refuses the same, ``assessment_stale``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from aftersales.domain.materials import ItemKind, MaterialsRequest
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.errors import PolicyError, ValidationError
from aftersales.policies.charge_assessment import decide_charges
from aftersales.policies.chargeability import ChargeabilityPolicy, ChargeOutcome
from aftersales.policies.decision import Decision
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.charge_facts import charging_visit, contract_on_call_day, unit_extensions
from aftersales.service.part_components import one_decision, part_components

__all__ = ["CHECKED", "Judged", "judge", "still_holds"]

CHECKED = "materials_checked"
"""The ticket event a check writes (its payload names the request, what it was asked and decided)."""


@attrs.frozen
class Judged:
    """What a warranty check decides for a request's parts."""

    chargeable: bool
    phase: str
    reasons: tuple[Reason, ...]


def judge(
    uow: UnitOfWork,
    ticket: Ticket,
    request: MaterialsRequest,
    *,
    warranty: Any,
    chargeability: ChargeabilityPolicy,
    extra_causes: tuple[str, ...],
    component: str | None,
    now: datetime,
) -> Judged:
    """The warranty check of ``request``'s parts on the facts stored now (see ``MaterialsDesk.check``)."""
    if ticket.asset_id is None:
        raise PolicyError(
            f"ticket {ticket.id} names no unit, so its warranty cannot be checked", code="no_asset"
        )
    asset = uow.assets.get(ticket.asset_id)
    product = uow.products.get(asset.product_id)
    found = tuple(sorted({r.cause for r in ticket.fault_records} | set(extra_causes)))
    extensions, visit = unit_extensions(uow, asset.id), charging_visit(ticket)
    decisions: dict[str | None, Decision[ChargeOutcome]] = {}
    for part_component in part_components(ticket, request, product, component):
        decisions[part_component] = decide_charges(
            warranty, chargeability, asset, product, received_at=ticket.received_at, now=now,
            component=part_component, extensions=extensions, visit=visit, causes=found,
        )  # fmt: skip
    decision = one_decision(request, decisions)
    chargeable, reasons = decision.outcome.materials, tuple(decision.reasons)
    contract = contract_on_call_day(uow, asset, ticket)
    if chargeable and contract is not None and contract.coverage.parts:
        chargeable = False
        reasons = (*reasons, Reason("service_contract", {"contract_id": contract.id}))
    if chargeable and not any(line.kind is ItemKind.PART for line in request.lines):
        # Gifts, office supplies and brochures are never sold (the quote prices parts only): a request of
        # nothing else goes out free on a pick slip instead of waiting for a quote that cannot be made
        # (seed 002 退料 1 a-c; 其他 2: sales income lists charged materials).
        chargeable = False
        reasons = (*reasons, Reason("no_part_to_charge"))
    return Judged(chargeable, decision.outcome.phase.value, reasons)


def _asked(ticket: Ticket, request_id: str) -> Mapping[str, Any] | None:
    """The payload of the request's latest check, if it recorded what it was asked."""
    for event in reversed(ticket.events):
        if event.action == CHECKED and event.payload.get("request_id") == request_id:
            return event.payload if "asked" in event.payload else None
    return None


def still_holds(
    uow: UnitOfWork,
    ticket: Ticket,
    request: MaterialsRequest,
    *,
    warranty: Any,
    chargeability: ChargeabilityPolicy,
    now: datetime,
) -> None:
    """``PolicyError`` ``warranty_check_stale`` when judging ``request`` again now decides otherwise than
    its check did: charged where it was free, or free where it was charged. A request checked before checks
    recorded what they were asked is not judged again."""
    payload = _asked(ticket, request.id)
    if payload is None or request.chargeable is None:
        return
    asked = payload["asked"]
    causes = asked.get("causes") if isinstance(asked, Mapping) else None
    component = asked.get("component") if isinstance(asked, Mapping) else None
    try:
        again = judge(
            uow, ticket, request, warranty=warranty, chargeability=chargeability,
            extra_causes=tuple(c for c in causes or () if isinstance(c, str)),
            component=component if isinstance(component, str) else None, now=now,
        )  # fmt: skip
    except ValidationError as error:
        # The component the check was asked for no longer fits (a fault record made since names another
        # for one of its parts): the check does not hold, whoever approves now did not ask it.
        raise PolicyError(
            f"request {request.id}: its warranty check no longer holds ({error}): cancel it and file the "
            "parts again to have them checked anew",
            code="warranty_check_stale",
        ) from None
    if again.chargeable == request.chargeable:
        return  # free or charged as checked (a unit's out-of-box phase ending in between changes no money)
    changed = ["now chargeable" if again.chargeable else "now free"]
    if again.phase != request.phase:
        changed.append(f"phase {request.phase} -> {again.phase}")
    raise PolicyError(
        f"request {request.id}: its warranty check no longer holds ({', '.join(changed)}): cancel it "
        "and file the parts again to have them checked anew",
        code="warranty_check_stale",
    )
