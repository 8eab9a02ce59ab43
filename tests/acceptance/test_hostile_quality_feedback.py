# mypy: disable-error-code="arg-type"
"""Quality feedback (seed 000: 生产部门…配合售后维护管理部门对产品质量问题进行调查和处理;
研发部门…对产品进行持续改进) given hostile input through the desk's quality-incident commands, on
memory, SQLite and PostgreSQL.

Before: a remedy applied to a batch had no idempotency key, so a retried call (a timeout, a double
click) extended the warranty of every unit of the batch twice.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from test_quality_incidents import MANAGER, _build, _fault, url

from aftersales.domain.quality_incidents import IncidentRemedyKind, IncidentState
from aftersales.errors import (
    AftersalesError,
    IdempotencyKeyReused,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

__all__ = ["url"]  # the fixture: memory, SQLite, PostgreSQL

EXT = IncidentRemedyKind.WARRANTY_EXTENSION


def _confirmed(desk: ServiceDesk) -> str:
    for n in range(5):
        _fault(desk, n)
    (incident,) = desk.quality_incidents.incidents(MANAGER)
    desk.quality_incidents.confirm(MANAGER, incident.id, note="质检确认")
    return incident.id


def _extensions(desk: ServiceDesk) -> list[int]:
    return [len(desk.complaints.warranty_extensions(MANAGER, f"A-{n:03d}")) for n in (0, 57, 99)]


def test_a_retried_batch_remedy_extends_every_unit_once(url: str) -> None:
    with _build(url) as desk:
        qi = desk.quality_incidents
        iid = _confirmed(desk)
        first = qi.apply_remedy(MANAGER, iid, kind=EXT, extend_by=12, note="延保一年", idempotency_key="r-1")
        again = qi.apply_remedy(MANAGER, iid, kind=EXT, extend_by=12, note="延保一年", idempotency_key="r-1")
        assert again.version == first.version and again.events == first.events
        assert _extensions(desk) == [1, 1, 1]
        with pytest.raises(IdempotencyKeyReused):  # the same key for another remedy is a caller's mistake
            qi.apply_remedy(MANAGER, iid, kind=EXT, extend_by=24, idempotency_key="r-1")
        assert _extensions(desk) == [1, 1, 1]
        # Granted again on purpose (a new key, or none): a second extension, recorded as such.
        qi.apply_remedy(MANAGER, iid, kind=EXT, extend_by=6, note="再延半年", idempotency_key="r-2")
        assert _extensions(desk) == [2, 2, 2]


def test_bad_quality_steps_are_refused_and_the_incident_is_unchanged(url: str) -> None:
    with _build(url) as desk:
        qi = desk.quality_incidents
        iid = _confirmed(desk)
        before = qi.incident(MANAGER, iid)
        sh = Actor.dealer_staff("s1", "d-sh", {"SH"})
        refusals: list[tuple[Callable[[], object], type[AftersalesError], str | None]] = [
            (lambda: qi.apply_remedy(MANAGER, iid, kind="free_lunch"), ValidationError, "kind"),
            (lambda: qi.apply_remedy(MANAGER, iid, kind=EXT), ValidationError, "extend_by"),
            (lambda: qi.apply_remedy(MANAGER, iid, kind=EXT, extend_by=0), ValidationError, None),
            (lambda: qi.apply_remedy(MANAGER, iid, kind=EXT, extend_by=10**9), ValidationError, None),
            (lambda: qi.apply_remedy(sh, iid, kind=EXT, extend_by=12), PermissionDenied, None),
            (lambda: qi.apply_remedy(MANAGER, "QI-nope", kind=EXT, extend_by=12), NotFound, None),
            (lambda: qi.dismiss(MANAGER, iid, reason=" \u3000 "), ValidationError, "reason"),
            (lambda: qi.record_root_cause(MANAGER, iid, root_cause="  "), ValidationError, "root_cause"),
            (lambda: qi.record_corrective_action(MANAGER, iid, action=""), ValidationError, "action"),
            (lambda: qi.confirm(MANAGER, iid), InvalidTransition, None),  # confirmed already
            (lambda: qi.close(MANAGER, iid), InvalidTransition, None),  # no root cause, no action yet
            (lambda: qi.link_tickets(MANAGER, iid, ["SR-nope"]), NotFound, None),
            (lambda: qi.confirm(Actor.auditor("au1"), iid), PermissionDenied, None),
        ]  # fmt: skip
        for call, error, field in refusals:
            with pytest.raises(error) as refused:
                call()
            if field is not None:
                assert refused.value.field == field
        after = qi.incident(MANAGER, iid)
        assert (after.version, after.events, after.state) == (before.version, before.events, before.state)
        assert _extensions(desk) == [0, 0, 0]
        qi.dismiss(MANAGER, iid, reason="用户误用, 非批次缺陷")
        with pytest.raises(ValidationError):  # no remedy on a dismissed incident
            qi.apply_remedy(MANAGER, iid, kind=EXT, extend_by=12)
        assert qi.incident(MANAGER, iid).state is IncidentState.DISMISSED and _extensions(desk) == [0, 0, 0]
