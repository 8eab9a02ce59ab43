"""Words, not raw codes, at every edge (issues 19, 22, 24; session 39 n, the host peer tester's leftovers).

1. A pack's own fault cause named in a reason ("why") read as the code,
   ``故障原因"seal_defect"不属收费范围``, in ``TicketView.reasons``, ``to_dict`` (the FastAPI example's
   ``GET /tickets/{id}``) and the batch incident's notice, while the charge-sheet paper showed the pack's
   label. Every renderer of reasons now asks the desk's pack vocabulary first
   (``aftersales.i18n.pack_words``); a code it does not label reads as itself.

On memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from aftersales import pack_words, render_reasons, to_dict, to_json
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Severity
from aftersales.domain.ids import AssetId
from aftersales.domain.reasons import Reason
from aftersales.i18n.reasons import render_reason
from aftersales.policies.fault_catalog import FaultCatalog, FaultCatalogParams
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
FAULTS = FaultCatalog(
    FaultCatalogParams(
        causes={"seal_defect": {"zh_Hans": "密封圈老化", "zh_Hant": "密封圈老化失效", "en": "aged seal"}}
    )
)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_pack_fault_cause_reads_in_the_packs_words_in_views_json_and_notices(
    backend: str, tmp_path: Path
) -> None:
    notifier = MemoryNotifier()
    options = {"overrides": {"faults": FAULTS}, "notifier": notifier}
    with world_desk(backend, tmp_path, pack="sanitary_ware", **options) as (desk, clock, world):
        unit = attrs.evolve(world.asset, id=AssetId("asset-2"), serial="SN-2", customer_id=world.cust_en.id)
        desk.register_asset(world.manager, unit)
        tickets = []
        for customer, asset in ((world.cust_zh.id, "asset-1"), (world.cust_en.id, "asset-2")):
            opened = desk.open_ticket(world.agent, customer_id=customer, description="漏水", asset_id=asset)
            tid = opened.ticket.id
            desk.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM)
            desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id)
            desk.start_work(world.junior, tid)
            clock.advance(timedelta(minutes=10))
            desk.add_fault_record(
                world.junior, tid, symptom="leak", cause="seal_defect", action="replace_seal"
            )
            tickets.append(tid)
        # 2 of the batch's 2 units: a batch incident, escalated to the general manager (seed 004 第七条 5(2)).
        desk.deliver()
        (notice,) = notifier.to("13800000009")
        assert "“密封圈老化”" in notice.body and "seal_defect" not in notice.body, notice.body

        desk.charges.assess(world.junior, tickets[0])  # in warranty: the cause is not chargeable
        view = desk.ticket(world.manager, tickets[0])
        assert "故障原因“密封圈老化”不属收费范围" in view.reasons("zh_Hans")[max(view.reasons("zh_Hans"))]
        assert "故障原因「密封圈老化失效」不屬收費範圍" in str(view.reasons("zh_Hant"))
        page = to_dict(view, locale="en")
        assert 'the cause "aged seal" is not chargeable' in page["events"][-1]["reasons"]
        assert "seal_defect" not in str([e["reasons"] for e in page["events"]])
        assert "aged seal" in to_json(view, locale="en")
        assert to_dict(view)["events"][-1]["payload"]["reasons"][1]["params"] == {"cause": "seal_defect"}

        # A host rendering a stored event itself passes the desk's words; a code the pack does not
        # label reads as itself (an explanation in codes beats none).
        words = pack_words(desk.policies)
        assert 'the cause "aged seal" is not chargeable' in render_reasons(view.events[-1], "en", words)
        unknown = Reason("cause_not_chargeable", {"cause": "pipe_frozen"})
        assert render_reason(unknown, "en", words) == 'the cause "pipe_frozen" is not chargeable'
