"""The pack's fault catalog: codes checked where the pack lists them, labels in zh and en."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, EngineerId
from aftersales.domain.parties import Customer, Engineer, EngineerLevel
from aftersales.errors import ValidationError
from aftersales.policies.fault_catalog import FaultCatalog, FaultCatalogParams
from aftersales.policies.registry import resolve_policies
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

PACK = """
[pack]
name = "sanitary_with_faults"
extends = "sanitary_ware"

[faults.symptoms]
switch_leaking = { zh_Hans = "转换开关漏水", en = "diverter switch leaking" }

[faults.causes]
switch_loose = { zh_Hans = "转换开关松", en = "diverter switch loose" }

[faults.actions]
tighten_switch = { zh_Hans = "紧固转换开关", en = "tighten the diverter switch" }
"""


def test_labels_and_checks() -> None:
    catalog = FaultCatalog(
        FaultCatalogParams(causes={"switch_loose": {"zh_Hans": "转换开关松", "en": "diverter switch loose"}})
    )
    assert catalog.label("cause", "switch_loose", "zh_Hans") == "转换开关松"
    assert catalog.label("cause", "switch_loose", "zh_Hant") == "diverter switch loose"  # English fallback
    assert catalog.label("cause", "misuse_against_manual", "zh_Hans") == "未按使用说明书操作，使用不当"
    assert catalog.label("symptom", "anything", "en") == "anything"
    catalog.check("any_symptom", "switch_loose", "any_action")  # symptoms and actions are not listed
    catalog.check("any_symptom", "force_majeure", "any_action")  # the built-in causes are always known
    with pytest.raises(ValidationError) as info:
        catalog.check("any_symptom", "switch_broken", "any_action")
    assert info.value.field == "cause"


@pytest.mark.parametrize(
    "labels",
    [{"en": "only english"}, {"zh_Hans": "只有中文"}, {"en": "", "zh_Hans": "空"}, "text"],
)
def test_a_code_needs_chinese_and_english(labels: object) -> None:
    with pytest.raises(ValidationError):
        FaultCatalogParams(causes={"switch_loose": labels})  # type: ignore[dict-item]
    with pytest.raises(ValidationError):
        FaultCatalogParams(causes={"Not-A-Code": {"en": "x", "zh_Hans": "x"}})


def test_the_desk_refuses_codes_outside_the_packs_catalog(tmp_path: Path) -> None:
    pack = tmp_path / "pack.toml"
    pack.write_text(PACK, encoding="utf-8")
    assert (
        resolve_policies(str(pack)).extra["faults"].label("action", "tighten_switch", "zh_Hans")
        == "紧固转换开关"
    )
    clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    with ServiceDesk.open("memory://", pack=str(pack), clock=clock) as desk:
        agent, manager = Actor.agent("a1"), Actor.manager("m1")
        desk.register_customer(manager, Customer(CustomerId("c1"), "张", Contact("张", phone="13800000000")))
        desk.register_engineer(
            manager, Engineer(EngineerId("e1"), "李工", EngineerLevel.JUNIOR, frozenset({"plumbing"}), "SH")
        )
        ticket_id = desk.open_ticket(agent, customer_id="c1", description="淋浴转换开关漏水").ticket.id
        desk.triage(agent, ticket_id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(agent, ticket_id, engineer_id="e1")
        desk.start_work(manager, ticket_id)
        with pytest.raises(ValidationError) as info:
            desk.add_fault_record(
                manager, ticket_id, symptom="switch_leaking", cause="pipe_blocked", action="tighten_switch"
            )
        assert info.value.field == "cause"
        assert len(desk.ticket(agent, ticket_id).fault_records) == 0  # nothing stored
        done = desk.add_fault_record(
            manager, ticket_id, symptom="switch_leaking", cause="switch_loose", action="tighten_switch"
        )
        assert done.ticket.fault_records[0].cause == "switch_loose"


def test_reasons_name_the_builtin_causes_in_words() -> None:
    from aftersales.domain.reasons import Reason
    from aftersales.i18n.reasons import render_reason

    reason = Reason("chargeable_cause", {"cause": "moved_or_self_installed"})
    assert "用户自行搬运" in render_reason(reason, "zh_Hans")
    assert "moved or installed by the user" in render_reason(reason, "en")
    named = Reason(
        "extension_granted_by_complaint", {"complaint_id": "C-7", "granted_by": "a", "granted_on": "d"}
    )
    assert "C-7" in render_reason(named, "en") and "C-7" in render_reason(named, "zh_Hant")
