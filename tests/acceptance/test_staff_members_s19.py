# mypy: disable-error-code="arg-type"
"""Staff members' own addresses, and the designated complaint handler told, on memory, SQLite and
PostgreSQL.

The staff directory mapped roles to contacts only, so nothing could reach one person: a complaint's
designated handler (seed 003: 由指定人员负责跟进) was never told they had it, and a message for a colleague
who is out (seed 002 第五条: 承办人不在时…留言) could reach nobody in particular. ``staff`` now also maps a
staff member (``"agent:agent-2"``, their role and id as the events write them) to their own contacts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.domain.contact import Contact
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

WANG = Contact("王芳", email="wang.fang@venus.example", locale="zh_Hans")
PEOPLE = {**STAFF, "agent:agent-2": [WANG]}


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def office(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[ServiceDesk, World, MemoryNotifier]]:
    notifier, world = MemoryNotifier(), make_world()
    with (
        store_url(request.param, tmp_path) as url,
        ServiceDesk.open(
            url, pack="office_equipment", clock=ManualClock(START), staff=PEOPLE, notifier=notifier
        ) as desk,
    ):
        register(desk, world)
        yield desk, world, notifier


def _to_wang(notifier: MemoryNotifier) -> list[str]:
    return [m.body for m in notifier.sent if m.recipient == WANG.email]


def test_the_designated_handler_is_told_the_complaint_is_theirs(
    office: tuple[ServiceDesk, World, MemoryNotifier],
) -> None:
    desk, world, notifier = office
    cid = desk.complaints.open_complaint(
        world.agent, world.cust_zh.id, "工程师上门迟到两小时且未告知"
    ).ticket.id
    desk.complaints.assign_handler(world.manager, cid, handler_id="agent-2")
    desk.deliver()
    told = _to_wang(notifier)
    assert len(told) == 1 and cid in told[0] and "跟进" in told[0]
    # Handing it on to someone the directory does not list tells nobody in particular (and fails nothing).
    desk.complaints.assign_handler(world.manager, cid, handler_id="agent-3", reason="王芳休假")
    desk.deliver()
    assert len(_to_wang(notifier)) == 1


@pytest.mark.parametrize(
    ("entry", "key"),
    [("king:x", "staff"), ("agent:", "staff"), ("agent: padded ", "staff"), ("agent:" + "x" * 65, "staff")],
)
def test_a_malformed_staff_member_is_refused_naming_the_entry(entry: str, key: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ServiceDesk.open("memory://", staff={entry: [WANG]})
    assert caught.value.key == key


def test_a_staff_members_contacts_are_checked_like_a_roles() -> None:
    with pytest.raises(ConfigurationError) as caught:
        ServiceDesk.open("memory://", staff={"agent:agent-2": WANG})  # a contact, not a list of them
    assert caught.value.key == "staff.agent:agent-2"
    desk = ServiceDesk.open("memory://", staff={Role.MANAGER: [WANG], "agent:agent-2": [WANG]})
    assert desk.context.staff == {Role.MANAGER: (WANG,)}  # the roles' directory is unchanged


def test_a_message_taken_for_a_colleague_who_is_out_reaches_them(
    office: tuple[ServiceDesk, World, MemoryNotifier],
) -> None:
    desk, world, notifier = office
    tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket.id
    said = "张先生来电找王芳，请今天回电"
    desk.note_to_customer(world.agent, tid, text=said, visible=False, for_staff="agent:agent-2")
    desk.deliver()
    told = _to_wang(notifier)
    assert len(told) == 1 and said in told[0] and tid in told[0]
    # The note stays internal: the customer reads no part of it.
    assert said not in desk.ticket(world.customer_zh, tid).to_json()


@pytest.mark.parametrize("entry", ["agent:agent-9", "agent-2", "manager:agent-2", 5])
def test_a_message_for_someone_the_directory_does_not_list_is_refused(
    office: tuple[ServiceDesk, World, MemoryNotifier], entry: object
) -> None:
    desk, world, _notifier = office
    tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket.id
    before = len(desk.ticket(world.manager, tid).events)
    with pytest.raises(ValidationError) as caught:
        desk.note_to_customer(world.agent, tid, text="请回电", visible=False, for_staff=entry)
    assert caught.value.field == "for_staff"
    assert len(desk.ticket(world.manager, tid).events) == before
