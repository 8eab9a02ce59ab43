"""Session 35's merges tried as a hostile host or uploader would (session 35, m).

- A host's ticket id typed without its dash (``SpellsIds``, s35 g) replaced the term: a model code or
  serial in the text spelt like such an id (``空调型号 T2000000``) was found before and no longer was.
  A term so read that finds nothing is now read again as typed.
- An upload named only by an extension (``.exe``) holding a JPEG was attached: Windows opens such a
  file by its extension, as a program, which is what ``extension_contradicts`` (s35 g) refuses.
- A ticket's notes, visits and fault records became tuples a store's copies share (s35 b): a host's list
  set on a ticket it imported stayed the memory store's, so changing it afterwards changed the stored
  ticket (no command, no event; SQLite and PostgreSQL kept what was imported). The import takes it as a
  tuple, as the constructor does.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.ids import SequentialIds
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel
from aftersales.domain.ids import TicketId
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import CustomerNote
from aftersales.errors import ValidationError
from conftest import START, world_desk

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_code_in_the_text_spelt_like_a_host_id_is_still_found(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, ids=SequentialIds()) as (desk, _clock, w):
        coded = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="空调型号 T2000000 外机异响")
        other = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="展位地毯").ticket.id
        assert (coded.ticket.id, other) == ("T-000001", "T-000002")
        for query in ("T2000000", "t2000000", "型号 T2000000"):
            assert [t.id for t in desk.search(w.agent, query).items] == ["T-000001"], query
        # A term that is a ticket's id is still read as that id, not as text.
        assert [t.id for t in desk.search(w.agent, "T000002").items] == [other]
        assert list(desk.search(w.agent, "T3000000").items) == []


@pytest.mark.parametrize("name", [".exe", ".EXE.", "．ｅｘｅ", ".bat "])
def test_a_name_that_is_only_a_program_extension_is_refused(name: str, tmp_path: Path) -> None:
    with world_desk("memory", tmp_path) as (desk, _clock, w):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="漏水").ticket.id
        with pytest.raises(ValidationError) as refused:
            desk.attachments.attach(w.agent, tid, kind="photo", name=name, content=JPEG)
        assert (refused.value.field, refused.value.rule) == ("name", "extension_contradicts")
        assert refused.value.rule_params is not None
        assert refused.value.rule_params["expected"] == ".jpg"
        assert desk.attachments.list(w.agent, tid) == ()
        desk.attachments.attach(w.agent, tid, kind="photo", name=".jpg", content=JPEG)  # it fits
        assert [a.name for a in desk.attachments.list(w.agent, tid)] == [".jpg"]


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_hosts_list_on_an_imported_ticket_is_not_the_stores(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.advance(timedelta(days=1))
        ticket = Ticket.open(
            id=TicketId("OLD-00001"), customer_id=w.cust_zh.id, channel=Channel.PHONE,
            category=Category.REPAIR, description="旧系统工单 打印机卡纸", received_at=START,
            taken_by=ActorRef("agent-1", Role.AGENT),
        )  # fmt: skip
        notes = [CustomerNote("旧系统备注")]
        ticket.notes = notes  # type: ignore[assignment]  # host code written when notes were a list
        desk.import_tickets(w.manager, [ticket])
        notes.append(CustomerNote("导入后改的"))
        assert [n.text for n in desk.ticket(w.manager, "OLD-00001").notes] == ["旧系统备注"]
        other = Ticket.open(
            id=TicketId("OLD-00002"), customer_id=w.cust_zh.id, channel=Channel.PHONE,
            category=Category.REPAIR, description="旧系统工单", received_at=START,
            taken_by=ActorRef("agent-1", Role.AGENT),
        )  # fmt: skip
        other.visits = "none"  # type: ignore[assignment]
        with pytest.raises(ValidationError) as refused:
            desk.import_tickets(w.manager, [other])
        assert refused.value.field == "visits"
