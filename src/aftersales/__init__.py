"""aftersales: after-sales service (售后服务) as a library.

Tickets from the first call to the callback, warranty and chargeability decisions with their
reasons, SLA clocks on Chinese working calendars, dispatch, parts, complaints and KPIs. The
public API is re-exported here; import from ``aftersales`` rather than from submodules.
"""

from __future__ import annotations

from aftersales.domain.actors import ActorRef, Role
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
from aftersales.policies.decision import Decision

__version__ = "0.1.0"

__all__ = [
    "TICKET_WORKFLOW",
    "ActorRef",
    "AftersalesError",
    "Assessment",
    "Asset",
    "AssetId",
    "Assignee",
    "AssigneeKind",
    "CalendarDataMissing",
    "Category",
    "Channel",
    "ComplaintId",
    "ConcurrencyConflict",
    "ConfigurationError",
    "Contact",
    "CurrencyMismatch",
    "Customer",
    "CustomerId",
    "CustomerNote",
    "CustomerTier",
    "Dealer",
    "DealerId",
    "Decision",
    "DuplicateError",
    "Engineer",
    "EngineerId",
    "EngineerLevel",
    "FaultRecord",
    "ImpactScope",
    "InvalidMoney",
    "InvalidTransition",
    "MaterialsRequestId",
    "Money",
    "NaiveDatetimeError",
    "NotFound",
    "PermissionDenied",
    "Plan",
    "PolicyError",
    "Priority",
    "Product",
    "ProductId",
    "Reason",
    "Role",
    "Severity",
    "StorageError",
    "Ticket",
    "TicketEvent",
    "TicketId",
    "TicketKind",
    "TicketState",
    "TransitionSpec",
    "UnknownCurrency",
    "ValidationError",
    "Visit",
    "VisitKind",
    "WarrantyStart",
    "WarrantyTerm",
    "Workflow",
    "__version__",
]
