"""aftersales: after-sales service (售后服务) as a library.

Tickets from the first call to the callback, warranty and chargeability decisions with their
reasons, SLA clocks on Chinese working calendars, dispatch, parts, complaints and KPIs. The
public API is re-exported here; import from ``aftersales`` rather than from submodules.
"""

from __future__ import annotations

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.agent_shifts import AgentShift, DeskRoster, RosterGap, RosterWindow

# Issue 23: ticket search, tags and custom fields, attachments.
from aftersales.domain.attachments import Attachment, AttachmentKind

# Money end to end (issue 19): the charge sheet, budgets, part numbers, bounded money.
from aftersales.domain.budget_drafts import BudgetDraft, BudgetDraftStep, DraftState
from aftersales.domain.budgets import BudgetRevision, CostBudget, OverrunApproval
from aftersales.domain.calendar import CHINA_OFFICE_HOURS, BusinessCalendar
from aftersales.domain.charges import (
    ChargeKind,
    ChargeLine,
    ChargeSheet,
    Payment,
    Quote,
    QuoteEscalation,
    SheetLine,
)
from aftersales.domain.classification import (
    Category,
    Channel,
    ImpactScope,
    Plan,
    Priority,
    Severity,
    TicketKind,
)
from aftersales.domain.complaint_workflow import COMPLAINT_WORKFLOW, ComplaintState
from aftersales.domain.complaints import (
    ComplaintFile,
    ComplaintSeverity,
    CrisisFacts,
    CrisisProblem,
    Recourse,
    Remedy,
    RemedyKind,
)
from aftersales.domain.contact import Contact
from aftersales.domain.correspondence import CorrespondenceGuidance, GuidanceMedium
from aftersales.domain.custom_fields import CustomField, CustomFieldSet, FieldType, HiddenFields
from aftersales.domain.departments import Department, DepartmentKind
from aftersales.domain.events import TicketEvent
from aftersales.domain.fee_slips import FeeSlip, InvoiceWish
from aftersales.domain.holiday_data import HolidaySource
from aftersales.domain.ids import (
    AssetId,
    ComplaintId,
    CustomerId,
    DealerId,
    EngineerId,
    MaterialsRequestId,
    ProductId,
    TicketId,
)
from aftersales.domain.knowledge import Article, ArticleVersion
from aftersales.domain.loan_ledger import (
    ArrivedReturn,
    Chargeback,
    LedgerEntry,
    LoanLedger,
    OverdueItem,
    Reconciliation,
)
from aftersales.domain.maintenance import (
    ChecklistResult,
    MaintenancePlan,
    MaintenanceVisit,
    UsageInterval,
    VisitState,
)
from aftersales.domain.materials import (
    ItemKind,
    MaterialsLine,
    MaterialsRequest,
    OutboundSummary,
    PartReturn,
    PartyKind,
    PartyRef,
    PickSlip,
    ShippingNote,
)
from aftersales.domain.materials_workflow import MATERIALS_WORKFLOW, MaterialsState
from aftersales.domain.money import MAX_MINOR_UNITS, Money
from aftersales.domain.part_numbers import check_part_number
from aftersales.domain.parties import Customer, CustomerTier, Dealer, Engineer, EngineerLevel
from aftersales.domain.plan_handover import PlanHandover
from aftersales.domain.products import Asset, Product, WarrantyStart, WarrantyTerm
from aftersales.domain.quality_incidents import IncidentRemedyKind, IncidentState, QualityIncident
from aftersales.domain.quality_reports import DealerMonthlyReport, ReportFiling
from aftersales.domain.reasons import Reason
from aftersales.domain.repair_points import RepairPoint, RepairPointNotice
from aftersales.domain.service_contracts import ContractCoverage, ContractSla, ServiceContract
from aftersales.domain.sla_clock import (
    SlaState,
    SlaStatus,
    SlaTarget,
    SlaTargets,
    SlaTimeline,
    TargetStatus,
    sla_status,
    sla_timeline,
)
from aftersales.domain.spot_checks import DealerSpotCheck, SpotCheckOutcome
from aftersales.domain.staff_departure import StaffDeparture, StaffErasureRecord
from aftersales.domain.staff_records import (
    AppraisalRating,
    AppraisalRevision,
    MeasureKind,
    StaffAppraisal,
    StaffKind,
    StaffMeasure,
    StaffTraining,
    Trainee,
)
from aftersales.domain.survey_campaigns import (
    FROM_PACK,
    CampaignChannel,
    FromPack,
    SamplingRules,
    SurveyCampaign,
    SurveyTask,
)
from aftersales.domain.surveys import CallbackChecklist, SatisfactionSurvey
from aftersales.domain.teams import OnCallShift, Team, TeamKind
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TICKET_WORKFLOW, TicketState
from aftersales.domain.training import TrainingKind, TrainingRecord
from aftersales.domain.warranty_records import WarrantyExtension
from aftersales.domain.work import (
    Assessment,
    Assignee,
    AssigneeKind,
    CustomerNote,
    FaultRecord,
    Visit,
    VisitKind,
)
from aftersales.domain.workflow import TransitionSpec, Workflow
from aftersales.errors import (
    AftersalesError,
    AttachmentRequired,
    CalendarDataMissing,
    ConcurrencyConflict,
    ConfigurationError,
    CurrencyMismatch,
    CustomerErased,
    DuplicateError,
    ErasedIdReused,
    FaultRecordRequired,
    IdempotencyKeyReused,
    InvalidMoney,
    InvalidStoreOption,
    InvalidTransition,
    LegalHold,
    LockOrderConflict,
    NaiveDatetimeError,
    NotFound,
    OpenTicketsBlockErasure,
    OutOfBounds,
    PermissionDenied,
    PluginError,
    PolicyError,
    RemedyBeyondAuthority,
    SlaExtensionRefused,
    StorageError,
    StoreBusy,
    StoreDamaged,
    UnknownCurrency,
    ValidationError,
)
from aftersales.i18n.errors import render_error
from aftersales.i18n.notifications import NOTIFICATION_KINDS, Renderer, render
from aftersales.i18n.reasons import render_reasons
from aftersales.json import SCHEMA_VERSION as JSON_SCHEMA_VERSION
from aftersales.json import from_dict, from_json, to_dict, to_json
from aftersales.policies.charge_assessment import AssessedCharges, ChargeFacts, assess_charges
from aftersales.policies.chargeability import ChargeabilityPolicy, ChargeableWork, ChargeDecision
from aftersales.policies.decision import Decision
from aftersales.policies.fees import FeesPolicy, PartPrice, PriceList
from aftersales.policies.kinds import NamedPolicy, PolicyKind
from aftersales.policies.lifecycle import LifecycleParams
from aftersales.policies.pack import Pack, load_pack
from aftersales.policies.protocols import ComplaintPolicy
from aftersales.policies.registry import PolicySet, resolve_policies
from aftersales.policies.sla import SlaFacts, SlaParams, SlaPolicy
from aftersales.policies.warranty import WarrantyPhase, WarrantyPolicy
from aftersales.ports import (
    BlocksNestedUnits,
    Clock,
    CountField,
    CountsInAStore,
    DocumentStore,
    IdGenerator,
    LearnsTakenIds,
    Notifier,
    Outbox,
    OutboxMessage,
    Page,
    PageRequest,
    RenderedMessage,
    Repository,
    Sort,
    SpellsIds,
    StoreFactory,
    TicketFilter,
    TicketRepository,
    UnitOfWork,
    open_storage,
)
from aftersales.ports.attachments import AttachmentStore, StoredBlob
from aftersales.ports.invoicing import InvoiceIssuer
from aftersales.ports.outbox_dispatch import DeliveryRules, DispatchReport
from aftersales.ports.text_search import TextIndex
from aftersales.ports.ticket_search import SearchDocument, SearchRequest, TicketSearchIndex
from aftersales.reports import (
    LEDGER_COLUMNS,
    PACK_GOALS,
    KpiGoals,
    KpiTrend,
    ReportDocument,
    ReportLabels,
    SlaReport,
    document_for,
    export_ledger,
    kpi_goals,
    kpi_trend,
    report_labels,
    sla_breaches,
    to_csv,
    to_html,
    to_markdown,
    to_text,
    to_xlsx,
)
from aftersales.service.actors import Actor
from aftersales.service.agent_shifts import AgentShiftDesk
from aftersales.service.archives import ArchiveDesk, CustomerArchive, DealerArchive, PhaseCount, PhaseFeedback
from aftersales.service.attachment_desk import AttachmentDesk
from aftersales.service.callback_desk import CallbackDesk
from aftersales.service.charges_desk import AcceptedQuote, ChargesDesk
from aftersales.service.complaint_desk import ComplaintDesk
from aftersales.service.context import DeskContext, DeskSettings
from aftersales.service.contracts import ServiceContracts
from aftersales.service.coordination import CoordinationDesk
from aftersales.service.delivery import OutboxDesk
from aftersales.service.desk import ServiceDesk
from aftersales.service.engineer_loads import EngineerLoad
from aftersales.service.fee_desk import FeeDesk, MonthlyRevenue
from aftersales.service.jobs import Jobs, JobSettings, JobsReport
from aftersales.service.knowledge_desk import KnowledgeDesk, Suggestions
from aftersales.service.maintenance import GenerationReport, MaintenanceDesk
from aftersales.service.mark_retention import MarkRetention, PurgePass
from aftersales.service.master_data import MasterDataChange
from aftersales.service.materials_desk import MaterialsDesk
from aftersales.service.materials_params import MaterialsParams
from aftersales.service.monthly_feedback import (
    CallbackLine,
    ComplaintLine,
    FeedbackFacts,
    IncidentLine,
    MonthlyFeedbackDesk,
    SoldLine,
)
from aftersales.service.permissions import PERMISSIONS
from aftersales.service.privacy import AccessRecord, ErasureRecord, PrivacyDesk
from aftersales.service.quality_incidents import QualityIncidentDesk
from aftersales.service.runner import CommandRunner
from aftersales.service.sla_cliff import CalendarHealth, RecomputeReport
from aftersales.service.staff_desk import StaffDesk, StaffRecord
from aftersales.service.survey_campaigns import CampaignResults, SurveyCampaigns
from aftersales.service.teams import TeamDesk
from aftersales.service.ticket_search import TicketSearch
from aftersales.service.views import CommandResult, Progress, TicketView

