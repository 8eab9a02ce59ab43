# mypy: disable-error-code="arg-type"
"""An appraisal's score and indicators are figures a person reads, or refused naming them (session 27, l).

Why: the month's appraisal (seed 001: 考核结果与绩效奖金挂钩 — the bonus is paid on it), corrected in place
with its earlier figures kept as ``AppraisalRevision`` since session 27, took any finite decimal string
from 0 to 100: ``"50.000…1"`` with thousands of digits, ``"1e-999999"``, ``"0E-1000"`` were stored as
given (a revision of five thousand characters), ``"1E+1"`` and ``"-0"`` stored so, and indicators of any
size. Now a score has at most two decimals and an indicator at most 15 digits before the point and 10
after (``ValidationError`` naming ``score`` / ``metrics``; nothing written), and both are stored plainly
(``1E+1`` as 10, ``-0`` as 0), alike on memory, SQLite and PostgreSQL. Full-width digits (``８０``, an
IME's) still read as the number they are.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.errors import NotFound, ValidationError
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
BAD_SCORES = ["50." + "0" * 5000 + "1", "1e-999999", "0E-1000", "87.125"]
BAD_METRICS = [{"satisfaction": "1e20"}, {"satisfaction": "1" * 30}, {"response": "0.00000000001"}]


@pytest.mark.parametrize("backend", BACKENDS)
def test_figures_past_reading_are_refused_and_nothing_is_written(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        staff = desk.staff_records
        engineer = w.eng_junior.id
        for score in BAD_SCORES:
            with pytest.raises(ValidationError) as refused:
                staff.appraise(w.manager, engineer, "2026-02", kind="engineer", score=score)
            assert refused.value.field == "score"
        for metrics in BAD_METRICS:
            with pytest.raises(ValidationError) as refused:
                staff.appraise(w.manager, engineer, "2026-02", kind="engineer", score=80, metrics=metrics)
            assert refused.value.field == "metrics"
        with pytest.raises(NotFound):  # no record was begun
            staff.staff_record(w.manager, engineer)


@pytest.mark.parametrize("backend", BACKENDS)
def test_figures_are_stored_plainly_and_their_revisions_too(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        staff = desk.staff_records
        engineer = w.eng_junior.id
        first = staff.appraise(
            w.manager,
            engineer,
            "2026-02",
            kind="engineer",
            score=Decimal("1E+1"),  # a host's Decimal; typed text "1E+1" is refused (number_text, s38)
            metrics={"sat": Decimal("1E+2")},
            note="试用",
        )
        assert (str(first.score), str(first.metrics["sat"])) == ("10", "100")
        again = staff.appraise(
            w.manager, engineer, "2026-02", kind="engineer", score="８７.２５", metrics={"sat": "-0"}
        )
        assert (again.score, str(again.metrics["sat"])) == (Decimal("87.25"), "0")
        (record,) = staff.staff_record(w.manager, engineer).appraisals
        assert [(str(r.score), {k: str(v) for k, v in r.metrics.items()}) for r in record.revisions] == [
            ("10", {"sat": "100"})
        ]
        assert str(record.score) == "87.25"
