# mypy: disable-error-code="arg-type"
"""Two desks correcting one person's month at once keep every figure replaced (s28 g; no defect found).

Seed 001 (每月进行一次考核评估; 考核结果与绩效奖金挂钩): a second appraisal of a month corrects its one
record and keeps the figures it replaced in ``revisions`` (session 27, :class:`AppraisalRevision`), for
whoever paid the bonus on them. Raced on one store (:func:`two_desk_races.race`), in both orders, with and
without a first appraisal: each figure a desk was told it recorded is the record's or one of its revisions,
each once, the first appraisal's first — as run one after the other.
"""

from __future__ import annotations

import pytest
from test_staff_races_s27g import M1, M2, Desks, _appraise, desks
from two_desk_races import race

from aftersales.domain.staff_records import StaffAppraisal, StaffKind
from aftersales.errors import ConcurrencyConflict

__all__ = ["desks"]


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("before", [False, True])
def test_two_corrections_of_one_month_at_once_keep_every_replaced_figure(
    desks: Desks, swap: bool, before: bool
) -> None:
    if before:
        desks[0].staff_records.appraise(M1, "e1", "2026-03", kind=StaffKind.ENGINEER, score=70)
    one, other = _appraise(M2, 60), _appraise(M1, 90)
    told = race(desks[0], desks[1], *((other, one) if swap else (one, other)))
    for t in told:
        assert t.ok or isinstance(t.error, ConcurrencyConflict), t.error
    recorded = sorted(int(t.value.score) for t in told if t.ok)
    assert recorded
    with desks[1].context.store() as uow:
        (record,) = uow.documents.query(StaffAppraisal, staff_id="e1")
    kept = [int(r.score) for r in record.revisions]
    assert sorted([*kept, int(record.score)]) == sorted([70, *recorded] if before else recorded)
    if before:
        assert kept[0] == 70  # the first appraisal, replaced first
    assert [
        int(r.score) for r in desks[0].staff_records.staff_record(M1, "e1").appraisals[0].revisions
    ] == kept
