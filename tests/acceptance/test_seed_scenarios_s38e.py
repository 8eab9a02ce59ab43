"""Seeds 000–002 re-read by a peer tester (session 38, e): every time a notice states is one the library has.

* Seed 002 分工 6 (乙方接到用户的叫修…后,必须保证在24小时之内给用户解决问题) and seed 000 售后维护服务流程 2
  (信息登记): a host may plug its own SLA policy in (docs/embedding.md) and set no response or no resolution
  target. The registration then promised the customer a response "by none" (我们将在 无 前与您联系), and
  the dispatch told the holder, and the dealer of a fitter the office sent, to finish "by none"
  (请在 无 前处理完毕). With no time to promise, none is: the customer is told we respond as soon as
  possible, the holder and the dealer are told the job without a time.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from aftersales.adapters import MemoryNotifier
from aftersales.domain.classification import Plan, Severity
from aftersales.policies.registry import resolve_policies
from aftersales.policies.sla import SlaFacts
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
PACK = resolve_policies("sanitary_ware")
CUSTOMER_ZH, CUSTOMER_EN = "13912345678", "alice@example.co.uk"  # 张伟 (zh_Hans), Alice Smith (en)
FITTER, DEALER = "13600000001", "13900000001"  # 浦东师傅 and 陈店长 of the Pudong dealer (zh_Hans)


class UntimedSla:
    """A host's SLA policy: the pack's targets without a response or a resolution (it times only the
    on-site arrival and the callback)."""

    name = "host.untimed_sla"

    def decide(self, facts: SlaFacts) -> object:
        decision = PACK.sla.decide(facts)
        kept = tuple(t for t in decision.outcome.targets if t.name not in ("response", "resolution"))
        return attrs.evolve(decision, outcome=attrs.evolve(decision.outcome, targets=kept))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_host_sla_without_response_or_resolution_promises_no_time_by_none(
    backend: str, tmp_path: Path
) -> None:
    notifier = MemoryNotifier()
    options = {"notifier": notifier, "overrides": {"sla": UntimedSla()}}
    with world_desk(backend, tmp_path, "sanitary_ware", **options) as (desk, _clock, w):
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_en.id, description="toilet keeps flushing"
        ).ticket.id
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "工程师态度差").ticket.id
        desk.triage(w.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_dealer.id)  # the office sends the dealer's fitter
        desk.deliver()
        view = desk.ticket(w.manager, tid)
        assert view.response_due_at is None and view.resolution_due_at is None
        sent = {(m.recipient, m.subject): m.body for m in notifier.sent}
        for body in sent.values():
            for none in ("无 前", "無 前", "by none"):
                assert none not in body, body
        assert sent[(CUSTOMER_EN, f"We have received your request (ticket {tid})")].endswith(
            "We will respond as soon as possible. Please quote the ticket number when you contact us."
        )
        assert "我们将尽快与您联系" in sent[(CUSTOMER_ZH, f"我们已登记您的投诉（投诉编号 {cid}）")]
        assert sent[(FITTER, f"工单 {tid} 已派给您（普通）")].endswith(
            "客户：Alice Smith，地址：1 Bund Road, Shanghai。"
        )
        assert sent[(DEALER, f"工单 {tid} 已由厂家派给贵店师傅 浦东师傅（普通）")].endswith(
            "此工单仍由贵店负责。"
        )
