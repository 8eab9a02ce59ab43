"""The two report commands that write (``desk.reports``): a dealer's monthly report, raised batch incidents.

Reports are read models over the ports and import no service; what *writes* runs here, through the
command runner like every other write (role from the one permission table, idempotency key, one
transaction, outbox).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.quality_reports import (
    BATCH_INCIDENT_TOPIC,
    BatchIncident,
    BatchIncidentRecord,
    DealerMonthlyReport,
)
from aftersales.domain.text import checked_month
from aftersales.errors import DuplicateError, NotFound, PermissionDenied, ValidationError
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.context import DeskContext
from aftersales.service.permissions import Workflow, permit
from aftersales.service.runner import CommandRunner, check_actor

__all__ = ["ReportCommands"]


@validated_commands
class ReportCommands:
    """Report commands of one desk (``desk.reports``)."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner

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
        """Record (or correct) ``dealer_id``'s report for ``month``; dealer staff submit only their own."""
        check_actor(actor)
        permit(actor, Workflow.DOCUMENTS, "submit_dealer_report", dealer_id)
        if actor.role is Role.DEALER_STAFF and actor.dealer_id != dealer_id:
            raise PermissionDenied(str(actor), "submit another dealer's report", dealer_id)
        checked_month(month)

        def apply(uow: UnitOfWork, now: datetime) -> DealerMonthlyReport:
            report = DealerMonthlyReport(
                f"{dealer_id}:{month}", dealer_id, month, installations, repairs, now, str(actor.ref)
            )
            uow.dealers.get(dealer_id)
            found = uow.documents.query(DealerMonthlyReport, dealer_id=dealer_id, month=month)
            if found:
                return uow.documents.save(attrs.evolve(report, version=found[0].version))
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
    ) -> list[BatchIncidentRecord]:
        """Record each incident not raised before and put a ``batch_incident`` outbox message for it.

        Idempotent by nature: an incident already recorded (same product, batch and symptom) is
        skipped. Returns the records created now.
        """
        check_actor(actor)
        permit(actor, Workflow.DOCUMENTS, "raise_batch_incidents")
        incidents = tuple(incidents)
        for incident in incidents:
            if not isinstance(incident, BatchIncident):
                raise ValidationError("incidents are BatchIncident values", field="incidents")

        def apply(uow: UnitOfWork, now: datetime) -> list[BatchIncidentRecord]:
            created: list[BatchIncidentRecord] = []
            for incident in incidents:
                record = BatchIncidentRecord(
                    incident.key, incident.product_id, incident.batch, incident.symptom,
                    incident.affected, incident.batch_size, incident.share, now,
                )  # fmt: skip
                try:
                    uow.documents.get(BatchIncidentRecord, record.id)
                    continue
                except NotFound:
                    pass
                try:
                    uow.documents.add(record)
                except DuplicateError:
                    continue
                payload = {
                    "incident_id": record.id,
                    "product_id": record.product_id,
                    "batch": record.batch,
                    "symptom": record.symptom,
                    "affected": record.affected,
                    "batch_size": record.batch_size,
                    "share": str(record.share),
                    "severity": record.severity,
                }
                message_id = "bi-" + hashlib.sha1(record.id.encode()).hexdigest()[:40]
                uow.outbox.put(
                    [
                        OutboxMessage(
                            message_id, BATCH_INCIDENT_TOPIC, payload, f"batch_incident:{record.id}", now
                        )
                    ]
                )
                created.append(record)
            return created

        return self.runner.write(actor, "raise_batch_incidents", None, None, apply)
