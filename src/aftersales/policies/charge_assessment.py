"""A ticket's charge assessment: one chargeability decision per component and the priced lines (no I/O).

Why a module: the charges and the materials desks must judge the same way — warranty on the ticket's
received-at local date (the day the customer called), extensions known at the time of the decision (a
complaint remedy granted after the call still counts), the ticket's causes — or a part would be free on
one paper and charged on the other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from aftersales.domain.charges import SHEET_LINE_SLOTS, ChargeKind, SheetLine, charge_line
from aftersales.domain.ids import DealerId
from aftersales.domain.products import Asset, Product
from aftersales.domain.reasons import Reason
from aftersales.domain.warranty_records import WarrantyExtension
from aftersales.domain.work import VisitKind
from aftersales.policies.chargeability import ChargeableWork, ChargeOutcome
from aftersales.policies.decision import Decision
from aftersales.policies.fees import work_lines
from aftersales.policies.warranty import DefaultWarrantyPolicy

__all__ = ["AssessedCharges", "ChargeFacts", "assess_charges", "decide_charges"]

_new = object.__new__
_set_line, _set_reasons, _set_component, _set_phase, _set_cost = SHEET_LINE_SLOTS


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


@attrs.frozen
class ChargeFacts:
    """What a ticket's charge assessment looks at, gathered by the service from the ticket and the store.

    ``parts`` maps part numbers to (quantity, component named by the fault record or ``None``).
    """

    asset: Asset
    product: Product
    received_at: datetime
    causes: tuple[str, ...]
    visit: VisitKind
    parts: Mapping[str, tuple[int, str | None]]
    dealer_id: DealerId | None = None
    job_type: str | None = None
    default_job_type: str | None = None
    travel_zone: str | None = None
    distance_km: int | None = None
    service_fee: bool = True
    extensions: tuple[WarrantyExtension, ...] = ()


@attrs.frozen
class AssessedCharges:
    """The lines of a charge sheet with their reasons, the whole-product decision and every decision made."""

    lines: tuple[SheetLine, ...]
    whole: Decision[ChargeOutcome]
    decisions: tuple[Decision[ChargeOutcome], ...]


def assess_charges(
    facts: ChargeFacts, *, warranty: Any, chargeability: Any, fees: Any, now: datetime
) -> AssessedCharges:
    """Price one line per part, labour, travel and fee, each chargeable or free as decided (no I/O).

    One warranty/chargeability decision per component (parts of a component judged by its own term),
    the whole-product decision for labour, travel and the service fee. ``default_job_type`` (the triage's
    nature) prices labour only when the dealer's schedule knows it; an explicit ``job_type`` must be priced.
    """
    product = facts.product
    components = product.components
    parts = facts.parts
    decisions = _decide_components(facts, warranty, chargeability, now)

    whole = decisions.get(None) or _decide_one(decisions, None, facts, warranty, chargeability, now)
    dealer = facts.dealer_id
    lines: list[SheetLine] = []
    append = lines.append
    # The pack's part lines, built once and shared by every sheet (DefaultFeesPolicy); else priced here.
    material_line = getattr(fees, "material_line", None)
    price_of = fees.part_price
    # Per component, what its parts' lines share: chargeable or not, the reasons, the phase code.
    shared: dict[str | None, tuple[bool, tuple[Reason, ...], str]] = {}
    for part, (quantity, component) in parts.items():
        if component is not None and components and component not in components:
            component = None  # a component the product does not know: the whole-product term
        judged = shared.get(component)
        if judged is None:
            decision = decisions.get(component) or _decide_one(
                decisions, component, facts, warranty, chargeability, now
            )
            outcome = decision.outcome
            judged = shared[component] = (outcome.materials, decision.reasons, outcome.phase._value_)
        chargeable, why, code = judged
        if material_line is not None:
            line, cost = material_line(part, quantity, chargeable)
        else:
            price = price_of(part)
            line = charge_line(ChargeKind.MATERIALS, part, price.retail, quantity, chargeable)
            cost = price.cost
        # sheet_line() inlined: ten lines per sheet, each filled through its slots.
        sheet = _new(SheetLine)
        _set_line(sheet, line)
        _set_reasons(sheet, why)
        _set_component(sheet, component)
        _set_phase(sheet, code)
        _set_cost(sheet, cost)
        append(sheet)
    phase = whole.outcome.phase._value_
    reasons = whole.reasons
    priced = getattr(fees, "work_lines", None)
    asked = (dealer, facts.job_type, facts.default_job_type, facts.travel_zone, facts.distance_km)
    if priced is not None:
        work = priced(*asked, facts.service_fee, whole.outcome)
    else:
        work = work_lines(fees, *asked, facts.service_fee, whole.outcome)
    for line in work:  # labour, travel, fee: judged on the whole product
        sheet = _new(SheetLine)
        _set_line(sheet, line)
        _set_reasons(sheet, reasons)
        _set_component(sheet, None)
        _set_phase(sheet, phase)
        _set_cost(sheet, None)
        append(sheet)
    if len(decisions) == 1:
        distinct: tuple[Decision[ChargeOutcome], ...] = (whole,)
    else:  # components sharing a term share its decision: each decision once, in order
        made = tuple(decisions.values())
        distinct = tuple(dict(zip(map(id, made), made, strict=True)).values())
    # Filled through its slots: the values are the ones just built (a tuple of lines, decisions).
    assessed = _new(AssessedCharges)
    _set_lines(assessed, tuple(lines))
    _set_whole(assessed, whole)
    _set_decisions(assessed, distinct)
    return assessed


_set_lines, _set_whole, _set_decisions = (
    AssessedCharges.__dict__[name].__set__ for name in ("lines", "whole", "decisions")
)


def _decide_one(
    decisions: dict[str | None, Decision[ChargeOutcome]],
    component: str | None,
    facts: ChargeFacts,
    warranty: Any,
    chargeability: Any,
    now: datetime,
) -> Decision[ChargeOutcome]:
    """The decision for ``component`` when the policies could not make it with the others (kept in
    ``decisions`` for the component's other parts)."""
    found = decisions[component] = decide_charges(
        warranty, chargeability, facts.asset, facts.product, received_at=facts.received_at, now=now,
        component=component, extensions=facts.extensions, visit=facts.visit, causes=facts.causes,
    )  # fmt: skip
    return found


def _decide_components(
    facts: ChargeFacts, warranty: Any, chargeability: Any, now: datetime
) -> dict[str | None, Decision[ChargeOutcome]]:
    """The decisions of the whole product and of every component a part names, made together when the
    policies can (one pass over the terms and extensions, the causes judged once); else empty, and
    :func:`assess_charges` asks per component."""
    many = getattr(warranty, "decide_many", None)
    by_phase = getattr(chargeability, "decide_for_phase", None)
    if many is None or by_phase is None:
        return {}
    components = facts.product.components
    wanted: list[str | None] = [None]
    for _quantity, component in facts.parts.values():
        if component is not None and component not in wanted and (not components or component in components):
            wanted.append(component)
    # The built-in policy shares one decision per term; a plugged-in one is asked per component.
    if isinstance(warranty, DefaultWarrantyPolicy):
        if warranty.judges_alone and getattr(chargeability, "takes_judgements", False) is True:
            # Both built-in: the chargeability reads each term's phase and reasons, so no warranty
            # decision (status, terms) is built only to be thrown away.
            judgements = warranty.judge_many(
                facts.asset, facts.product, facts.received_at, wanted, extensions=facts.extensions,
                known_at=now,
            )  # fmt: skip
            by_judgements: dict[str | None, Decision[ChargeOutcome]] = chargeability.decide_for_judgements(
                judgements, facts.visit, facts.causes
            )
            return by_judgements
        statuses = many(
            facts.asset, facts.product, facts.received_at, wanted, extensions=facts.extensions, known_at=now,
            share_whole=True,
        )  # fmt: skip
    else:
        statuses = many(
            facts.asset, facts.product, facts.received_at, wanted, extensions=facts.extensions, known_at=now
        )
    by_phases = getattr(chargeability, "decide_for_phases", None)
    if by_phases is not None:
        decided: dict[str | None, Decision[ChargeOutcome]] = by_phases(statuses, facts.visit, facts.causes)
        return decided
    return {c: by_phase(w, facts.visit, facts.causes) for c, w in statuses.items()}
