"""aftersales.ports: the Protocols a host implements (or picks one of our adapters for).

Storage (``UnitOfWork`` and its repositories, the document store, the outbox, idempotency keys),
``Clock``, ``IdGenerator``, ``Notifier`` and ``HolidaySource``; the ledger query types; and
``open_storage(url)``, which finds a storage adapter by URL scheme.
"""

from aftersales.domain.holiday_data import HolidaySource
from aftersales.ports.clock import Clock
from aftersales.ports.documents import Document, DocumentSpec, DocumentStore, document_spec
from aftersales.ports.idempotency import IdempotencyStore
from aftersales.ports.ids import IdGenerator, LearnsTakenIds, SpellsIds
from aftersales.ports.nested_units import BlocksNestedUnits, CountsInAStore
from aftersales.ports.notifier import NOTIFICATION_TOPIC, Notifier, RenderedMessage
from aftersales.ports.outbox import Outbox, OutboxMessage
from aftersales.ports.outbox_dispatch import (
    DeliveryRules,
    DispatchReport,
    dispatch_outbox,
    render_notification,
)
from aftersales.ports.queries import UNSET, CountField, Page, PageRequest, Sort, TicketFilter
from aftersales.ports.repositories import Repository, TicketRepository
from aftersales.ports.storage_registry import available_schemes, open_storage
from aftersales.ports.unit_of_work import ReadingStore, StoreFactory, UnitOfWork, reader_of

__all__ = [
    "NOTIFICATION_TOPIC",
    "UNSET",
    "BlocksNestedUnits",
    "Clock",
    "CountField",
    "CountsInAStore",
    "DeliveryRules",
    "DispatchReport",
    "Document",
    "DocumentSpec",
    "DocumentStore",
    "HolidaySource",
    "IdGenerator",
    "IdempotencyStore",
    "LearnsTakenIds",
    "Notifier",
    "Outbox",
    "OutboxMessage",
    "Page",
    "PageRequest",
    "ReadingStore",
    "RenderedMessage",
    "Repository",
    "Sort",
    "SpellsIds",
    "StoreFactory",
    "TicketFilter",
    "TicketRepository",
    "UnitOfWork",
    "available_schemes",
    "dispatch_outbox",
    "document_spec",
    "open_storage",
    "reader_of",
    "render_notification",
]
