# mypy: disable-error-code="arg-type"
"""Correspondence guidance to end users (函授) (session 21).

Seed 002 售后服务质量改善的措施 1⑵c 函授: 根据客户碰到的实际问题,用函件对用户进行相关的指导和培训,包括寄发
资料、发函件进行某方面知识的加固和拓延; 2.案例教学 may be used in it. Before, a training was linked to dealers
only (docs/rules/seed-002-b.md row 26): a letter or materials sent to a customer about their problem was
recorded nowhere. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from aftersales.domain.correspondence import GuidanceMedium
from aftersales.domain.erasure import ERASED
from aftersales.domain.knowledge import ArticleContent, ArticleProblem
from aftersales.errors import AftersalesError, NotFound, PermissionDenied, ValidationError
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
E = TypeVar("E", bound=AftersalesError)
LETTER = "张伟先生您好：冬季请关闭进水阀并排空水箱，随函附上防冻说明。"


def _article(desk: object, world: World, *, approve: bool) -> str:
    kb = desk.knowledge  # type: ignore[attr-defined]
    problem = ArticleProblem(("freeze",), product_id=world.product.id, keywords=("防冻",))
    content = ArticleContent("zh_Hans", "冬季防冻", "水箱结冰", ("未排空",), ("排空水箱",), "")
    article = kb.write_article(world.agent, problem=problem, contents=[content])
    if approve:
        kb.approve(world.manager, article.id, 1)
    return str(article.id)


@pytest.mark.parametrize("backend", BACKENDS)
def test_guidance_sent_by_letter_is_kept_in_the_customers_archive(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, clock, world):
        tid = desk.open_ticket(
            world.dealer_sh_staff,
            customer_id=world.cust_zh.id,
            asset_id=world.asset.id,
            description="水箱冻裂",
        ).ticket.id
        article = _article(desk, world, approve=True)
        today = clock.now().date()
        sent = desk.guidance.send(
            world.agent, world.cust_zh.id, medium=GuidanceMedium.LETTER, topic="冬季防冻", sent_on=today,
            ticket_id=tid, text=LETTER, article_ids=[article], case_study=True,
        )  # fmt: skip
        assert sent.sent_by == world.agent.ref and sent.address == world.cust_zh.contact.address
        # The dealer posts materials about a problem it describes (no ticket behind it).
        desk.guidance.send(
            world.dealer_sh_staff, world.cust_zh.id, medium="materials", topic="日常保养",
            sent_on=today, description="客户询问如何清洁釉面", materials=["WC-100 保养手册"],
        )  # fmt: skip
        for reader in (world.customer_zh, world.dealer_sh_staff, world.auditor):
            archive = desk.archives.customer_archive(reader, world.cust_zh.id)
            assert [(g.topic, g.medium) for g in archive.guidance] == [
                ("冬季防冻", GuidanceMedium.LETTER),
                ("日常保养", GuidanceMedium.MATERIALS),
            ]
            kinds = {(c.kind, c.channel, c.note) for c in archive.contacts if c.kind == "guidance"}
            assert kinds == {("guidance", "letter", "冬季防冻"), ("guidance", "materials", "日常保养")}
        # The ticket's own: the letter about it.
        about = desk.guidance.sent(world.agent, world.cust_zh.id, ticket_id=tid)
        assert (
            [g.id for g in about] == [sent.id] and about[0].case_study and about[0].article_ids == (article,)
        )
        # Another customer's archive and another region's dealer do not see it.
        assert desk.archives.customer_archive(world.customer_en, world.cust_en.id).guidance == ()
        with pytest.raises(NotFound):
            desk.guidance.sent(world.dealer_bj_staff, world.cust_zh.id)
        # An erased customer's letter, problem and address are gone; the topic and articles stay.
        desk.privacy.erase_customer(world.manager, world.cust_zh.id, "客户要求删除", cancel_open_tickets=True)
        erased = desk.guidance.sent(world.auditor, world.cust_zh.id)
        assert [(g.text, g.address) for g in erased] == [(ERASED, ERASED), ("", ERASED)]
        assert erased[1].description == ERASED and erased[0].article_ids == (article,)
        exported = desk.privacy.export_customer(world.manager, world.cust_zh.id)
        assert "冬季请关闭进水阀" not in exported and "客户询问如何清洁釉面" not in exported
        assert len(json.loads(exported)["data"]["correspondence_guidance"]) == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_guidance_is_recorded_by_the_service_side_and_only_once_sent(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, clock, world):
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="水箱冻裂").ticket.id
        today = clock.now().date()
        letter = {"medium": "letter", "topic": "冬季防冻", "sent_on": today, "text": LETTER}

        def refused(error: type[E], actor: object, **changes: object) -> E:
            with pytest.raises(error) as caught:
                desk.guidance.send(actor, world.cust_zh.id, **{**letter, "ticket_id": tid, **changes})
            return caught.value

        for actor in (world.customer_zh, world.auditor):
            refused(PermissionDenied, actor)
        refused(NotFound, world.junior)  # not the engineer's ticket: unseen
        refused(NotFound, world.dealer_bj_staff, ticket_id=None, description="询问")
        assert refused(ValidationError, world.agent, sent_on=today + timedelta(days=1)).field == "sent_on"
        assert refused(ValidationError, world.agent, sent_on=today - timedelta(days=1)).field == "sent_on"
        assert refused(ValidationError, world.agent, ticket_id=None).field == "description"
        assert refused(ValidationError, world.agent, medium="fax").field == "medium"
        assert refused(ValidationError, world.agent, text="").field == "text"
        assert refused(ValidationError, world.agent, medium="materials").field == "materials"
        other = desk.open_ticket(world.agent, customer_id=world.cust_en.id, description="Leak").ticket.id
        assert refused(ValidationError, world.agent, ticket_id=other).field == "ticket_id"
        refused(NotFound, world.agent, article_ids=["KB-none"])
        draft = _article(desk, world, approve=False)
        assert refused(ValidationError, world.agent, article_ids=[draft]).field == "article_ids"
        assert desk.guidance.sent(world.manager, world.cust_zh.id) == []
        # The engineer on the ticket writes to the customer about it; replayed by key, recorded once.
        desk.triage(world.agent, tid, nature="crack", severity="medium")
        desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id)
        first = desk.guidance.send(
            world.junior, world.cust_zh.id, **letter, ticket_id=tid, idempotency_key="g-1"
        )
        again = desk.guidance.send(
            world.junior, world.cust_zh.id, **letter, ticket_id=tid, idempotency_key="g-1"
        )
        assert first.id == again.id
        assert [g.id for g in desk.guidance.sent(world.manager, world.cust_zh.id)] == [first.id]
        # It reads the guidance about its ticket (the ticket's history), not the customer's other letters.
        desk.guidance.send(world.agent, world.cust_zh.id, **letter, description="询问")
        assert [g.id for g in desk.guidance.sent(world.junior, world.cust_zh.id)] == [first.id]
        with pytest.raises(NotFound):
            desk.guidance.sent(world.senior, world.cust_en.id)
        assert first.sent_on == today
