"""The grade a request would have in another category: what a reclassification sets (seed 003; pack rules).

Seed 003 grades a request 普通 / 加急 / 特急 by urgency, complexity and the customer's importance, and the
pack adds a floor per category (``[priority] category_floor``). A request logged in the wrong class was
graded by that class's rules; corrected (``desk.reclassify``), it is graded as the right class would
have graded it: at intake (the urgent and category floors, raised for the customer's importance) and, once
triaged, by the priority policy on its assessment, never below that intake grade (as the triage keeps
it). A grade the staff gave themselves (at intake, or at triage with a reason) is theirs and stays.
"""

from __future__ import annotations

from aftersales.domain.classification import Category, Priority
from aftersales.domain.parties import CustomerTier
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.policies.triage import TriageFacts
from aftersales.service.context import DeskContext
from aftersales.service.intake import with_tier
from aftersales.service.lifecycle import intake_priority

__all__ = ["STAFF_GRADES", "grade_in"]

STAFF_GRADES = frozenset({"priority_given", "priority_changed"})
"""The reasons of a grade the staff gave (at intake, at triage): no rule grades it again."""


def grade_in(
    context: DeskContext, ticket: Ticket, tier: CustomerTier, category: Category
) -> tuple[Priority, tuple[Reason, ...]] | None:
    """The priority (and its reasons) the pack's rules give ``ticket`` in ``category``; ``None`` when its
    grade is the staff's own and stays."""
    if any(r.code in STAFF_GRADES for r in ticket.priority_reasons):
        return None
    policy = context.policies.priority
    floor, floor_reasons = intake_priority(policy, None, ticket.urgent, category, ticket.kind)
    if floor is not None:
        floor, floor_reasons = with_tier(policy, tier, floor, floor_reasons)
    if ticket.assessment is None:
        if floor is None:
            return Priority.NORMAL, (Reason("priority_normal"),)
        return floor, tuple(floor_reasons)
    facts = TriageFacts.from_assessment(ticket.assessment, category=category, tier=tier, urgent=ticket.urgent)
    decision = policy.decide(facts)
    decided, reasons = decision.outcome.priority, tuple(decision.reasons)
    if floor is not None and floor.rank > decided.rank:
        return floor, (*reasons, Reason("priority_kept", {"priority": floor.value}))
    return decided, reasons
