# mypy: disable-error-code="arg-type"
"""An integrator writes a new industry pack from the docs (docs/writing-a-plugin-pack.md): elevator
maintenance (困人 rescue, monthly maintenance visits, a fault catalog), installed as a plugin, and then
tries what a hostile integrator would.

What broke, and is held here:

- an entry point naming a factory that raises let the plugin's own exception escape discovery untyped
  (an import that failed was already a ``ConfigurationError`` naming the entry point);
- a plugin's ``PolicyKind`` whose params were not an attrs class, or had a field without a default,
  failed with an untyped attrs/``TypeError`` when the first pack was resolved;
- a :class:`Pack` built in Python (a plugin may contribute one parsed) carried raw tables or another
  kind's params to the desk unchecked: an ``AttributeError`` at the first command;
- one of the library's own policies in another kind's place (a named policy building a
  ``DefaultPriority`` for ``dispatch``) passed the runtime Protocol check (every kind has ``decide``) and
  failed at the first command;
- a fault label under an unknown locale was accepted and never shown, and a bad label was refused under
  the key ``faults.faults`` instead of the code's own;
- a store opened again with another pack kept the old pack's due times beside the new pack's live SLA
  status (the ledger, the sweep and the reports read the stored ones), and ``desk.health()`` said they
  were current. The store's stamp now keeps the SLA policy's fingerprint beside the calendar's: the
  ``sla_sweep`` job recomputes the stored due times on the new pack, and ``health().dues_stale`` says so
  until it has (docs/concepts/policies-and-packs.md, "Changing a store's pack");
- after that swap, a custom field pack A declared staff-only and pack B does not declare was shown to
  the customer: a customer now reads no value of a field the desk does not declare.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from datetime import datetime, timedelta
from importlib.metadata import EntryPoint
from pathlib import Path

import attrs
import pytest

from aftersales import ConfigurationError, ServiceDesk, open_storage
from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.policies.dispatch import DefaultDispatch
from aftersales.policies.kinds import NamedPolicy, PolicyKind
from aftersales.policies.pack import Pack, PackFile, load_pack
from aftersales.policies.registry import ENTRY_POINT_GROUP, Registry, default_registry, resolve_policies
from aftersales.policies.routing import DefaultRouting
from aftersales.policies.sla import SlaParams
from aftersales.policies.triage import DefaultPriority
from aftersales.ports.calendars import open_calendar
from aftersales.service.calendar_stamp import CalendarStamp
from conftest import STAFF, START, World, make_world, register, store_url

PLUGIN_TOML = """\
[pack]
name = "elevator"
description = "Elevator maintenance: 困人 rescue, monthly maintenance visits, parts under a service contract."
extends = "general_maintenance"

[policies]
dispatch = "region_only"

[sla]
# 困人: an urgent call's first contact within 30 wall-clock minutes, whatever the hour
urgent_contact_minutes = 30
resolution_days = { normal = 2 }

[maintenance]
# 每月维保: one visit a month, generated a week ahead
interval_months = 1
lead_days = 7

[faults.causes]
door_lock_fault = { zh_Hans = "门锁回路故障", en = "door lock circuit fault" }
"""

PLUGIN_CODE = '''\
"""The integrator's plugin: the pack ``elevator`` and a dispatch policy named ``region_only``."""

from importlib.resources import files
from typing import Any

from aftersales.policies.dispatch import DefaultDispatch, DispatchParams, ScoreWeights
from aftersales.policies.kinds import NamedPolicy
from aftersales.policies.pack import PackFile


def _region_only(params: Any) -> DefaultDispatch:
    """Dispatch on the region alone."""
    base = params if isinstance(params, DispatchParams) else DispatchParams()
    weights = ScoreWeights(skill=0.0, region=10.0, load=0.0, level=0.0)
    chosen = DispatchParams(mode=base.mode, weights=weights, same_region_only=False)
    return DefaultDispatch(chosen, "region_only")


