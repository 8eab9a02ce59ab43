# mypy: disable-error-code="arg-type"
"""Staff-only custom fields, on memory, SQLite and PostgreSQL: a host's internal facts stay the staff's.

A host declares fields for its own bookkeeping ("risk_note": 客户有拒付前科, "cost_centre"). Before,
every custom field value reached the customer — in the ticket, its ``set_fields`` steps, the ledger,
search (which also found the ticket by the value), the CSV export and the customer's own privacy
export — and a customer could filter its list by one or give one at intake. A field declared
``staff_only`` (in code or in the pack's ``[custom_fields.fields.<name>]``) is now handled as tags are
(commit 28db8f6): the customer reads, finds, filters and gives no value of it. Seed 003 gives the
customer the progress of their own service (客户可通过服务平台或电话查询服务进度), not the staff's notes.

A visit's note stays the customer's: it is what the engineer writes on the service record, which the
customer signs (seed 003: 填写《服务单》由客户签字确认).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.custom_fields import CustomField, CustomFieldSet, FieldType
from aftersales.errors import ConfigurationError, PermissionDenied
from aftersales.ports.queries import TicketFilter
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, world_desk

RISK = "客户有拒付前科"

FIELDS = CustomFieldSet.of(
    CustomField("risk_note", FieldType.TEXT, staff_only=True),
    CustomField("cost_centre", FieldType.CHOICE, choices=("CC-SH", "CC-BJ"), staff_only=True),
    CustomField("site_note", FieldType.TEXT),
)


@attrs.frozen
class Desk:
    desk: ServiceDesk
    world: World
    clock: ManualClock


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    with world_desk(request.param, tmp_path, "sanitary_ware", custom_fields=FIELDS) as (desk, clock, world):
        yield Desk(desk, world, clock)


def _marked(shop: Desk) -> str:
    """A ticket of cust-zh with the staff's risk note and cost centre, and a site note for everyone."""
    desk, world = shop.desk, shop.world
    tid = desk.open_ticket(
        world.agent,
        customer_id="cust-zh",
        description="马桶漏水",
        asset_id="asset-1",
        custom_fields={"risk_note": RISK, "site_note": "三楼东侧"},
    ).ticket.id
    shop.clock.advance(timedelta(minutes=5))
    desk.set_custom_fields(world.agent, tid, {"cost_centre": "CC-SH"})  # a step of staff-only fields alone
    shop.clock.advance(timedelta(minutes=5))
    desk.set_custom_fields(world.agent, tid, {"risk_note": RISK + "，先收费", "site_note": "三楼西侧"})
    return tid


def _field_steps(view: object) -> list[dict[str, object]]:
    return [dict(e.payload) for e in view.events if e.action == "set_fields"]  # type: ignore[attr-defined]


