"""Issues 19, 22 and 26 as a host embeds them, read by a peer tester (session 39, h).

Issue 22 promises JSON at the edge for every public view, with the ledger's "why" rendered in the
reader's language (``to_dict(desk.ticket(...), locale=...)``, the FastAPI example's
``GET /tickets/{id}``); issue 19 puts the money steps in the ticket's history (the 售后问题台账). A repair
whose part went out free and was charged as kept when it did not come back (seed 002 退料 1) could not be
shown at all: the ``materials_checked`` and ``part_charged_back`` steps stored their reasons as bare
codes, which the reasons reader refused, so the page answered 400 "not a reason: 'in_warranty'".

Issue 26 makes plan compliance (done on time / due) a KPI; session 38 made every KPI read through a desk
judged at the desk's clock unless told otherwise. ``scoped_plan_compliance`` was left judging at the
period's end: this month's compliance read on 2 March counted a visit due on 12 March as due and not done.
On memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from examples.fastapi_app.app import create_app
from fastapi.testclient import TestClient
from test_seed002_money import PART, SH, _free_part_received, story

from aftersales import render_reasons, scoped_plan_compliance
from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.events import TicketEvent
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

__all__ = ["story"]

Story = tuple[ServiceDesk, ManualClock, World]
MANAGER = {"X-Actor-Role": "manager", "X-Actor-Id": "mgr-1", "Accept-Language": "en"}
DEALER = {"X-Actor-Role": "dealer_staff", "X-Actor-Id": "chen", "X-Dealer-Id": "dealer-sh"}


@pytest.fixture
def client(story: Story) -> Iterator[TestClient]:
    with TestClient(create_app(desk=story[0], jobs_every=None)) as client:
        yield client


def _why(page: dict[str, Any], action: str) -> list[str]:
    (event,) = [e for e in page["events"] if e["action"] == action]
    return list(event["reasons"])


def test_a_repair_whose_free_part_was_charged_as_kept_shows_its_history_with_the_why(
    story: Story, client: TestClient
) -> None:
    desk, clock, world = story
    ticket_id, _request = _free_part_received(desk, clock, world)  # in warranty: the part goes free
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))  # not back by the end of 2 April: charged as kept
    (charged,) = desk.materials.run_overdue_chargebacks(world.system)

    page = client.get(f"/tickets/{ticket_id}", headers=MANAGER)
    assert page.status_code == 200, page.text
    checked = _why(page.json(), "materials_checked")
    assert checked == [
        "in warranty until Sep 1, 2028",
        'the cause "flush_valve_worn" is not chargeable',
        "in warranty: repaired free of charge",
    ]
    (kept,) = _why(page.json(), "part_charged_back")
    assert kept.startswith(f"part {PART} × 1 not returned by "), kept
    # The dealer that was charged reads its own ticket in Chinese, the why included.
    seen = client.get(f"/tickets/{ticket_id}", headers=DEALER)
    assert seen.status_code == 200, seen.text
    assert any(PART in text for text in _why(seen.json(), "part_charged_back"))
    assert charged.part == PART


def test_a_money_step_stored_by_an_older_version_still_reads() -> None:
    """Stores written before session 39 hold those steps' reasons as bare codes: they still render."""
    event = TicketEvent(
        3, datetime(2026, 3, 2, 10, tzinfo=SH), ActorRef("agent-1", Role.AGENT), "materials_checked",
        "in_progress", "in_progress", payload={"chargeable": False, "reasons": ["in_warranty_free"]},
    )  # fmt: skip
    assert render_reasons(event, "en") == ("in warranty: repaired free of charge",)


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_this_months_plan_compliance_does_not_count_a_visit_not_yet_due(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, clock, w):  # 2 March 2026, 09:00
        desk.maintenance.create_plan(w.manager, asset_id=w.asset.id, first_due=date(2026, 3, 12))
        desk.maintenance.generate_due(w.system)  # the visit of 12 March, made 14 days ahead
        march = (date(2026, 3, 1), date(2026, 3, 31))
        (*_, total) = scoped_plan_compliance(desk, w.manager, *march)
        assert (total.due, total.on_time, total.open) == (0, 0, 1)  # ahead: neither met nor missed
        assert scoped_plan_compliance(desk, w.manager, *march, today=date(2026, 3, 2)) == (*_, total)
        clock.advance(timedelta(days=30))  # 1 April: March's visit was never made
        (*_, total) = scoped_plan_compliance(desk, w.manager, *march)
        assert (total.due, total.on_time, total.open) == (1, 0, 1)