REGION_ONLY = NamedPolicy("dispatch", "region_only", _region_only)
PACK = PackFile("elevator", files(__name__) / "elevator.toml")
'''


@pytest.fixture
def elevator_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The integrator's plugin importable, with its entry points visible, as ``pip install`` would."""
    package = tmp_path / "src" / "elevator_pack_s24"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(PLUGIN_CODE, encoding="utf-8")
    (package / "elevator.toml").write_text(PLUGIN_TOML, encoding="utf-8")
    dist = tmp_path / "site" / "elevator_pack_s24-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: elevator-pack-s24\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nelevator = elevator_pack_s24:PACK\n"
        "region_only = elevator_pack_s24:REGION_ONLY\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    default_registry.cache_clear()
    yield
    default_registry.cache_clear()
    sys.modules.pop("elevator_pack_s24", None)


# -- the pack as the docs describe it --------------------------------------------------------------------


@pytest.mark.usefixtures("elevator_plugin")
@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_the_elevator_pack_opens_a_desk_with_every_section_it_sets(backend: str, tmp_path: Path) -> None:
    pack = load_pack("elevator")
    assert pack.policies == {"dispatch": "region_only"}  # its own choice over the parent's (none)
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="elevator", clock=clock, staff=STAFF) as desk,
    ):
        policies = desk.policies
        assert policies.pack == "elevator"
        assert isinstance(policies.dispatch, DefaultDispatch) and policies.dispatch.name == "region_only"
        assert policies.maintenance.interval_months == 1 and policies.maintenance.lead_days == 7
        # inherited from general_maintenance: its callback deadline in both sections (72 h)
        assert policies.callback.params.service_within_hours == policies.sla.params.callback_hours == 72
        register(desk, world)
        opened = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="电梯困人", urgent=True
        )
        response = desk.sla(world.manager, opened.ticket.id)["response"]
        assert response.due_at == opened.ticket.events[0].at + timedelta(minutes=30)
        assert desk.policies.extra["faults"].label("cause", "door_lock_fault", "zh_Hans") == "门锁回路故障"  # type: ignore[attr-defined]


def test_a_pack_that_extends_another_keeps_the_parents_entries_of_a_table_it_changes(tmp_path: Path) -> None:
    """A child naming one entry of a keyed table lost the parent's others: they fell back to the
    library's defaults. exhibition_services (seed 001) sends every escalation to the after-sales manager;
    a child changing only ``no_candidate`` sent hard cases, crises and batch incidents to the general
    manager, and changing the critical response reset the parent's other figures."""
    path = tmp_path / "lift.toml"
    path.write_text(
        '[pack]\nname = "lift"\nextends = "exhibition_services"\n\n'
        '[escalation]\ntargets = { no_candidate = ["department_head"] }\n\n'
        "[sla]\nresponse_hours = { critical = 0.25 }\n\n"
        '[faults.causes]\ndoor_lock = { zh_Hans = "门锁", en = "door lock" }\n',
        encoding="utf-8",
    )
    parent, child = resolve_policies("exhibition_services"), resolve_policies(path)
    targets = child.escalation.params.targets  # type: ignore[attr-defined]
    assert [role.value for role in targets["no_candidate"]] == ["department_head"]
    for trigger in ("hard_case", "crisis_event", "batch_incident", "customer_dissatisfied"):
        assert targets[trigger] == parent.escalation.params.targets[trigger]  # type: ignore[attr-defined]
    hours = child.sla.params.response_hours  # type: ignore[attr-defined]
    assert hours["critical"] == 0.25 and hours["normal"] == parent.sla.params.response_hours["normal"]  # type: ignore[attr-defined]


# -- entry points and contributions -----------------------------------------------------------------------


@pytest.fixture
def evil_module() -> Iterator[types.ModuleType]:
    """A plugin module whose attributes the test entry points name."""
    module = types.ModuleType("evil_plugin_s24")
    sys.modules[module.__name__] = module
    yield module
    sys.modules.pop(module.__name__, None)


def _point(name: str) -> EntryPoint:
    return EntryPoint(name, f"evil_plugin_s24:{name}", ENTRY_POINT_GROUP)


def test_an_entry_point_whose_factory_raises_is_refused_naming_it(evil_module: types.ModuleType) -> None:
    def contributions() -> list[object]:
        raise RuntimeError("the plugin's own bug")

    evil_module.contributions = contributions  # type: ignore[attr-defined]
    with pytest.raises(ConfigurationError) as refused:
        Registry.discover([_point("contributions")])
    assert refused.value.key == "contributions"
    assert "RuntimeError" in str(refused.value) and "the plugin's own bug" in str(refused.value)


def test_a_pack_file_given_as_text_is_read_and_a_non_path_is_refused(
    evil_module: types.ModuleType, tmp_path: Path
) -> None:
    """``PackFile("lift", "/path/lift.toml")`` was kept as text and failed at the first read with an
    untyped ``AttributeError`` ('str' object has no attribute 'read_text')."""
    path = tmp_path / "lift.toml"
    path.write_text('[pack]\nname = "lift"\n\n[priority]\nvip_raises = 2\n', encoding="utf-8")
    evil_module.as_text = PackFile("lift", str(path))  # type: ignore[attr-defined]
    policies = Registry.discover([_point("as_text")]).resolve("lift")
    assert policies.pack == "lift" and policies.priority.params.vip_raises == 2  # type: ignore[attr-defined]
    with pytest.raises(ConfigurationError) as refused:
        PackFile("lift", 42)  # type: ignore[arg-type]
    assert refused.value.key == "resource"


@attrs.frozen
class _RescueParams:
    minutes: int  # no default: a pack that leaves [rescue] out could not be built


def test_a_plugin_kind_whose_params_cannot_be_built_from_defaults_is_refused_at_discovery(
    evil_module: types.ModuleType,
) -> None:
    evil_module.no_default = PolicyKind("rescue", _RescueParams, lambda params: params)  # type: ignore[attr-defined]
    evil_module.not_attrs = PolicyKind("rescue", dict, lambda params: params)  # type: ignore[attr-defined]
    for name, words in (("no_default", "minutes"), ("not_attrs", "attrs class")):
        with pytest.raises(ConfigurationError) as refused:
            Registry.discover([_point(name)])
        assert refused.value.key == "rescue" and words in str(refused.value)


def test_a_parsed_pack_is_checked_like_a_pack_file(evil_module: types.ModuleType) -> None:
    evil_module.raw = Pack("raw_pack", "raw tables", "plugin", parameters={"sla": {"foo": 1}})  # type: ignore[attr-defined]
    evil_module.crossed = Pack("crossed_pack", "", "plugin", parameters={"priority": SlaParams()})  # type: ignore[attr-defined]
    evil_module.stray = Pack("stray_pack", "", "plugin", parameters={"rescue": 1})  # type: ignore[attr-defined]
    for entry, pack, key in (("raw", "raw_pack", "sla"), ("crossed", "crossed_pack", "priority"),
                             ("stray", "stray_pack", "rescue")):  # fmt: skip
        registry = Registry.discover([_point(entry)])
        with pytest.raises(ConfigurationError) as refused:
            registry.resolve(pack)
        assert refused.value.key == key
    with pytest.raises(ConfigurationError) as refused:
        resolve_policies(Pack("given", "", "host", parameters={"sla": {"warn_share": 0.5}}))
    assert refused.value.key == "sla"


def test_a_library_policy_in_another_kinds_place_is_refused_when_the_desk_opens(
    evil_module: types.ModuleType,
) -> None:
    evil_module.crossed = NamedPolicy("dispatch", "crossed", lambda params: DefaultPriority())  # type: ignore[attr-defined]
    registry = Registry.discover([_point("crossed")])
    with pytest.raises(ConfigurationError) as refused:
        registry.resolve("general_maintenance", {"dispatch": "crossed"})
    assert refused.value.key == "dispatch.decide"
    # the same arity, another answer: a routing policy asked for a priority
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open("memory://", overrides={"priority": DefaultRouting()})
    # (the library's own class: refused by its params' type at the override, session 38)
    assert refused.value.key == "overrides.priority" and "RoutingParams" in str(refused.value)


def test_an_unknown_implementation_is_refused_where_it_was_named(evil_module: types.ModuleType) -> None:
    """An override naming no registered implementation blamed the pack file (key ``dispatch``)."""
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open("memory://", pack="office_equipment", overrides={"dispatch": "psychic"})
    assert refused.value.key == "overrides.dispatch" and refused.value.file is None
    evil_module.chooser = Pack("chooser", "", "plugin", policies={"dispatch": "psychic"})  # type: ignore[attr-defined]
    with pytest.raises(ConfigurationError) as refused:
        Registry.discover([_point("chooser")]).resolve("chooser")
    assert refused.value.key == "policies.dispatch" and "known: default" in str(refused.value)


@pytest.mark.parametrize(
    ("labels", "key"),
    [
        ('{ zh_Hans = "门锁", en = "door lock", fr = "serrure" }', "faults.causes.door_lock.fr"),
        ('{ zh_Hans = "门锁" }', "faults.causes.door_lock"),
        ('{ zh_Hans = "门锁", en = "" }', "faults.causes.door_lock.en"),
    ],
)
def test_a_fault_label_is_refused_under_its_own_key(labels: str, key: str, tmp_path: Path) -> None:
    path = tmp_path / "lift.toml"
    path.write_text(f'[pack]\nname = "lift"\n\n[faults.causes]\ndoor_lock = {labels}\n', encoding="utf-8")
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open("memory://", pack=str(path))
    assert refused.value.key == key


@pytest.mark.parametrize(
    ("section", "key"),
    [
        # a key no product category can be: its checklist or terms were accepted and never used
        ('[maintenance]\nchecklists = { "Lift Car" = ["inspect"] }', "maintenance.checklists"),
        (
            '[warranty]\ndefault_terms_by_category = { "Lift Car" = [{ months = 12 }] }',
            "warranty.default_terms_by_category.Lift Car",
        ),
        # refused before, under the bare key "sla.category" / "priority.category"
        (
            '[sla]\ncategory_overrides = { "Lift Car" = { response_hours = 1.0 } }',
            "sla.category_overrides.Lift Car",
        ),
        ('[priority]\ncategory_floor = { "Lift Car" = "critical" }', "priority.category_floor.Lift Car"),
        ('[priority]\nremote_first = ["Lift Car"]', "priority.remote_first"),
    ],
)
def test_a_category_key_no_ticket_can_have_is_refused_naming_it(
    section: str, key: str, tmp_path: Path
) -> None:
    path = tmp_path / "lift.toml"
    path.write_text(f'[pack]\nname = "lift"\n\n{section}\n', encoding="utf-8")
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open("memory://", pack=str(path))
    assert refused.value.key == key and "Lift Car" in str(refused.value)


# -- a pack swapped on a store that has tickets -----------------------------------------------------------

LOOSE = """\
[pack]
name = "elevator_loose"

[sla]
resolution_days = { normal = 10, expedited = 10, critical = 10 }
"""


def _open(url: str, pack: str, clock: ManualClock) -> ServiceDesk:
    return ServiceDesk.open(url, pack=pack, clock=clock, staff=STAFF)


def _ticket_under(desk: ServiceDesk, world: World) -> str:
    """A triaged repair ticket, the desk's jobs run (the store stamped with its calendar and pack)."""
    register(desk, world)
    tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="电梯异响").ticket.id
    desk.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
    desk.run_due_jobs()
    assert desk.health().dues_stale is False
    return tid


def _check_swapped(desk: ServiceDesk, clock: ManualClock, world: World, tid: str, before: datetime) -> None:
    live = desk.sla(world.manager, tid)["resolution"].due_at
    assert live is not None and live < before  # general_maintenance: 3 working days, not 10
    assert desk.ticket(world.manager, tid).resolution_due_at == before  # still the old pack's
    assert desk.health().dues_stale is True
    clock.advance(timedelta(minutes=6))  # the sla_sweep's next run
    desk.run_due_jobs()
    ticket = desk.ticket(world.manager, tid)
    assert ticket.resolution_due_at == live  # what the ledger, the sweep and the reports read
    assert ticket.events[-1].action == "recalculate_sla"
    assert desk.health().dues_stale is False
    seq = ticket.events[-1].seq
    clock.advance(timedelta(hours=1))
    desk.run_due_jobs()  # done once: no second recalculation
    assert desk.ticket(world.manager, tid).events[-1].seq == seq


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_store_reopened_with_another_pack_recomputes_its_due_times(backend: str, tmp_path: Path) -> None:
    loose = tmp_path / "loose.toml"
    loose.write_text(LOOSE, encoding="utf-8")
    clock, world = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url:
        with _open(url, str(loose), clock) as old:
            tid = _ticket_under(old, world)
            before = old.ticket(world.manager, tid).resolution_due_at
        assert before is not None
        with _open(url, "general_maintenance", clock) as desk:
            _check_swapped(desk, clock, world, tid, before)


def test_two_desks_of_two_packs_on_one_memory_store_see_the_swap(tmp_path: Path) -> None:
    """A memory store does not outlive its desk: the second desk shares it while the first is open."""
    loose = tmp_path / "loose.toml"
    loose.write_text(LOOSE, encoding="utf-8")
    clock, world = ManualClock(START), make_world()
    store, calendar = open_storage("memory://"), open_calendar("china_mainland")
    old = ServiceDesk(store, policies=resolve_policies(loose), clock=clock, staff=STAFF, calendar=calendar)
    tid = _ticket_under(old, world)
    before = old.ticket(world.manager, tid).resolution_due_at
    assert before is not None
    policies = resolve_policies("general_maintenance")
    with ServiceDesk(store, policies=policies, clock=clock, staff=STAFF, calendar=calendar) as desk:
        _check_swapped(desk, clock, world, tid, before)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_same_pack_reopened_in_another_key_order_changes_nothing(backend: str, tmp_path: Path) -> None:
    first, second = tmp_path / "first.toml", tmp_path / "second.toml"
    first.write_text(
        '[pack]\nname = "lift"\n[sla]\nresolution_days = { normal = 5, critical = 1 }\n', encoding="utf-8"
    )
    second.write_text(
        '[pack]\nname = "lift"\n[sla]\nresolution_days = { critical = 1, normal = 5 }\n', encoding="utf-8"
    )
    clock, world = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url:
        with _open(url, str(first), clock) as old:
            tid = _ticket_under(old, world)
        with _open(url, str(second), clock) as desk:
            events = len(desk.ticket(world.manager, tid).events)
            assert desk.health().dues_stale is False
            clock.advance(timedelta(hours=1))
            desk.run_due_jobs()
            assert len(desk.ticket(world.manager, tid).events) == events


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_stamp_of_an_older_release_is_taken_as_the_desks_pack(backend: str, tmp_path: Path) -> None:
    """A store stamped before the stamp kept the SLA policy (``sla`` empty): its due times were computed on
    the pack the desk opens with (nothing to recompute); the next sweep signs the stamp."""
    clock, world = ManualClock(START), make_world()
    with store_url(backend, tmp_path) as url:
        with _open(url, "general_maintenance", clock) as old:
            tid = _ticket_under(old, world)
            with old.store() as uow:
                stamp = uow.documents.get(CalendarStamp, "calendar")
                assert stamp.sla  # this release signs it
                uow.documents.save(attrs.evolve(stamp, sla=""))
        with _open(url, "general_maintenance", clock) as desk:
            events = len(desk.ticket(world.manager, tid).events)
            assert desk.health().dues_stale is False
            clock.advance(timedelta(minutes=6))
            desk.run_due_jobs()
            assert len(desk.ticket(world.manager, tid).events) == events
            with desk.store() as uow:
                assert uow.documents.get(CalendarStamp, "calendar").sla


FIELDS = """\
[pack]
name = "elevator_fields"

[custom_fields.fields.lift_no]
type = "text"
label = "电梯编号"

[custom_fields.fields.risk_note]
type = "text"
label = "风险备注"
staff_only = true
"""


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_staff_only_value_stays_the_staffs_when_the_pack_no_longer_declares_it(
    backend: str, tmp_path: Path
) -> None:
    """A value stored under pack A's declaration (``risk_note`` staff-only) was shown to the customer
    once the store was opened with pack B, which declares no such field: B cannot know it was the
    staff's. A customer now reads no value of a field the desk does not declare; staff read them all."""
    declared = tmp_path / "fields.toml"
    declared.write_text(FIELDS, encoding="utf-8")
    clock, world = ManualClock(START), make_world()
    values = {"lift_no": "L-3", "risk_note": "业主拒付前科"}
    calendar = open_calendar("china_mainland")
    with store_url(backend, tmp_path) as url:
        store = open_storage(url)
        old = ServiceDesk(
            store, policies=resolve_policies(declared), clock=clock, staff=STAFF, calendar=calendar
        )
        register(old, world)
        tid = old.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="电梯异响", custom_fields=values
        ).ticket.id
        assert dict(old.ticket(world.customer_zh, tid).custom_fields) == {"lift_no": "L-3"}
        policies = resolve_policies("general_maintenance")
        with ServiceDesk(store, policies=policies, clock=clock, staff=STAFF, calendar=calendar) as desk:
            assert dict(desk.ticket(world.manager, tid).custom_fields) == values
            seen = desk.ticket(world.customer_zh, tid)
            assert dict(seen.custom_fields) == {}
            assert "业主拒付前科" not in seen.to_json()
            assert desk.search(world.customer_zh, "拒付前科").items == ()
