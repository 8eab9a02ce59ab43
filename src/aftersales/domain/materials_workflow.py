"""The parts-issue workflow (发料流程, seed 002 附录一) as data.

requested → warranty_checked → pick_slip (free, 领料单) | quoted (chargeable, 报价) → approved → picked →
shipped (发货单: urgent at once, otherwise on a confirmed date) → received by the dealer or engineer.
A refused quote (用户不接受) or a refused request is declined; an unshipped request may be cancelled.
Confirming the shipping date is a recorded step that does not move the request, and so is paying back
what the payer paid for the quote of a request cancelled after payment (款到发货: paid, then called off).
"""

from __future__ import annotations

from aftersales.domain.actors import Role
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.workflow import STAY, TransitionSpec, Workflow

__all__ = ["MATERIALS_WORKFLOW", "RETURN_WORKFLOW", "MaterialsState", "ReturnState"]


class MaterialsState(CodedEnum):
    """States of a materials request."""

    REQUESTED = "requested"
    WARRANTY_CHECKED = "warranty_checked"
    PICK_SLIP = "pick_slip"
    QUOTED = "quoted"
    APPROVED = "approved"
    PICKED = "picked"
    SHIPPED = "shipped"
    RECEIVED = "received"
    DECLINED = "declined"
    CANCELLED = "cancelled"


S = MaterialsState
R = Role
_OFFICE = frozenset({R.AGENT, R.MANAGER, R.DEPARTMENT_HEAD})
_REQUESTERS = frozenset({R.ENGINEER, R.DEALER_STAFF}) | _OFFICE
# Approving a pick slip is the office's; approving a quote is the customer's answer (staff may record it).
_APPROVERS = _OFFICE | frozenset({R.CUSTOMER, R.DEALER_STAFF})
_WAREHOUSE = _OFFICE | frozenset({R.SYSTEM})
_RECEIVERS = frozenset({R.ENGINEER, R.DEALER_STAFF}) | _OFFICE
_UNSHIPPED = (S.REQUESTED, S.WARRANTY_CHECKED, S.PICK_SLIP, S.QUOTED, S.APPROVED, S.PICKED)

MATERIALS_WORKFLOW = Workflow(
    "materials",
    MaterialsState,
    S.REQUESTED,
    [
        TransitionSpec("check", (S.REQUESTED,), S.WARRANTY_CHECKED, _OFFICE | {R.SYSTEM}),
        TransitionSpec("issue_pick_slip", (S.WARRANTY_CHECKED,), S.PICK_SLIP, _OFFICE | {R.SYSTEM}),
        TransitionSpec("quote", (S.WARRANTY_CHECKED,), S.QUOTED, _OFFICE | {R.DEALER_STAFF}),
        TransitionSpec("approve", (S.PICK_SLIP, S.QUOTED), S.APPROVED, _APPROVERS),
        TransitionSpec("record_payment", (S.APPROVED, S.PICKED), STAY, _APPROVERS | {R.ENGINEER}),
        TransitionSpec("confirm_date", (S.APPROVED, S.PICKED), STAY, _OFFICE | {R.DEALER_STAFF}),
        TransitionSpec("pick", (S.APPROVED,), S.PICKED, _WAREHOUSE),
        TransitionSpec("ship", (S.PICKED,), S.SHIPPED, _WAREHOUSE),
        TransitionSpec("receive", (S.SHIPPED,), S.RECEIVED, _RECEIVERS),
        TransitionSpec(
            "decline",
            (S.REQUESTED, S.WARRANTY_CHECKED, S.PICK_SLIP, S.QUOTED),
            S.DECLINED,
            _OFFICE | {R.CUSTOMER, R.DEALER_STAFF},
            needs_reason=True,
        ),
        # The desk itself calls off the free pick slip of a complaint remedy no longer owed.
        TransitionSpec("cancel", _UNSHIPPED, S.CANCELLED, _REQUESTERS | {R.SYSTEM}, needs_reason=True),
        # The maker's office pays back what it received for parts it will not ship.
        TransitionSpec("refund", (S.CANCELLED,), STAY, _OFFICE, needs_reason=True),
    ],
    final=(S.RECEIVED, S.DECLINED, S.CANCELLED),
)
"""The one definition of the parts-issue workflow."""


class ReturnState(CodedEnum):
    """States of an old-part return (退料): registered at the receiving location, inspected, booked."""

    REGISTERED = "registered"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    BOOKED = "booked"


_RS = ReturnState
_RECEIVING = _OFFICE | frozenset({R.SYSTEM})

RETURN_WORKFLOW = Workflow(
    "part_return",
    ReturnState,
    _RS.REGISTERED,
    [
        TransitionSpec("accept", (_RS.REGISTERED,), _RS.ACCEPTED, _RECEIVING),
        TransitionSpec("reject", (_RS.REGISTERED,), _RS.REJECTED, _RECEIVING, needs_reason=True),
        TransitionSpec("book", (_RS.ACCEPTED,), _RS.BOOKED, _RECEIVING),
    ],
    final=(_RS.REJECTED, _RS.BOOKED),
)
"""registered → accepted | rejected (with a reason) at inspection; accepted → booked into the loan ledger."""
