# mypy: disable-error-code="arg-type"
"""A service desk on SQLite for acceptance tests: the bathroom-fixture maker of seed 002.

The maker (上海维娜斯洁具) sells through authorised dealers (特约承销商); the dealer of the customer's
territory performs the service. Reference data: two customers (one reads Chinese in Shanghai, one
reads English in London), two dealers in two regions, engineers (junior, senior, a dealer's), a
toilet model with its warranty and one installed unit. Staff contacts are configured per role so
escalations and SLA alerts have someone to reach. The clock is manual: tests move time themselves.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest
from tests.acceptance.store_templates import fresh_sqlite_file, migrated_pg_schema

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, EngineerId, ProductId
from aftersales.domain.parties import Customer, CustomerTier, Dealer, Engineer, EngineerLevel
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.policies.fees import PartPriceEntry
from aftersales.policies.kinds import import_builtin_kinds
from aftersales.policies.pack import load_pack
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
"""Monday 2 March 2026, 09:00 in Shanghai: a working day."""

STAFF: dict[Role, list[Contact]] = {
    Role.MANAGER: [Contact("王经理", email="manager@venus.example", locale="zh_Hans")],
    Role.DEPARTMENT_HEAD: [Contact("Dept Head", email="head@venus.example", locale="en")],
    Role.GENERAL_MANAGER: [Contact("总经理", phone="13800000009", locale="zh_Hans")],
    Role.AGENT: [Contact("客服小李", email="callcentre@venus.example", locale="zh_Hans")],
}


@attrs.frozen
class World:
    """The reference data of the maker, and an actor for every role."""

    cust_zh: Customer
    cust_en: Customer
    dealer_sh: Dealer
    dealer_bj: Dealer
    eng_junior: Engineer
    eng_senior: Engineer
    eng_dealer: Engineer
    product: Product
    asset: Asset

    agent: Actor = attrs.field(factory=lambda: Actor.agent("agent-1", "客服小李"))
    manager: Actor = attrs.field(factory=lambda: Actor.manager("mgr-1", "王经理"))
    department_head: Actor = attrs.field(factory=lambda: Actor.department_head("head-1"))
    general_manager: Actor = attrs.field(factory=lambda: Actor.general_manager("gm-1"))
    auditor: Actor = attrs.field(factory=lambda: Actor.auditor("audit-1"))
    system: Actor = attrs.field(factory=Actor.system)

    @property
    def customer_zh(self) -> Actor:
        """The Chinese-speaking customer acting on its own tickets."""
        return Actor.customer(self.cust_zh.id)

    @property
    def customer_en(self) -> Actor:
        """The English-speaking customer."""
        return Actor.customer(self.cust_en.id)

    @property
    def dealer_sh_staff(self) -> Actor:
        """Staff of the Shanghai dealer (the territory of both customers)."""
        return Actor.dealer_staff("sh-staff-1", self.dealer_sh.id, {"SH"})

    @property
    def dealer_bj_staff(self) -> Actor:
        """Staff of the Beijing dealer: another region."""
        return Actor.dealer_staff("bj-staff-1", self.dealer_bj.id, {"BJ"})

    @property
    def junior(self) -> Actor:
        """The maker's junior engineer."""
        return Actor.engineer(self.eng_junior.id, self.eng_junior.name, team="team-east")

    @property
    def senior(self) -> Actor:
        """The maker's senior engineer."""
        return Actor.engineer(self.eng_senior.id, self.eng_senior.name, team="team-east")


