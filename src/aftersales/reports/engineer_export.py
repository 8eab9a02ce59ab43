"""The figures measured of one staff member's work, for their own export (PIPL art. 45; seed 001 六).

Why: an engineer appraised on the KPIs (seed 003 三 2; seed 001 六(三) 考核结果与绩效奖金挂钩) gets the
appraisal's kept figures in their export (``desk.staff_records.export_staff``), but the figures measured
from the tickets — their row of the engineers' KPIs with the tickets behind each figure, their service
conduct at the callbacks, an agent's row of the agents' KPIs — were the appraisers' tables only. Each
person's own row is theirs to read: :func:`staff_figures` gives it, judged and logged by the desk
(``staff_records.figures_scope``: the person themself or the after-sales manager), as JSON text like the
export. The rows are the reports' own (:func:`~aftersales.reports.engineer_kpi.engineer_kpis`,
:func:`~aftersales.reports.conduct.service_conduct`, :func:`~aftersales.reports.staff_kpi.agent_kpis`);
``null`` where the person has none in the period.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from aftersales.domain.instants import require_aware
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.ports.reporting import Period
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.reports.conduct import service_conduct
from aftersales.reports.engineer_kpi import engineer_kpis
from aftersales.reports.sources import read_at
from aftersales.reports.staff_kpi import agent_kpis
from aftersales.serialization import encode_json, unstructure

__all__ = ["FiguresScope", "StaffFiguresDesk", "staff_figures"]


class FiguresScope(Protocol):
    """The desk's staff records, which judge who reads a person's figures (and log the read)."""

    def figures_scope(self, actor: Any, staff_id: str) -> Callable[[], None]:
        """Refuse ``actor`` (``PermissionDenied``, ``NotFound``), else what logs the read once done."""
        ...


class StaffFiguresDesk(Protocol):
    """A desk whose staff's figures are read (:class:`~aftersales.service.desk.ServiceDesk` is one)."""

    @property
    def store(self) -> StoreFactory:
        """The store factory."""
        ...

    @property
    def staff_records(self) -> FiguresScope:
        """The staff desk."""
        ...

    @property
    def calendar(self) -> Any:
        """The working calendar the KPIs measure working time on (``None``: none)."""
        ...

    @property
    def policies(self) -> Any:
        """The pack's policies (the SLA policy shapes the KPIs)."""
        ...

    @property
    def clock(self) -> Any:
        """The desk's clock (the instant the figures are read at, unless given)."""
        ...


def staff_figures(
    desk: StaffFiguresDesk, actor: object, staff_id: str, period: Period, *, as_of: datetime | None = None
) -> str:
    """``staff_id``'s own figures over ``period`` as JSON text: ``engineer`` (their row of the engineers'
    KPIs), ``engineer_tickets`` (the tickets behind each of its figures), ``conduct`` (their row of the
    service conduct) and ``agent`` (their row of the agents' KPIs) — each ``null`` (the drill-down empty)
    where they have none.

    ``as_of``: the instant clocks still running are judged at (default the desk's clock, now). Judged by
    the desk before any ticket is read (``desk.staff_records.figures_scope``: the person themself or the
    after-sales manager; the read is logged once done, a failed one not); a desk without a working
    calendar is a ``ConfigurationError`` (the KPIs measure working time)."""
    if not isinstance(staff_id, str) or not staff_id:
        raise ValidationError("staff_id is a staff member's id (text)", field="staff_id")
    if not isinstance(period, Period):
        raise ValidationError("period is a Period (or month_period('2026-03'))", field="period")
    if as_of is not None:
        require_aware(as_of, "as_of")
    calendar = desk.calendar
    if calendar is None:
        raise ConfigurationError(
            "a staff member's KPIs measure working time: the desk has no calendar", key="calendar"
        )
    logged = desk.staff_records.figures_scope(actor, staff_id)
    at = read_at(desk, as_of)
    sla = desk.policies.sla
    engineers = engineer_kpis(desk.store, period, calendar, as_of=at, sla=sla)
    agents = agent_kpis(desk.store, period, calendar, as_of=at, sla=sla)
    conduct = service_conduct(desk.store, period)
    held: dict[str, Any] = {
        "engineer": _row(engineers.rows, "engineer_id", staff_id),
        "engineer_tickets": unstructure(engineers.tickets(staff_id)),
        "conduct": _row(conduct.rows, "engineer_id", staff_id),
        "agent": _row(agents.rows, "group", staff_id),
    }
    text = encode_json(
        {"staff_id": staff_id, "period": [period.start, period.end], "as_of": at, "figures": held}
    )
    logged()  # once read: a read that failed logged nothing
    return text


def _row(rows: tuple[Any, ...], key: str, staff_id: str) -> Any:
    return next((unstructure(r) for r in rows if getattr(r, key) == staff_id), None)
