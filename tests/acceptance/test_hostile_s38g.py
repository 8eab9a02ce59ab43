"""Hostile round, session 38 g: time past the calendar's data, on memory, SQLite and PostgreSQL; a
falsy component given to the desk; a built-in policy given params of another type.

Broke (fails on the old code): past all the calendar's holiday data (the shipped data's provisional year
ends 2027) the daily maintenance job failed every day with ``CalendarDataMissing`` and opened no visit at
all: automatic dispatch cannot tell working hours then (documented: ``desk.sla`` and automatic dispatch
refuse), and one visit's dispatch refused the whole batch. A call taken then is taken without a due; a
planned visit is now opened unplaced (``GenerationReport.undispatched``) for a person to send.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from aftersales.adapters.attachments_memory import MemoryAttachmentStore
from aftersales.adapters.memory import MemoryStore
from aftersales.errors import ConfigurationError
from aftersales.policies.dispatch import DefaultDispatch
from aftersales.policies.fees import DefaultFeesPolicy
from aftersales.policies.privacy import PrivacyRules
from aftersales.policies.sla import DefaultSla
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, world_desk


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_planned_visits_past_the_calendars_data_are_opened_unplaced(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, clock, w):
        clock.set(datetime(2028, 3, 1, 9, 0, tzinfo=SHANGHAI))  # past the data, which ends with 2027
        desk.maintenance.create_plan(
            w.manager, asset_id=w.asset.id, interval_months=6, first_due=date(2028, 3, 10)
        )
        report = desk.run_due_jobs()
        assert "maintenance_visits" not in report.failed
        assert report.counts["maintenance_visits"] == 1
        (visit,) = desk.maintenance.unit_visits(w.manager, w.asset.id)
        assert visit.due_on == date(2028, 3, 10) and visit.ticket_id is not None
        assert desk.ticket(w.manager, visit.ticket_id).state == "triaged"  # a person sends it
        desk.dispatch(w.manager, visit.ticket_id, engineer_id=w.eng_junior.id)
        assert desk.ticket(w.manager, visit.ticket_id).state == "assigned"
        assert desk.run_due_jobs().failed == {}


class _CountedStore(MemoryAttachmentStore):
    """A host's attachment store that counts its files: empty, it is falsy (``len`` 0)."""

    def __len__(self) -> int:
        return len(self._blobs)


def test_a_falsy_component_is_used_or_refused_never_replaced_by_the_default(tmp_path: Path) -> None:
    """``ServiceDesk`` took ``attachments or <the store's own>``: a host's store with ``__len__`` 0 (empty)
    was replaced by the default without a word, its files kept elsewhere; ``policies=[]`` or
    ``attachments=0`` were ignored alike (session 38, hostile configuration)."""
    counted = _CountedStore()
    with world_desk("memory", tmp_path, attachments=counted) as (desk, _, w):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="漏水").ticket.id
        desk.attachments.attach(
            w.agent, tid, kind="photo", name="leak.jpg", content=b"\xff\xd8\xff\xe0 photo"
        )
        assert len(counted) == 1  # the host's store holds it
    for key, value in [("policies", []), ("attachments", 0), ("attachments", "")]:
        with pytest.raises(ConfigurationError) as refused:
            ServiceDesk(MemoryStore(), **{key: value})  # type: ignore[arg-type]
        assert refused.value.key == key


def test_a_built_in_policy_given_params_of_another_type_is_refused_naming_its_kind() -> None:
    """A built-in policy built with params of another type: ``DefaultSla("x")`` opened no desk with
    Python's ``AttributeError``, ``DefaultDispatch({...})`` (the pack's keys as a dict) opened one that
    failed at its first dispatch, ``DefaultFeesPolicy({})`` and ``PrivacyRules(0)`` silently took the
    defaults, ``DefaultFeesPolicy("x")`` raised ``AttributeError`` (session 38, hostile configuration)."""
    for kind, policy in [("sla", DefaultSla("x")), ("dispatch", DefaultDispatch({"mode": "nearest"}))]:
        with pytest.raises(ConfigurationError) as refused:
            ServiceDesk.open("memory://", pack="sanitary_ware", overrides={kind: policy})  # type: ignore[arg-type]
        assert (refused.value.key, refused.value.rule) == (f"overrides.{kind}", "wrong_type")
    for build, kind in [(DefaultFeesPolicy, "fees"), (PrivacyRules, "privacy")]:
        for params in ["x", {}, 0]:
            with pytest.raises(ConfigurationError) as refused:
                build(params)  # type: ignore[arg-type]
            assert refused.value.key == kind
