"""What the actor-scoped reports need of a desk, as a Protocol (reports never import the service).

:class:`~aftersales.service.desk.ServiceDesk` satisfies :class:`LedgerDesk`: its store, its ledger
pages and the ledger filter narrowed to an actor's scope. The actor is whatever the desk accepts
(an :class:`~aftersales.service.actors.Actor`); the desk refuses anything else.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any, Protocol, runtime_checkable

from aftersales.domain.budgets import CostBudget
from aftersales.errors import ValidationError
from aftersales.ports.queries import Page, PageRequest, TicketFilter
from aftersales.ports.unit_of_work import StoreFactory

__all__ = [
    "BudgetDesk",
    "BudgetReader",
    "KpiDesk",
    "KpiScope",
    "LedgerDesk",
    "MoneyDesk",
    "ReportDesk",
    "ReportScope",
    "RevenueReader",
    "SlaDesk",
    "desk_zone",
    "read_at",
]


def desk_zone(desk: Any) -> tzinfo:
    """The zone a report read through ``desk`` shows its instants and weeks in unless told another: the
    desk's own (:attr:`LedgerDesk.zone`). A desk-like object of a host's without one is refused naming
    ``desk`` (session 38 added the member; it answered an ``AttributeError``)."""
    try:
        found = desk.zone
    except AttributeError:
        raise ValidationError(
            "desk names its local zone (desk.zone), or pass timezone=", field="desk"
        ) from None
    if not isinstance(found, tzinfo):
        raise ValidationError("desk.zone is a tzinfo (a ZoneInfo)", field="desk")
    return found


def read_at(desk: Any, as_of: datetime | None) -> datetime:
    """The instant a report read through ``desk`` judges the clocks still running at: ``as_of`` when
    given, else the desk's clock (now). Why not the period's end: the tickets are read as they are now,
    so a period still running would judge a ticket not yet due as late, and a past one would leave out
    the tickets still unanswered past their due time — the live SLA, the breach report and the CLI read
    now (session 38)."""
    at: datetime = as_of if as_of is not None else desk.clock.now()
    return at


@runtime_checkable
class LedgerDesk(Protocol):
    """A desk whose ledger a report reads, scoped to the actor asking."""

    @property
    def store(self) -> StoreFactory:
        """The store factory."""
        ...

    def ledger(
        self, actor: Any, filters: TicketFilter | None = None, page: PageRequest | None = None
    ) -> Page[Any]:
        """One keyset page of the ledger ``actor`` may see."""
        ...

    def ledger_scope(self, actor: Any, filters: TicketFilter | None = None) -> TicketFilter:
        """``filters`` narrowed to what ``actor`` may see."""
        ...

    @property
    def zone(self) -> tzinfo:
        """The desk's local zone (its calendar's unless its settings name one): a report read through the
        desk shows its instants and weeks there unless told another."""
        ...


@runtime_checkable
class SlaDesk(Protocol):
    """A desk that answers a ticket's SLA status at an instant (``ServiceDesk.sla``), scoped to the actor:
    the breach report reads an earlier cycle of a reopened ticket through it."""

    def sla(self, actor: Any, ticket_id: str, at: datetime | None = None) -> Any:
        """The SLA status of ``ticket_id`` at ``at``."""
        ...


@runtime_checkable
class BudgetReader(Protocol):
    """The desk's read of the cost budgets of a period (``ServiceDesk.charges``), judged by the one
    permission table: it refuses whoever may not read the budgets, and a malformed period."""

    def budgets(self, actor: Any, period: str) -> tuple[CostBudget, ...]:
        """The budgets of ``period`` as ``actor`` may read them."""
        ...

    @property
    def currency(self) -> str:
        """The desk's currency (the pack's ``fees.currency``): the budgets are set in it."""
        ...


@runtime_checkable
class BudgetDesk(Protocol):
    """A desk whose budget report an actor reads (:func:`aftersales.reports.budgets.scoped_budget_report`)."""

    @property
    def store(self) -> StoreFactory:
        """The store factory."""
        ...

    @property
    def charges(self) -> BudgetReader:
        """The desk's charges, which read the budgets for an actor."""
        ...


