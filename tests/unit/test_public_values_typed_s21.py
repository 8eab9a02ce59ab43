"""Public values built by a host refuse bad input with the library's typed errors (were bare ValueErrors).

``Decision`` is public: a host's policy builds its answers with it. Every decision carries at least one
reason (a customer, a dealer and an auditor can all ask why), and breaking that is bad input like any
other: a ``ValidationError`` naming ``reasons`` (still a ``ValueError`` for code that caught that).
"""

from __future__ import annotations

import pytest

from aftersales import Decision
from aftersales.domain.reasons import Reason
from aftersales.errors import ValidationError


def test_a_decision_needs_a_reason_from_either_constructor() -> None:
    with pytest.raises(ValidationError) as built:
        Decision("high", [], "host.priority")
    assert built.value.field == "reasons" and "host.priority" in str(built.value)
    with pytest.raises(ValidationError) as checked:
        Decision.checked("high", (), "host.priority")
    assert checked.value.field == "reasons"
    assert Decision("high", [Reason("vip")], "host.priority").reasons == (Reason("vip"),)


def test_a_report_table_row_of_the_wrong_width_is_a_validation_error() -> None:
    """``ReportTable`` is public (a host builds its own pages with the renderers): a row that does not
    fit the columns is bad input, typed and naming ``rows`` (was a bare ValueError)."""
    from aftersales import Column, ReportTable

    with pytest.raises(ValidationError) as refused:
        ReportTable("t", "T", (Column("a", "A"), Column("b", "B")), (("1",),))
    assert refused.value.field == "rows" and "1 cells for 2 columns" in str(refused.value)
