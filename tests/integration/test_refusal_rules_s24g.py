"""Refusals finer than the permission table, met through the desk and shown in words.

A manager registering a unit again under another owner, a customer filtering its tickets by the
staff's tags: the desk refused them with an English phrase as the action ("change the owner of unit
(use transfer_asset)", "filter by tags"), which ``render_error`` showed as it was in every locale. Each
now names its rule and reads in the reader's language; nothing is written. Memory, SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from hostile import MANAGER, STORES, Opened, opened, seed

from aftersales import Actor, PermissionDenied
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer, CustomerTier
from aftersales.i18n.errors import render_error
from aftersales.ports.queries import TicketFilter


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def test_a_unit_given_another_owner_by_registering_it_is_refused_in_words(store: Opened) -> None:
    seed(store.desk, store.clock)
    buyer = Customer(CustomerId("c-2"), "王五", Contact("王五", phone="13700001234"), CustomerTier.REGULAR)
    store.desk.register_customer(MANAGER, buyer)
    with store.desk.store() as uow:
        unit = uow.assets.get("a-1")
    before = store.snapshot()
    with pytest.raises(PermissionDenied) as refused:
        store.desk.register_asset(MANAGER, attrs.evolve(unit, customer_id=CustomerId("c-2")))
    assert store.snapshot() == before
    assert refused.value.rule == "owner_by_transfer"
    hans, hant = (render_error(refused.value, locale) for locale in ("zh_Hans", "zh_Hant"))
    assert hans == "不能在登记产品档案时更改产品的所有人：请办理产品过户并注明原因"
    assert hant == "不能在登記產品檔案時更改產品的所有人：請辦理產品過戶並註明原因"
    assert "transfer_asset" not in render_error(refused.value, "en")


def test_a_customer_filtering_by_tags_is_refused_in_words(store: Opened) -> None:
    seed(store.desk, store.clock)
    with pytest.raises(PermissionDenied) as refused:
        store.desk.ledger(Actor.customer("c-1"), TicketFilter(tags=("vip",)))
    assert refused.value.rule == "staff_only_filter"
    assert render_error(refused.value, "zh_Hans") == "无权按服务人员内部的标签或字段筛选工单"
    assert "filter by tags" not in render_error(refused.value, "en")
