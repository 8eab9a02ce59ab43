"""A month's money figures agree on memory (JSON summed in Python), SQLite and PostgreSQL (index sums)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.fee_slips import FeeSlip, MaterialsMovement, MovementKind, SlipPayment
from aftersales.domain.money import Money
from aftersales.errors import UnknownCurrency, ValidationError
from aftersales.ports.storage_registry import open_storage
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.reports.money import month_money, slip_cost_totals

DSN = os.environ.get("AFTERSALES_PG_DSN")
SH = ZoneInfo("Asia/Shanghai")
WHO = ActorRef("s1", Role.DEALER_STAFF)
AT = datetime(2026, 3, 5, 10, tzinfo=SH)


def _line(kind: ChargeKind, item: str, amount: str, quantity: int = 1, chargeable: bool = True) -> ChargeLine:
    return ChargeLine(kind, item, Money(amount, "CNY"), quantity, chargeable)


def _fill(store: StoreFactory) -> None:
    with store() as uow:
        paid = FeeSlip(
            "FS-1", "T-1", "c1", "CNY", AT, WHO, "2026-03",
            (
                _line(ChargeKind.MATERIALS, "WN-CB-01", "120.00", 2),
                _line(ChargeKind.TRAVEL, "pudong", "30", 1, False),
            ),
            dealer_id="D1",
        )  # fmt: skip
        paid.record_payment(SlipPayment(Money("100.29", "CNY"), "cash", AT, WHO))
        uow.documents.add(paid)
        uow.documents.add(
            FeeSlip("FS-2", "T-2", "D1", "CNY", AT, WHO, "2026-03",
                    (_line(ChargeKind.MATERIALS, "A.1/2", "0.29", 3),),
                    dealer_id="D1", payer_kind="dealer", payer_id="D1")
        )  # fmt: skip
        cancelled = FeeSlip(
            "FS-3", "T-3", "c3", "CNY", AT, WHO, "2026-03", (_line(ChargeKind.LABOUR, "x", "999"),)
        )
        cancelled.cancel(WHO, AT + timedelta(hours=1), "wrong ticket")
        uow.documents.add(cancelled)
        uow.documents.add(
            FeeSlip("FS-4", "T-4", "c4", "CNY", AT, WHO, "2026-03", (_line(ChargeKind.LABOUR, "y", "50"),),
                    dealer_id="D2")
        )  # fmt: skip
        uow.documents.add(
            FeeSlip("FS-5", "T-5", "c5", "CNY", AT, WHO, "2026-04", (_line(ChargeKind.LABOUR, "z", "70"),))
        )
        uow.documents.add(
            MaterialsMovement("MM-1", MovementKind.ISSUED_FREE, "T-6", "2026-03", AT, WHO,
                              (_line(ChargeKind.MATERIALS, "WN-CB-01", "75.00", 2, False),), "D1")
        )  # fmt: skip
        uow.documents.add(
            MaterialsMovement("MM-2", MovementKind.RETURNED, "T-6", "2026-03", AT, WHO,
                              (_line(ChargeKind.MATERIALS, "WN-CB-01", "75.00", 2, False),), "D1")
        )  # fmt: skip
        uow.commit()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    schema = None
    if request.param == "memory":
        url = "memory://"
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'm.db'}"
    else:
        if not DSN:
            pytest.skip("AFTERSALES_PG_DSN is not set")
        schema = f"mf_{uuid.uuid4().hex[:16]}"
        url = f"{DSN}{'&' if '?' in DSN else '?'}schema={schema}"
    factory = open_storage(url)
    _fill(factory)
    yield factory
    factory.close()
    if schema is not None:
        import psycopg

        with psycopg.connect(DSN or "", autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_month_figures(store: StoreFactory) -> None:
    with store() as uow:
        march = month_money(uow.documents, "2026-03")
        d1 = month_money(uow.documents, "2026-03", dealer_id="D1")
        empty = month_money(uow.documents, "2026-05")
        count, kinds = slip_cost_totals(uow.documents, ["2026-03", "2026-04"])
    assert march.slips == 3  # the cancelled one and April's are out
    assert march.income == Money("290.87", "CNY")  # 240 + 0.87 + 50
    assert dict(march.income_by_payer) == {"customer": Money("290.00", "CNY"), "dealer": Money("0.87", "CNY")}
    assert march.paid == Money("100.29", "CNY")
    assert march.cost == Money("180.00", "CNY")  # 30 free travel + 150 free issue; returns cost nothing
    assert march.ticket_count == 4 and march.cost_per_ticket == Money("45.00", "CNY")
    assert march.ticket("T-6").cost == Money("150.00", "CNY") and march.ticket("T-1").income == Money(
        240, "CNY"
    )
    assert march.tickets["T-2"].income == Money("0.87", "CNY")
    assert d1.income == Money("240.87", "CNY") and d1.ticket_count == 3
    assert empty.income == Money(0, "CNY") and empty.cost_per_ticket is None
    assert kinds == {"travel": Decimal("30.00"), "materials": Decimal("150.00")} and count == 5


def test_bad_month_or_currency_is_refused(store: StoreFactory) -> None:
    with store() as uow:
        with pytest.raises(ValidationError) as info:
            month_money(uow.documents, "2026-13")
        assert info.value.field == "month"
        with pytest.raises(UnknownCurrency):
            month_money(uow.documents, "2026-03", currency="XXQ")
