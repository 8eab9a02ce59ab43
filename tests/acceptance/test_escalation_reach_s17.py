"""Every escalation reaches someone: when the roles an escalation names have no contact in the staff
directory, the notice goes up the supervisors' ladder (the centre, then the general manager), as a
complaint's escalation does since this session (seed 004 第八条 2(4)-(5); seed 003: 超时…升级).

Before, only complaints and quality incidents went up: an SLA breach (escalated to the manager by
default), a call no engineer could take and a refused quote told a role with no one in it, and the
notice was written to nobody.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.service.desk import ServiceDesk
from conftest import START, World, make_world, register, store_url

GM_ONLY = {Role.GENERAL_MANAGER: [Contact("总经理", email="gm@venus.example", locale="zh_Hans")]}


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    world, clock = make_world(), ManualClock(START)
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(
            url, pack="sanitary_ware", clock=clock, notifier=MemoryNotifier(), staff=GM_ONLY
        ) as desk,
    ):
        register(desk, world)
        yield desk, clock, world


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_an_sla_breach_with_no_manager_in_the_directory_goes_to_the_general_manager(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path) as (desk, clock, world):
        ticket_id = desk.open_ticket(world.agent, customer_id="cust-zh", description="水箱漏水").ticket.id
        desk.triage(world.agent, ticket_id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.deliver()
        notifier = desk.notifier
        assert isinstance(notifier, MemoryNotifier)
        before = len(notifier.to("gm@venus.example"))
        clock.advance(timedelta(days=10))
        swept = desk.sla_watch.sweep(world.system)
        assert swept.breaches
        desk.deliver()
        told = notifier.to("gm@venus.example")[before:]
        assert told and all(ticket_id in m.body or ticket_id in m.subject for m in told)
