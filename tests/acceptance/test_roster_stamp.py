"""Dispatch keeps its indexed roster between commands only while the store's roster stamp is unchanged:
an engineer registered through another desk (another process) is a candidate at the next dispatch."""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, EngineerId
from aftersales.domain.parties import Customer, CustomerTier, Engineer, EngineerLevel
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.roster_stamp import roster_version
from conftest import pg_schema_url

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
AGENT, MANAGER = Actor.agent("a1"), Actor.manager("m1")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_an_engineer_registered_elsewhere_is_seen_by_the_next_dispatch(backend: str, tmp_path: Path) -> None:
    with contextlib.ExitStack() as stack:
        url = (
            stack.enter_context(pg_schema_url())
            if backend == "postgres"
            else f"sqlite:///{tmp_path / 'r.db'}"
        )
        first = stack.enter_context(ServiceDesk.open(url, pack="service_centre", clock=ManualClock(MONDAY)))
        second = stack.enter_context(ServiceDesk.open(url, pack="service_centre", clock=ManualClock(MONDAY)))
        contact = Contact("c1", phone="13800000000", address="上海市浦东新区 1 号")
        first.register_customer(MANAGER, Customer(CustomerId("c1"), "张三", contact, CustomerTier.REGULAR))
        with first.store() as uow:
            assert roster_version(uow) == 0
        first.register_engineer(MANAGER, Engineer(EngineerId("e1"), "赵工", EngineerLevel.SENIOR, max_load=1))

        def dispatched() -> str | None:
            tid = first.open_ticket(AGENT, customer_id="c1", description="漏水").ticket.id
            first.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM)
            assignee = first.dispatch(AGENT, tid).ticket.assignee
            return assignee.id if assignee is not None else None

        assert dispatched() == "e1"
        assert dispatched() is None  # e1 is full: nobody else is known
        second.register_engineer(MANAGER, Engineer(EngineerId("e2"), "钱工", EngineerLevel.SENIOR))
        with first.store() as uow:
            assert roster_version(uow) == 2
        assert dispatched() == "e2"  # the roster was read again: the stamp moved
        second.register_engineer(
            MANAGER, Engineer(EngineerId("e2"), "钱工", EngineerLevel.SENIOR, max_load=1)
        )
        assert dispatched() is None  # … and again when e2's limit was lowered (it has one already)