class RevenueReader(Protocol):
    """The desk's judgement of who reads a month's money (``ServiceDesk.fees``), by the one permission
    table: it refuses whoever may not read the revenue, and a malformed month."""

    def revenue_scope(self, actor: Any, month: str) -> tuple[str, str | None]:
        """The checked month and the dealer whose figures ``actor`` reads (None: every dealer's)."""
        ...

    @property
    def currency(self) -> str:
        """The desk's currency (the pack's ``fees.currency``): the figures are read in it by default."""
        ...


@runtime_checkable
class MoneyDesk(Protocol):
    """A desk whose month's money an actor reads (:func:`aftersales.reports.money.scoped_month_money`)."""

    @property
    def store(self) -> StoreFactory:
        """The store factory."""
        ...

    @property
    def fees(self) -> RevenueReader:
        """The desk's fee desk, which judges who reads the month's money."""
        ...


@runtime_checkable
class KpiScope(Protocol):
    """The desk's judgement of who reads the KPIs (``ServiceDesk.reports``), by the one permission table."""

    def kpi_scope(self, actor: Any) -> str | None:
        """The dealer whose KPIs ``actor`` reads (``None``: every dealer's); ``PermissionDenied`` for
        whoever may not read them."""
        ...


@runtime_checkable
class KpiDesk(Protocol):
    """A desk whose KPIs an actor reads (:func:`aftersales.reports.kpi.scoped_kpi_report`)."""

    @property
    def store(self) -> StoreFactory:
        """The store factory."""
        ...

    @property
    def reports(self) -> KpiScope:
        """The desk's report commands, which judge who reads the KPIs."""
        ...

    @property
    def calendar(self) -> Any:
        """The working calendar the KPIs measure working time on (``None``: none)."""
        ...

    @property
    def policies(self) -> Any:
        """The pack's policies (its SLA and fees policies shape the KPIs)."""
        ...

    @property
    def clock(self) -> Any:
        """The desk's clock (the instant the KPIs are read at, unless given)."""
        ...


@runtime_checkable
class ReportScope(Protocol):
    """The desk's judgement of who reads which report (``ServiceDesk.reports``), by the one permission
    table: ``None`` for the network's figures, a dealer's id for its staff's own part, ``PermissionDenied``
    for whoever may not read the report (judged before any figure is read)."""

    @property
    def timezone(self) -> str:
        """The desk's zone (its books): the months a scoped report reads are this zone's."""
        ...

    def kpi_scope(self, actor: Any) -> str | None:
        """The KPIs and their trend (``kpi_report``)."""
        ...

    def fault_scope(self, actor: Any) -> str | None:
        """The fault Pareto and trend (``fault_report``)."""
        ...

    def batch_incident_scope(self, actor: Any) -> None:
        """The batch-incident report (``batch_incident_report``): the network's only."""
        ...

    def dealer_monthly_scope(self, actor: Any) -> str | None:
        """The dealers' monthly reports (``dealer_monthly_report``)."""
        ...

    def conduct_scope(self, actor: Any) -> None:
        """The engineers' service conduct (``conduct_report``): the network's only."""
        ...

    def staff_kpi_scope(self, actor: Any) -> None:
        """The agents' KPIs (``staff_kpi_report``): the network's only."""
        ...

    def maintenance_scope(self, actor: Any) -> str | None:
        """The maintenance figures (``maintenance_report``)."""
        ...


@runtime_checkable
class ReportDesk(Protocol):
    """A desk whose reports an actor reads (the ``scoped_*`` functions of :mod:`aftersales.reports`)."""

    @property
    def store(self) -> StoreFactory:
        """The store factory."""
        ...

    @property
    def reports(self) -> ReportScope:
        """The desk's report commands, which judge who reads which report."""
        ...

    @property
    def calendar(self) -> Any:
        """The working calendar the KPIs measure working time on (``None``: none)."""
        ...

    @property
    def policies(self) -> Any:
        """The pack's policies (the SLA policy shapes the KPIs, the complaint policy the batch rule)."""
        ...

    @property
    def clock(self) -> Any:
        """The desk's clock (the instant a scoped report is read at, unless given)."""
        ...
