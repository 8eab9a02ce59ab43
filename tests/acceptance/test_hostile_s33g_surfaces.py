"""Hostile round on the host's surfaces (session 33 g): what a refusal shows a person; the FastAPI example.

1. ``render_error`` escaped the field, the key and the rule of a refusal, but not the id, key or code it
   quotes. Ids the library checks itself never hold a control character, but a host raises the library's
   errors too — the FastAPI example answers an unknown step with ``NotFound("step", step)``, the step as the
   URL gave it — and ``/tickets/x/steps/%E2%80%AE…`` put a bidi override (or a NUL, an escape sequence) into
   the ``text`` shown to the person at the screen. Every fact a rendered refusal quotes is now escaped as the
   field is (``\\u202e`` written out); the logs' ``message`` was already ``repr``-quoted.
2. The example's ``resolve`` step read ``remote`` with ``bool()``: ``{"remote": "false"}`` resolved the
   ticket as remote guidance. It now passes the value on and the desk refuses anything but true or false
   (400 naming ``remote``), as it refuses ``remote="false"`` from Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from examples.fastapi_app.app import STEP_FIELDS, STEPS, create_app
from fastapi.testclient import TestClient
from tests.unit.embedding_world import START, small_desk

from aftersales import render_error
from aftersales.adapters.clock import ManualClock
from aftersales.errors import (
    AftersalesError,
    ConcurrencyConflict,
    CustomerErased,
    FaultRecordRequired,
    IdempotencyKeyReused,
    NotFound,
    UnknownCurrency,
)
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

HOSTILE = ["\u202eevil", "a\x00b", "\x1b[2Jgone", "x\u2066y\u2069", "line\nbreak", "\ud800"]
AGENT = {"X-Actor-Role": "agent", "X-Actor-Id": "agent-li"}
DEALER_STAFF = {"X-Actor-Role": "dealer_staff", "X-Actor-Id": "pd-1", "X-Dealer-Id": "pudong"}
MANAGER = Actor.manager("mgr-zhou")


def _errors(text: str) -> list[AftersalesError]:
    return [
        NotFound("step", text),
        ConcurrencyConflict("ticket", text, 1, 2),
        IdempotencyKeyReused("note_to_customer", text),
        UnknownCurrency(text),
        CustomerErased(text),
        FaultRecordRequired(
            workflow="service", state="in_progress", ticket_id=text, command="resolve", category="repair"
        ),
    ]


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
@pytest.mark.parametrize("text", HOSTILE, ids=["bidi", "nul", "escape", "isolate", "newline", "surrogate"])
def test_a_rendered_refusal_shows_no_control_of_the_text_it_quotes(locale: str, text: str) -> None:
    for error in _errors(text):
        shown = render_error(error, locale)
        assert shown.isprintable(), (type(error).__name__, shown)
        shown.encode("utf-8")  # no lone surrogate: a page or a terminal can hold it


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_plain_chinese_ids_are_shown_as_they_are(locale: str) -> None:
    shown = render_error(NotFound("ticket", "ＳＲ-２０２６ 工单"), locale)
    assert "ＳＲ-２０２６ 工单" in shown


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[ServiceDesk]:
    desk = small_desk(f"sqlite:///{tmp_path}/api.db", clock=ManualClock(START))
    yield desk
    desk.shutdown()


@pytest.fixture
def client(desk: ServiceDesk) -> Iterator[TestClient]:
    with TestClient(create_app(desk=desk, jobs_every=None)) as client:
        yield client


def test_the_example_shows_an_unknown_step_without_its_controls(client: TestClient) -> None:
    response = client.post("/tickets/SR-2026-000001/steps/%E2%80%AEpets%00", json={}, headers=AGENT)
    assert response.status_code == 404
    body = response.json()
    assert body["text"].isprintable() and "\\u202e" in body["text"]


def _working(client: TestClient) -> str:
    opened = client.post("/tickets", json={"customer_id": "wang", "description": "马桶漏水"}, headers=AGENT)
    ticket_id = str(opened.json()["ticket"]["id"])
    steps = [
        ("triage", {"nature": "leak", "severity": "medium", "plan": "on_site"}, AGENT),
        ("dispatch", {}, AGENT),
    ]
    for step, body, headers in steps:
        response = client.post(f"/tickets/{ticket_id}/steps/{step}", json=body, headers=headers)
        assert response.status_code == 200, response.text
    return ticket_id


def test_the_examples_resolve_takes_remote_as_sent(client: TestClient, desk: ServiceDesk) -> None:
    ticket_id = _working(client)  # dispatched to the Pudong dealer, whose staff do the job
    staff = {**DEALER_STAFF, "X-Regions": "sh-pudong"}
    assert client.post(f"/tickets/{ticket_id}/steps/start_work", headers=staff).status_code == 200
    fault = {"symptom": "leak", "cause": "seal_worn", "action": "replace_part", "part": "flush_valve"}
    recorded = client.post(f"/tickets/{ticket_id}/steps/fault", json=fault, headers=staff)
    assert recorded.status_code == 200, recorded.text
    refused = client.post(f"/tickets/{ticket_id}/steps/resolve", json={"remote": "false"}, headers=staff)
    assert (refused.status_code, refused.json()["field"]) == (400, "remote")
    assert desk.ticket(MANAGER, ticket_id).state == "in_progress"  # nothing changed
    resolved = client.post(f"/tickets/{ticket_id}/steps/resolve", json={"remote": False}, headers=staff)
    assert resolved.status_code == 200, resolved.text
    events = resolved.json()["events"]
    assert [e["payload"]["remote"] for e in events if e["action"] == "resolve"] == [False]


def test_the_example_refuses_a_body_field_it_does_not_read(client: TestClient, desk: ServiceDesk) -> None:
    """Session 39: every route ignored a field it does not read: ``{"urgent": true}`` at intake answered
    201 with an ordinary ticket, a misspelt ``"reasons"`` cancelled the ticket without its reason."""
    assert set(STEP_FIELDS) == set(STEPS)  # every step says what it reads
    urgent = {"customer_id": "wang", "description": "马桶漏水", "urgent": True}
    refused = client.post("/tickets", json=urgent, headers=AGENT)
    assert (refused.status_code, refused.json()["field"]) == (400, "urgent")
    assert desk.count(MANAGER) == 0  # nothing stored
    ticket_id = _working(client)
    misspelt = client.post(f"/tickets/{ticket_id}/steps/cancel", json={"reasons": "客户取消"}, headers=AGENT)
    assert (misspelt.status_code, misspelt.json()["field"]) == (400, "reasons")
    assert desk.ticket(MANAGER, ticket_id).state == "assigned"
    hostile = client.post(
        f"/tickets/{ticket_id}/steps/dispatch", json={"\u202e" + "x" * 100: 1}, headers=AGENT
    )
    assert hostile.status_code == 400 and hostile.json()["text"].isprintable()
