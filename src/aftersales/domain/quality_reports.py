"""What the quality feedback loop passes between reports and the desk: dealers' monthly reports, and
the batch incidents a fault report finds (the desk raises them as quality incidents).

They live in the domain because both the service (which writes: ``desk.reports``) and the reports
(which read) need them, and the reports import no service.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar

import attrs

from aftersales.errors import ValidationError

__all__ = ["BatchIncident", "DealerMonthlyReport", "ReportFiling"]


def _count(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(f"{attribute.name} is a count (an integer ≥ 0)", field=attribute.name)


@attrs.frozen
class ReportFiling:
    """Figures a monthly report carried before a correction replaced them: what, when, by whom."""

    installations: int
    repairs: int
    submitted_at: datetime
    submitted_by: str


@attrs.define
class DealerMonthlyReport:
    """What a dealer reported for one month: installations and repairs done (seed 002: 每月3号之前).

    A correction replaces the figures and keeps the ones it replaced (``corrections``, oldest first)
    and the time of the first filing (``first_submitted_at``), by which the report is on time or late:
    a report filed by the 3rd and corrected later was still filed by the 3rd, and the maker's office
    can see what was first reported (内部审计)."""

    DOCUMENT_KIND: ClassVar[str] = "dealer_monthly_report"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("dealer_id", "month")

    id: str
    dealer_id: str
    month: str
    installations: int = attrs.field(validator=_count)
    repairs: int = attrs.field(validator=_count)
    submitted_at: datetime
    submitted_by: str
    first_submitted_at: datetime | None = None
    """When the report was first filed (``None``: never corrected, or stored before corrections were
    kept: ``submitted_at``)."""
    corrections: tuple[ReportFiling, ...] = ()
    version: int = 0

    @property
    def filed_at(self) -> datetime:
        """When the report was first filed: what its deadline is judged against."""
        return self.first_submitted_at or self.submitted_at

    def corrected(self, installations: int, repairs: int, at: datetime, by: str) -> DealerMonthlyReport:
        """This report with new figures, the replaced ones kept and the first filing time held."""
        replaced = ReportFiling(self.installations, self.repairs, self.submitted_at, self.submitted_by)
        return attrs.evolve(
            self, installations=installations, repairs=repairs, submitted_at=at, submitted_by=by,
            first_submitted_at=self.filed_at, corrections=(*self.corrections, replaced),
        )  # fmt: skip


@attrs.frozen
class BatchIncident:
    """One problem (``value`` in ``dimension``) on ``affected`` of the ``batch_size`` units of a batch."""

    product_id: str | None
    batch: str
    value: str
    affected: int
    batch_size: int
    share: Decimal
    dimension: str = "cause"
    """What "the same problem" means: the fault records' ``cause`` (the pack's default) or ``symptom``."""

    @property
    def key(self) -> str:
        """The incident's identity, the same the desk's detector gives its :class:`QualityIncident`."""
        return f"{self.batch}|{self.dimension}|{self.value}"
