# mypy: disable-error-code="arg-type"
"""A customer made VIP after their job was done, on a job the pack calls back on for nobody, is called back
and surveyed (session 32 g). Memory, SQLite, PostgreSQL.

Seed 001 三(七)1 (对于重大售后问题或重要客户, 售后团队应在问题处理完毕后进行客户满意度调查) and the desk's VIP
rule (a VIP is always called back and surveyed, whatever ``[callback] required`` / ``not_needed_for``). The
callback is planned when the work is done; a regular customer's repair in a pack calling back on no repair
had none, and a customer made VIP before the job closed still got none: the grade change re-planned only
pending callbacks (session 31) and there was none. The grade change now plans the callback owed on each of
the customer's done jobs not closed yet; a closed job stays history; a change on a desk left on an old
``[callback]`` section is refused (``callback``), as every write the callback policy decides.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from aftersales.domain.classification import Category, Severity
from aftersales.domain.parties import CustomerTier
from aftersales.errors import ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _pack(tmp_path: Path) -> str:
    path = tmp_path / "no_repair_callbacks.toml"
    path.write_text(
        '[pack]\nname = "no_repair_callbacks"\nextends = "office_equipment"\n\n'
        '[callback]\nnot_needed_for = ["repair"]\n',
        encoding="utf-8",
    )
    return str(path)


def _repaired(desk: ServiceDesk, w: World) -> str:
    """``cust_zh``'s copier repaired (the result entered: the pack's callback runs from it)."""
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
    ).ticket.id
    desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    desk.contact_customer(w.junior, tid, note="已联系客户，今日上门")
    desk.start_work(w.junior, tid)
    desk.resolve(w.junior, tid, summary="更换搓纸轮")
    return tid


def _pending(desk: ServiceDesk, w: World) -> dict[str, bool]:
    return {t.ticket_id: t.survey for t in desk.callbacks.pending(w.manager)}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_customer_made_vip_before_the_job_closed_is_called_back_and_surveyed(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack=_pack(tmp_path)) as (desk, _clock, w):
        accepted = _repaired(desk, w)
        desk.confirm(w.junior, accepted, channel="service_slip")
        resolved = _repaired(desk, w)
        closed = _repaired(desk, w)
        desk.confirm(w.junior, closed, channel="service_slip")
        desk.close(w.agent, closed)
        assert _pending(desk, w) == {}  # a regular customer's repair: no callback in this pack
        desk.register_customer(w.manager, attrs.evolve(w.cust_zh, tier=CustomerTier.VIP))
        # the done jobs not closed are owed the VIP's callback, with its survey and reason
        assert _pending(desk, w) == {accepted: True, resolved: True}
        (task,) = [t for t in desk.callbacks.pending(w.manager) if t.ticket_id == accepted]
        assert "callback_vip" in {r.code for r in task.reasons}
        assert desk.ticket(w.manager, accepted).callback_due_at == task.due_at
        assert desk.ticket(w.manager, closed).callback_due_at is None  # history stays history
        with pytest.raises(ValidationError) as refused:  # the survey is owed: nothing changes
            desk.record_callback(w.agent, accepted, problem_back=False, satisfaction=5)
        assert refused.value.field in ("survey", "attitude")
        desk.record_callback(w.agent, accepted, problem_back=False, satisfaction=5, attitude=5)
        assert _pending(desk, w) == {resolved: True}
        # registered again unchanged: nothing more is planned
        desk.register_customer(w.manager, attrs.evolve(w.cust_zh, tier=CustomerTier.VIP))
        assert _pending(desk, w) == {resolved: True}