__version__ = "0.1.0"

__all__ = [
    "CHINA_OFFICE_HOURS",
    "COMPLAINT_WORKFLOW",
    "FROM_PACK",
    "LEDGER_COLUMNS",
    "MATERIALS_WORKFLOW",
    "MAX_MINOR_UNITS",
    "NOTIFICATION_KINDS",
    "PACK_GOALS",
    "PERMISSIONS",
    "TICKET_WORKFLOW",
    "AcceptedQuote",
    "AccessRecord",
    "Actor",
    "ActorRef",
    "AftersalesError",
    "AgentShift",
    "AgentShiftDesk",
    "ArchiveDesk",
    "ArrivedReturn",
    "Article",
    "ArticleVersion",
    "AssessedCharges",
    "Assessment",
    "Asset",
    "AssetId",
    "Assignee",
    "AssigneeKind",
    "Attachment",
    "AttachmentDesk",
    "AttachmentKind",
    "AttachmentRequired",
    "AttachmentStore",
    "BlocksNestedUnits",
    "BudgetDraft",
    "BudgetDraftStep",
    "BudgetRevision",
    "BusinessCalendar",
    "CalendarDataMissing",
    "CalendarHealth",
    "CallbackChecklist",
    "CallbackDesk",
    "CallbackLine",
    "CampaignChannel",
    "CampaignResults",
    "Category",
    "Channel",
    "ChargeDecision",
    "ChargeFacts",
    "ChargeKind",
    "ChargeLine",
    "ChargeSheet",
    "ChargeabilityPolicy",
    "ChargeableWork",
    "Chargeback",
    "ChargesDesk",
    "ChecklistResult",
    "Clock",
    "CommandResult",
    "CommandRunner",
    "ComplaintDesk",
    "ComplaintFile",
    "ComplaintId",
    "ComplaintLine",
    "ComplaintPolicy",
    "ComplaintSeverity",
    "ComplaintState",
    "ConcurrencyConflict",
    "ConfigurationError",
    "Contact",
    "ContractCoverage",
    "ContractSla",
    "CorrespondenceGuidance",
    "CostBudget",
    "CountField",
    "CountsInAStore",
    "CrisisFacts",
    "CrisisProblem",
    "CurrencyMismatch",
    "CustomField",
    "CustomFieldSet",
    "Customer",
    "CustomerArchive",
    "CustomerErased",
    "CustomerId",
    "CustomerNote",
    "CustomerTier",
    "Dealer",
    "DealerArchive",
    "DealerId",
    "DealerMonthlyReport",
    "DealerSpotCheck",
    "Decision",
    "DeskContext",
    "DeskRoster",
    "DeskSettings",
    "DocumentStore",
    "DraftState",
    "DuplicateError",
    "Engineer",
    "EngineerId",
    "EngineerLevel",
    "EngineerLoad",
    "ErasedIdReused",
    "ErasureRecord",
    "FaultRecord",
    "FaultRecordRequired",
    "FeeDesk",
    "FeeSlip",
    "FeedbackFacts",
    "FeesPolicy",
    "FieldType",
    "FromPack",
    "GenerationReport",
    "GuidanceMedium",
    "HiddenFields",
    "HolidaySource",
    "IdGenerator",
    "IdempotencyKeyReused",
    "ImpactScope",
    "IncidentLine",
    "IncidentRemedyKind",
    "IncidentState",
    "InvalidMoney",
    "InvalidTransition",
    "InvoiceIssuer",
    "InvoiceWish",
    "ItemKind",
    "KnowledgeDesk",
    "KpiGoals",
    "KpiTrend",
    "LearnsTakenIds",
    "LedgerEntry",
    "LegalHold",
    "LifecycleParams",
    "LoanLedger",
    "LockOrderConflict",
    "MaintenanceDesk",
    "MaintenancePlan",
    "MaintenanceVisit",
    "MasterDataChange",
    "MaterialsDesk",
    "MaterialsLine",
    "MaterialsParams",
    "MaterialsRequest",
    "MaterialsRequestId",
    "MaterialsState",
    "MeasureKind",
    "Money",
    "MonthlyFeedbackDesk",
    "MonthlyRevenue",
    "NaiveDatetimeError",
    "NamedPolicy",
    "NotFound",
    "Notifier",
    "OnCallShift",
    "OpenTicketsBlockErasure",
    "OutOfBounds",
    "OutboundSummary",
    "Outbox",
    "OutboxMessage",
    "OverdueItem",
    "OverrunApproval",
    "Pack",
    "Page",
    "PageRequest",
    "PartPrice",
    "PartReturn",
    "PartyKind",
    "PartyRef",
    "Payment",
    "PermissionDenied",
    "PhaseCount",
    "PhaseFeedback",
    "PickSlip",
    "Plan",
    "PlanHandover",
    "PluginError",
    "PolicyError",
    "PolicyKind",
    "PolicySet",
    "PriceList",
    "Priority",
    "PrivacyDesk",
    "Product",
    "ProductId",
    "Progress",
    "QualityIncident",
    "QualityIncidentDesk",
    "Quote",
    "QuoteEscalation",
    "Reason",
    "RecomputeReport",
    "Reconciliation",
    "Recourse",
    "Remedy",
    "RemedyBeyondAuthority",
    "RemedyKind",
    "RenderedMessage",
    "Renderer",
    "RepairPoint",
    "RepairPointNotice",
    "ReportDocument",
    "ReportFiling",
    "ReportLabels",
    "Repository",
    "Role",
    "RoleLimits",
    "RosterGap",
    "RosterWindow",
    "SamplingRules",
    "SatisfactionSurvey",
    "SearchDocument",
    "SearchRequest",
    "ServiceContract",
    "ServiceContracts",
    "ServiceDesk",
    "Severity",
    "SheetLine",
    "ShippingNote",
    "SlaExtensionRefused",
    "SlaFacts",
    "SlaParams",
    "SlaPolicy",
    "SlaReport",
    "SlaState",
    "SlaStatus",
    "SlaTarget",
    "SlaTargets",
    "SoldLine",
    "Sort",
    "SpellsIds",
    "SpotCheckOutcome",
    "StorageError",
    "StoreBusy",
    "StoreDamaged",
    "StoreFactory",
    "StoredBlob",
    "Suggestions",
    "SurveyCampaign",
    "SurveyCampaigns",
    "SurveyTask",
    "TargetStatus",
    "Team",
    "TeamDesk",
    "TeamKind",
    "TextIndex",
    "Ticket",
    "TicketEvent",
    "TicketFilter",
    "TicketId",
    "TicketKind",
    "TicketRepository",
    "TicketSearch",
    "TicketSearchIndex",
    "TicketState",
    "TicketView",
    "TrainingKind",
    "TrainingRecord",
    "TransitionSpec",
    "UnitOfWork",
    "UnknownCurrency",
    "UnreachedEscalation",
    "UsageInterval",
    "ValidationError",
    "Visit",
    "VisitKind",
    "VisitState",
    "WarrantyExtension",
    "WarrantyPhase",
    "WarrantyPolicy",
    "WarrantyStart",
    "WarrantyTerm",
    "Workflow",
    "__version__",
    "assess_charges",
    "check_part_number",
    "document_for",
    "export_ledger",
    "kpi_goals",
    "kpi_trend",
    "load_pack",
    "open_storage",
    "render",
    "report_labels",
    "resolve_policies",
    "sla_breaches",
    "sla_status",
    "to_csv",
    "to_html",
    "to_markdown",
    "to_text",
    "to_xlsx",
]

