# mypy: disable-error-code="arg-type"
"""The access log names a staff member as a staff member, session 30 h, on memory, SQLite and PostgreSQL.

Session 29 logged a read of a staff member's records (their export, PIPL art. 45) with the staff id in the
record's ``customer_id``: every reader of the log (the auditor's filter, a host's SIEM reading the field,
a customer's export listing "the reads of their data") took it for a customer's id, and only a
``subject`` beside it said otherwise. Now the record holds it in ``staff_id`` (``customer_id`` is
``None``), indexed; a record written by session 29 reads the same way and is still found by the
staff member's export and ``access_log(staff_id=...)``, never by a customer's under the same id.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import Role
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, EngineerId
from aftersales.domain.parties import Customer, Engineer
from aftersales.errors import ValidationError
from aftersales.service.access_log import AccessRecord
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import store_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 3, 31, 10, 0, tzinfo=SHANGHAI)
MANAGER = Actor.manager("mgr-1")
AUDITOR = Actor.auditor("au-1")
BACKENDS = ["memory", "sqlite", "postgres"]


@attrs.frozen
class _Session29Read:
    """An access record as session 29 wrote it: the staff id in ``customer_id``, indexed there."""

    DOCUMENT_KIND: ClassVar[str] = "personal_data_access"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("customer_id", "actor", "day")

    id: str
    customer_id: str
    actor: str
    role: Role
    what: str
    at: datetime
    version: int = 0
    day: str = "2026-03-30"
    subject: str = "staff"


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[ServiceDesk]:
    with (
        store_url(backend, tmp_path, "staff-log.db") as url,
        ServiceDesk.open(url, pack="exhibition_services", clock=ManualClock(AT)) as desk,
    ):
        desk.register_engineer(MANAGER, Engineer(EngineerId("e1"), "赵工", team="t-east"))
        # A customer registered under the same id as the engineer: their reads are not each other's.
        desk.register_customer(
            MANAGER, Customer(CustomerId("e1"), "王女士", Contact("王女士", phone="13900000001"))
        )
        yield desk


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_staff_read_names_the_staff_member_not_a_customer(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as desk:
        desk.staff_records.export_staff(Actor.engineer("e1"), "e1")
        [read] = desk.privacy.access_log(AUDITOR, staff_id="e1")
        assert (read.staff_id, read.customer_id, read.subject) == ("e1", None, "staff")
        assert desk.privacy.access_log(AUDITOR, customer_id="e1") == []
        desk.privacy.export_customer(MANAGER, "e1")
        [customer_read] = desk.privacy.access_log(AUDITOR, customer_id="e1")
        assert (customer_read.customer_id, customer_read.staff_id) == ("e1", None)
        assert [r.id for r in desk.privacy.access_log(AUDITOR, staff_id="e1")] == [read.id]
        exported = json.loads(desk.privacy.export_customer(MANAGER, "e1"))
        assert [r["what"] for r in exported["data"]["reads"]] == ["export_customer"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_read_logged_by_session_29_reads_as_the_staff_members(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as desk:
        with desk.context.store() as uow:
            uow.documents.add(
                _Session29Read(
                    "old-1", "e1", "engineer:e1", Role.ENGINEER, "export_staff", AT - timedelta(days=1)
                )
            )
            uow.commit()
        [old] = desk.privacy.access_log(AUDITOR, staff_id="e1")
        assert (old.id, old.staff_id, old.customer_id) == ("old-1", "e1", None)
        assert desk.privacy.access_log(AUDITOR, customer_id="e1") == []
        desk.staff_records.export_staff(MANAGER, "e1")
        assert next(r.id for r in desk.privacy.access_log(AUDITOR, staff_id="e1")) == "old-1"
        assert len(desk.privacy.access_log(AUDITOR, staff_id="e1", reader="manager:mgr-1")) == 1
        exported = json.loads(desk.staff_records.export_staff(Actor.engineer("e1"), "e1"))
        assert next((r["id"], r["staff_id"], r["customer_id"]) for r in exported["data"]["reads"]) == (
            "old-1", "e1", None,
        )  # fmt: skip
        assert json.loads(desk.privacy.export_customer(MANAGER, "e1"))["data"]["reads"] == []


def test_a_record_names_one_person() -> None:
    with pytest.raises(ValidationError) as refused:
        AccessRecord("r", "c1", "agent:a", Role.AGENT, "x", AT, subject="staff", staff_id="e1")
    assert refused.value.field == "staff_id"
    with pytest.raises(ValidationError) as refused:
        AccessRecord("r", None, "agent:a", Role.AGENT, "x", AT)
    assert refused.value.field == "customer_id"