def make_world() -> World:
    """The seed-002 reference data (not yet registered anywhere)."""
    dealer_sh = Dealer(
        DealerId("dealer-sh"),
        "上海浦东特约承销商",
        "SH",
        frozenset({"SH"}),
        Contact("陈店长", phone="13900000001", email="service@pudong-dealer.example", locale="zh_Hans"),
    )
    dealer_bj = Dealer(
        DealerId("dealer-bj"),
        "北京朝阳特约承销商",
        "BJ",
        frozenset({"BJ"}),
        Contact("赵店长", email="service@chaoyang-dealer.example", locale="zh_Hans"),
    )
    cust_zh = Customer(
        CustomerId("cust-zh"),
        "张伟",
        Contact(
            "张伟",
            phone="13912345678",
            email="zhangwei@example.cn",
            address="上海市浦东新区世纪大道 100 号",
            locale="zh_Hans",
            timezone="Asia/Shanghai",
        ),
        CustomerTier.REGULAR,
        region="SH",
        dealer_id=dealer_sh.id,
    )
    cust_en = Customer(
        CustomerId("cust-en"),
        "Alice Smith",
        Contact(
            "Alice Smith",
            email="alice@example.co.uk",
            address="1 Bund Road, Shanghai",
            locale="en",
            timezone="Europe/London",
        ),
        CustomerTier.VIP,
        region="SH",
        dealer_id=dealer_sh.id,
    )
    product = Product(
        ProductId("wc-100"),
        "WC-100",
        "智能马桶 WC-100",
        "toilet",
        (WarrantyTerm(36), WarrantyTerm(60, component="ceramic_body")),
        frozenset({"ceramic_body", "flush_valve", "seat"}),
    )
    asset = Asset(
        AssetId("asset-1"),
        product.id,
        "SN-2025-0001",
        customer_id=cust_zh.id,
        batch="B2025-07",
        purchase_date=date(2025, 9, 1),
        installation_accepted_on=date(2025, 9, 3),  # installed: past the out-of-box phase (seed 002)
        dealer_id=dealer_sh.id,
    )
    engineer_contact = Contact("李工", phone="13700000001", email="li.gong@venus.example", locale="zh_Hans")
    eng_junior = Engineer(
        EngineerId("eng-jr"),
        "李工",
        EngineerLevel.JUNIOR,
        frozenset({"plumbing"}),
        "SH",
        team="team-east",
        contact=engineer_contact,
    )
    eng_senior = Engineer(
        EngineerId("eng-sr"),
        "Wang Senior",
        EngineerLevel.SENIOR,
        frozenset({"plumbing", "electrics"}),
        "SH",
        team="team-east",
        contact=Contact("Wang Senior", email="wang.sr@venus.example", locale="en"),
    )
    eng_dealer = Engineer(
        EngineerId("eng-dealer-sh"),
        "浦东师傅",
        EngineerLevel.JUNIOR,
        frozenset({"plumbing"}),
        "SH",
        dealer_id=dealer_sh.id,
        contact=Contact("浦东师傅", phone="13600000001"),
    )
    return World(cust_zh, cust_en, dealer_sh, dealer_bj, eng_junior, eng_senior, eng_dealer, product, asset)


def register(desk: ServiceDesk, world: World) -> None:
    """Register ``world``'s reference data through the desk, as the manager would."""
    manager = world.manager
    for dealer in (world.dealer_sh, world.dealer_bj):
        desk.register_dealer(manager, dealer)
    for engineer in (world.eng_junior, world.eng_senior, world.eng_dealer):
        desk.register_engineer(manager, engineer)
    desk.register_product(manager, world.product)
    for customer in (world.cust_zh, world.cust_en):
        desk.register_customer(manager, customer)
    desk.register_asset(manager, world.asset)


def open_desk(db: Path, clock: ManualClock, notifier: MemoryNotifier | None = None) -> ServiceDesk:
    """A desk of the sanitary-ware pack on the SQLite file ``db``."""
    return ServiceDesk.open(
        f"sqlite:///{db}", pack="sanitary_ware", clock=clock, notifier=notifier, staff=STAFF
    )


@contextlib.contextmanager
def pg_schema_url() -> Iterator[str]:
    """A store URL on a private, throw-away schema of ``AFTERSALES_PG_DSN`` (the test skips without it)."""
    dsn = os.environ.get("AFTERSALES_PG_DSN")
    if not dsn:
        pytest.skip("AFTERSALES_PG_DSN is not set")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    sep = "&" if "?" in dsn else "?"
    try:
        yield f"{dsn}{sep}schema={schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


_LOCK_WAITERS = """
SELECT count(*) FROM pg_stat_activity AS a
WHERE a.datname = current_database() AND a.wait_event_type = 'Lock'
  AND a.pid <> pg_backend_pid() AND a.pid <> ALL(%(besides)s)
  AND EXISTS (
    SELECT 1 FROM pg_locks AS l
    JOIN pg_class AS c ON c.oid = l.relation
    JOIN pg_namespace AS n ON n.oid = c.relnamespace
    WHERE l.pid = a.pid AND n.nspname = %(schema)s
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  )
"""
"""Backends waiting for a lock that hold (or wait for) a lock on a table of the schema: a race test's own
connections. Other test processes share the database with their own schemas, and their waits are not
this test's: counting every waiting backend of the database let a race go on before it had formed."""


def lock_waited(
    dsn: str,
    schema: str,
    *,
    besides: Collection[int] = (),
    timeout: float = 30.0,
    going: Callable[[], bool] | None = None,
) -> bool:
    """Whether a backend working in ``schema`` of ``dsn`` (other than those in ``besides``) waits for a
    lock, polled until it does (``True``), ``timeout`` seconds passed or ``going()`` turned false."""
    import psycopg

    deadline = time.monotonic() + timeout
    with psycopg.connect(dsn, autocommit=True) as conn:
        while time.monotonic() < deadline and (going is None or going()):
            row = conn.execute(_LOCK_WAITERS, {"besides": list(besides), "schema": schema}).fetchone()
            if row is not None and row[0] > 0:
                return True
            time.sleep(0.005)  # polling what the server reports, not waiting for a guess
    return False


