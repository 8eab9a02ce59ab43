"""Which warranty term each part of a materials request is checked on (seed 002, 分工 3 and 发料 2).

产品保修期按产品样本规定执行: a product sample may give a part its own term (the ceramic body 5 years, the
seat 1). The office checks 其所需的材料是否在保修期内 — whether the materials asked for are in warranty —
so each part is judged on the term of the component the ticket's fault record names for it, as the charge
sheet judges it; the check's ``component`` argument names the component of the parts no record names.
Judged on the whole product instead, a ceramic body still in its 5 years was quoted to the dealer at cost
once the product's own term had ended, while the ticket's charge sheet gave it free.
"""

from __future__ import annotations

from collections.abc import Mapping

from aftersales.domain.materials import ItemKind, MaterialsRequest
from aftersales.domain.products import Product
from aftersales.domain.ticket import Ticket
from aftersales.errors import PolicyError, ValidationError
from aftersales.policies.chargeability import ChargeOutcome
from aftersales.policies.decision import Decision
from aftersales.policies.warranty import WarrantyPhase

__all__ = ["one_decision", "part_components"]


def _recorded(ticket: Ticket, product: Product) -> dict[str, str | None]:
    """Per part, the component its first fault record names (a component the product does not list:
    the whole product, as the charge sheet reads it)."""
    recorded: dict[str, str | None] = {}
    for record in ticket.fault_records:
        if record.part is None or record.part in recorded:
            continue
        component = record.component
        known = component is not None and (not product.components or component in product.components)
        recorded[record.part] = component if known else None
    return recorded


def part_components(
    ticket: Ticket, request: MaterialsRequest, product: Product, component: str | None
) -> tuple[str | None, ...]:
    """The components (``None``: the whole product) the request's parts are judged on, in line order.

    A part a fault record names follows that record's component; the others follow ``component``. A
    ``component`` contradicting a part's record is refused (``ValidationError`` naming ``component``),
    not silently overruled.
    """
    recorded = _recorded(ticket, product)
    found: dict[str | None, None] = {}
    for line in request.lines:
        if line.kind is not ItemKind.PART:
            continue
        own = recorded.get(line.part)
        if own is not None and component is not None and own != component:
            raise ValidationError(
                f"part {line.part} was recorded on component {own!r}, not {component!r}", field="component"
            )
        found[own if own is not None else component] = None
    return tuple(found) or (component,)


def one_decision(
    request: MaterialsRequest, decisions: Mapping[str | None, Decision[ChargeOutcome]]
) -> Decision[ChargeOutcome]:
    """The request's one decision: all its parts free, or all charged (an out-of-warranty one first, so
    款到发货 applies). Free and charged parts in one request are ``PolicyError`` ``warranty_check_mixed``:
    the check gives one answer per request, so they are filed apart (or quoted on the charge sheet)."""
    ordered = list(decisions.values())
    if len({d.outcome.materials for d in ordered}) > 1:
        free = sorted(str(c) for c, d in decisions.items() if not d.outcome.materials)
        raise PolicyError(
            f"request {request.id} mixes parts in warranty (components {', '.join(free)}) with parts "
            "out of it: file the free and the charged parts as two requests",
            code="warranty_check_mixed",
        )
    out = [d for d in ordered if d.outcome.phase is WarrantyPhase.OUT_OF_WARRANTY]
    return (out or ordered)[0]