# Embedding (issue 22): JSON at the edge, reasons in words, delivery and jobs.
__all__ += [
    "JSON_SCHEMA_VERSION",
    "DeliveryRules",
    "DispatchReport",
    "JobSettings",
    "Jobs",
    "JobsReport",
    "MarkRetention",
    "OutboxDesk",
    "PurgePass",
    "from_dict",
    "from_json",
    "render_error",
    "render_reasons",
    "to_dict",
    "to_json",
]

# Money on paper and retention (issues 19, 25, second round): charge sheets and fee slips in the reader's
# words with the pack's fault labels, the [privacy] retention parameters.
from aftersales.policies.fault_catalog import FaultCatalog, pack_fault_catalog  # noqa: E402
from aftersales.policies.privacy import PrivacyParams, PrivacyRules  # noqa: E402
from aftersales.reports.charge_documents import charge_sheet_document, fee_slip_document  # noqa: E402

__all__ += [
    "FaultCatalog",
    "PrivacyParams",
    "PrivacyRules",
    "charge_sheet_document",
    "fee_slip_document",
    "pack_fault_catalog",
]

# Session 39 n: the pack's own words for its own codes, for a host rendering reasons itself.
from aftersales.i18n.pack_words import PackWords, pack_words  # noqa: E402

__all__ += ["PackWords", "pack_words"]