@contextlib.contextmanager
def store_url(backend: str, tmp_path: Path, name: str = "desk.db", *, fresh: bool = False) -> Iterator[str]:
    """The URL of a fresh store of ``backend``: ``memory``, ``sqlite`` (``name`` in ``tmp_path``, no file
    yet) or ``postgres``: a schema as a first open leaves it (:func:`migrated_pg_url`), or with ``fresh``
    none yet (:func:`pg_schema_url`, for tests of what an open makes or refuses to make); the test skips
    without a DSN."""
    if backend == "postgres":
        with migrated_pg_url() if not fresh else pg_schema_url() as url:
            yield url
    else:
        yield "memory://" if backend == "memory" else f"sqlite:///{tmp_path / name}"


@contextlib.contextmanager
def migrated_pg_url() -> Iterator[str]:
    """A store URL on a schema of ``AFTERSALES_PG_DSN`` as a first open leaves it, one an earlier test of
    the process used and made so again or a new one (:func:`.store_templates.migrated_pg_schema`; the test
    skips without a DSN): for a desk a test opens and fills, not for tests of making or migrating one."""
    dsn = os.environ.get("AFTERSALES_PG_DSN")
    if not dsn:
        pytest.skip("AFTERSALES_PG_DSN is not set")
    with migrated_pg_schema(dsn) as schema:
        yield f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"


@contextlib.contextmanager
def _made_store_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """:func:`store_url`, the SQLite file a copy of a migrated template and the PostgreSQL schema one as a
    first open leaves it (:mod:`.store_templates`): for the desks below, which open and register (tests
    that a refused open makes no file or schema use :func:`store_url`)."""
    if backend == "postgres":
        with migrated_pg_url() as url:
            yield url
        return
    with store_url(backend, tmp_path) as url:
        if backend == "sqlite":
            fresh_sqlite_file(tmp_path / "desk.db")
        yield url


def priced_fees(pack: str, parts: Mapping[str, tuple[str, str]]) -> object:
    """``pack``'s own fees policy with a parts price list (part → cost, retail): the materials desk takes a
    request only for parts on it (session 37), and the packs ship none (the seeds name no prices)."""
    kind = import_builtin_kinds()["fees"]
    params = load_pack(pack).params(kind)
    return kind.build(attrs.evolve(params, parts={p: PartPriceEntry(*prices) for p, prices in parts.items()}))


@contextlib.contextmanager
def world_desk(
    backend: str, tmp_path: Path, pack: str = "office_equipment", **options: object
) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    """A desk of ``pack`` on a fresh store of ``backend`` with the world registered, its manual clock at
    :data:`START`; ``options`` go to :meth:`ServiceDesk.open` (overrides, notifier …)."""
    clock, world = ManualClock(START), make_world()
    with (
        _made_store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack=pack, clock=clock, staff=STAFF, **options) as desk,  # type: ignore[arg-type]
    ):
        register(desk, world)
        yield desk, clock, world


@contextlib.contextmanager
def noticed_desk(
    backend: str, tmp_path: Path, pack: str
) -> Iterator[tuple[ServiceDesk, ManualClock, World, MemoryNotifier]]:
    """:func:`world_desk` of ``pack`` with a :class:`MemoryNotifier`, handed out beside it (what it sent)."""
    notifier = MemoryNotifier()
    with world_desk(backend, tmp_path, pack=pack, notifier=notifier) as (desk, clock, world):
        yield desk, clock, world, notifier


@contextlib.contextmanager
def two_desks(
    backend: str, tmp_path: Path, pack: str = "sanitary_ware"
) -> Iterator[tuple[ServiceDesk, ServiceDesk, World]]:
    """Two desks of ``pack`` on one fresh store of ``backend`` (as two processes of a host open it), the
    world registered through the first, one manual clock at :data:`START`. A memory store lives in one
    process: both are the same desk."""
    clock, world = ManualClock(START), make_world()
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(_made_store_url(backend, tmp_path))

        def open_desk() -> ServiceDesk:
            return stack.enter_context(ServiceDesk.open(url, pack=pack, clock=clock, staff=STAFF))

        first = open_desk()
        register(first, world)
        yield first, first if backend == "memory" else open_desk(), world


def table_count(db: Path, table: str) -> int:
    """Rows in ``table`` of the SQLite file ``db``, read through a separate connection."""
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the desk's SQLite file lives."""
    return tmp_path / "desk.db"


@pytest.fixture
def clock() -> ManualClock:
    """A manual clock at Monday 2 March 2026, 09:00 Shanghai."""
    return ManualClock(START)


@pytest.fixture
def notifier() -> MemoryNotifier:
    """Collects delivered notifications."""
    return MemoryNotifier()


@pytest.fixture
def world() -> World:
    """The seed-002 reference data and actors."""
    return make_world()


@pytest.fixture
def desk(db_path: Path, clock: ManualClock, notifier: MemoryNotifier, world: World) -> Iterator[ServiceDesk]:
    """A desk on SQLite in ``tmp_path`` (a copy of a migrated file) with the reference data registered."""
    with open_desk(fresh_sqlite_file(db_path), clock, notifier) as service_desk:
        register(service_desk, world)
        yield service_desk
