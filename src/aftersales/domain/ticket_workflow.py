"""The service-ticket workflow (报修 → 评估 → 派工 → 处理 → 验收 → 回访 → 关闭) as data (seeds 000, 002, 003).

new → triaged → assigned → in_progress ⇄ awaiting_parts / awaiting_customer → resolved (work done,
awaiting the customer's acceptance) → accepted (``confirm``: 验收确认, the customer signs the service slip)
or rework (``reject``: not accepted, the work is redone) → … → callback (回访, on the accepted ticket) →
closed. Closing needs a done callback (or the pack's number of failed attempts to reach the customer, or a
pack that needs no callback for the ticket): the service layer checks that guard. A callback that finds the
problem back reopens the ticket into rework, from accepted or closed. Remote guidance resolves straight from
triaged; its fault record is recorded on the triaged ticket, where the pack requires one. Any open state
may be cancelled with a reason.
Steps that record work without moving the ticket (fault records, visits, notes, contacts, callbacks,
attempts, SLA extensions, reassignment) are transitions to the same state, so one table answers "may this
happen now?".
"""

from __future__ import annotations

from aftersales.domain.actors import Role
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.workflow import STAY, TransitionSpec, Workflow

__all__ = [
    "CLOSE_UNACCEPTED",
    "ERASERS",
    "MATERIALS_MONEY_STEPS",
    "MATERIALS_QUOTE_REFUSED",
    "PURCHASE_REFUSED",
    "QUOTE_REFUSED_UNWORKED",
    "TICKET_WORKFLOW",
    "TicketState",
]


class TicketState(CodedEnum):
    """States of a service ticket."""

    NEW = "new"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    AWAITING_PARTS = "awaiting_parts"
    AWAITING_CUSTOMER = "awaiting_customer"
    RESOLVED = "resolved"
    ACCEPTED = "accepted"
    REWORK = "rework"
    CLOSED = "closed"
    CANCELLED = "cancelled"


MATERIALS_MONEY_STEPS = (
    "materials_checked",
    "materials_quoted",
    "materials_paid",
    "materials_declined",
    "part_charged_back",
    "materials_refunded",
)
"""Ticket events the materials desk records for its money steps."""

QUOTE_REFUSED_UNWORKED = "quote_refused"
"""The ticket event of a quote refused while the ticket is not being worked (it cannot wait then)."""

PURCHASE_REFUSED = "purchase_refused"
"""The ticket event of the dealer refusing its purchase from the maker: escalated and recorded, and the
ticket stays where it is (the customer is not the one being waited on)."""

CLOSE_UNACCEPTED = "close_unaccepted"
"""The ticket event of a resolved ticket closed without the customer's acceptance: by the erasure of the
customer's personal data, when nobody may be asked for it any more."""

ERASERS = frozenset({Role.MANAGER, Role.GENERAL_MANAGER, Role.PRIVACY_OFFICER})
"""Who may erase a customer's personal data (the permission table's ``erase_customer``), and so close
their resolved tickets unaccepted in the same command."""

MATERIALS_QUOTE_REFUSED = "materials_quote_refused"
"""The ticket event of a materials quote refused while the ticket is worked: it then waits."""

S = TicketState
R = Role
_OPEN = (S.NEW, S.TRIAGED, S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_PARTS, S.AWAITING_CUSTOMER, S.REWORK)
_WORKING = (S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_PARTS, S.AWAITING_CUSTOMER, S.REWORK)
_STAFF = frozenset({R.AGENT, R.ENGINEER, R.DEALER_STAFF, R.MANAGER, R.DEPARTMENT_HEAD, R.GENERAL_MANAGER})
_COORDINATORS = frozenset(
    {R.AGENT, R.DEALER_STAFF, R.MANAGER, R.DEPARTMENT_HEAD, R.GENERAL_MANAGER, R.SYSTEM}
)
_HANDS = frozenset({R.ENGINEER, R.DEALER_STAFF, R.MANAGER, R.DEPARTMENT_HEAD})
_FRONT = frozenset({R.AGENT, R.MANAGER, R.DEPARTMENT_HEAD, R.GENERAL_MANAGER})
_CHARGING = (S.TRIAGED, *_WORKING, S.RESOLVED, S.ACCEPTED, S.CLOSED)
# The customer answers a quote; staff may record an answer given by phone.
_ANSWERING = frozenset({R.CUSTOMER, R.AGENT, R.DEALER_STAFF, R.MANAGER, R.DEPARTMENT_HEAD})


def _t(
    trigger: str, sources: tuple[str, ...], dest: str, roles: frozenset[Role], reason: bool = False
) -> TransitionSpec:
    return TransitionSpec(trigger, sources, dest, roles, needs_reason=reason)


