"""aftersales: after-sales service (售后服务) as a library.

Tickets from the first call to the callback, warranty and chargeability decisions with their
reasons, SLA clocks on Chinese working calendars, dispatch, parts, complaints and KPIs. The
public API is re-exported here; import from ``aftersales`` rather than from submodules.
"""

from __future__ import annotations

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.calendar import CHINA_OFFICE_HOURS, BusinessCalendar
from aftersales.domain.charges import ChargeKind, ChargeLine, ChargeSheet, Payment, Quote
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
from aftersales.domain.loan_ledger import Chargeback, LedgerEntry, LoanLedger, OverdueItem, Reconciliation
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
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer, CustomerTier, Dealer, Engineer, EngineerLevel
from aftersales.domain.products import Asset, Product, WarrantyStart, WarrantyTerm
from aftersales.domain.quality_incidents import IncidentRemedyKind, IncidentState, QualityIncident
from aftersales.domain.quality_reports import BatchIncidentRecord, DealerMonthlyReport
from aftersales.domain.reasons import Reason
from aftersales.domain.sla_clock import SlaStatus, SlaTarget, SlaTargets, TargetStatus, sla_status
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
    CalendarDataMissing,
    ConcurrencyConflict,
    ConfigurationError,
    CurrencyMismatch,
    DuplicateError,
    IdempotencyKeyReused,
    InvalidMoney,
    InvalidTransition,
    NaiveDatetimeError,
    NotFound,
    PermissionDenied,
    PolicyError,
    StorageError,
    StoreBusy,
    UnknownCurrency,
    ValidationError,
)
from aftersales.i18n.notifications import NOTIFICATION_KINDS, Renderer, render
from aftersales.policies.chargeability import ChargeabilityPolicy, ChargeableWork, ChargeDecision
from aftersales.policies.decision import Decision
from aftersales.policies.fees import FeesPolicy, PriceList
from aftersales.policies.kinds import NamedPolicy, PolicyKind
from aftersales.policies.pack import Pack, load_pack
from aftersales.policies.protocols import ComplaintPolicy
from aftersales.policies.registry import PolicySet, resolve_policies
from aftersales.policies.sla import SlaFacts, SlaParams, SlaPolicy
from aftersales.policies.warranty import WarrantyPhase, WarrantyPolicy
from aftersales.ports import (
    Clock,
    CountField,
    DocumentStore,
    IdGenerator,
    Notifier,
    Outbox,
    OutboxMessage,
    Page,
    PageRequest,
    RenderedMessage,
    Repository,
    Sort,
    StoreFactory,
    TicketFilter,
    TicketRepository,
    UnitOfWork,
    open_storage,
)
from aftersales.ports.invoicing import InvoiceIssuer
from aftersales.ports.text_search import TextIndex
from aftersales.service.actors import Actor
from aftersales.service.archives import ArchiveDesk, CustomerArchive, DealerArchive
from aftersales.service.callback_desk import CallbackDesk
from aftersales.service.complaint_desk import ComplaintDesk
from aftersales.service.context import DeskContext, DeskSettings
from aftersales.service.desk import ServiceDesk
from aftersales.service.engineer_loads import EngineerLoad
from aftersales.service.fee_desk import FeeDesk, MonthlyRevenue
from aftersales.service.knowledge_desk import KnowledgeDesk, Suggestions
from aftersales.service.master_data import MasterDataChange
from aftersales.service.materials_desk import MaterialsDesk
from aftersales.service.materials_params import MaterialsParams
from aftersales.service.permissions import PERMISSIONS
from aftersales.service.quality_incidents import QualityIncidentDesk
from aftersales.service.runner import CommandRunner
from aftersales.service.teams import TeamDesk
from aftersales.service.views import CommandResult, Progress, TicketView

__version__ = "0.1.0"

