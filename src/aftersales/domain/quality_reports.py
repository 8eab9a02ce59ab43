"""Documents the quality feedback loop writes: dealers' monthly reports and raised batch incidents.

They live in the domain because both the service (which writes them: ``desk.reports``) and the
reports (which read them) need them, and the reports import no service.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar

import attrs

from aftersales.errors import ValidationError

__all__ = ["BATCH_INCIDENT_TOPIC", "BatchIncident", "BatchIncidentRecord", "DealerMonthlyReport"]

BATCH_INCIDENT_TOPIC = "batch_incident"
"""The outbox topic of a raised batch incident."""


def _count(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(f"{attribute.name} is a count (an integer ≥ 0)", field=attribute.name)


@attrs.define
class DealerMonthlyReport:
    """What a dealer reported for one month: installations and repairs done (seed 002: 每月3号之前)."""

    DOCUMENT_KIND: ClassVar[str] = "dealer_monthly_report"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("dealer_id", "month")

    id: str
    dealer_id: str
    month: str
    installations: int = attrs.field(validator=_count)
    repairs: int = attrs.field(validator=_count)
    submitted_at: datetime
    submitted_by: str
    version: int = 0


@attrs.frozen
class BatchIncident:
    """The same symptom in ``affected`` of the ``batch_size`` units of one product batch."""

    product_id: str
    batch: str
    symptom: str
    affected: int
    batch_size: int
    share: Decimal

    @property
    def key(self) -> str:
        """A stable id for the incident."""
        return f"{self.product_id}|{self.batch}|{self.symptom}"


@attrs.define
class BatchIncidentRecord:
    """A batch incident as raised once: the complaint desk opens a major complaint from it."""

    DOCUMENT_KIND: ClassVar[str] = "batch_incident"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("product_id", "batch", "state")

    id: str
    product_id: str
    batch: str
    symptom: str
    affected: int
    batch_size: int
    share: Decimal
    detected_at: datetime
    severity: str = "major"
    state: str = "reported"
    complaint_id: str | None = None
    version: int = 0
