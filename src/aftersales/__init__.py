"""aftersales: after-sales service (售后服务) as a library.

Tickets from the first call to the callback, warranty and chargeability decisions with their
reasons, SLA clocks on Chinese working calendars, dispatch, parts, complaints and KPIs. The
public API is re-exported here; import from ``aftersales`` rather than from submodules.
"""

from __future__ import annotations

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.calendar import CHINA_OFFICE_HOURS, BusinessCalendar
from aftersales.domain.classification import (
    Category,
    Channel,
    ImpactScope,
    Plan,
    Priority,
    Severity,
    TicketKind,
)
from aftersales.domain.contact import Contact
from aftersales.domain.events import TicketEvent
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
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer, CustomerTier, Dealer, Engineer, EngineerLevel
from aftersales.domain.products import Asset, Product, WarrantyStart, WarrantyTerm
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TICKET_WORKFLOW, TicketState
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
    InvalidMoney,
    InvalidTransition,
    NaiveDatetimeError,
    NotFound,
    PermissionDenied,
    PolicyError,
    StorageError,
    UnknownCurrency,
    ValidationError,
)
from aftersales.i18n.notifications import NOTIFICATION_KINDS, Renderer, render
from aftersales.policies.decision import Decision
from aftersales.policies.kinds import NamedPolicy, PolicyKind
from aftersales.policies.pack import Pack, load_pack
from aftersales.policies.registry import PolicySet, resolve_policies
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
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.views import CommandResult, Progress, TicketView

__version__ = "0.1.0"

__all__ = [
    "CHINA_OFFICE_HOURS",
    "NOTIFICATION_KINDS",
    "TICKET_WORKFLOW",
    "Actor",
    "ActorRef",
    "AftersalesError",
    "Assessment",
    "Asset",
    "AssetId",
    "Assignee",
    "AssigneeKind",
    "BusinessCalendar",
    "CalendarDataMissing",
    "Category",
    "Channel",
    "Clock",
    "CommandResult",
    "ComplaintId",
    "ConcurrencyConflict",
    "ConfigurationError",
    "Contact",
    "CountField",
    "CurrencyMismatch",
    "Customer",
    "CustomerId",
    "CustomerNote",
    "CustomerTier",
    "Dealer",
    "DealerId",
    "Decision",
    "DocumentStore",
    "DuplicateError",
    "Engineer",
    "EngineerId",
    "EngineerLevel",
    "FaultRecord",
    "HolidaySource",
    "IdGenerator",
    "ImpactScope",
    "InvalidMoney",
    "InvalidTransition",
    "MaterialsRequestId",
    "Money",
    "NaiveDatetimeError",
    "NamedPolicy",
    "NotFound",
    "Notifier",
    "Outbox",
    "OutboxMessage",
    "Pack",
    "Page",
    "PageRequest",
    "PermissionDenied",
    "Plan",
    "PolicyError",
    "PolicyKind",
    "PolicySet",
    "Priority",
    "Product",
    "ProductId",
    "Progress",
    "Reason",
    "RenderedMessage",
    "Renderer",
    "Repository",
    "Role",
    "ServiceDesk",
    "Severity",
    "Sort",
    "StorageError",
    "StoreFactory",
    "Ticket",
    "TicketEvent",
    "TicketFilter",
    "TicketId",
    "TicketKind",
    "TicketRepository",
    "TicketState",
    "TicketView",
    "TransitionSpec",
    "UnitOfWork",
    "UnknownCurrency",
    "ValidationError",
    "Visit",
    "VisitKind",
    "WarrantyStart",
    "WarrantyTerm",
    "Workflow",
    "__version__",
    "load_pack",
    "open_storage",
    "render",
    "resolve_policies",
]
