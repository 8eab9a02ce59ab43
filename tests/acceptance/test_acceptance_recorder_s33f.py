# mypy: disable-error-code="arg-type"
"""Seed 001 三(六): who records the customer's acceptance (session 33, f).

三(六)1 问题处理完毕后,技术支持人员或责任部门应将处理结果反馈给售后专员; 2 售后专员负责将处理结果及时反馈给
客户,并确认客户是否满意. Before: the engineer who did the work could record the customer's acceptance
themselves (``confirm(channel="phone")``), skipping the specialist who is to confirm the customer's
satisfaction. Now the pack's ``[lifecycle] acceptance_recorders`` (exhibition_services: agent, manager)
says who may; another staff role is refused with ``PermissionDenied`` (rule ``acceptance_recorded_by``)
and nothing changes. The library's default (every staff role the workflow allows) is unchanged.
Memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from seed_s33h_world import BACKENDS, company

from aftersales import ConfigurationError, PermissionDenied, Severity, TicketState
from aftersales.policies.registry import Registry

PACK = "exhibition_services"


def _resolved(co: object) -> str:
    desk = co.desk  # type: ignore[attr-defined]
    agent, senior = co.agent, co.senior  # type: ignore[attr-defined]
    customer_id = co.customer_id  # type: ignore[attr-defined]
    tid: str = desk.open_ticket(agent, customer_id=customer_id, description="展位音响无声").ticket.id
    desk.triage(agent, tid, nature="no_sound", severity=Severity.MEDIUM)
    desk.dispatch(agent, tid, engineer_id="eng-sr")
    desk.start_work(senior, tid)
    desk.add_fault_record(senior, tid, symptom="no_sound", cause="cable_loose", action="reconnect")
    desk.resolve(senior, tid, summary="重新接线")
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_engineer_reports_the_result_and_the_specialist_records_the_acceptance(
    backend: str, tmp_path: Path
) -> None:
    with company(backend, tmp_path, PACK) as co:
        tid = _resolved(co)
        with pytest.raises(PermissionDenied) as refused:
            co.desk.confirm(co.senior, tid, channel="phone", note="客户说好了")
        assert (refused.value.action, refused.value.rule) == ("confirm", "acceptance_recorded_by")
        assert refused.value.facts == {"role": "engineer"}
        unchanged = co.desk.ticket(co.manager, tid)
        assert unchanged.state == TicketState.RESOLVED.value and unchanged.resolved_at is None
        accepted = co.desk.confirm(co.agent, tid, channel="phone", note="客户电话确认满意").ticket
        assert accepted.state == TicketState.ACCEPTED.value


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_the_customer_still_confirms_and_other_packs_keep_the_engineers_slip(
    backend: str, tmp_path: Path
) -> None:
    with company(backend, tmp_path, PACK) as co:
        tid = _resolved(co)
        assert co.desk.confirm(co.customer, tid).ticket.state == TicketState.ACCEPTED.value
    (tmp_path / "other").mkdir()
    with company(backend, tmp_path / "other", "service_centre") as co:
        tid = _resolved(co)
        accepted = co.desk.confirm(co.senior, tid, channel="service_slip").ticket
        assert accepted.state == TicketState.ACCEPTED.value


@pytest.mark.parametrize("body", ["[]", '["customer"]', '["boss"]', '"agent"', "[1]"])
def test_a_recorder_list_naming_no_staff_role_is_refused_when_the_pack_loads(
    tmp_path: Path, body: str
) -> None:
    path = tmp_path / "expo.toml"
    path.write_text(
        f'[pack]\nname = "expo"\nextends = "{PACK}"\n\n[lifecycle]\nacceptance_recorders = {body}\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as refused:
        Registry.discover().resolve(str(path))
    assert refused.value.key.startswith("lifecycle.acceptance_recorders")
