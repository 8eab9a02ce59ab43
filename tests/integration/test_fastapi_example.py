"""The FastAPI example (examples/fastapi_app) through Starlette's TestClient: routes, errors, jobs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from examples.fastapi_app.app import create_app
from fastapi.testclient import TestClient
from tests.unit.embedding_world import START, small_desk

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.service.desk import ServiceDesk

AGENT = {"X-Actor-Role": "agent", "X-Actor-Id": "agent-li"}
MANAGER = {"X-Actor-Role": "manager", "X-Actor-Id": "mgr-zhou"}
WANG = {"X-Actor-Role": "customer", "X-Actor-Id": "wang", "X-Customer-Id": "wang"}
OTHER = {"X-Actor-Role": "customer", "X-Actor-Id": "li", "X-Customer-Id": "li"}


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[ServiceDesk]:
    desk = small_desk(f"sqlite:///{tmp_path}/api.db", clock=ManualClock(START))
    yield desk
    desk.shutdown()


@pytest.fixture
def client(desk: ServiceDesk) -> Iterator[TestClient]:
    with TestClient(create_app(desk=desk, jobs_every=None)) as client:
        yield client


def _open(client: TestClient) -> str:
    response = client.post("/tickets", json={"customer_id": "wang", "description": "马桶漏水"}, headers=AGENT)
    assert response.status_code == 201, response.text
    return str(response.json()["ticket"]["id"])


def test_intake_steps_ledger_sla_and_progress(client: TestClient) -> None:
    ticket_id = _open(client)
    triaged = client.post(
        f"/tickets/{ticket_id}/steps/triage",
        json={"nature": "leak", "severity": "medium", "plan": "on_site"},
        headers={**AGENT, "Accept-Language": "en"},
    )
    assert triaged.status_code == 200, triaged.text
    data = triaged.json()
    assert data["$type"] == "CommandResult" and data["ticket"]["state"] == "triaged"
    assert data["ticket"]["received_at"].endswith("+08:00")
    assert data["ticket"]["received_at_zone"] == "Asia/Shanghai"
    datetime.fromisoformat(data["ticket"]["resolution_due_at"])
    assert all("text" in r for r in data["decisions"][0]["reasons"])  # reasons in the reader's language
    dispatched = client.post(f"/tickets/{ticket_id}/steps/dispatch", headers=AGENT)
    assert dispatched.json()["ticket"]["assignee"]["id"] == "pudong"
    ledger = client.get("/ledger", params={"state": "assigned"}, headers=MANAGER).json()
    assert [t["id"] for t in ledger["items"]] == [ticket_id]
    sla = client.get(f"/tickets/{ticket_id}/sla", headers=MANAGER).json()
    assert {t["target"]["name"] for t in sla["targets"]} >= {"response", "resolution"}
    progress = client.get(f"/tickets/{ticket_id}/progress", headers=WANG).json()
    assert progress["next_step"] == "engineer_on_the_way"
    page = client.get(f"/tickets/{ticket_id}/progress.html", headers=WANG)
    assert page.status_code == 200 and ticket_id in page.text and "<h1>" in page.text
    assert "已派工" in page.text  # the state in the customer's words (zh_Hans by default)
    english = client.get(f"/tickets/{ticket_id}/progress.html", headers={**WANG, "Accept-Language": "en"})
    assert "lang='en'" in english.text and "已派工" not in english.text


def test_typed_errors_become_400_403_404_409(client: TestClient) -> None:
    ticket_id = _open(client)
    missing = client.post("/tickets", json={"customer_id": "wang"}, headers=AGENT)
    assert (missing.status_code, missing.json()["field"]) == (400, "description")
    bad_enum = client.post(
        f"/tickets/{ticket_id}/steps/triage", json={"nature": "x", "severity": "huge"}, headers=AGENT
    )
    assert (bad_enum.status_code, bad_enum.json()["field"]) == (400, "severity")
    assert client.get("/tickets/SR-1999-000001", headers=AGENT).status_code == 404
    assert client.get(f"/tickets/{ticket_id}", headers=OTHER).status_code == 404  # not theirs: unknown
    assert client.post(f"/tickets/{ticket_id}/steps/dispatch", headers=WANG).status_code in (403, 404)
    assert client.get("/kpis/monthly/2026/3", headers=AGENT).status_code == 403
    refused = client.post(f"/tickets/{ticket_id}/steps/confirm", headers=AGENT)
    assert refused.status_code == 409
    # The words for the agent, in the language it asked for; the message (ids, codes) for the logs.
    assert refused.json()["text"] == f"{ticket_id}：工单处于“新建”状态，不能执行“客户确认”"
    english = client.post(
        f"/tickets/{ticket_id}/steps/confirm", headers={**AGENT, "Accept-Language": "en-GB"}
    )
    assert english.json()["text"].startswith(f"{ticket_id}: ") and "confirm" in english.json()["message"]
    assert client.post(f"/tickets/{ticket_id}/steps/fly", headers=AGENT).status_code == 404
    assert client.get("/ledger", headers={"X-Actor-Role": "king", "X-Actor-Id": "k"}).status_code == 400
    assert client.get("/ledger").status_code == 422  # no actor headers at all: FastAPI's own answer


def test_monthly_kpis_use_local_months(client: TestClient) -> None:
    _open(client)
    march = client.get("/kpis/monthly/2026/3", headers=MANAGER)
    assert march.status_code == 200, march.text
    data = march.json()
    assert data["$type"] == "KpiReport"
    assert data["period"]["start"] == "2026-03-01T00:00:00+08:00"
    assert data["total"]["counts"]["tickets"] == 1
    assert client.get("/kpis/monthly/2026/13", headers=MANAGER).status_code == 400


def test_the_lifespan_runs_the_jobs_and_dead_letters_are_retried(tmp_path: Path) -> None:
    class Down:
        def send(self, message: object) -> None:
            raise ConnectionError("gateway down")

    clock = ManualClock(START)
    desk = small_desk(f"sqlite:///{tmp_path}/jobs.db", clock=clock, notifier=Down())
    with TestClient(create_app(desk=desk, jobs_every=0.05)) as client:
        _open(client)
        deadline = time.monotonic() + 60
        while not any(x.last_finished_at for x in desk.jobs.leases() if x.id == "deliver"):
            assert time.monotonic() < deadline, "the lifespan never ran the jobs"
            time.sleep(0.05)
    # The loop stopped with the application; the rest drives the jobs by hand.
    with TestClient(create_app(desk=desk, jobs_every=None)) as client:
        for _ in range(8):  # the pack's 8 attempts, each after its backoff
            clock.advance(timedelta(hours=7))
            desk.run_due_jobs()
        dead = client.get("/outbox/dead", headers=MANAGER).json()["items"]
        assert dead and all(m["error"] == "ConnectionError: gateway down" for m in dead)
        assert client.get("/outbox/dead", headers=AGENT).status_code == 403
        desk.notifier = MemoryNotifier()
        retried = client.post("/outbox/dead/retry", json={"ids": [m["id"] for m in dead]}, headers=MANAGER)
        assert retried.json() == {"retried": len(dead)}
        assert len(desk.deliver().sent) == len(dead)
    desk.shutdown()


def test_search_by_phone_and_chinese_text_within_the_actors_scope(client: TestClient) -> None:
    ticket_id = _open(client)
    for query in ("138 0013 8000", "+86 138-0013-8000", "漏水", ticket_id):
        found = client.get("/search", params={"q": query}, headers=AGENT)
        assert found.status_code == 200, found.text
        assert found.json()["$type"] == "Page" and [t["id"] for t in found.json()["items"]] == [ticket_id]
    assert client.get("/search", params={"q": "漏水"}, headers=OTHER).json()["items"] == []  # not theirs
    assert client.get("/search", params={"q": " "}, headers=AGENT).status_code == 400


def test_the_hosts_own_faults_and_a_busy_store_are_server_errors_not_bad_input() -> None:
    """A plugin answering outside its contract is the host's set-up (500), a busy store is a retry (503):
    neither is the client's bad input, the 400 every other refusal gets."""
    from examples.fastapi_app.app import error_status

    from aftersales.errors import PluginError, StorageError, StoreBusy, ValidationError

    assert error_status(PluginError("policies.priority", "decide", "answered str, not Decision")) == 500
    assert error_status(StoreBusy("locked")) == 503
    assert error_status(StorageError("disk gone")) == 500
    assert error_status(ValidationError("too long", field="description")) == 400
