"""Ticket numbers taken a batch at a time are the numbers one at a time would give (issue 26)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.memory import open_memory
from aftersales.adapters.sqlite import open_sqlite
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.service.numbering import TicketCounter, next_number, next_numbers

NOW = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    if request.param == "memory":
        return open_memory()
    return open_sqlite(f"sqlite:///{tmp_path}/numbers.db")


def test_a_batch_continues_the_sequence_and_the_next_single_number_follows(store: StoreFactory) -> None:
    with store() as uow:
        assert next_numbers(uow, "ticket", NOW, 3) == ["SR-2026-000001", "SR-2026-000002", "SR-2026-000003"]
        assert next_number(uow, "ticket", NOW) == "SR-2026-000004"
        assert next_numbers(uow, "complaint", NOW, 2) == ["CP-2026-000001", "CP-2026-000002"]
        assert next_numbers(uow, "ticket", NOW, 2) == ["SR-2026-000005", "SR-2026-000006"]
        uow.commit()
    with store() as uow:
        assert uow.documents.get(TicketCounter, "ticket:2026").last == 6
        assert (
            next_number(uow, "ticket", NOW.replace(year=2027)) == "SR-2027-000001"
        )  # a new year starts over


def test_taking_no_numbers_writes_nothing(store: StoreFactory) -> None:
    with store() as uow:
        assert next_numbers(uow, "ticket", NOW, 0) == []
        uow.commit()
    with store() as uow:
        assert next_number(uow, "ticket", NOW) == "SR-2026-000001"


def test_numbers_of_a_rolled_back_batch_are_taken_again(store: StoreFactory) -> None:
    with store() as uow:
        next_numbers(uow, "ticket", NOW, 5)  # no commit: the transaction is dropped
    with store() as uow:
        assert next_numbers(uow, "ticket", NOW, 1) == ["SR-2026-000001"]
