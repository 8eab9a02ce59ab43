"""The web example (examples/fastapi_app) carries a repair through the desk's own lifecycle, on every store.

Its steps are the desk's commands with the desk's rules: the fault record the pack asks for before the
repair is resolved (seed 002: 故障描述→故障原因→处理措施), the customer's acceptance or rejection (seed 003:
服务单由客户签字确认), the callback before the close (回访 → 关闭). The API used to offer no way to record the
fault record, the customer's rejection or the callback (so no repair could be resolved or closed through
it) and asked a reason to close that the desk does not ask.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from examples.fastapi_app.app import create_app
from fastapi.testclient import TestClient
from tests.unit.embedding_world import START, small_desk

from aftersales.adapters.clock import ManualClock
from conftest import store_url

AGENT = {"X-Actor-Role": "agent", "X-Actor-Id": "agent-li"}
MANAGER = {"X-Actor-Role": "manager", "X-Actor-Id": "mgr-zhou"}
WANG = {"X-Actor-Role": "customer", "X-Actor-Id": "wang", "X-Customer-Id": "wang"}


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    with store_url(request.param, tmp_path, "app.db") as url:
        desk = small_desk(url, clock=ManualClock(START))
        try:
            with TestClient(create_app(desk=desk, jobs_every=None)) as client:
                yield client
        finally:
            desk.shutdown()


def _step(client: TestClient, ticket_id: str, step: str, who: dict[str, str], **body: Any) -> Any:
    return client.post(f"/tickets/{ticket_id}/steps/{step}", json=body, headers=who)


def _state(response: Any) -> str:
    assert response.status_code == 200, response.text
    return str(response.json()["ticket"]["state"])


def test_a_repair_goes_from_the_call_to_closed_through_the_api_under_the_desks_rules(
    client: TestClient,
) -> None:
    opened = client.post("/tickets", json={"customer_id": "wang", "description": "马桶漏水"}, headers=AGENT)
    assert opened.status_code == 201, opened.text
    tid = str(opened.json()["ticket"]["id"])
    assert _state(_step(client, tid, "triage", AGENT, nature="leak", severity="medium", plan="on_site"))
    assert _state(_step(client, tid, "dispatch", AGENT)) == "assigned"
    assert _state(_step(client, tid, "start_work", MANAGER)) == "in_progress"

    refused = _step(client, tid, "resolve", MANAGER, summary="更换密封圈")
    assert refused.status_code == 409
    assert (refused.json()["error"], refused.json()["field"]) == ("FaultRecordRequired", "fault_records")
    fault = {"symptom": "leak", "cause": "seal", "action": "replace_seal"}
    assert _state(_step(client, tid, "fault", MANAGER, **fault)) == "in_progress"
    assert _state(_step(client, tid, "resolve", MANAGER, summary="更换密封圈")) == "resolved"

    assert _step(client, tid, "reject", WANG).json()["field"] == "reason"  # the desk needs a reason too
    assert _state(_step(client, tid, "reject", WANG, reason="还在滴水")) == "rework"
    assert _state(_step(client, tid, "start_work", MANAGER)) == "in_progress"
    assert _state(_step(client, tid, "resolve", MANAGER, summary="再次紧固")) == "resolved"
    assert _state(_step(client, tid, "confirm", WANG)) == "accepted"

    early = _step(client, tid, "close", AGENT)
    assert early.status_code == 409 and "callback" in early.json()["message"]
    assert _state(_step(client, tid, "callback", AGENT, problem_back=False, satisfaction=5)) == "accepted"
    assert _state(_step(client, tid, "close", AGENT)) == "closed"  # no reason asked, as on the desk
