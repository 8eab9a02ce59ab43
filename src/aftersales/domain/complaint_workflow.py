"""The complaint workflow (投诉处理流程) as data: seeds 000, 001 and 004.

received (登记) → investigating (调查核实) → solution_proposed (制定解决方案, negotiated with the customer)
→ implementing (实施处理) → feedback_given (结果反馈) → reviewed (总结改进: root cause and improvement)
→ closed. A hard case is referred to the general manager (awaiting_decision) and comes back with the
decision as the proposed solution (seed 004 第八条 2(4)). The customer may withdraw; staff may cancel.

Trigger names shared with the service workflow keep the :class:`~aftersales.domain.ticket.Ticket`
methods working on complaints: ``resolve`` is "feedback given" (so ``resolved_at`` marks when the
complaint was handled, which the 7-day callback counts from), ``reject`` is the customer rejecting the
outcome, ``reopen`` a callback finding the problem back, ``schedule_callback``/``record_callback`` the
callback within 7 days. Steps that record facts without moving the complaint (classification,
escalation, remedies, links) stay in the same state.
"""

from __future__ import annotations

from aftersales.domain.actors import Role
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.workflow import STAY, TransitionSpec, Workflow

__all__ = ["COMPLAINT_WORKFLOW", "ComplaintState"]


class ComplaintState(CodedEnum):
    """States of a complaint."""

    RECEIVED = "received"
    INVESTIGATING = "investigating"
    AWAITING_DECISION = "awaiting_decision"
    SOLUTION_PROPOSED = "solution_proposed"
    IMPLEMENTING = "implementing"
    FEEDBACK_GIVEN = "feedback_given"
    REVIEWED = "reviewed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


S = ComplaintState
R = Role
_OPEN = (
    S.RECEIVED,
    S.INVESTIGATING,
    S.AWAITING_DECISION,
    S.SOLUTION_PROPOSED,
    S.IMPLEMENTING,
    S.FEEDBACK_GIVEN,
    S.REVIEWED,
)
_HANDLED = (S.FEEDBACK_GIVEN, S.REVIEWED, S.CLOSED)
_HANDLERS = frozenset({R.AGENT, R.MANAGER, R.DEPARTMENT_HEAD, R.GENERAL_MANAGER})
_SYSTEM = frozenset({R.SYSTEM})
_SUPERVISORS = frozenset({R.MANAGER, R.DEPARTMENT_HEAD, R.GENERAL_MANAGER})
_OUTLETS = frozenset({R.ENGINEER, R.DEALER_STAFF})


def _t(
    trigger: str, sources: tuple[str, ...], dest: str, roles: frozenset[Role], reason: bool = False
) -> TransitionSpec:
    return TransitionSpec(trigger, sources, dest, roles, needs_reason=reason)