TICKET_WORKFLOW = Workflow(
    "ticket",
    TicketState,
    S.NEW,
    [
        # Assessment (问题评估) happens before anything is assigned. The office or the dealer assesses,
        # or refers the problem to a technical person for assessment (seed 001 三(三): 售后专员将客户反馈
        # 的问题及时分配给相关人员进行评估; seed 000 3.问题评估: 售后维护团队…评估): an engineer triages only
        # a ticket referred to them (the permission table's scope). Planned work is triaged by its job.
        _t("triage", (S.NEW,), S.TRIAGED, _STAFF | {R.SYSTEM}),
        _t("refer_for_assessment", (S.NEW,), STAY, _COORDINATORS),
        # Seed 000 4.派工处理 (要求客户将产品送至指定维修地点): a depot repair's point, told to the customer
        # once assessed, and changed while the repair is not done.
        _t("designate_repair_point", (S.TRIAGED, *_WORKING), STAY, _COORDINATORS),
        _t("assign", (S.TRIAGED,), S.ASSIGNED, _COORDINATORS),
        _t("reassign", _WORKING, STAY, _COORDINATORS, reason=True),
        _t("start_work", (S.ASSIGNED, S.REWORK), S.IN_PROGRESS, _HANDS),
        _t("await_parts", (S.IN_PROGRESS,), S.AWAITING_PARTS, _HANDS),
        _t("await_customer", (S.ASSIGNED, S.IN_PROGRESS), S.AWAITING_CUSTOMER, _HANDS | _FRONT, reason=True),
        _t("resume", (S.AWAITING_PARTS, S.AWAITING_CUSTOMER), S.IN_PROGRESS, _HANDS | _FRONT | {R.SYSTEM}),
        _t(
            "resolve",
            (S.TRIAGED, S.IN_PROGRESS, S.AWAITING_PARTS, S.AWAITING_CUSTOMER),
            S.RESOLVED,
            _HANDS | _FRONT,
        ),
        # Acceptance is the customer's; staff record it only with the channel it came by (the service
        # layer checks that an engineer or staff member names the channel: signed slip, phone, app).
        _t("confirm", (S.RESOLVED,), S.ACCEPTED, frozenset({R.CUSTOMER}) | _FRONT | _HANDS),
        _t("reject", (S.RESOLVED,), S.REWORK, frozenset({R.CUSTOMER}) | _FRONT, reason=True),
        _t("close", (S.ACCEPTED,), S.CLOSED, _FRONT | {R.DEALER_STAFF, R.SYSTEM}),
        # A repair done for a person whose data was then erased (PIPL): nobody may ask them to accept it
        # any more, so the erasure closes it unaccepted (its reason says why; the acceptance is not faked).
        _t(CLOSE_UNACCEPTED, (S.RESOLVED,), S.CLOSED, ERASERS, reason=True),
        _t("cancel", _OPEN, S.CANCELLED, frozenset({R.CUSTOMER}) | _FRONT | {R.DEALER_STAFF}, reason=True),
        _t("reopen", (S.ACCEPTED, S.CLOSED), S.REWORK, _FRONT | {R.DEALER_STAFF, R.SYSTEM}, reason=True),
        # The fault record (故障描述→故障原因→处理措施, seed 002) is made where the problem is assessed: on
        # site while worked, or at triage by the agent (客服) who guides the customer by phone (叫修处理流程:
        # 电话指导 → 结案; 处理措施 such as 指导培训用户使用), so a repair solved by phone can be resolved.
        _t(
            "record_fault",
            (S.TRIAGED, S.IN_PROGRESS, S.AWAITING_PARTS, S.AWAITING_CUSTOMER, S.REWORK, S.RESOLVED),
            STAY,
            _HANDS | {R.AGENT},
        ),
        _t("add_visit", _WORKING, STAY, _HANDS | _FRONT),
        _t("note_to_customer", (*_OPEN, S.RESOLVED, S.ACCEPTED), STAY, _STAFF),
        _t("contact_customer", (*_OPEN, S.RESOLVED, S.ACCEPTED), STAY, _STAFF),
        # Resolved too: a pack whose callback runs from the result's entry (seed 003 二 5:
        # 工程师将处理结果录入系统, 客服专员在24小时内…回访) plans it then, before the slip is recorded.
        _t(
            "schedule_callback",
            (S.RESOLVED, S.ACCEPTED, S.CLOSED),
            STAY,
            _FRONT | {R.DEALER_STAFF, R.SYSTEM},
        ),
        # Resolved too: where the callback runs from the result's entry (seed 003 二 5) the agent calls
        # within 24 hours of it, the slip signed on site (二 4) perhaps not yet recorded; the service layer
        # refuses it on a resolved ticket of a pack counting from the acceptance.
        _t("callback_attempt", (S.RESOLVED, S.ACCEPTED), STAY, _FRONT | {R.DEALER_STAFF}),
        _t("record_callback", (S.RESOLVED, S.ACCEPTED, S.CLOSED), STAY, _FRONT | {R.DEALER_STAFF}),
        # Resolved too: the resolution clock runs until the customer accepts (a special case may be
        # approved while the repair awaits the acceptance).
        _t(
            "extend_sla",
            (*_OPEN, S.RESOLVED),
            STAY,
            frozenset({R.MANAGER, R.DEPARTMENT_HEAD, R.GENERAL_MANAGER}),
            reason=True,
        ),
        _t("recalculate_sla", (*_OPEN, S.RESOLVED, S.ACCEPTED), STAY, frozenset({R.SYSTEM, R.MANAGER})),
        # Seed 004 第七条 (咨询 / 报修 / 投诉), seed 003 (服务请求分类): the class a call was logged under is
        # corrected by the office (or the dealer whose call it is) with a reason, while the ticket is
        # still handled or awaits its callback; a closed or cancelled ticket's books are settled.
        _t("reclassify", (*_OPEN, S.RESOLVED, S.ACCEPTED), STAY, _FRONT | {R.DEALER_STAFF}, reason=True),
        # Issue 23: describing a ticket (tags, custom fields, attachments) never moves it.
        _t("tag", tuple(S), STAY, _STAFF | {R.SYSTEM}),
        _t("set_fields", tuple(S), STAY, _STAFF | {R.SYSTEM}),
        _t("attach", tuple(S), STAY, _STAFF | {R.CUSTOMER}),
        _t("detach", tuple(S), STAY, _STAFF | {R.CUSTOMER}),
        # Charging (seed 002 材料收费): assess the sheet, quote, the customer's answer. A refused quote goes
        # to the superior (上报上级领导处理) and the ticket waits on that decision.
        _t("assess_charges", _CHARGING, STAY, _HANDS | _FRONT | {R.SYSTEM}),
        _t("offer_quote", _CHARGING, STAY, _FRONT | {R.DEALER_STAFF}),
        _t("accept_quote", _CHARGING, STAY, _ANSWERING),
        _t("refuse_quote", _WORKING, S.AWAITING_CUSTOMER, _ANSWERING),
        # A quote refused where the ticket cannot wait (triaged before any work, or after the repair):
        # escalated and recorded all the same, the ticket stays where it is.
        _t(QUOTE_REFUSED_UNWORKED, (S.TRIAGED, S.RESOLVED, S.ACCEPTED, S.CLOSED), STAY, _ANSWERING),
        # The dealer refusing its purchase from the maker (成本价) is between maker and dealer: escalated
        # and recorded, the customer's ticket does not wait on the customer.
        _t(PURCHASE_REFUSED, (*_OPEN, S.RESOLVED, S.ACCEPTED), STAY, _ANSWERING),
        _t("record_payment", (*_CHARGING,), STAY, _ANSWERING | {R.ENGINEER}),
        # A paid quote whose lines became free afterwards (a complaint's warranty extension), or whose
        # ticket was cancelled, is refunded on a credit slip, by the office or by the dealer who took the
        # customer's money.
        _t("refund_quote", (*_CHARGING, S.CANCELLED), STAY, _FRONT | {R.DEALER_STAFF}),
        # Issue 20: a dispatch that found nobody is part of the ticket's history (reasons, addressees).
        _t("dispatch_failed", _OPEN, STAY, _COORDINATORS),
        # Issue 19: every money step of the materials desk is in the ticket's history too (the warranty
        # check, the quote, the payment, a declined quote, a part charged back). The materials
        # workflow's own table has authorised the step; the ticket only records it, in any state
        # (a part is charged back weeks after the ticket closed).
        *(_t(step, tuple(S), STAY, frozenset(R)) for step in MATERIALS_MONEY_STEPS),
        # A materials quote refused on a ticket being worked: escalated like ``refuse_quote``, and the
        # ticket waits on the superior's decision (seed 002: 上报上级领导处理). The materials workflow
        # has authorised the refusal; elsewhere (new, resolved, closed) ``materials_declined`` records it.
        _t(MATERIALS_QUOTE_REFUSED, _WORKING, S.AWAITING_CUSTOMER, frozenset(R)),
        # Issue 20: the coordinator (department head, or the manager for multi-department problems)
        # brings departments in and adds engineers to a critical ticket's team.
        _t("assign_departments", _OPEN, STAY, _FRONT | {R.SYSTEM}),
        _t("add_team_member", _OPEN, STAY, _FRONT - {R.AGENT} | {R.SYSTEM}),
    ],
    final=(S.CLOSED, S.CANCELLED),
)
"""The one definition of the service-ticket workflow. ``python -m aftersales diagram ticket`` draws it."""
