"""A fault cause standing for a built-in cause under a shorter name is refused (session 35, f).

Seed 002 材料收费 b lists the five causes that make a repair in warranty chargeable
(①未按使用说明书内操作事项,使用不当而引起的故障或损坏 …), coded ``misuse_against_manual`` …
``force_majeure``; its 质量反馈 lets the technical causes be subdivided freely
(这些原因其实还可以往下再细分), so a pack listing no causes takes any snake_case cause.
But ``misuse`` typed for the user's misuse was accepted: none of the five to the charge rules
(the repair went free) and a design or production fault to the batch detector. Now a cause whose
words begin a built-in cause's code is refused (``ValidationError`` naming ``cause``, rule
``cause_code_of_pack`` with the code meant), by ``add_fault_record`` and by an import, and
nothing changes; a pack's catalog refusal states its rule (``one_of``) too. Session 37: ``force``
(不可抗力, or 外力 a blow?) is refused naming both codes (rule ``cause_code_ambiguous``). sanitary_ware pack
(no fault catalog); memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from aftersales.domain.classification import Plan, Severity
from aftersales.domain.ids import TicketId
from aftersales.domain.work import FaultRecord
from aftersales.errors import ValidationError
from aftersales.i18n.errors import render_error
from aftersales.policies.fault_catalog import FaultCatalog, FaultCatalogParams
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_misuse_is_refused_and_the_packs_code_taken(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, clock, w):
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, asset_id=w.asset.id, description="座圈被踩裂"
        ).ticket.id
        desk.triage(w.agent, tid, nature="repair", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(w.manager, tid, engineer_id=w.eng_junior.id)
        desk.start_work(w.junior, tid)
        before = desk.ticket(w.manager, tid)
        for typed, meant in (("misuse", "misuse_against_manual"), ("moved", "moved_or_self_installed")):
            with pytest.raises(ValidationError) as refused:
                desk.add_fault_record(
                    w.junior, tid, symptom="seat_cracked", cause=typed, action="replace_seat"
                )
            error = refused.value
            assert (error.field, error.rule, (error.rule_params or {})["expected"]) == (
                "cause",
                "cause_code_of_pack",
                meant,
            )
            assert "内置原因" in render_error(error, "zh_Hans")
        # Session 37: ``force`` reads as 不可抗力 and as 外力 (a blow): the refusal names both codes.
        with pytest.raises(ValidationError) as refused:
            desk.add_fault_record(w.junior, tid, symptom="seat_cracked", cause="force", action="replace_seat")
        error = refused.value
        assert (error.field, error.rule, error.rule_params) == (
            "cause",
            "cause_code_ambiguous",
            {"expected": "force_majeure", "other": "external_force"},
        )
        for locale in ("zh_Hans", "zh_Hant", "en"):
            words = render_error(error, locale)
            assert "force_majeure" in words and "external_force" in words, words
        assert desk.ticket(w.manager, tid).version == before.version  # nothing recorded
        desk.add_fault_record(
            w.junior, tid, symptom="seat_cracked", cause="misuse_against_manual", action="replace_seat"
        )
        desk.add_fault_record(
            w.junior, tid, symptom="seat_cracked", cause="hinge_snapped", action="replace_seat"
        )
        causes = [r.cause for r in desk.ticket(w.manager, tid).fault_records]
        desk.add_fault_record(
            w.junior, tid, symptom="seat_cracked", cause="external_force", action="replace_seat"
        )
        causes = [r.cause for r in desk.ticket(w.manager, tid).fault_records]
        # free technical causes still taken (the blow under the code the refusal of ``force`` names)
        assert causes == ["misuse_against_manual", "hinge_snapped", "external_force"]

        # An import is held to the same rule (its batch writes nothing).
        with desk.store() as uow:
            copy = attrs.evolve(uow.tickets.get(tid), id=TicketId("OLD-1"), version=0)
        record = FaultRecord(
            "seat_cracked", "misuse", "replace_seat", clock.now() - timedelta(minutes=1), w.junior.ref
        )
        copy.fault_records = [record]
        with pytest.raises(ValidationError) as refused:
            desk.import_tickets(w.manager, [copy])
        assert (refused.value.field, refused.value.rule) == ("cause", "cause_code_of_pack")


def test_a_packs_catalog_refusal_states_its_rule() -> None:
    catalog = FaultCatalog(
        FaultCatalogParams(causes={"switch_loose": {"zh_Hans": "转换开关松", "en": "switch loose"}})
    )
    with pytest.raises(ValidationError) as refused:
        catalog.check("leak", "switch_broken", "tighten")
    assert (refused.value.field, refused.value.rule) == ("cause", "one_of")
    assert "switch_loose" in (refused.value.rule_params or {})["allowed"].split(", ")
    catalog.check("leak", "misuse_against_manual", "tighten")  # a built-in cause is always known