COMPLAINT_WORKFLOW = Workflow(
    "complaint",
    ComplaintState,
    S.RECEIVED,
    [
        _t("investigate", (S.RECEIVED,), S.INVESTIGATING, _HANDLERS),
        _t("propose_solution", (S.INVESTIGATING,), S.SOLUTION_PROPOSED, _HANDLERS),
        _t("revise_solution", (S.SOLUTION_PROPOSED,), STAY, _HANDLERS | {R.CUSTOMER}, reason=True),
        _t("agree_solution", (S.SOLUTION_PROPOSED,), S.IMPLEMENTING, _HANDLERS | {R.CUSTOMER}),
        # Seed 004 第八条 2(4) 请示处理方法: a case found hard (or major) after its solution was agreed is
        # referred too; the decision comes back as the solution proposed again.
        _t(
            "refer",
            (S.INVESTIGATING, S.SOLUTION_PROPOSED, S.IMPLEMENTING),
            S.AWAITING_DECISION,
            _HANDLERS,
            reason=True,
        ),
        # The pack's hard-case addressee decides: the general manager (seed 004) or the after-sales
        # manager (seed 001, 对重大售后问题进行决策); the complaint desk narrows to the referral's addressees.
        _t(
            "decide",
            (S.AWAITING_DECISION,),
            S.SOLUTION_PROPOSED,
            frozenset({R.GENERAL_MANAGER, R.MANAGER}),
            reason=True,
        ),
        _t("resolve", (S.IMPLEMENTING,), S.FEEDBACK_GIVEN, _HANDLERS),
        _t("reject", (S.FEEDBACK_GIVEN, S.REVIEWED), S.INVESTIGATING, _HANDLERS | {R.CUSTOMER}, reason=True),
        _t("review", (S.FEEDBACK_GIVEN,), S.REVIEWED, _SUPERVISORS | {R.AGENT}),
        _t("close", (S.REVIEWED,), S.CLOSED, _HANDLERS | _SYSTEM),
        _t("cancel", _OPEN, S.CANCELLED, _HANDLERS, reason=True),
        _t("withdraw", _OPEN, S.CANCELLED, frozenset({R.CUSTOMER}) | _HANDLERS, reason=True),
        # Seed 004 第八条 2(6) 回访发现的问题应及时再处理: a problem found back after the handling (at the
        # callback, or by the handler) is handled again in a new cycle, handled, reviewed or closed alike;
        # the handling already given stays as judged. The customer's own ``reject`` is not a new cycle.
        _t("reopen", _HANDLED, S.INVESTIGATING, _HANDLERS | _SYSTEM, reason=True),
        _t("classify", _OPEN, STAY, _HANDLERS | _SYSTEM),
        # Seed 001 三(二)2 对于紧急问题,售后专员应立即标记: the staff mark a complaint urgent (a
        # customer's own "urgent" at intake is its claim only); it then runs on the urgent grade and clock.
        _t("mark_urgent", _OPEN, STAY, _HANDLERS),
        _t("escalate", _OPEN, STAY, _HANDLERS | _SYSTEM),
        _t("acknowledge_escalation", _OPEN, STAY, _SUPERVISORS),
        # Seed 003 (由指定人员负责跟进): a head designates who follows the complaint up.
        _t("assign_handler", _OPEN, STAY, _SUPERVISORS),
        _t("link_tickets", _OPEN, STAY, _HANDLERS),
        _t("grant_remedy", (S.SOLUTION_PROPOSED, S.IMPLEMENTING), STAY, _HANDLERS),
        _t("note_to_customer", _OPEN, STAY, _HANDLERS),
        # Seed 004 (及时地给予回复): the handler's call to the customer is the complaint's response, as
        # on a service ticket; without it a complaint's response could be met only by a written note.
        # Seed 004 第八条 2(4): the outlet the centre passed it to, unable to settle it at once, 首先要对客户
        # 进行安抚 — its call is logged too (the service layer admits only that outlet, not any engineer).
        _t("contact_customer", _OPEN, STAY, _HANDLERS | _OUTLETS),
        _t("schedule_callback", _HANDLED, STAY, _HANDLERS | _SYSTEM),
        _t("record_callback", _HANDLED, STAY, _HANDLERS),
        # Issue 23: describing a complaint (tags, custom fields, attachments) never moves it.
        _t("tag", tuple(S), STAY, _HANDLERS | _SYSTEM),
        _t("set_fields", tuple(S), STAY, _HANDLERS | _SYSTEM),
        _t("attach", tuple(S), STAY, _HANDLERS | frozenset({R.CUSTOMER})),
        _t("detach", tuple(S), STAY, _HANDLERS | frozenset({R.CUSTOMER})),
        # Issue 20, seed 004: a complaint passed to a repair outlet (dealer or engineer), whose reply
        # returns to the centre; anyone meeting a crisis reports it at once; engineering and quality
        # supervision assist; the centre hears when a linked service ticket is resolved.
        _t("refer_to_outlet", _OPEN, STAY, _HANDLERS),
        _t("outlet_reply", _OPEN, STAY, _HANDLERS | _OUTLETS),
        _t("report_crisis", _OPEN, STAY, _HANDLERS | _OUTLETS | _SYSTEM),
        _t("assign_departments", _OPEN, STAY, _HANDLERS | _SYSTEM),
        _t("linked_ticket_resolved", _OPEN, STAY, _SYSTEM),
        # Seeds 003/004 (考核): a calendar change records the due times it moves, and holds a breach
        # already announced (domain.sla_held), as on a service ticket.
        _t("recalculate_sla", _OPEN, STAY, frozenset({R.SYSTEM, R.MANAGER})),
    ],
    final=(S.CLOSED, S.CANCELLED),
)
"""The one definition of the complaint workflow. ``python -m aftersales diagram complaint`` may draw it."""
