# mypy: disable-error-code="arg-type"
"""Seed 003 (二)2 需详细记录客户信息 and seed 001 三(二)1 (对反馈信息进行详细记录,包括客户基本信息): a
customer is registered with a way to reach them. Walked as a peer tester with the service_centre pack
on memory, SQLite and PostgreSQL (session 32 e).

Before, a customer with a name and nothing else was registered: no progress note, callback, survey or
visit could ever reach them, and each was skipped in silence later. The registration now refuses it,
naming ``contact``; a phone, WeChat, e-mail or address is enough. The erasure of personal data still
leaves the erased customer without contact, on purpose.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.errors import NotFound, ValidationError
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_customer_is_registered_with_a_way_to_reach_them(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="service_centre") as (desk, _clock, world):
        nobody = Customer(CustomerId("c-none"), "王先生", Contact("王先生"), region="SH")
        with pytest.raises(ValidationError) as caught:
            desk.register_customer(world.manager, nobody)
        assert caught.value.field == "contact"
        with pytest.raises(NotFound):  # nothing stored
            desk.archives.customer_archive(world.manager, "c-none")
        # An address is a way to reach them (a visit, a letter); so is a WeChat id alone.
        for cid, contact in (
            ("c-address", Contact("李女士", address="上海市黄浦区中山东一路 1 号")),
            ("c-wechat", Contact("赵先生", wechat="zhao_2026")),
        ):
            desk.register_customer(
                world.manager, Customer(CustomerId(cid), contact.name, contact, region="SH")
            )
            assert desk.archives.customer_archive(world.manager, cid).customer.id == cid
        # A stored customer's contact emptied by an update is refused the same way, and kept as it was.
        emptied = Customer(world.cust_zh.id, world.cust_zh.name, Contact(world.cust_zh.name), region="SH")
        with pytest.raises(ValidationError):
            desk.register_customer(world.manager, emptied)
        kept = desk.archives.customer_archive(world.manager, world.cust_zh.id).customer
        assert kept.contact.phone == world.cust_zh.contact.phone
        # The erasure leaves the customer without contact on purpose, and is not refused.
        desk.privacy.erase_customer(world.manager, world.cust_en.id, "the customer asked (PIPL art. 47)")
        erased = desk.archives.customer_archive(world.manager, world.cust_en.id).customer
        assert (erased.contact.phone, erased.contact.email, erased.contact.address) == (None, None, None)