# Issue 20 (second round): departments, repair outlets, own staff.
__all__ += [
    "AppraisalRating",
    "CoordinationDesk",
    "Department",
    "DepartmentKind",
    "StaffAppraisal",
    "StaffDeparture",
    "StaffDesk",
    "StaffErasureRecord",
    "StaffKind",
    "StaffMeasure",
    "StaffRecord",
    "StaffTraining",
    "Trainee",
]

# Issue 21 (storage at scale): a ledger page as the tickets' indexed columns (ServiceDesk.ticket_rows).
from aftersales.ports.ticket_index import TicketRow  # noqa: E402
from aftersales.service.ticket_import import ImportReport  # noqa: E402

__all__ += ["ImportReport", "TicketRow"]

# Session 17: an engineer leaving, coming back or away (desk.master_data.deactivate_engineer …).
from aftersales.domain.availability import Absence  # noqa: E402
from aftersales.service.engineer_status import EngineerStatusChange  # noqa: E402

__all__ += ["Absence", "EngineerStatusChange"]
# Issue 18 (third round): the SLA clocks measured once and kept.
__all__ += [
    "SlaTimeline",
    "sla_timeline",
]
# Issue 18 (fourth round): the read path (read-only units of work).
from aftersales.errors import ReadOnlyError  # noqa: E402
from aftersales.ports.unit_of_work import ReadingStore, reader_of  # noqa: E402

