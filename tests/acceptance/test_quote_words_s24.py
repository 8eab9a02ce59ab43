"""A quote's refused step in words (seed 002 报价: 用户同意支付 / 若用户不接受相关费用; session 24).

A quote has a workflow of its own (draft → offered → accepted | refused; ``edit``, ``offer``,
``revise``, ``accept``, ``refuse``, ``pay``), but no catalog words: a refusal of a quote's step showed
its raw state in every language ("当前状态为“refused”，不能执行“pay”"), called the quote "the ticket"
("T1: … while the ticket is “refused”"), and worded ``accept`` as the ticket's "accepted at inspection"
(验收合格). A quote is now a record of its own to a refusal: named with its id, its steps and states
read from ``quote_action.*`` and ``quote_state.*`` in the three catalogs. On memory, SQLite and
PostgreSQL (the story fixture of the seed-002 money tests).
"""

from __future__ import annotations

import re

import pytest
from test_seed002_money import _repair, story

from aftersales.adapters.clock import ManualClock
from aftersales.errors import InvalidTransition
from aftersales.i18n.errors import render_error
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]

Story = tuple[ServiceDesk, ManualClock, World]
CODES = ("draft", "offered", "refused", "accepted", "edit", "offer", "revise", "accept", "refuse", "pay")


def test_a_refused_quote_accepted_is_refused_in_the_quotes_own_words(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    desk.charges.refuse(world.customer_zh, ticket_id, quote.id, reason="太贵了")
    with pytest.raises(InvalidTransition) as refused:
        desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    words = {locale: render_error(refused.value, locale) for locale in ("zh_Hans", "zh_Hant", "en")}
    for locale in ("zh_Hans", "zh_Hant"):
        # No English code left in the Chinese sentence; the quote (报价) is named, not the ticket.
        assert not re.search("|".join(CODES), words[locale]), words[locale]
        assert quote.id in words[locale] and "工单" not in words[locale], words[locale]
    assert words["zh_Hans"] == f"报价单 {quote.id} 处于“已拒绝”状态，不能执行“客户接受报价”"
    assert "ticket" not in words["en"] and "inspection" not in words["en"], words["en"]
    assert quote.id in words["en"] and "“refused”" in words["en"], words["en"]
