# mypy: disable-error-code="arg-type"
"""Moving the books' time zone is audited: who moved them, when, from which zone to which (session 22).

``ServiceDesk.move_books_zone`` (session 20) re-dates the months fee slips and free issues count in, so a
month finance was already told of changes with it (docs/operations.md: "tell finance which months were
reported before it"). Its docstring called it a write "recorded as ``move_books_zone``", yet nothing
recorded it: the stamp kept the new zone and the instant only, so neither the auditor nor the heads could
say who moved the books, or from which zone. The move now leaves a ``MasterDataChange`` like every change
of the reference data (record kind ``books_zone``, read with ``desk.master_data_history``). SQLite and
PostgreSQL (a memory store does not outlive its desk).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, register, store_url


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_move_of_the_books_zone_is_in_the_audit(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url:
        with ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF) as desk:
            register(desk, world)  # the first write stamps the desk's zone (Asia/Shanghai)
        ServiceDesk.move_books_zone(url, world.general_manager, "Europe/London", clock=clock)
        ServiceDesk.move_books_zone(url, world.manager, "Europe/London", clock=clock)  # nothing to move
        settings = {"timezone": "Europe/London"}
        with ServiceDesk.open(
            url, pack="office_equipment", clock=clock, staff=STAFF, settings=settings
        ) as desk:
            history = desk.master_data_history(world.auditor, "books_zone", "books")
    assert [(c.command, c.by.id, c.at) for c in history] == [
        ("move_books_zone", world.general_manager.id, START)
    ]
    assert history[0].before is not None and history[0].before["timezone"] == "Asia/Shanghai"
    assert history[0].after["timezone"] == "Europe/London"