__all__ += ["ReadOnlyError", "ReadingStore", "reader_of"]
# Issue 21 (PostgreSQL): a store URL option with a value the store cannot use.
__all__ += [
    "InvalidStoreOption",
]
# Issue 21 (bulk import): what ServiceDesk.import_tickets takes; the parties' searchable words a bulk
# import builds its search documents from (a host's store may select them itself: ``party_words``).
from aftersales.ports.batch_search import CustomerWords, PartyWords  # noqa: E402
from aftersales.service.ticket_import import TicketStream  # noqa: E402

__all__ += ["CustomerWords", "PartyWords", "TicketStream"]

# The types a public value holds (its states, parts and kinds) and the policy protocols an integrator
# implements: a host compares ``slip.state`` with ``SlipState.PAID`` or types its own dispatch policy
# without importing from submodules (tests/unit/test_architecture.py holds every one exported).
from aftersales.domain.charges import QuoteState  # noqa: E402
from aftersales.domain.complaints import (  # noqa: E402
    BatchIncident,
    ComplaintSubject,
    EscalationRecord,
    GeneralManagerReferral,
    HandlerJudgement,
    Review,
)
from aftersales.domain.contact import MessageChannel  # noqa: E402
from aftersales.domain.fee_slips import (  # noqa: E402
    InvoiceRecord,
    InvoiceState,
    MaterialsMovement,
    MovementKind,
    SlipOrigin,
    SlipPayment,
    SlipState,
)
from aftersales.domain.knowledge import (  # noqa: E402
    ArticleContent,
    ArticleProblem,
    ArticleState,
    RemoteResolution,
)
from aftersales.domain.loan_ledger import EntryKind, ReconciliationLine, SurplusItem  # noqa: E402
from aftersales.domain.maintenance import PlanState, VisitChange  # noqa: E402
from aftersales.domain.materials import MaterialsStep, ReturnStep  # noqa: E402
from aftersales.domain.materials_workflow import ReturnState  # noqa: E402
from aftersales.domain.quality_incidents import (  # noqa: E402
    BatchFaultUnit,
    IncidentEvent,
)
from aftersales.domain.service_contracts import ContractChange, ContractState  # noqa: E402
from aftersales.domain.sla_targets import ClockPhase  # noqa: E402
from aftersales.domain.survey_campaigns import CampaignState, SurveyTaskState  # noqa: E402
from aftersales.domain.surveys import CallbackRecord, CallbackTask, CallbackTaskState  # noqa: E402
from aftersales.domain.training import Attendee, TrainingTopic  # noqa: E402
from aftersales.domain.warranty_records import ExtensionSource, ExtensionUnit  # noqa: E402
from aftersales.i18n.catalog import MessageCatalog  # noqa: E402
from aftersales.i18n.format import LocaleFormatter  # noqa: E402
from aftersales.i18n.notifications import NotificationKind, Rendered  # noqa: E402
from aftersales.policies.callback import CallbackFacts, CallbackPlan  # noqa: E402
from aftersales.policies.chargeability import ChargeOutcome  # noqa: E402
from aftersales.policies.complaints import (  # noqa: E402
    ComplaintClass,
    ComplaintFacts,
    ComplaintParams,
    RoleLimits,
)
from aftersales.policies.dispatch import Candidate, Dispatch, DispatchRequest, Roster  # noqa: E402
from aftersales.policies.engineer_index import DealerIndex, EngineerIndex  # noqa: E402
from aftersales.policies.escalation import Escalation, EscalationFacts, EscalationTrigger  # noqa: E402
from aftersales.policies.fees import QuoteRequest  # noqa: E402
from aftersales.policies.notification import NotificationEvent, NotificationFacts  # noqa: E402
from aftersales.policies.pack import PackFile  # noqa: E402
from aftersales.policies.protocols import (  # noqa: E402
    CallbackPolicy,
    DispatchPolicy,
    EscalationPolicy,
    MaintenancePolicy,
    NotificationPolicy,
    PriorityPolicy,
    RoutingPolicy,
    SurveyCampaignPolicy,
)
from aftersales.policies.registry import Registry  # noqa: E402
from aftersales.policies.routing import Route, RouteTarget, RoutingFacts  # noqa: E402
from aftersales.policies.sla import SlaOverride  # noqa: E402
from aftersales.policies.triage import Triage, TriageFacts  # noqa: E402
from aftersales.policies.warranty import TermStatus, WarrantyStatus  # noqa: E402
from aftersales.ports.documents import Document  # noqa: E402
from aftersales.ports.idempotency import IdempotencyStore  # noqa: E402
from aftersales.ports.invoicing import InvoiceRequest, IssuedInvoice  # noqa: E402
from aftersales.ports.reporting import (  # noqa: E402
    FaultDimension,
    GroupBy,
    Period,
    ReportingQueries,
    TicketCounts,
    TicketTiming,
    TimingColumns,
)
from aftersales.ports.sla_candidates import SlaCandidate  # noqa: E402
from aftersales.ports.store_upkeep import StoreUpkeep, UpkeepReport  # noqa: E402
from aftersales.ports.text_search import StoredTextIndex  # noqa: E402
from aftersales.ports.ticket_search import SearchQuery  # noqa: E402
from aftersales.reports.document import Chart, Column, ColumnKind, Judged, ReportTable  # noqa: E402
from aftersales.reports.kpi import CostTotals, DurationStats, KpiRow, KpiTargets  # noqa: E402
from aftersales.reports.sla import SlaCell  # noqa: E402
from aftersales.service.archives import CallbackEntry, ContactEntry, DealerPeriod, TicketEntry  # noqa: E402
from aftersales.service.clock import ZoneClock  # noqa: E402
from aftersales.service.complaint_desk import (  # noqa: E402
    ComplaintLogEntry,
    ComplaintLogFilter,
    OverdueEscalation,
    UnreachedEscalation,
)
from aftersales.service.describing import Describing  # noqa: E402
from aftersales.service.dispatching import Choice, Dispatching  # noqa: E402
from aftersales.service.fee_desk import ItemBalance, RevenueEntry  # noqa: E402
from aftersales.service.jobs import JobLease  # noqa: E402
from aftersales.service.knowledge_desk import ArticleView, CauseSuggestion  # noqa: E402
from aftersales.service.master_data import MasterData  # noqa: E402
from aftersales.service.materials_desk import LedgerSummary  # noqa: E402
from aftersales.service.notify import NotificationRequest, Notifications  # noqa: E402
from aftersales.service.report_commands import ReportCommands  # noqa: E402
from aftersales.service.runner import Applied  # noqa: E402
from aftersales.service.sla import SlaService  # noqa: E402
from aftersales.service.sla_watch import SlaAlert, SlaWatch, SweepReport  # noqa: E402
from aftersales.service.survey_campaigns import RegionScores  # noqa: E402

