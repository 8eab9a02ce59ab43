"""A cause code the pack names itself is taken, though it reads as a built-in cause shortened (session 36, h).

Session 35 refused a fault cause whose words begin a built-in cause's code (``misuse`` for
``misuse_against_manual``; ``design`` for ``design_hazard``) in a pack with no fault catalog: typed so, the
charge rules and the batch detector did not know it. But a pack naming ``design`` in its own settings —
``[chargeability] design_hazard_causes = ["design"]``, seed 002's 设计隐患问题,按第一阶段的方式处理 — gives it
that rule: every record coded ``design`` was refused, so the setting could never apply (configuration
silently dead). Codes the pack names (design hazards, extra chargeable causes, causes left out of batch
incidents) are now the pack's own and taken; the plain pack still refuses them. Memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Plan, Severity
from aftersales.errors import AttachmentRequired, ValidationError
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_design_cause_the_pack_names_a_design_hazard_is_recorded_and_treated_as_one(
    backend: str, tmp_path: Path
) -> None:
    pack = tmp_path / "design_coded.toml"
    pack.write_text(
        '[pack]\nname = "design_coded"\nextends = "sanitary_ware"\n\n'
        '[chargeability]\ndesign_hazard_causes = ["design"]\n',
        encoding="utf-8",
    )
    with world_desk(backend, tmp_path, pack=str(pack)) as (desk, _clock, w):
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, asset_id=w.asset.id, description="座圈铰链设计偏薄, 断裂"
        ).ticket.id
        desk.triage(w.agent, tid, nature="repair", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(w.manager, tid, engineer_id=w.eng_junior.id)
        desk.start_work(w.junior, tid)
        desk.add_fault_record(w.junior, tid, symptom="seat_cracked", cause="design", action="replace_seat")
        assert [r.cause for r in desk.ticket(w.manager, tid).fault_records] == ["design"]
        # The pack's rule applies to it: a design hazard owes the written report before the fix.
        with pytest.raises(AttachmentRequired):
            desk.resolve(w.junior, tid, summary="更换座圈")
        # Another shortened code the pack does not name is still refused.
        with pytest.raises(ValidationError) as refused:
            desk.add_fault_record(
                w.junior, tid, symptom="seat_cracked", cause="misuse", action="replace_seat"
            )
        assert (refused.value.field, refused.value.rule) == ("cause", "cause_code_of_pack")
        assert len(desk.ticket(w.manager, tid).fault_records) == 1
