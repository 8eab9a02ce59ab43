# mypy: disable-error-code="arg-type"
"""The world of the seed-scenario walks of session 33 (h): a company serving its own customers.

Seeds 000 (a manufacturer's after-sales department) and 001 (an exhibition-services company's
after-sales team) name no dealers: the company's own maintenance staff (售后维护人员 / 技术支持人员)
do the work. So this world has none: one customer in Shanghai, an important one, one product with a
two-year warranty and the customer's unit, a junior and a senior engineer of the region. Everything
goes through the public API (``aftersales``), on the store the test names.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import attrs

from aftersales import (
    Actor,
    Asset,
    AssetId,
    Contact,
    Customer,
    CustomerId,
    CustomerTier,
    Engineer,
    EngineerId,
    EngineerLevel,
    Product,
    ProductId,
    ServiceDesk,
    WarrantyTerm,
)
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from conftest import SHANGHAI, STAFF, store_url

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
"""Monday 2 March 2026, 09:00 in Shanghai: a working day, no holiday in the week."""

BACKENDS = ["memory", "sqlite", "postgres"]


@attrs.frozen
class Company:
    """The desk, its clock and notifier, and an actor for every role of the two seeds' teams."""

    desk: ServiceDesk
    clock: ManualClock
    notifier: MemoryNotifier
    customer_id: str = "c-zhang"
    important_id: str = "c-expo"
    asset_id: str = "u-zhang"
    manager: Actor = attrs.field(factory=lambda: Actor.manager("mgr-1", "王经理"))
    agent: Actor = attrs.field(factory=lambda: Actor.agent("agent-1", "客服小李"))
    junior: Actor = attrs.field(factory=lambda: Actor.engineer("eng-jr", "李工"))
    senior: Actor = attrs.field(factory=lambda: Actor.engineer("eng-sr", "王工"))
    auditor: Actor = attrs.field(factory=lambda: Actor.auditor("audit-1"))
    general_manager: Actor = attrs.field(factory=lambda: Actor.general_manager("gm-1"))

    @property
    def customer(self) -> Actor:
        """The regular customer acting on its own tickets."""
        return Actor.customer(self.customer_id)

    @property
    def important(self) -> Actor:
        """The important customer (重要客户)."""
        return Actor.customer(self.important_id)

    def sent_to(self, address: str) -> list[str]:
        """Subjects and bodies of what the notifier delivered to ``address``, oldest first."""
        self.desk.deliver(1000)
        return [f"{m.subject}\n{m.body}" for m in self.notifier.sent if m.recipient == address]


def _register(desk: ServiceDesk, manager: Actor) -> None:
    desk.register_customer(
        manager,
        Customer(
            CustomerId("c-zhang"),
            "张伟",
            Contact(
                "张伟",
                phone="13912345678",
                email="zhangwei@example.cn",
                address="上海市浦东新区世纪大道 100 号",
                locale="zh_Hans",
            ),
            CustomerTier.REGULAR,
            region="SH",
        ),
    )
    desk.register_customer(
        manager,
        Customer(
            CustomerId("c-expo"),
            "上海会展中心",
            Contact("刘主任", phone="13811112222", email="expo@example.cn", locale="zh_Hans"),
            CustomerTier.IMPORTANT,
            region="SH",
        ),
    )
    desk.register_product(
        manager,
        Product(
            ProductId("ac-1"),
            "AC-1",
            "商用空调 AC-1",
            "aircon",
            (WarrantyTerm(24),),
            frozenset({"compressor", "fan"}),
        ),
    )
    desk.register_asset(
        manager,
        Asset(
            AssetId("u-zhang"),
            ProductId("ac-1"),
            "SN-AC-0001",
            customer_id=CustomerId("c-zhang"),
            batch="B2025-06",
            purchase_date=date(2025, 6, 1),
        ),
    )
    for eid, name, level, phone in (
        ("eng-jr", "李工", EngineerLevel.JUNIOR, "13700000001"),
        ("eng-sr", "王工", EngineerLevel.SENIOR, "13700000002"),
    ):
        desk.register_engineer(
            manager,
            Engineer(
                EngineerId(eid),
                name,
                level,
                frozenset({"hvac"}),
                "SH",
                contact=Contact(name, phone=phone, locale="zh_Hans"),
            ),
        )


@contextlib.contextmanager
def company(backend: str, tmp_path: Path, pack: str, **options: object) -> Iterator[Company]:
    """A desk of ``pack`` on a fresh store of ``backend`` with the world registered, at :data:`MONDAY`."""
    clock, notifier = ManualClock(MONDAY), MemoryNotifier()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack=pack, clock=clock, staff=STAFF, notifier=notifier, **options) as desk,  # type: ignore[arg-type]
    ):
        world = Company(desk, clock, notifier)
        _register(desk, world.manager)
        yield world