def test_a_customer_reads_no_staff_only_value_anywhere(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    tid = _marked(shop)
    customer = world.customer_zh
    # Staff read the whole of it (the dealer's staff too: its customer's ticket).
    for staff in (world.agent, world.dealer_sh_staff):
        whole = desk.ticket(staff, tid)
        assert whole.custom_fields["risk_note"] == RISK + "，先收费"
        assert whole.custom_fields["cost_centre"] == "CC-SH"
        assert len(_field_steps(whole)) == 2
    # The customer reads the site note and none of the staff's fields, nor their steps (before: all).
    seen = desk.ticket(customer, tid)
    assert dict(seen.custom_fields) == {"site_note": "三楼西侧"}
    assert _field_steps(seen) == [{"cleared": [], "set": {"site_note": "三楼西侧"}}]
    assert RISK not in seen.to_json() and "CC-SH" not in seen.to_json()
    (listed,) = desk.ledger(customer).items
    assert "risk_note" not in listed.custom_fields and RISK not in listed.to_json()
    (found,) = desk.search(customer, "漏水").items
    assert dict(found.custom_fields) == {"site_note": "三楼西侧"}
    exported = desk.export_ledger(customer)
    assert RISK not in exported and "CC-SH" not in exported and "三楼西侧" in exported
    assert RISK in desk.export_ledger(world.agent)
    # The customer's own privacy export (seed-independent: it is the customer's copy of its data).
    own = desk.privacy.export_customer(customer, "cust-zh")
    assert RISK not in own and "CC-SH" not in own and "三楼西侧" in own
    # A command the customer runs answers with the ticket as the customer reads it.
    result = desk.cancel(customer, tid, reason="已自行修好")
    assert "risk_note" not in result.ticket.custom_fields and RISK not in result.ticket.to_json()


def test_a_customer_finds_no_ticket_by_a_staff_only_value(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    tid = _marked(shop)
    assert [v.id for v in desk.search(world.agent, "拒付前科").items] == [tid]
    # Before: the customer found its ticket by the staff's risk note, learning that it carries one.
    assert desk.search(world.customer_zh, "拒付前科").items == ()
    assert desk.search(world.customer_zh, "CC-SH").items == ()
    assert [v.id for v in desk.search(world.customer_zh, "三楼西侧").items] == [tid]


def test_a_customer_filters_no_list_by_a_staff_only_field(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    _marked(shop)
    customer = world.customer_zh
    by_centre = TicketFilter(custom_fields={"cost_centre": "CC-SH"})
    assert desk.count(world.agent, by_centre) == 1
    # Before: the customer's ledger, count, search and export answered (one ticket: it is so marked).
    for ask in (
        lambda: desk.ledger(customer, by_centre),
        lambda: desk.count(customer, by_centre),
        lambda: desk.search(customer, "漏水", by_centre),
        lambda: desk.ledger_scope(customer, by_centre),
    ):
        with pytest.raises(PermissionDenied) as refused:
            ask()
        assert refused.value.target == "fields.cost_centre"
    # A field the customer reads filters its list as before.
    assert desk.count(customer, TicketFilter(custom_fields={"site_note": "三楼西侧"})) == 1


def test_a_customer_gives_no_staff_only_value(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    customer = world.customer_zh
    before = desk.count(world.agent)
    # Before: a customer opening a call could mark itself (a cost centre the office bills to).
    with pytest.raises(PermissionDenied):
        desk.open_ticket(
            customer, customer_id="cust-zh", description="马桶漏水", custom_fields={"cost_centre": "CC-BJ"}
        )
    assert desk.count(world.agent) == before  # nothing opened
    opened = desk.open_ticket(
        customer, customer_id="cust-zh", description="马桶漏水", custom_fields={"site_note": "一楼"}
    )
    assert opened.ticket.custom_fields == {"site_note": "一楼"}
    with pytest.raises(PermissionDenied):
        desk.set_custom_fields(customer, opened.ticket.id, {"risk_note": "无"})
    assert "risk_note" not in desk.ticket(world.agent, opened.ticket.id).custom_fields
    # Dealer staff set fields (set_fields in the permission table), the staff-only ones too.
    desk.set_custom_fields(world.dealer_sh_staff, opened.ticket.id, {"risk_note": "无"})
    assert desk.ticket(world.agent, opened.ticket.id).custom_fields["risk_note"] == "无"


def test_a_visit_note_is_on_the_service_record_the_customer_signs(shop: Desk) -> None:
    """Kept, with its reason: the engineer's note on a visit is what the service record (《服务单》)
    says, and the customer signs that record (seed 003); a remark for colleagues is an internal note."""
    desk, world = shop.desk, shop.world
    tid = desk.open_ticket(world.agent, customer_id="cust-zh", description="马桶漏水").ticket.id
    desk.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, tid, engineer_id="eng-jr")
    shop.clock.advance(timedelta(hours=1))
    at = shop.clock.now()
    desk.add_visit(
        world.agent, tid, planned_at=at, engineer_id="eng-jr", arrived_at=at, note="更换进水阀，已试水"
    )
    desk.note_to_customer(world.agent, tid, text="客户难沟通", visible=False)
    seen = desk.ticket(world.customer_zh, tid)
    assert [v.note for v in seen.visits] == ["更换进水阀，已试水"]
    assert "客户难沟通" not in seen.to_json()


# -- declared in code or in the pack, refused when it means nothing -------------------------------------


def _pack(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(f'[pack]\nname = "p"\nextends = "sanitary_ware"\n\n{body}', encoding="utf-8")
    return path


def test_a_pack_declares_a_staff_only_field(tmp_path: Path) -> None:
    path = _pack(tmp_path, '[custom_fields.fields.risk_note]\ntype = "text"\nstaff_only = true\n')
    world = make_world()
    with ServiceDesk.open("memory://", pack=str(path), clock=ManualClock(START), staff=STAFF) as desk:
        register(desk, world)
        assert desk.custom_fields.staff_only == frozenset({"risk_note"})
        tid = desk.open_ticket(
            world.agent, customer_id="cust-zh", description="漏水", custom_fields={"risk_note": RISK}
        ).ticket.id
        assert "risk_note" not in desk.ticket(world.customer_zh, tid).custom_fields
        assert json.loads(desk.ticket(world.agent, tid).to_json())["custom_fields"] == {"risk_note": RISK}


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ('type = "text"\nstaff_only = "yes"\n', "boolean"),
        ('type = "text"\nstaff_only = 1\n', "boolean"),
        ('type = "text"\nstaff_only = true\nrequired_for = ["*"]\n', "cannot be required"),
    ],
)
def test_a_nonsense_visibility_is_refused_by_name(tmp_path: Path, body: str, why: str) -> None:
    path = _pack(tmp_path, f"[custom_fields.fields.risk_note]\n{body}")
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open("memory://", pack=str(path), clock=ManualClock(START))
    assert refused.value.key is not None and refused.value.key.startswith("custom_fields.fields.risk_note")
    assert why in str(refused.value)


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ({"staff_only": "no"}, "true or false"),
        ({"staff_only": True, "required_for": {"*"}}, "cannot be required"),
    ],
)
def test_a_host_field_with_a_nonsense_visibility_is_refused(given: dict[str, object], why: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        CustomField("risk_note", FieldType.TEXT, **given)
    assert why in str(refused.value)
    with pytest.raises(ConfigurationError):
        CustomFieldSet.from_config({"risk_note": {"type": "text", **given}})