__all__ += [
    "Applied",
    "ArticleContent",
    "ArticleProblem",
    "ArticleState",
    "ArticleView",
    "Attendee",
    "BatchFaultUnit",
    "BatchIncident",
    "CallbackEntry",
    "CallbackFacts",
    "CallbackPlan",
    "CallbackPolicy",
    "CallbackRecord",
    "CallbackTask",
    "CallbackTaskState",
    "CampaignState",
    "Candidate",
    "CauseSuggestion",
    "ChargeOutcome",
    "Chart",
    "Choice",
    "ClockPhase",
    "Column",
    "ColumnKind",
    "ComplaintClass",
    "ComplaintFacts",
    "ComplaintLogEntry",
    "ComplaintLogFilter",
    "ComplaintParams",
    "ComplaintSubject",
    "ContactEntry",
    "ContractChange",
    "ContractState",
    "CostTotals",
    "DealerIndex",
    "DealerPeriod",
    "Describing",
    "Dispatch",
    "DispatchPolicy",
    "DispatchRequest",
    "Dispatching",
    "Document",
    "DurationStats",
    "EngineerIndex",
    "EntryKind",
    "Escalation",
    "EscalationFacts",
    "EscalationPolicy",
    "EscalationRecord",
    "EscalationTrigger",
    "ExtensionSource",
    "ExtensionUnit",
    "FaultDimension",
    "GeneralManagerReferral",
    "GroupBy",
    "HandlerJudgement",
    "IdempotencyStore",
    "IncidentEvent",
    "InvoiceRecord",
    "InvoiceRequest",
    "InvoiceState",
    "IssuedInvoice",
    "ItemBalance",
    "JobLease",
    "Judged",
    "KpiRow",
    "KpiTargets",
    "LedgerSummary",
    "LocaleFormatter",
    "MaintenancePolicy",
    "MasterData",
    "MaterialsMovement",
    "MaterialsStep",
    "MessageCatalog",
    "MessageChannel",
    "MovementKind",
    "NotificationEvent",
    "NotificationFacts",
    "NotificationKind",
    "NotificationPolicy",
    "NotificationRequest",
    "Notifications",
    "OverdueEscalation",
    "PackFile",
    "Period",
    "PlanState",
    "PriorityPolicy",
    "QuoteRequest",
    "QuoteState",
    "ReconciliationLine",
    "RegionScores",
    "Registry",
    "RemoteResolution",
    "Rendered",
    "ReportCommands",
    "ReportTable",
    "ReportingQueries",
    "ReturnState",
    "ReturnStep",
    "RevenueEntry",
    "Review",
    "Roster",
    "Route",
    "RouteTarget",
    "RoutingFacts",
    "RoutingPolicy",
    "SearchQuery",
    "SlaAlert",
    "SlaCandidate",
    "SlaCell",
    "SlaOverride",
    "SlaService",
    "SlaWatch",
    "SlipOrigin",
    "SlipPayment",
    "SlipState",
    "StoreUpkeep",
    "StoredTextIndex",
    "SurplusItem",
    "SurveyCampaignPolicy",
    "SurveyTaskState",
    "SweepReport",
    "TermStatus",
    "TicketCounts",
    "TicketEntry",
    "TicketTiming",
    "TimingColumns",
    "TrainingTopic",
    "Triage",
    "TriageFacts",
    "UpkeepReport",
    "VisitChange",
    "WarrantyStatus",
    "ZoneClock",
]

