"""The desk's context: everything a capability needs, built once by the composition root.

:class:`DeskContext` holds the store factory, the clock, the id generator, the working calendar and
the desk's time zone, the resolved policies, the notification builder, the staff directory, the SLA
service and the settings of the capabilities (:class:`DeskSettings`). ``ServiceDesk`` builds one in
its constructor and hands it, with the command runner, to every capability; capabilities never see
the desk itself, so the service package has no import cycle and every capability is testable alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.call_shape import host_factories
from aftersales.domain.contact import Contact, zone
from aftersales.domain.custom_fields import CustomFieldSet
from aftersales.domain.instants import require_aware
from aftersales.domain.typed_init import refused_typed
from aftersales.errors import ConfigurationError, ValidationError, carried_rule
from aftersales.policies.registry import PolicySet
from aftersales.ports.clock import Clock
from aftersales.ports.ids import IdGenerator
from aftersales.ports.invoicing import InvoiceIssuer
from aftersales.ports.notifier import Notifier
from aftersales.ports.text_search import TextIndex
from aftersales.ports.unit_of_work import StoreFactory, UnitOfWork, reader_of
from aftersales.service.materials_params import MaterialsParams
from aftersales.service.notice_memo import StoredNotices
from aftersales.service.notify import Notifications
from aftersales.service.sla import SlaService

__all__ = ["DeskContext", "DeskSettings", "UtcClock"]

_SETTING_KEYS = frozenset({"timezone", "materials", "text_index"})


class UtcClock:
    """The default clock: the system's time, in UTC. Tests pass a manual clock instead."""

    def now(self) -> datetime:
        """The current instant."""
        return datetime.now(UTC)


def _timezone(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise ConfigurationError("timezone is an IANA zone name", key="timezone")
    try:
        zone(value)
    except ValidationError as error:
        raise ConfigurationError(str(error), key="timezone", **carried_rule(error)) from error


def _materials(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, MaterialsParams):
        raise ConfigurationError("materials settings are a MaterialsParams", key="materials")


def _text_index(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, TextIndex):
        raise ConfigurationError(
            "text_index must implement TextIndex (put, remove, search)", key="text_index"
        )


@refused_typed
@host_factories
@attrs.frozen
class DeskSettings:
    """The settings of the capabilities, passed to ``ServiceDesk.open(settings=...)``.

    - ``timezone``: the zone of the books — fee-slip months, archives, materials dates, dealer
      report deadlines (default ``Asia/Shanghai``). Market-specific dates on units keep their own.
    - ``materials``: :class:`MaterialsParams` (return deadline, receiving location); its time zone
      defaults to ``timezone``.
    - ``text_index``: the knowledge base's full-text index (default: the store's persisted index,
      ``uow.texts``; an in-process :class:`~aftersales.service.ngram_index.NgramIndex` also works).
    """

    timezone: str = attrs.field(default="Asia/Shanghai", validator=_timezone)
    materials: MaterialsParams | None = attrs.field(default=None, validator=_materials)
    text_index: TextIndex | None = attrs.field(default=None, validator=_text_index)

    @classmethod
    def of(cls, value: DeskSettings | Mapping[str, object] | None) -> DeskSettings:
        """Settings from an instance, a mapping (unknown keys refused) or ``None`` (defaults)."""
        if value is None:
            return cls()
        if isinstance(value, DeskSettings):
            return value
        if not isinstance(value, Mapping):
            raise ConfigurationError("settings are a DeskSettings or a mapping", key="settings")
        for key in value:
            if key not in _SETTING_KEYS:
                known = ", ".join(sorted(_SETTING_KEYS))
                raise ConfigurationError(f"unknown setting {key!r}; known: {known}", key=f"settings.{key}")
        return cls(**value)  # type: ignore[arg-type]

    @property
    def materials_params(self) -> MaterialsParams:
        """The materials parameters, in the desk's time zone unless they name their own."""
        return (self.materials or MaterialsParams()).in_zone(self.timezone)


@attrs.define(eq=False)
class DeskContext:
    """What every capability of one desk shares. Built once by the composition root."""

    store: StoreFactory
    clock: Clock
    policies: PolicySet
    notifications: Notifications
    sla: SlaService
    settings: DeskSettings
    ids: IdGenerator | None = None
    calendar: BusinessCalendar | None = None
    notifier: Notifier | None = None
    invoice_issuer: InvoiceIssuer | None = None
    staff: Mapping[Role, Sequence[Contact]] = attrs.field(factory=dict)
    custom_fields: CustomFieldSet = attrs.field(factory=CustomFieldSet)
    """The custom fields of the desk's tickets (declared by the pack and the host; issue 23)."""
    calendar_seen: str | None = None
    """The calendar fingerprint of the store's stamp when the desk opened (``service.calendar_stamp``; on a
    store stamped since, the first stamp it found): a desk whose store moved to another calendar since
    writes no due times on its own."""
    sla_seen: str | None = None
    """The SLA policy fingerprint of the store's stamp when the desk opened (``calendar_stamp.sla_seen``; its
    own policy's without a signed stamp): a desk whose store moved to another policy since writes no due
    times from its own."""
    callback_seen: str | None = None
    """The callback policy fingerprint of the store's stamp when the desk opened
    (``calendar_stamp.callback_seen``; its own policy's without one): a desk whose store moved to another
    callback policy since plans no callback by its own."""
    notices: StoredNotices = attrs.field(factory=StoredNotices)
    """The once-only calendar notices this desk knows its store holds: their read is skipped (issue 21)."""
    shut_down: bool = False
    """Set by ``desk.shutdown()``: what swallows a store's errors to go on (the jobs, each reported) asks it
    first, so a closed desk is refused there as everywhere (``StorageError``)."""

    @property
    def timezone(self) -> str:
        """The desk's time zone (the books, the archives, the monthly figures)."""
        return self.settings.timezone

    def reader(self, *, snapshot: bool = True) -> UnitOfWork:
        """A read-only unit of work for a read that changes nothing (views, statuses, ledger pages): no
        write lock, writes refused; ``snapshot=False`` for a read that is one statement
        (``ports.unit_of_work.reader_of``)."""
        return reader_of(self.store, snapshot=snapshot)

    def today(self, now: datetime) -> date:
        """``now``'s date in the desk's zone: the day a record is dated, what "not yet held" or "a month
        not begun" is judged against."""
        return now.astimezone(zone(self.settings.timezone)).date()

    def now(self) -> datetime:
        """The clock's current instant in the desk's zone (aware, or a ``ValidationError`` naming the clock).

        In the desk's zone whatever zone the host's clock reads in: one ticket's instants carry one
        offset, and numbers and months take the local date.
        """
        return require_aware(self.clock.now(), "clock.now()").astimezone(zone(self.settings.timezone))
