"""The two report commands that write (``desk.reports``): a dealer's monthly report, and raising the
batch incidents a fault report found (through the desk's one detector).

Reports are read models over the ports and import no service; what *writes* runs here, through the
command runner like every other write (role from the one permission table, idempotency key, one
transaction, outbox).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aftersales.domain.quality_incidents import QualityIncident, incident_key
from aftersales.domain.quality_reports import BatchIncident, DealerMonthlyReport
from aftersales.domain.text import checked_month
from aftersales.errors import PermissionDenied, ValidationError
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.complaint_incident_facts import IncidentComplaints
from aftersales.service.context import DeskContext
from aftersales.service.permissions import Workflow, permit, roles_for
from aftersales.service.quality_incidents import (
    complaints_first,
    detect_in_batch,
    first_recorded,
    tickets_of_batch,
)
from aftersales.service.report_scopes import ReportScopes
from aftersales.service.runner import CommandRunner, check_actor
from aftersales.service.scope import party_visible

__all__ = ["ReportCommands"]


@validated_commands
class ReportCommands(ReportScopes):
    """Report commands of one desk (``desk.reports``), and the scopes of the reports people read
    (:class:`~aftersales.service.report_scopes.ReportScopes`)."""

    def __init__(
        self, context: DeskContext, runner: CommandRunner, on_incident: IncidentComplaints | None = None
    ) -> None:
        self.context = context
        self.runner = runner
        self.on_incident = on_incident
        """Hears of each incident raised here (the complaints about its tickets are major, seed 004)."""

    def submit_dealer_report(
        self,
        actor: Actor,
        dealer_id: str,
        month: str,
        *,
        installations: int,
        repairs: int,
        idempotency_key: str | None = None,
    ) -> DealerMonthlyReport:
        """Record (or correct) ``dealer_id``'s report for ``month``; dealer staff submit only their own.

        A correction keeps the figures it replaces (``corrections``) and the first filing time, by
        which the report is on time or late (``filed_at``).

        Seed 002 (每月3号之前将上月安装/维修情况报至售后服务部): the report is of a month that is over. A
        month not over yet in the desk's time zone (this one or a later one) is refused (``month``, rule
        ``month_not_over``): its figures are not all in, and an early filing would count as on time for a
        month still running.
        """
        check_actor(actor)
        permit(actor, Workflow.DOCUMENTS, "submit_dealer_report", dealer_id)
        # Seed 002: each dealer reports its own month. Judged by every role that may submit, not by the
        # primary one: a customer who is also a dealer's staff member submits only that dealer's.
        allowed = roles_for(Workflow.DOCUMENTS, "submit_dealer_report")
        if not party_visible(actor, dealer_id=dealer_id, allowed=allowed):
            raise PermissionDenied(str(actor), "submit_dealer_report", dealer_id, rule="beyond_own_dealer")
        checked_month(month)

        def apply(uow: UnitOfWork, now: datetime) -> DealerMonthlyReport:
            report = DealerMonthlyReport(
                f"{dealer_id}:{month}", dealer_id, month, installations, repairs, now, str(actor.ref)
            )
            uow.dealers.get(dealer_id)
            if month >= self.context.today(now).strftime("%Y-%m"):
                raise ValidationError(
                    f"{month} is not over yet: a monthly report is of a month that has ended",
                    field="month",
                    rule="month_not_over",
                )
            found = uow.documents.query(DealerMonthlyReport, dealer_id=dealer_id, month=month)
            if found:
                fixed = found[0].corrected(installations, repairs, now, str(actor.ref))
                return uow.documents.save(fixed)
            uow.documents.add(report)
            return report

        return self.runner.write(
            actor,
            "submit_dealer_report",
            idempotency_key,
            [dealer_id, month, installations, repairs],
            apply,
            remember=lambda r: r.id,
            reload=lambda uow, id: uow.documents.get(DealerMonthlyReport, id),
        )

    def raise_batch_incidents(
        self, actor: Actor, incidents: Sequence[BatchIncident]
    ) -> list[QualityIncident]:
        """Run the desk's incident detector over the batches a fault report found, in one transaction.

        The detector re-counts each batch from the stored fault records (so units recorded before it
        counted them are included) and raises, links and escalates each :class:`QualityIncident` not
        raised before — the quality desk (``desk.quality_incidents``) takes it from there. Idempotent
        by nature: a batch already raised is skipped. Returns the incidents raised now. A report found with
        another dimension than the pack's is refused: the desk would judge a different problem.
        """
        check_actor(actor)
        permit(actor, Workflow.DOCUMENTS, "raise_batch_incidents")
        incidents = tuple(incidents)
        dimension = self.context.policies.complaint.params.batch_dimension
        for incident in incidents:
            if not isinstance(incident, BatchIncident):
                raise ValidationError("incidents are BatchIncident values", field="incidents")
            if incident.dimension != dimension:
                raise ValidationError(
                    f"incident {incident.key} groups by {incident.dimension}; the pack's batch_dimension "
                    f"is {dimension}",
                    field="incidents",
                )

        def apply(uow: UnitOfWork, now: datetime) -> list[QualityIncident]:
            # Every complaint the incidents may classify first, in id order, then the problems in key
            # order: a complaint's command takes the complaint, then its tickets' tallies in key order;
            # raising one problem's incident (its tally written) before locking the complaints about
            # another's tickets deadlocked with it on PostgreSQL.
            if self.on_incident is not None:
                complaints_first(uow, self._tickets_of(uow, incidents, dimension))
            raised: dict[int, QualityIncident] = {}
            order = sorted(range(len(incidents)), key=lambda n: _key(incidents[n], dimension))
            for n in order:
                incident = incidents[n]
                found = detect_in_batch(
                    self.context, uow, incident.batch, incident.value, incident.batch_size, now,
                    self.on_incident, product_id=incident.product_id,
                )  # fmt: skip
                if found is not None:
                    raised[n] = found
            return [raised[n] for n in sorted(raised)]  # as the report listed them

        return self.runner.write(actor, "raise_batch_incidents", None, [i.key for i in incidents], apply)

    def _tickets_of(self, uow: UnitOfWork, incidents: Sequence[BatchIncident], dimension: str) -> list[str]:
        """The tickets recording each incident's problem on its batch (those its raising may classify
        the complaints about)."""
        params = self.context.policies.complaint.params
        return [
            ticket.id
            for incident in incidents
            for ticket in tickets_of_batch(uow, incident.batch, incident.product_id)
            if incident.value in first_recorded(params, ticket)
        ]


def _key(incident: BatchIncident, dimension: str) -> str:
    """The tally ``incident``'s problem is counted in."""
    return incident_key(incident.batch, dimension, incident.value, incident.product_id)