# The reports people read, each judged by the one permission table (session 21; the unscoped functions
# of aftersales.reports judge nobody and stay for a host's batch jobs).
# Session 28: each engineer's KPIs credited indicator by indicator, with the drill-down behind each figure.
from aftersales.reports import (  # noqa: E402  # noqa: E402
    EngineerKpiReport,
    EngineerKpiRow,
    EngineerTickets,
    ReportDesk,
    ReportScope,
    scoped_agent_kpis,
    scoped_batch_incidents,
    scoped_contract_figures,
    scoped_dealer_monthly,
    scoped_due_unit_visits,
    scoped_due_visits,
    scoped_engineer_kpis,
    scoped_fault_pareto,
    scoped_fault_trend,
    scoped_kpi_trend,
    scoped_plan_compliance,
    scoped_recurring_faults,
    scoped_service_conduct,
)

__all__ += [
    "ReportDesk",
    "ReportScope",
    "scoped_agent_kpis",
    "scoped_batch_incidents",
    "scoped_contract_figures",
    "scoped_dealer_monthly",
    "scoped_due_unit_visits",
    "scoped_due_visits",
    "scoped_fault_pareto",
    "scoped_fault_trend",
    "scoped_kpi_trend",
    "scoped_plan_compliance",
    "scoped_recurring_faults",
    "scoped_service_conduct",
]
__all__ += ["EngineerKpiReport", "EngineerKpiRow", "EngineerTickets", "scoped_engineer_kpis"]
# Session 29 f: a staff member's own measured figures (their KPI row, its tickets, their conduct), theirs.
from aftersales.reports import FiguresScope, StaffFiguresDesk, staff_figures  # noqa: E402

__all__ += ["FiguresScope", "StaffFiguresDesk", "staff_figures"]

# Session 22: the capabilities sessions 20-21 built (``desk.assessments``, ``desk.guidance``,
# ``desk.repair_points``), the books' stamp ``ServiceDesk.move_books_zone`` returns, and the price-list row
# a pack's price list is read from.
from aftersales.policies.fees import PartPriceEntry  # noqa: E402
from aftersales.service.assessment_referral import AssessmentReferrals  # noqa: E402
from aftersales.service.custom_field_stamp import CustomFieldTypes  # noqa: E402
from aftersales.service.guidance_desk import GuidanceDesk  # noqa: E402
from aftersales.service.repair_points import RepairPointDesk  # noqa: E402
from aftersales.service.zone_stamp import BooksZone  # noqa: E402

