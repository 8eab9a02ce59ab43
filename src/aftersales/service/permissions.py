"""The one permission table: who may run which command, per workflow, and on which objects (scopes).

:data:`PERMISSIONS` maps a workflow (service ticket, complaint, materials, documents, master data) to
its commands and the roles allowed to run each. Workflow steps take their roles from the workflow
definitions themselves (each transition names the roles that may fire it), so the rules cannot drift
apart; commands outside the workflows are listed here, once. The command runner consults this table
for every command and every query; capability modules never carry a role table of their own.

Scopes narrow a role further: customers their own tickets, dealer staff their dealer's tickets and
(to read, and for the callbacks: :data:`REGION_WRITES`) their regions', engineers the tickets assigned
to them (and, read-only, their team's), auditors read everything and change nothing. Reading a
ticket outside one's scope is indistinguishable from an unknown id (``NotFound``); acting on a
visible ticket one may not touch is ``PermissionDenied``.

A ticket command runs against the table of the ticket's own workflow: ``desk.cancel`` on a complaint
is judged by the complaint workflow (customers and dealer staff may not cancel a complaint), and a
command the complaint workflow does not have (``resolve``: a complaint is answered with
``complaints.give_feedback``) is refused for complaints.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aftersales.domain.actors import HEADS, Role
from aftersales.domain.classification import TicketKind
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.complaint_workflow import COMPLAINT_WORKFLOW
from aftersales.domain.knowledge import ARTICLE_APPROVERS, ARTICLE_AUTHORS
from aftersales.domain.materials_workflow import MATERIALS_WORKFLOW, RETURN_WORKFLOW
from aftersales.domain.sla_reading import held_dealer
from aftersales.domain.teams import added_members
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import ERASERS, TICKET_WORKFLOW, TicketState
from aftersales.domain.work import AssigneeKind
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.service.actors import Actor, act_in

__all__ = [
    "ARCHIVE_ROLES",
    "ASSESSOR_WRITES",
    "COMMAND_ROLES",
    "COMPLAINT_ROLES",
    "FEE_ROLES",
    "KNOWLEDGE_ROLES",
    "MAINTENANCE_ROLES",
    "MASTER_DATA_ROLES",
    "MATERIALS_ROLES",
    "PERMISSIONS",
    "PRIVACY_ROLES",
    "READERS",
    "REGION_WRITES",
    "REPORT_ROLES",
    "TEAM_MEMBER_WRITES",
    "Workflow",
    "authorize",
    "can_read",
    "can_read_as",
    "can_write",
    "can_write_as",
    "can_write_party",
    "check_role",
    "dealers_job",
    "holds_job",
    "job_dealer",
    "passed_away_from",
    "permit",
    "roles_for",
    "sees_all",
    "ticket_workflow",
]

R = Role
READERS = frozenset(Role)
_OFFICE = frozenset({R.AGENT, R.MANAGER, R.DEPARTMENT_HEAD, R.GENERAL_MANAGER})
_SEE_ALL = _OFFICE | {R.AUDITOR, R.SYSTEM}
_HEADS = HEADS


class Workflow(CodedEnum):
    """The sections of the permission table."""

    SERVICE_TICKET = "service_ticket"
    COMPLAINT = "complaint"
    MATERIALS = "materials"
    DOCUMENTS = "documents"
    MASTER_DATA = "master_data"
    MAINTENANCE = "maintenance"


def _ticket_roles() -> dict[str, frozenset[Role]]:
    table = {trigger: TICKET_WORKFLOW.spec(trigger).roles for trigger in TICKET_WORKFLOW.triggers}
    table["dispatch"] = table["assign"] | table["reassign"]
    table["add_fault_record"] = table.pop("record_fault")
    table["open_ticket"] = frozenset({R.CUSTOMER, R.DEALER_STAFF}) | _OFFICE | {R.SYSTEM}
    table["read_ticket"] = READERS
    table["ledger"] = READERS
    table["recompute_due"] = _HEADS | {R.SYSTEM}
    # Seed 001 三(七)2 在线问卷: the customer answers their own ticket's satisfaction survey online (their
    # scope: their own tickets; once, service.callback_desk). Staff record the survey as a callback.
    table["answer_ticket_survey"] = frozenset({R.CUSTOMER})
    return table


def _complaint_roles() -> dict[str, frozenset[Role]]:
    spec = COMPLAINT_WORKFLOW.spec
    table = {
        # Seed 004: whoever meets a crisis reports it at once — engineers in the field included.
        "open_complaint": frozenset({R.CUSTOMER, R.DEALER_STAFF, R.ENGINEER}) | _OFFICE | {R.SYSTEM},
        "investigate": spec("investigate").roles,
        "propose_solution": spec("propose_solution").roles,
        "revise_solution": spec("revise_solution").roles,
        "agree_solution": spec("agree_solution").roles,
        "refer_to_general_manager": spec("refer").roles,
        "record_gm_decision": spec("decide").roles,
        "give_feedback": spec("resolve").roles,
        "reject_outcome": spec("reject").roles,
        "review": spec("review").roles,
        "close_complaint": spec("close").roles,
        "cancel_complaint": spec("cancel").roles,
        "withdraw": spec("withdraw").roles,
        "reopen_complaint": spec("reopen").roles,
        "classify": spec("classify").roles,
        "mark_urgent": spec("mark_urgent").roles,
        "escalate": spec("escalate").roles,
        "acknowledge_escalation": spec("acknowledge_escalation").roles,
        "assign_handler": spec("assign_handler").roles,
        "link_tickets": spec("link_tickets").roles,
        "grant_remedy": spec("grant_remedy").roles,
        "complaint_log": _SEE_ALL,
        "overdue_escalations": _SEE_ALL,
        "unreached_escalations": _SEE_ALL,
        "detect_batch_incidents": _HEADS | {R.SYSTEM},
        "warranty_extensions": _SEE_ALL | {R.ENGINEER, R.DEALER_STAFF},
        "read_ticket": READERS,
        "recompute_due": _HEADS | {R.SYSTEM},
        # Issue 20 (seed 004): repair outlets, crisis reports from anyone, assisting departments.
        "refer_to_outlet": spec("refer_to_outlet").roles,
        "outlet_reply": spec("outlet_reply").roles,
        "report_crisis": spec("report_crisis").roles,
        "assign_departments": spec("assign_departments").roles,
    }
    # The ticket commands of ServiceDesk, judged by the complaint workflow when the ticket is one.
    for trigger in ("cancel", "close", "reopen", "reject", "note_to_customer", "contact_customer"):
        table[trigger] = spec(trigger).roles
    for trigger in ("schedule_callback", "record_callback"):
        table[trigger] = spec(trigger).roles
    for trigger in ("tag", "set_fields", "attach", "detach"):  # issue 23: describing a complaint
        table[trigger] = spec(trigger).roles
    return table


def _materials_roles() -> dict[str, frozenset[Role]]:
    table = {f"materials_{t}": MATERIALS_WORKFLOW.spec(t).roles for t in MATERIALS_WORKFLOW.triggers}
    table["materials_request"] = frozenset({R.ENGINEER, R.DEALER_STAFF}) | _OFFICE
    table["register_return"] = RETURN_WORKFLOW.spec("accept").roles
    table["inspect_return"] = RETURN_WORKFLOW.spec("accept").roles | RETURN_WORKFLOW.spec("reject").roles
    table["book_return"] = RETURN_WORKFLOW.spec("book").roles
    # Seed 002 退料 2 b: a relay office (上海) takes parts in for the receiving location, which counts them.
    table["relay_return"] = RETURN_WORKFLOW.spec("accept").roles
    table["count_relayed_return"] = RETURN_WORKFLOW.spec("accept").roles
    table["run_overdue_chargebacks"] = frozenset({R.SYSTEM, R.MANAGER, R.DEPARTMENT_HEAD})
    table["remind_returns"] = frozenset({R.SYSTEM, R.MANAGER, R.DEPARTMENT_HEAD})
    table["reconcile_loans"] = _OFFICE | {R.SYSTEM}
    table["close_surplus"] = _OFFICE  # the office settles a count's surplus (盘盈盘亏分析), no job
    # Seed 002 退料 5 (与用户沟通，进行相关收费工作): the maker's office pays back a paid part sent back
    # unused.
    table["refund_unused_part"] = MATERIALS_WORKFLOW.spec("refund").roles
    table["outbound_summary"] = _SEE_ALL
    table["read_materials"] = READERS
    return table


FEE_ROLES: Mapping[str, frozenset[Role]] = MappingProxyType(
    {
        "issue_fee_slip": _OFFICE | {R.ENGINEER, R.DEALER_STAFF},
        "record_slip_payment": _OFFICE | {R.ENGINEER, R.DEALER_STAFF, R.SYSTEM},
        "request_invoice": _OFFICE | {R.DEALER_STAFF, R.CUSTOMER},
        "retry_invoices": _OFFICE | {R.SYSTEM},
        "cancel_fee_slip": _OFFICE | {R.DEALER_STAFF},
        "refund_kept_charge": _OFFICE,
        "record_materials": _OFFICE | {R.ENGINEER, R.DEALER_STAFF},
        "read_fee_slip": _OFFICE | {R.ENGINEER, R.DEALER_STAFF, R.CUSTOMER, R.AUDITOR, R.SYSTEM},
        "revenue_report": _HEADS | {R.AUDITOR, R.DEALER_STAFF},
        "backfill_money_index": _HEADS | {R.SYSTEM},
    }
)
"""Who may do what with fee slips; scopes (own customer, own dealer) narrow it further."""

_STAFF = _OFFICE | {R.ENGINEER, R.DEALER_STAFF}
KNOWLEDGE_ROLES: Mapping[str, frozenset[Role]] = MappingProxyType(
    {
        "write_article": ARTICLE_AUTHORS,
        "approve_article": ARTICLE_APPROVERS,
        "withdraw_article": ARTICLE_APPROVERS,
        "article_history": ARTICLE_AUTHORS | {R.AUDITOR},
        "read_article": _STAFF | {R.AUDITOR, R.CUSTOMER},
        "suggest": _STAFF | {R.AUDITOR},
        "learn": _HEADS | {R.SYSTEM},
    }
)
"""Who may do what with the knowledge base (customers read approved articles: self-service FAQ)."""

ARCHIVE_ROLES: Mapping[str, frozenset[Role]] = MappingProxyType(
    {
        "dealer_archive": _SEE_ALL | {R.DEALER_STAFF},
        "customer_archive": _SEE_ALL | {R.DEALER_STAFF, R.CUSTOMER},
        # Seed 002 一、产品的信息反馈: the after-sales department's statistics by phase; a dealer its own.
        "phase_feedback": _SEE_ALL | {R.DEALER_STAFF},
        "record_training": _OFFICE,
        # Seed 002 12: 甲方有权对乙方的服务情况进行抽查和指导 — the maker's office checks, dealers read.
        "record_spot_check": _OFFICE,
        # Seed 002 分工 2, 5 (甲方免费向乙方提供技术支持服务): a dealer asks on its job (the office may take
        # its call), the maker's staff answer — the office or the maker's own engineers (the desk refuses
        # a dealer's engineer); a dealer reads its own requests.
        "ask_technical_support": _OFFICE | {R.DEALER_STAFF},
        "answer_technical_support": _OFFICE | {R.ENGINEER},
        "read_technical_support": _SEE_ALL | {R.DEALER_STAFF, R.ENGINEER},
    }
)
"""Who may read which archive (scopes narrow it further) and record training."""

PRIVACY_ROLES: Mapping[str, frozenset[Role]] = MappingProxyType(
    {
        "erase_customer": ERASERS,
        "export_customer": frozenset(
            {R.MANAGER, R.GENERAL_MANAGER, R.PRIVACY_OFFICER, R.AUDITOR, R.CUSTOMER}
        ),
        "erasures": frozenset({R.MANAGER, R.GENERAL_MANAGER, R.PRIVACY_OFFICER, R.AUDITOR}),
        "access_log": frozenset({R.AUDITOR, R.PRIVACY_OFFICER}),
        "purge_expired": frozenset({R.MANAGER, R.GENERAL_MANAGER, R.PRIVACY_OFFICER, R.SYSTEM}),
        "purge_access_log": frozenset({R.MANAGER, R.GENERAL_MANAGER, R.PRIVACY_OFFICER, R.SYSTEM}),
    }
)
"""Personal data (PIPL): erasure, the right of access (a customer exports their own), the access log."""

# -- the reports people read (session 21): each scoped report entry asks one of these ------------------
REPORT_ROLES: Mapping[str, frozenset[Role]] = MappingProxyType(
    {
        # Seed 002 二、反馈信息的处理: the after-sales department's 分类统计和分析 of the faults
        # (Pareto, trend): the heads and the auditor the network's; a dealer its own jobs' faults
        # (乙方…所维修情况: its repairs).
        "fault_report": _HEADS | {R.AUDITOR, R.SYSTEM, R.DEALER_STAFF},
        # Seed 004 批量质量事故: a batch spans every dealer's customers — the maker's judgement.
        "batch_incident_report": _HEADS | {R.AUDITOR, R.SYSTEM},
        # Seed 002 9/10 (每月…统计并报至甲方的售后服务部): the department reads every dealer's month, a
        # dealer its own report's row (乙方 reports and is spot-checked: 甲方有权…抽查).
        "dealer_monthly_report": _HEADS | {R.AUDITOR, R.SYSTEM, R.DEALER_STAFF},
        # Seed 003 绩效考核 / seed 001 六(三) 售后團隊成員的考核由售後經理負責: each engineer's conduct
        # and each agent's KPIs are the appraisers' (no seed lets the appraised read everyone's table).
        "conduct_report": _HEADS | {R.AUDITOR, R.SYSTEM},
        "staff_kpi_report": _HEADS | {R.AUDITOR, R.SYSTEM},
        # Maintenance figures (seed 000 售後維護; plan compliance, due visits, contracts, recurring faults):
        # the heads and the auditor every dealer's; a dealer its own plans', visits' and contracts'.
        "maintenance_report": _HEADS | {R.AUDITOR, R.SYSTEM, R.DEALER_STAFF},
    }
)
"""Who reads which report (the KPI trend is the KPI report's ``kpi_report``). Dealer staff read their own
dealer's part only; customers and engineers read none of them."""

_DOCUMENTS: dict[str, frozenset[Role]] = {
    **PRIVACY_ROLES,
    **FEE_ROLES,
    **KNOWLEDGE_ROLES,
    **ARCHIVE_ROLES,
    # Seed 002: the dealer makes its region's callbacks (回访, 乙方有义务配合…回访): it lists its own.
    "callbacks": _SEE_ALL | {R.DEALER_STAFF},
    "sla_sweep": _HEADS | {R.SYSTEM},
    # The SLA alerts announced and withdrawn (service/sla_alert_list): the office all, an engineer his
    # tickets', dealer staff their dealer's — as each reads the ledger.
    "sla_alerts": _SEE_ALL | {R.DEALER_STAFF, R.ENGINEER},
    # which calendar the stored due times were computed on (service/calendar_stamp): the sweep job's
    "stamp_calendar": frozenset({R.MANAGER, R.SYSTEM}),
    # the zone of the store's books (service/zone_stamp): stamped by the first write, moved deliberately
    "move_books_zone": frozenset({R.MANAGER, R.GENERAL_MANAGER, R.SYSTEM}),
    # the KPI report (seed 003 考核): the heads and the auditor read every dealer's, dealer staff their own
    "kpi_report": _HEADS | {R.AUDITOR, R.DEALER_STAFF, R.SYSTEM},
    # Seed 004 第五条 1(6): the service centre's monthly feedback (quality information, users' opinions,
    # sales) to the general manager and the related departments: the heads read it (it carries the KPIs,
    # which are theirs: ``kpi_report``), the auditor too.
    "monthly_feedback": _HEADS | {R.AUDITOR, R.SYSTEM},
    "submit_dealer_report": frozenset({R.DEALER_STAFF, R.MANAGER, R.GENERAL_MANAGER, R.AGENT}),
    "raise_batch_incidents": _HEADS | {R.SYSTEM},
    # An older store's recorded faults counted into the detector's tallies (seed 004 第七条 5(2)).
    "backfill_batch_tallies": _HEADS | {R.SYSTEM},
    # The late-after instants of tickets an older release stored, or closed, without them (session 24).
    "backfill_late_afters": _HEADS | {R.SYSTEM},
    # Complaints an older release stamped as a dealer's call, saved again (service/complaint_dealer_stamps).
    "backfill_complaint_dealers": _HEADS | {R.SYSTEM},
    # The outbox (issue 22): dead letters for managers (auditors read them), retention for the jobs.
    "read_dead_letters": _HEADS | {R.AUDITOR, R.SYSTEM},
    "retry_dead_letters": _HEADS | {R.SYSTEM},
    "purge_sent_messages": frozenset({R.MANAGER, R.GENERAL_MANAGER, R.SYSTEM}),
    "purge_dead_letters": frozenset({R.MANAGER, R.GENERAL_MANAGER, R.SYSTEM}),
    "purge_sla_alerts": frozenset({R.MANAGER, R.GENERAL_MANAGER, R.SYSTEM}),
    "purge_job_marks": frozenset({R.MANAGER, R.GENERAL_MANAGER, R.SYSTEM}),
    "announce_callbacks_due": _HEADS | {R.SYSTEM},
    "announce_monthly_feedback": _HEADS | {R.SYSTEM},
    "announce_progress_due": _HEADS | {R.SYSTEM},
    "engineer_loads": _SEE_ALL | {R.DEALER_STAFF},
    "quality_incidents": _SEE_ALL | {R.DEALER_STAFF, R.ENGINEER},
    "quality_incident_step": _HEADS | {R.SYSTEM},
    "quality_incident_remedy": _HEADS,
    "manage_teams": _HEADS | {R.SYSTEM},
    "manage_departments": _HEADS | {R.SYSTEM},
    # own staff (seeds 000, 001, 003): training by the office, appraisal by the heads
    "record_staff_training": _OFFICE,
    "appraise_staff": _HEADS,
    "staff_records": _HEADS | {R.AUDITOR, R.SYSTEM, R.ENGINEER, R.AGENT},
    # a staff member's export of what is kept about them (PIPL art. 45): themself, or the after-sales
    # manager (seed 001 六(三)); the desk narrows the others to their own (service/staff_desk.export_staff)
    "export_staff": _HEADS | {R.ENGINEER, R.AGENT},
    # a departure is the heads' word (seed 001 六(三): the team is the manager's); the erasure after it
    # is whoever erases a customer's data (PIPL art. 47)
    "record_staff_departure": _HEADS,
    "erase_staff": ERASERS,
    "read_departments": _STAFF | {R.AUDITOR, R.SYSTEM},
    "read_teams": _STAFF | {R.AUDITOR, R.SYSTEM},
    # the service desk's shifts (seed 003: 客服专员实行轮班制): the heads plan, the office reads (not dealers)
    "plan_agent_shifts": _HEADS | {R.SYSTEM},
    "read_agent_shifts": _SEE_ALL,
    # cost budgets (seed 000): heads may set and approve; the pack's fees.budget_approvers narrows it
    # (fees.overrun_approvers for overruns: the department, session 27)
    "set_budget": _HEADS,
    "approve_overrun": _HEADS,
    "read_budgets": _SEE_ALL,
    # seed 000 (编制…费用预算, 报公司管理层审批): the department's heads draft, management (the pack's
    # fees.budget_approvers) approves or sends back
    "draft_budget": _HEADS,
    "approve_budget": _HEADS,
    "return_budget": _HEADS,
    # Re-indexing every ticket for search: an administrator's one-off (it reads every customer's tickets).
    "rebuild_search_index": _HEADS | {R.SYSTEM},
    **REPORT_ROLES,
    # Session 21. Seed 000 4.派工处理 (送至指定维修地点): the heads keep the repair points of each region
    # (reference data), which anyone may know. Seed 002 函授 (用函件对用户进行相关的指导和培训): guidance sent
    # to a customer by letter or material is recorded by the service side — the office, the customer's
    # own dealer, the engineer on the ticket behind it (scopes narrow it) — and read by whoever reads the
    # customer's archive, or the ticket behind it (an engineer: the guidance about its tickets only).
    "register_repair_point": _HEADS | {R.SYSTEM},
    "read_repair_points": READERS,
    "send_guidance": _OFFICE | {R.DEALER_STAFF, R.ENGINEER},
    "read_guidance": ARCHIVE_ROLES["customer_archive"] | {R.ENGINEER},
    # Seed 001 三(三): the engineer a new problem was referred to reads what it still has to assess (no
    # assignment lists it); the office reads who still owes an assessment; a dealer's staff, who refer
    # its calls to its engineers, read those waiting on them (seed 002: 乙方负责所售产品的全过程服务;
    # seed 001 三(五): 跟踪售后问题的处理进度). The desk narrows each to its own.
    "read_assessment_referrals": _SEE_ALL | {R.ENGINEER, R.DEALER_STAFF},
}

MASTER_DATA_ROLES: Mapping[str, frozenset[Role]] = MappingProxyType(
    {
        "register_customer": frozenset({R.DEALER_STAFF, R.SYSTEM}) | _OFFICE,
        "register_asset": frozenset({R.DEALER_STAFF, R.SYSTEM}) | _OFFICE,
        "register_reference": _HEADS | {R.SYSTEM},
        # An engineer leaving, coming back or away (seed 003 派工): the heads who keep the reference data.
        "engineer_availability": _HEADS | {R.SYSTEM},
        "transfer_asset": frozenset({R.MANAGER, R.GENERAL_MANAGER}),
        "change_warranty_start": frozenset({R.MANAGER, R.GENERAL_MANAGER}),
        "master_data_history": _HEADS | {R.AUDITOR},
    }
)
"""Customers, units and reference data. Dealer staff work inside their regions only (see the desk)."""

MAINTENANCE_ROLES: Mapping[str, frozenset[Role]] = MappingProxyType(
    {
        "sign_contract": _OFFICE | {R.DEALER_STAFF},
        "cancel_contract": _HEADS,
        "read_contracts": _SEE_ALL | {R.DEALER_STAFF, R.CUSTOMER},
        "create_plan": _OFFICE | {R.DEALER_STAFF},
        "record_reading": _OFFICE | {R.DEALER_STAFF, R.SYSTEM},
        "run_maintenance_jobs": _HEADS | {R.SYSTEM},
        "complete_visit": frozenset({R.ENGINEER, R.DEALER_STAFF}) | _OFFICE,
        "postpone_visit": frozenset({R.ENGINEER, R.DEALER_STAFF}) | _OFFICE,
        "miss_visit": frozenset({R.DEALER_STAFF}) | _OFFICE,
        "read_maintenance": _SEE_ALL | {R.DEALER_STAFF, R.ENGINEER, R.CUSTOMER},
        "start_campaign": _HEADS,
        "answer_survey": frozenset({R.AGENT, R.CUSTOMER, R.DEALER_STAFF}) | _HEADS,
        "read_campaigns": _SEE_ALL | {R.DEALER_STAFF},
    }
)
"""Service contracts, maintenance plans and visits, survey campaigns (seeds 000, 001)."""

COMPLAINT_ROLES: Mapping[str, frozenset[Role]] = MappingProxyType(_complaint_roles())
"""The roles allowed to run each complaint command, taken from the workflow definition."""

MATERIALS_ROLES: Mapping[str, frozenset[Role]] = MappingProxyType(_materials_roles())
"""Materials requests and part returns, from the two workflow definitions."""

PERMISSIONS: Mapping[Workflow, Mapping[str, frozenset[Role]]] = MappingProxyType(
    {
        Workflow.SERVICE_TICKET: MappingProxyType(_ticket_roles()),
        Workflow.COMPLAINT: COMPLAINT_ROLES,
        Workflow.MATERIALS: MATERIALS_ROLES,
        Workflow.DOCUMENTS: MappingProxyType(_DOCUMENTS),
        Workflow.MASTER_DATA: MASTER_DATA_ROLES,
        Workflow.MAINTENANCE: MAINTENANCE_ROLES,
    }
)
"""The one permission table: workflow → command → roles allowed (before scopes)."""

COMMAND_ROLES: Mapping[str, frozenset[Role]] = MappingProxyType(
    {**PERMISSIONS[Workflow.SERVICE_TICKET], **MASTER_DATA_ROLES}
)
"""The service-ticket and master-data commands of :class:`ServiceDesk` (kept for callers of 0.x)."""


def ticket_workflow(ticket: Ticket) -> Workflow:
    """The section of the table that judges commands on ``ticket``."""
    return Workflow.COMPLAINT if ticket.kind is TicketKind.COMPLAINT else Workflow.SERVICE_TICKET


def roles_for(workflow: Workflow, command: str) -> frozenset[Role]:
    """The roles that may run ``command`` of ``workflow``; unknown commands allow nobody."""
    return PERMISSIONS[workflow].get(command, frozenset())


def permit(actor: Actor, workflow: Workflow, command: str, target: object = None) -> None:
    """Raise ``PermissionDenied`` unless ``actor``'s role may run ``command`` of ``workflow``."""
    _require_actor(actor)
    if act_in(actor, roles_for(workflow, command)) is None:
        raise PermissionDenied(str(actor), command, target)


def _require_actor(actor: object) -> None:
    if not isinstance(actor, Actor):
        raise ValidationError("the first argument of every command is an Actor", field="actor")


def _dealer_scope(actor: Actor, ticket: Ticket) -> bool:
    return dealers_job(actor, ticket) or (ticket.region is not None and ticket.region in actor.regions)


def job_dealer(ticket: Ticket) -> str | None:
    """The dealer doing the job ``ticket``: the dealer holding it (the one it is dispatched to, or whose
    own engineer it is assigned to), else the ticket's own dealer (the customer's or the unit's); ``None``
    for neither. Its staff work the job; its money and parts are its business (``scope.purchasing_dealer``).
    """
    handling = held_dealer(ticket.events)
    return handling if handling is not None else ticket.dealer_id


def holds_job(actor: Actor, ticket: Ticket) -> bool:
    """Does ``actor``'s dealer do the job ``ticket`` (:func:`job_dealer`), so its staff may work it?

    Seed 002: 乙方负责所售产品的全过程服务 — the selling dealer serves its customers' calls; but the dealer
    that gets the maker's notice is bound to solve it (6: 乙方接到用户的叫修(或者是甲方的电话通知)后,
    必须保证在24小时之内给用户解决问题) and records the repair (7: 乙方每次维修完毕后,应与客户做好维修记录).
    So once the office passes the call to another dealer, that dealer holds the job: the customer's own
    dealer reads it (:func:`dealers_job`: its customer's service) and no longer records faults on it,
    resolves it or charges on it; its region's callbacks (:data:`REGION_WRITES`) stay as they were."""
    if actor.dealer_id is None:
        return False
    assignee = ticket.assignee
    if assignee is not None and assignee.kind is AssigneeKind.DEALER:  # a complaint referred to an outlet too
        return assignee.id == actor.dealer_id
    return job_dealer(ticket) == actor.dealer_id


def passed_away_from(actor: Actor, ticket: Ticket) -> bool:
    """Is ``ticket`` a job of ``actor``'s dealer (:func:`dealers_job`) that another dealer now holds?"""
    return dealers_job(actor, ticket) and not holds_job(actor, ticket)


def dealers_job(actor: Actor, ticket: Ticket) -> bool:
    """Is ``ticket`` the job of ``actor``'s dealer: its own (its customer's, its unit's, a call it took)
    or one it holds (:func:`holds_job`: dispatched to it, or to its own engineer)? What its staff read
    whole; they write only on the jobs it holds, so what they may change they may read (one table: the
    job given to the Chaoyang dealer's own engineer was Chaoyang's to work but hidden from it). Its
    ledger (``TicketFilter.dealer_scope``) lists its own and those dispatched to it."""
    if actor.dealer_id is None:
        return False
    return ticket.dealer_id == actor.dealer_id or holds_job(actor, ticket)


REGION_WRITES = frozenset(
    {"schedule_callback", "record_callback", "record_callback_attempt", "contact_customer", "answer_survey"}
)
"""What dealer staff do for a customer of their region who is not their dealer's (seed 002: 乙方有义务
配合甲方对本区域的用户进行回访和满意度调查工作): the callbacks on its tickets and the satisfaction survey
of a campaign. Every other write is the own dealer's (乙方负责所售产品的全过程服务): a second dealer of
the region reads the ticket, it does not resolve it, charge on it or cancel the first dealer's slip; nor
does it sign, renew or plan the first dealer's contracts, or change its customers and units
(:func:`can_write_party`)."""


def _assigned_to(actor: Actor, ticket: Ticket) -> bool:
    assignee = ticket.assignee
    if assignee is None:
        return False
    if assignee.kind is AssigneeKind.ENGINEER:
        return assignee.id == (actor.engineer_id or actor.id)
    return assignee.kind is AssigneeKind.TEAM and actor.team is not None and assignee.id == actor.team


def sees_all(actor: Actor) -> bool:
    """Whether one of ``actor``'s roles reads every ticket (the office, auditors, the system)."""
    return any(role in _SEE_ALL for role in actor.roles)


def can_read(actor: Actor, ticket: Ticket, team_of_assignee: str | None = None) -> bool:
    """May ``actor`` see ``ticket`` at all? Any of its roles may grant it.

    ``team_of_assignee`` is the assigned engineer's team.
    """
    if not actor.extra_roles:  # one role (the common case): no generator over the role set
        return _reads_as(actor.role, actor, ticket, team_of_assignee)
    return any(_reads_as(role, actor, ticket, team_of_assignee) for role in actor.roles)


def can_read_as(
    actor: Actor, ticket: Ticket, roles: frozenset[Role], team_of_assignee: str | None = None
) -> bool:
    """May ``actor`` read ``ticket`` in one of its roles that may run the read (``roles``)? A list open
    to dealer staff shows a dealer's staff member who is also a customer their dealer's tickets' rows,
    not their own ticket's (their customer role may not run the read)."""
    if not actor.extra_roles:
        return actor.role in roles and _reads_as(actor.role, actor, ticket, team_of_assignee)
    return any(role in roles and _reads_as(role, actor, ticket, team_of_assignee) for role in actor.roles)


def _reads_as(role: Role, actor: Actor, ticket: Ticket, team_of_assignee: str | None) -> bool:
    if role in _SEE_ALL:
        return True
    if role is R.CUSTOMER:
        return actor.customer_id is not None and ticket.customer_id == actor.customer_id
    if role is R.DEALER_STAFF:
        return _dealer_scope(actor, ticket)
    if role is R.ENGINEER:
        return (
            _assigned_to(actor, ticket)
            or (actor.team is not None and team_of_assignee == actor.team)
            or _added_to_team(actor, ticket)
            or _assessor_of(actor, ticket)
        )
    return False


def _added_to_team(actor: Actor, ticket: Ticket) -> bool:
    # Engineers the coordinator added to a critical ticket's team read it (issue 20).
    return (actor.engineer_id or actor.id) in added_members(ticket.events)


_NEW = TicketState.NEW.value


def _assessor_of(actor: Actor, ticket: Ticket) -> bool:
    # The engineer a new problem was referred to for assessment (seed 001 三(三): 售后专员将客户反馈的问题
    # 及时分配给相关人员进行评估) reads it, and triages it (``ASSESSOR_WRITES``), while the assessment is
    # owed: the ticket is new. Once assessed (triaged, by it or the office) or cancelled, the referral
    # grants nothing more (least privilege): the engineer reads on only if the ticket is assigned to it.
    return (
        ticket.state == _NEW
        and ticket.assessor is not None
        and ticket.assessor == (actor.engineer_id or actor.id)
    )


ASSESSOR_WRITES = frozenset({"triage"})
"""What the engineer a ticket is referred to for assessment may do on it: record the assessment."""

TEAM_MEMBER_WRITES = frozenset({"add_fault_record", "resolve"})
"""What an engineer added to a ticket's team (a senior stepping in on an expedited request, an emergency
team member on a critical one: seed 003 二 3 介入, 启动应急小组) may record on it beside the engineer sent:
the fault found and the fix (二 4 服务完成后,工程师将处理结果录入系统). He works on it; the job — the
visits, the parts, the hand-over — stays with the engineer it is assigned to."""


def can_write(actor: Actor, ticket: Ticket, command: str | None = None) -> bool:
    """May ``actor`` change ``ticket`` (role permitting)? Auditors never; engineers only their own;
    dealer staff the jobs their dealer holds (:func:`holds_job`), and their region's tickets for the
    callbacks (``command`` in :data:`REGION_WRITES`).

    With several roles, any role that may write is enough.
    """
    if not actor.extra_roles:
        return _writes_as(actor.role, actor, ticket, command)
    return any(_writes_as(role, actor, ticket, command) for role in actor.roles)


def _writes_as(role: Role, actor: Actor, ticket: Ticket, command: str | None = None) -> bool:
    if role is R.AUDITOR:
        return False
    if role is R.ENGINEER:
        return (
            _assigned_to(actor, ticket)
            or (command in ASSESSOR_WRITES and _assessor_of(actor, ticket))
            or (command in TEAM_MEMBER_WRITES and _added_to_team(actor, ticket))
        )
    if role is R.DEALER_STAFF:
        return holds_job(actor, ticket) or (command in REGION_WRITES and _dealer_scope(actor, ticket))
    return _reads_as(role, actor, ticket, None)


def can_write_party(
    actor: Actor,
    command: str,
    allowed: frozenset[Role],
    *,
    customer_id: str | None = None,
    dealer_id: str | None = None,
    region: str | None = None,
) -> bool:
    """May ``actor`` run ``command`` on a record other than a ticket, held for ``customer_id`` and served
    by ``dealer_id`` (the customer's region ``region``): a contract, a maintenance plan, a customer, a
    unit, a survey task?

    The rule of :func:`can_write` for tickets, applied to the records around them. Each of the actor's
    roles that may run the command (``allowed``) may grant it: the office and the system every record;
    an auditor none; a customer its own; dealer staff their dealer's — their region's only for
    :data:`REGION_WRITES`; an engineer none (it works through the tickets assigned to it).
    """
    for role in actor.roles:
        if role not in allowed or role is R.AUDITOR:
            continue
        if role in _SEE_ALL:
            return True
        if role is R.CUSTOMER and customer_id is not None and actor.customer_id == customer_id:
            return True
        if role is R.DEALER_STAFF:
            if actor.dealer_id is not None and dealer_id == actor.dealer_id:
                return True
            if command in REGION_WRITES and region is not None and region in actor.regions:
                return True
    return False


def can_write_as(actor: Actor, ticket: Ticket, roles: frozenset[Role], command: str | None = None) -> bool:
    """May ``actor`` change ``ticket`` in one of its roles that may run the command (``roles``)?

    The role that permits the command must be the one whose scope covers the ticket: a customer who is
    also a Beijing dealer's staff member may not write a staff note on their own Shanghai ticket (the
    staff role permits the note but does not cover the ticket; the customer role covers it but may not
    write notes)."""
    if not actor.extra_roles:
        return actor.role in roles and _writes_as(actor.role, actor, ticket, command)
    return any(role in roles and _writes_as(role, actor, ticket, command) for role in actor.roles)


def check_role(
    actor: Actor, command: str, target: object = None, roles: frozenset[Role] | None = None
) -> None:
    """Raise ``PermissionDenied`` unless ``actor``'s role may run ``command`` at all.

    ``roles`` is the entry of :data:`PERMISSIONS` the caller looked up; without it the service-ticket
    and master-data sections are consulted.
    """
    _require_actor(actor)
    allowed = roles if roles is not None else COMMAND_ROLES.get(command, frozenset())
    if act_in(actor, allowed) is None:
        raise PermissionDenied(str(actor), command, target)


def authorize(
    actor: Actor,
    command: str,
    ticket: Ticket,
    team_of_assignee: str | None = None,
    roles: frozenset[Role] | None = None,
) -> None:
    """The full check before a command touches ``ticket``: visible, role allowed, in scope.

    Without ``roles`` the table of the ticket's own workflow decides (a complaint is judged by the
    complaint workflow). Order matters: an invisible ticket is ``NotFound`` whatever the command, so
    nobody learns that another customer's ticket exists.
    """
    if not can_read(actor, ticket, team_of_assignee):
        raise NotFound("ticket", ticket.id)
    if roles is None:
        workflow = ticket_workflow(ticket)
        table = PERMISSIONS[workflow]
        if command not in table:
            other = Workflow.SERVICE_TICKET if workflow is Workflow.COMPLAINT else Workflow.COMPLAINT
            if command in PERMISSIONS[other]:
                hint = (
                    "is a complaint: use the complaint desk (desk.complaints)"
                    if workflow is Workflow.COMPLAINT
                    else "is not a complaint"
                )
                raise ValidationError(f"ticket {ticket.id} {hint} for {command}", field="ticket_id")
        roles = table.get(command, frozenset())
    check_role(actor, command, ticket.id, roles)
    if not can_write_as(actor, ticket, roles, command):
        # The customer's own dealer reading a job the office passed to another dealer is told why.
        passed = R.DEALER_STAFF in roles and passed_away_from(actor, ticket)
        raise PermissionDenied(str(actor), command, ticket.id, rule="job_passed_on" if passed else None)
    if actor.extra_roles:  # the events name the role whose scope covers the ticket (acting_scope)
        mine = [role for role in actor.roles if role in roles and _writes_as(role, actor, ticket, command)]
        act_in(actor, mine)