__all__ = [
    "CHINA_OFFICE_HOURS",
    "COMPLAINT_WORKFLOW",
    "MATERIALS_WORKFLOW",
    "NOTIFICATION_KINDS",
    "PERMISSIONS",
    "TICKET_WORKFLOW",
    "Actor",
    "ActorRef",
    "AftersalesError",
    "ArchiveDesk",
    "Article",
    "ArticleVersion",
    "Assessment",
    "Asset",
    "AssetId",
    "Assignee",
    "AssigneeKind",
    "BatchIncidentRecord",
    "BusinessCalendar",
    "CalendarDataMissing",
    "CallbackChecklist",
    "CallbackDesk",
    "Category",
    "Channel",
    "ChargeDecision",
    "ChargeKind",
    "ChargeLine",
    "ChargeSheet",
    "ChargeabilityPolicy",
    "ChargeableWork",
    "Chargeback",
    "Clock",
    "CommandResult",
    "CommandRunner",
    "ComplaintDesk",
    "ComplaintFile",
    "ComplaintId",
    "ComplaintPolicy",
    "ComplaintSeverity",
    "ComplaintState",
    "ConcurrencyConflict",
    "ConfigurationError",
    "Contact",
    "CountField",
    "CrisisFacts",
    "CrisisProblem",
    "CurrencyMismatch",
    "Customer",
    "CustomerArchive",
    "CustomerId",
    "CustomerNote",
    "CustomerTier",
    "Dealer",
    "DealerArchive",
    "DealerId",
    "DealerMonthlyReport",
    "Decision",
    "DeskContext",
    "DeskSettings",
    "DocumentStore",
    "DuplicateError",
    "Engineer",
    "EngineerId",
    "EngineerLevel",
    "EngineerLoad",
    "FaultRecord",
    "FeeDesk",
    "FeeSlip",
    "FeesPolicy",
    "HolidaySource",
    "IdGenerator",
    "IdempotencyKeyReused",
    "ImpactScope",
    "IncidentRemedyKind",
    "IncidentState",
    "InvalidMoney",
    "InvalidTransition",
    "InvoiceIssuer",
    "InvoiceWish",
    "ItemKind",
    "KnowledgeDesk",
    "LedgerEntry",
    "LoanLedger",
    "MasterDataChange",
    "MaterialsDesk",
    "MaterialsLine",
    "MaterialsParams",
    "MaterialsRequest",
    "MaterialsRequestId",
    "MaterialsState",
    "Money",
    "MonthlyRevenue",
    "NaiveDatetimeError",
    "NamedPolicy",
    "NotFound",
    "Notifier",
    "OnCallShift",
    "OutboundSummary",
    "Outbox",
    "OutboxMessage",
    "OverdueItem",
    "Pack",
    "Page",
    "PageRequest",
    "PartReturn",
    "PartyKind",
    "PartyRef",
    "Payment",
    "PermissionDenied",
    "PickSlip",
    "Plan",
    "PolicyError",
    "PolicyKind",
    "PolicySet",
    "PriceList",
    "Priority",
    "Product",
    "ProductId",
    "Progress",
    "QualityIncident",
    "QualityIncidentDesk",
    "Quote",
    "Reason",
    "Reconciliation",
    "Recourse",
    "Remedy",
    "RemedyKind",
    "RenderedMessage",
    "Renderer",
    "Repository",
    "Role",
    "SatisfactionSurvey",
    "ServiceDesk",
    "Severity",
    "ShippingNote",
    "SlaFacts",
    "SlaParams",
    "SlaPolicy",
    "SlaStatus",
    "SlaTarget",
    "SlaTargets",
    "Sort",
    "StorageError",
    "StoreBusy",
    "StoreFactory",
    "Suggestions",
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
    "TicketState",
    "TicketView",
    "TrainingKind",
    "TrainingRecord",
    "TransitionSpec",
    "UnitOfWork",
    "UnknownCurrency",
    "ValidationError",
    "Visit",
    "VisitKind",
    "WarrantyExtension",
    "WarrantyPhase",
    "WarrantyPolicy",
    "WarrantyStart",
    "WarrantyTerm",
    "Workflow",
    "__version__",
    "load_pack",
    "open_storage",
    "render",
    "resolve_policies",
    "sla_status",
]
