"""A unit registered for, or transferred to, a customer whose personal data was erased (PIPL art. 47).

Opening work for the erased record is refused (``CustomerErased``, session 23), but a unit could still
be registered for it or transferred to it: its tickets, visits and maintenance plan would then attach
to a record nobody can be reached by, and link the erased history to a unit again. Both commands now
refuse with ``CustomerErased`` (naming ``asset.customer_id`` / ``customer_id``) and write nothing; the
erased record's own unit given back as it is still changes nothing. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from hostile import MANAGER, STORES, Opened, opened, seed
from test_privacy import OFFICER

from aftersales import CustomerErased
from aftersales.domain.ids import AssetId, CustomerId, ProductId
from aftersales.domain.products import Asset
from aftersales.i18n.errors import render_error


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def _unit(asset_id: str, owner: str | None) -> Asset:
    return Asset(
        AssetId(asset_id), ProductId("wc-1"), f"SN-{asset_id}", None if owner is None else CustomerId(owner),
        purchase_date=date(2025, 10, 1),
    )  # fmt: skip


def _erased(store: Opened) -> None:
    seed(store.desk, store.clock)
    store.desk.register_asset(MANAGER, _unit("a-8", None))  # a unit nobody owns yet
    store.desk.privacy.erase_customer(OFFICER, "c-1", "the customer asked", cancel_open_tickets=True)
    store.clock.advance(timedelta(minutes=5))


def test_no_unit_is_registered_for_or_transferred_to_an_erased_record(store: Opened) -> None:
    _erased(store)
    desk = store.desk
    before = store.snapshot()
    attempts = {
        "a new unit": (lambda: desk.register_asset(MANAGER, _unit("a-9", "c-1")), "asset.customer_id"),
        "an ownerless unit": (lambda: desk.register_asset(MANAGER, _unit("a-8", "c-1")), "asset.customer_id"),
        "transfer_asset": (
            lambda: desk.transfer_asset(MANAGER, "a-8", customer_id="c-1", reason="二手转卖"),
            "customer_id",
        ),
    }
    for path, (attempt, field) in attempts.items():
        with pytest.raises(CustomerErased) as refused:
            attempt()
        assert (refused.value.field, refused.value.customer_id) == (field, "c-1"), path
        for locale in ("zh_Hans", "zh_Hant", "en"):
            words = render_error(refused.value, locale)
            assert "c-1" in words and "customer_erased" not in words, (path, locale)
    assert store.snapshot() == before


def test_the_erased_records_own_unit_given_back_as_it_is_changes_nothing(store: Opened) -> None:
    _erased(store)
    with store.desk.store() as uow:
        theirs = uow.assets.get("a-1")
    before = store.snapshot()
    store.desk.register_asset(MANAGER, theirs)
    assert store.snapshot() == before
