"""Who reads which report, and whose part: the scopes the reports ask of a desk (``desk.reports``).

Reports are read models over the ports and never import the service, so a report a person reads asks
the desk first (``aftersales.reports.*.scoped_*``), and the desk answers from the one permission table
(:data:`~aftersales.service.permissions.REPORT_ROLES`, ``kpi_report``): ``None`` for the whole network
(the heads, the auditor, the system), a dealer's id for its staff, who read their own dealer's part
only, and ``PermissionDenied`` for anyone else — judged before any figure is read. The unscoped report
functions stay for a host's batch jobs; they judge nobody.
"""

from __future__ import annotations

from aftersales.errors import PermissionDenied
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.context import DeskContext
from aftersales.service.permissions import Workflow, permit, roles_for
from aftersales.service.runner import check_actor
from aftersales.service.scope import sees_every

__all__ = ["ReportScopes", "report_scope"]


def report_scope(actor: Actor, command: str) -> str | None:
    """Whether ``actor`` may read the report the permission table calls ``command``, and whose part:
    ``None`` for every dealer's, the actor's dealer for dealer staff (whatever other roles they hold, a
    role that may not read the report lifts nothing). ``PermissionDenied`` otherwise, and for dealer
    staff of no dealer (nothing of theirs to read)."""
    check_actor(actor)
    permit(actor, Workflow.DOCUMENTS, command)
    if sees_every(actor, roles_for(Workflow.DOCUMENTS, command)):
        return None
    if actor.dealer_id is None:
        raise PermissionDenied(str(actor), command)
    return actor.dealer_id


def network_scope(actor: Actor, command: str) -> None:
    """Judge ``actor`` for a report of the whole network only (no dealer's part of it exists)."""
    if report_scope(actor, command) is not None:  # the table lets no dealer read it: kept strict anyway
        raise PermissionDenied(str(actor), command)


@validated_commands
class ReportScopes:
    """The scopes of the reports people read (mixed into ``desk.reports``)."""

    context: DeskContext

    @property
    def timezone(self) -> str:
        """The desk's zone (its books): the months a scoped report reads are this zone's."""
        return self.context.timezone

    def kpi_scope(self, actor: Actor) -> str | None:
        """Whether ``actor`` may read the KPI report (the permission table's ``kpi_report``), and whose:
        ``None`` for every dealer's (the heads, the auditor), the dealer's id for its staff, who read
        their own dealer's figures only: the jobs it did (``GroupBy.SERVING_DEALER``, seed 002 分工 12).
        :func:`aftersales.reports.kpi.scoped_kpi_report` and
        :func:`aftersales.reports.trend.scoped_kpi_trend` ask it first."""
        return report_scope(actor, "kpi_report")

    def fault_scope(self, actor: Actor) -> str | None:
        """The fault statistics (``fault_report``: Pareto, trend): ``None`` for the network's, the dealer's
        id for its staff, who read the faults of their own dealer's jobs (seed 002: 乙方…所维修情况)."""
        return report_scope(actor, "fault_report")

    def batch_incident_scope(self, actor: Actor) -> None:
        """The batch-incident report (``batch_incident_report``): the network's, for the heads and the
        auditor only — a batch spans every dealer's customers."""
        network_scope(actor, "batch_incident_report")

    def dealer_monthly_scope(self, actor: Actor) -> str | None:
        """The dealers' monthly reports (``dealer_monthly_report``): every dealer's row, or the own
        dealer's row for its staff."""
        return report_scope(actor, "dealer_monthly_report")

    def conduct_scope(self, actor: Actor) -> None:
        """The engineers' service conduct (``conduct_report``): the appraisers' (the heads, the auditor)."""
        network_scope(actor, "conduct_report")

    def staff_kpi_scope(self, actor: Actor) -> None:
        """The agents' KPIs (``staff_kpi_report``): the appraisers' (the heads, the auditor)."""
        network_scope(actor, "staff_kpi_report")

    def maintenance_scope(self, actor: Actor) -> str | None:
        """The maintenance figures (``maintenance_report``): every dealer's, or the own dealer's plans,
        visits and contracts for its staff."""
        return report_scope(actor, "maintenance_report")