__all__ += ["AssessmentReferrals", "BooksZone", "GuidanceDesk", "PartPriceEntry", "RepairPointDesk"]
__all__ += ["CustomFieldTypes"]

# Session 22: the catch-up of the batch-incident tallies on an older store (``desk.batch_tallies``).
from aftersales.service.batch_tally_backfill import BatchTallies  # noqa: E402

# Session 24: the late-after instants of tickets an older release stored or closed (``desk.late_afters``).
from aftersales.service.late_after_backfill import LateAfterBackfill, LateAfters  # noqa: E402

__all__ += ["BatchTallies", "LateAfterBackfill", "LateAfters"]

# Session 25: closing the review of a surplus (盘盈) on a loan ledger (``desk.materials.close_surplus``).
from aftersales.domain.surplus_review import SurplusClosure, SurplusOutcome  # noqa: E402

__all__ += ["SurplusClosure", "SurplusOutcome"]

# Session 25: the exported functions check their call's shape and their record arguments before they
# run (a wrong object or a record changed behind its constructor's back is a typed refusal, not an
# AttributeError deep inside): see aftersales.service.exported.
from aftersales.service.exported import exported as _exported  # noqa: E402


def _check_exported_functions() -> None:
    import inspect

    found = globals()
    for name in __all__:
        value = found[name]
        if inspect.isfunction(value):
            found[name] = _exported(value)


_check_exported_functions()


def _check_report_functions() -> None:
    # Session 32 (h): docs/concepts/reports.md imports the report builders from ``aftersales.reports``
    # (``kpi_report``, ``scoped_kpi_report``, ``scoped_fault_pareto`` …), where a missing or misspelt
    # argument escaped as Python's ``TypeError``. There the call's shape is checked now (a ValidationError
    # naming the argument); the values are still judged by each function as before.
    import inspect

    from aftersales import reports
    from aftersales.service.arguments import entry_point

    for name in reports.__all__:
        value = getattr(reports, name)
        if inspect.isfunction(value):
            setattr(reports, name, entry_point(value))


_check_report_functions()

# Who appraises own staff (seed 001 六(三) 1: 考核由售后经理负责): the pack's [staff] section.
from aftersales.policies.staff import StaffParams, StaffRules  # noqa: E402

__all__ += ["StaffParams", "StaffRules"]

# Session 27: a month's appraisal corrected keeps the figures it replaced.
__all__ += ["AppraisalRevision"]

# Session 28: the day a dealer's monthly report is due (seed 002 每月3号之前): the pack's [dealer_reports].
from aftersales.policies.dealer_reports import DealerReportParams, DealerReportRules  # noqa: E402

__all__ += ["DealerReportParams", "DealerReportRules"]
# Session 30 (issue 21, PostgreSQL): the reads a command names ahead of its ticket's locking read
# (CommandRunner.execute(..., ahead=...)), so they travel in the same round trip.
from aftersales.ports.read_ahead import ReadAhead  # noqa: E402

__all__ += ["ReadAhead"]

# Session 31 (seed 002): old parts relayed to the receiving location (退料中转) and the maker's free
# technical support to a dealer on its job (分工 2, 5: ``desk.dealer_support``).
from aftersales.domain.return_relay import RelayedReturn, RelayState  # noqa: E402
from aftersales.domain.technical_support import (  # noqa: E402
    SupportMedium,
    SupportState,
    TechnicalSupportRequest,
)
from aftersales.service.dealer_support import DealerSupportDesk  # noqa: E402
from aftersales.service.unused_part_refund import UnusedRefund  # noqa: E402

__all__ += [
    "DealerSupportDesk",
    "RelayState",
    "RelayedReturn",
    "SupportMedium",
    "SupportState",
    "TechnicalSupportRequest",
    "UnusedRefund",
]

# Session 32 (seed 002 叫修处理流程 故障是否属实): the cause code of a visit finding the fault not real.
from aftersales.domain.no_fault import NO_FAULT_FOUND  # noqa: E402

__all__ += ["NO_FAULT_FOUND"]

# Session 33 (seed 004 第五条 1(6), 002 方案的落实): a unit's visits, its plans' and its remedies' together.
from aftersales.domain.remedy_visit import RemedyVisit, UnitVisit, VisitSource  # noqa: E402

__all__ += ["RemedyVisit", "UnitVisit", "VisitSource"]

# Session 33 (seed 001 三(五)1 定期向客户反馈处理情况): how long a customer may go without news, [progress].
from aftersales.policies.progress import ProgressParams, ProgressRules  # noqa: E402

__all__ += ["ProgressParams", "ProgressRules"]

# Session 39 (issue 21): the calendar notices a desk knows its store holds (``DeskContext.notices``).
from aftersales.service.notice_memo import StoredNotices  # noqa: E402

__all__ += ["StoredNotices"]
