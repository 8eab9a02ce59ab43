# mypy: disable-error-code="arg-type"
"""Configuration an integrator passes is used or refused with a typed error naming the key (session 24, h).

What was silently accepted, and is held here:

- a :class:`NamedPolicy` for a kind nobody registers (a plugin's misspelt ``"dispatcher"``) was installed
  without a word and could never be chosen; discovery now refuses it once every entry point is read (a
  kind may come after its policies), and a hand-built registry refuses it when it resolves a pack;
- a maintenance ``lead_days`` as long as the interval (at its shortest: 28 days a month) generated the
  next visit the day the last one was done (seeds 000/001: 定期保养 / 定期維護計劃, one visit a period):
  refused in the pack (``maintenance.lead_days``) and in ``create_plan`` (field ``lead_days``);
- a host SLA policy keeping its figures in its own attributes (no ``fingerprint``, no ``params``) had
  the same fingerprint whatever they were, so a store opened with other figures kept its old due times
  and ``health().dues_stale`` said they were current;
- ``ServiceDesk.open(pack=5)`` was refused under the key ``5`` (read as a pack name), not ``pack``.

Then the sweep: every pack section and key, ``ServiceDesk.open`` keywords, store URL options,
:class:`JobSettings` fields and notifier settings, each given an unknown key, a wrong type and an
out-of-range value, must be a typed error naming the key.
"""

from __future__ import annotations

import hashlib
import sys
import types
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from aftersales import ConfigurationError, ServiceDesk
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifier_routing import ChannelNotifier
from aftersales.adapters.notifier_sms import SmsNotifier
from aftersales.adapters.notifier_smtp import SmtpNotifier
from aftersales.adapters.notifier_webhook import WebhookNotifier
from aftersales.adapters.notifier_wecom import WeComRobotNotifier
from aftersales.adapters.notifiers import LoggingNotifier, MemoryNotifier
from aftersales.domain.classification import Priority
from aftersales.domain.ids import AssetId
from aftersales.domain.products import Asset
from aftersales.errors import AftersalesError, InvalidStoreOption, ValidationError
from aftersales.policies.callback import CallbackPlan
from aftersales.policies.dispatch import DefaultDispatch
from aftersales.policies.fingerprint import _canonical, policy_fingerprint
from aftersales.policies.kinds import NamedPolicy, PolicyKind
from aftersales.policies.lifecycle import LifecycleParams
from aftersales.policies.pack import load_pack
from aftersales.policies.registry import ENTRY_POINT_GROUP, Registry, default_registry, resolve_policies
from aftersales.policies.sla import DefaultSla, SlaOverride, SlaParams
from aftersales.service.jobs import JobSettings
from conftest import STAFF, START, make_world, register, store_url

# -- (1) a named policy of a kind nobody registers -------------------------------------------------------


@pytest.fixture
def plugin_module() -> Iterator[types.ModuleType]:
    """A plugin module whose attributes the test entry points name."""
    module = types.ModuleType("config_plugin_s24h")
    sys.modules[module.__name__] = module
    yield module
    sys.modules.pop(module.__name__, None)


def _point(name: str) -> Any:
    from importlib.metadata import EntryPoint

    return EntryPoint(name, f"config_plugin_s24h:{name}", ENTRY_POINT_GROUP)


def test_a_named_policy_of_a_kind_nobody_registers_is_refused_at_discovery(
    plugin_module: types.ModuleType,
) -> None:
    plugin_module.misspelt = NamedPolicy("dispatcher", "nearest", lambda p: DefaultDispatch())  # type: ignore[attr-defined]
    with pytest.raises(ConfigurationError) as refused:
        Registry.discover([_point("misspelt")])
    assert refused.value.key == "dispatcher" and "nearest" in str(refused.value)


def test_a_kind_registered_after_its_named_policy_is_accepted(plugin_module: types.ModuleType) -> None:
    """Entry points load in no set order: a plugin's policy may be read before the kind it is for."""

    @attrs.frozen
    class RescueParams:
        minutes: int = 30

    plugin_module.quick = NamedPolicy("rescue", "quick", lambda p: ("quick", p))  # type: ignore[attr-defined]
    plugin_module.kind = PolicyKind("rescue", RescueParams, lambda p: ("default", p))  # type: ignore[attr-defined]
    registry = Registry.discover([_point("quick"), _point("kind")])
    assert registry.implementations()["rescue"] == frozenset({"quick"})
    policies = registry.resolve("general_maintenance", {"rescue": "quick"})
    assert policies.extra["rescue"] == ("quick", RescueParams())


def test_a_hand_built_registry_refuses_the_orphan_when_it_resolves() -> None:
    registry = Registry.discover(points=[])
    registry.register(NamedPolicy("dispatcher", "nearest", lambda p: DefaultDispatch()))
    with pytest.raises(ConfigurationError) as refused:
        registry.resolve("general_maintenance")
    assert refused.value.key == "dispatcher"


def test_a_pack_path_no_file_system_takes_is_refused_naming_the_pack() -> None:
    """Session 39: a NUL in a pack file's path (an operator's setting, a host's config) escaped as
    Python's ValueError from ``load_pack`` and ``ServiceDesk.open``."""
    for given in ("packs/a\x00.toml", Path("packs/a\x00.toml")):
        with pytest.raises(ConfigurationError) as refused:
            load_pack(given)
        assert refused.value.key == "pack" and "\x00" not in str(refused.value)


@pytest.mark.parametrize("name", ["pack", "policies", "extra"])
def test_a_kind_named_as_the_pack_header_or_the_policy_set_is_refused(name: str) -> None:
    """Its section would be the pack's header or its policy table (never settable), and
    ``PolicySet.get`` answered the pack's name or the plugin kinds' table instead of its policy."""

    @attrs.frozen
    class Params:
        minutes: int = 30

    registry = Registry.discover(points=[])
    with pytest.raises(ConfigurationError) as refused:
        registry.register(PolicyKind(name, Params, lambda p: p))
    assert refused.value.key == name and name not in registry.kinds


# -- (2) maintenance lead time against the interval -------------------------------------------------------


def test_the_shortest_interval_is_the_fewest_days_its_months_span() -> None:
    from aftersales.domain.maintenance import shortest_interval_days

    assert [shortest_interval_days(m) for m in (1, 2, 3, 6, 12)] == [28, 59, 89, 181, 365]


@pytest.mark.parametrize(("months", "lead"), [(1, 28), (1, 40), (2, 59), (3, 120)])
def test_a_pack_whose_lead_time_is_as_long_as_its_interval_is_refused(
    tmp_path: Path, months: int, lead: int
) -> None:
    path = tmp_path / "lift.toml"
    path.write_text(
        f'[pack]\nname = "lift"\n\n[maintenance]\ninterval_months = {months}\nlead_days = {lead}\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as refused:
        resolve_policies(path)
    assert refused.value.key == "maintenance.lead_days" and "interval" in str(refused.value)


def test_a_lead_time_just_shorter_than_the_interval_is_used(tmp_path: Path) -> None:
    path = tmp_path / "lift.toml"
    path.write_text('[pack]\nname = "lift"\n\n[maintenance]\ninterval_months = 1\nlead_days = 27\n')
    params = resolve_policies(path).maintenance
    assert (params.interval_months, params.lead_days) == (1, 27)


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_create_plan_refuses_a_lead_time_as_long_as_the_interval(backend: str, tmp_path: Path) -> None:
    world = make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, clock=ManualClock(START), staff=STAFF) as desk,
    ):
        register(desk, world)
        unit = Asset(
            AssetId("u-lead"), world.product.id, "SN-LEAD-1", customer_id=world.cust_zh.id,
            purchase_date=date(2025, 9, 1), dealer_id=world.dealer_sh.id,
        )  # fmt: skip
        desk.register_asset(world.manager, unit)
        for months, lead in ((1, 30), (2, 59)):
            with pytest.raises(ValidationError) as refused:
                desk.maintenance.create_plan(
                    world.manager, asset_id=unit.id, interval_months=months, lead_days=lead
                )
            assert refused.value.field == "lead_days"
        # the pack's 14 days against an interval of one month given here: used
        plan = desk.maintenance.create_plan(world.manager, asset_id=unit.id, interval_months=1)
        assert (plan.interval_months, plan.lead_days) == (1, 14)
        assert len(desk.maintenance.plans(world.manager, asset_id=unit.id)) == 1


# -- (3) a host SLA policy's fingerprint -----------------------------------------------------------------


class HostSla(DefaultSla):
    """A host's SLA policy keeping one figure of its own beside the library's params."""

    def __init__(self, hours: int) -> None:
        super().__init__(SlaParams(callback_hours=72))  # the pack's callback deadline
        object.__setattr__(self, "hours", hours)


class PlainHostSla:
    """A host's SLA policy written from scratch: its figure in a plain attribute, a cache it fills."""

    name = "host.sla"

    def __init__(self, hours: int) -> None:
        self.hours = hours
        self._memo: dict[str, int] = {}


def test_a_host_policys_own_attributes_change_its_fingerprint() -> None:
    assert policy_fingerprint(PlainHostSla(4)) != policy_fingerprint(PlainHostSla(8))
    assert policy_fingerprint(PlainHostSla(4)) == policy_fingerprint(PlainHostSla(4))
    busy = PlainHostSla(4)
    busy._memo["seen"] = 1  # a cache it fills as it answers does not make the due times stale
    assert policy_fingerprint(busy) == policy_fingerprint(PlainHostSla(4))


def test_a_host_subclass_of_the_default_is_told_apart_by_its_own_figure() -> None:
    assert policy_fingerprint(HostSla(4)) != policy_fingerprint(HostSla(8))


def test_a_host_policys_fingerprint_attribute_is_its_word() -> None:
    one, two = PlainHostSla(4), PlainHostSla(8)
    one.fingerprint = two.fingerprint = "sla-2026-03"  # type: ignore[attr-defined]
    assert policy_fingerprint(one) == policy_fingerprint(two) == "sla-2026-03"


def test_the_librarys_own_sla_fingerprint_is_unchanged() -> None:
    """A store stamped by an older release stays current: the library's policies keep their digest."""
    policy = DefaultSla(SlaParams(warn_share=0.5))
    text = "\n".join(["aftersales.policies.sla.DefaultSla", "default.sla", _canonical(policy.params)])
    assert policy_fingerprint(policy) == hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])  # a memory store lives as long as its desk
def test_a_store_opened_with_other_host_figures_says_its_due_times_are_stale(
    backend: str, tmp_path: Path
) -> None:
    clock = ManualClock(START)
    with store_url(backend, tmp_path) as url:
        with ServiceDesk.open(url, clock=clock, staff=STAFF, overrides={"sla": HostSla(4)}) as desk:
            desk.run_due_jobs()  # the sweep stamps the store with this policy's fingerprint
            assert desk.health().dues_stale is False
        with ServiceDesk.open(url, clock=clock, staff=STAFF, overrides={"sla": HostSla(4)}) as desk:
            assert desk.health().dues_stale is False
        with ServiceDesk.open(url, clock=clock, staff=STAFF, overrides={"sla": HostSla(8)}) as desk:
            assert desk.health().dues_stale is True


# -- (4) ServiceDesk.open(pack=...) of another type --------------------------------------------------------


def test_a_pack_of_another_type_is_refused_naming_pack() -> None:
    for given in (5, None, ["general_maintenance"]):
        with pytest.raises(ConfigurationError) as refused:
            ServiceDesk.open("memory://", pack=given)
        assert refused.value.key == "pack"


# -- the sweep: each key given unknown, of a wrong type and out of range -----------------------------------

_KINDS = default_registry().kinds
_WRONG_TYPE = "{ zz_wrong = { zz_wrong = [] } }"  # a nested table: no key of any kind takes it
_FIELDS = [
    (name, field.name, field.default)
    for name, kind in sorted(_KINDS.items())
    if kind.params is not None
    for field in attrs.fields(kind.params)
]


def _refused_pack(tmp_path: Path, body: str, header: str = 'name = "sweep"') -> ConfigurationError:
    path = tmp_path / "sweep.toml"
    path.write_text(f"[pack]\n{header}\n\n{body}\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as refused:
        resolve_policies(path)
    return refused.value


@pytest.mark.parametrize("section", sorted(_KINDS))
def test_every_pack_section_refuses_an_unknown_key(tmp_path: Path, section: str) -> None:
    refused = _refused_pack(tmp_path, f"[{section}]\nzz_unknown = 1")
    assert refused.key == f"{section}.zz_unknown"


@pytest.mark.parametrize(("section", "key", "default"), _FIELDS, ids=[f"{s}.{k}" for s, k, _ in _FIELDS])
def test_every_pack_key_refuses_a_wrong_type_and_an_out_of_range_number(
    tmp_path: Path, section: str, key: str, default: object
) -> None:
    assert str(_refused_pack(tmp_path, f"[{section}]\n{key} = {_WRONG_TYPE}").key).startswith(
        f"{section}.{key}"
    )
    if type(default) in (int, float):  # a count, a number of hours or days, a share
        for value in ("-1", "1000000000000000"):
            refused = _refused_pack(tmp_path, f"[{section}]\n{key} = {value}")
            assert str(refused.key).startswith(f"{section}.{key}"), value


@pytest.mark.parametrize(
    ("header", "body", "key"),
    [
        ('name = "sweep"\nzz_unknown = "x"', "", "pack.zz_unknown"),
        ("name = 5", "", "pack.name"),
        # Session 39: a NUL, a bidi override or a 100,000-character text was taken in the header.
        ('name = "sweep"\ndescription = "a\\u0000b"', "", "pack.description"),
        ('name = "sweep"\nseed = "\\u202e002"', "", "pack.seed"),
        ('name = "sweep"\nextends = 5', "", "pack.extends"),
        ('name = "sweep"\nextends = "zz_no_such_pack"', "", "pack.extends"),
        ('name = "sweep"', "[zz_unknown]\na = 1", "zz_unknown"),
        ('name = "sweep"', '[policies]\nzz_unknown = "default"', "policies.zz_unknown"),
        ('name = "sweep"', "[policies]\ndispatch = 5", "policies.dispatch"),
        ('name = "sweep"', '[policies]\ndispatch = "zz_unknown"', "policies.dispatch"),
        ('name = "sweep"', "[sla]\nresponse_hours = { zz_unknown = 4 }", "sla.response_hours.zz_unknown"),
        ('name = "sweep"', '[sla]\nresponse_hours = { normal = "4" }', "sla.response_hours.normal"),
        ('name = "sweep"', "[dispatch]\nweights = { skill = -1.0 }", "dispatch.weights.skill"),
        ('name = "sweep"', '[fees]\nparts = { "A-1" = { cost = "1.00", zz = 1 } }', "fees.parts.A-1.zz"),
        (
            'name = "sweep"',
            '[faults.causes]\nx = { zh_Hans = "a", en = "b", fr = "c" }',
            "faults.causes.x.fr",
        ),
        ('name = "sweep"', "[maintenance]\ninterval_months = 1\nlead_days = 28", "maintenance.lead_days"),
    ],
)
def test_the_pack_header_policies_and_nested_tables_refuse_naming_the_key(
    tmp_path: Path, header: str, body: str, key: str
) -> None:
    assert _refused_pack(tmp_path, body, header).key == key


_OPEN: list[tuple[str, dict[str, object], str]] = [
    ("overrides", {"overrides": ["dispatch"]}, "overrides"),
    ("overrides_unknown", {"overrides": {"zz_unknown": "default"}}, "zz_unknown"),
    ("overrides_none", {"overrides": {"dispatch": None}}, "overrides.dispatch"),
    ("clock", {"clock": 5}, "clock"),
    ("notifier", {"notifier": 5}, "notifier"),
    ("ids", {"ids": 5}, "ids"),
    ("calendar", {"calendar": 5}, "calendar"),
    ("calendar_unknown", {"calendar": "zz_unknown"}, "calendar"),
    ("staff", {"staff": 5}, "staff"),
    ("invoice_issuer", {"invoice_issuer": 5}, "invoice_issuer"),
    ("renderer", {"renderer": 5}, "renderer"),
    ("settings", {"settings": 5}, "settings"),
    ("settings_unknown", {"settings": {"zz_unknown": 1}}, "settings.zz_unknown"),
    ("settings_timezone_type", {"settings": {"timezone": 8}}, "timezone"),
    ("settings_timezone_unknown", {"settings": {"timezone": "Asia/Nowhere"}}, "timezone"),
    ("settings_materials", {"settings": {"materials": 5}}, "materials"),
    ("settings_text_index", {"settings": {"text_index": 5}}, "text_index"),
    ("custom_fields", {"custom_fields": 5}, "custom_fields"),
    ("attachments", {"attachments": 5}, "attachments"),
]


@pytest.mark.parametrize(("options", "key"), [(o, k) for _, o, k in _OPEN], ids=[i for i, _, _ in _OPEN])
def test_every_open_keyword_refuses_a_bad_value_naming_it(options: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open("memory://", **options)  # type: ignore[arg-type]
    assert refused.value.key == key


_URL_OPTIONS = {
    "memory": [("zz_unknown=1", "zz_unknown")],
    "sqlite": [
        ("zz_unknown=1", "zz_unknown"),
        ("checkpoint=zz_wrong", "checkpoint"),
        ("ticket_cache=many", "ticket_cache"),
        ("ticket_cache=-1", "ticket_cache"),
        ("ticket_cache=1&ticket_cache=2", "ticket_cache"),
    ],
    "postgres": [
        ("zz_unknown=1", "zz_unknown"),
        ("synchronous_commit=zz_wrong", "synchronous_commit"),
        ("pool_max=many", "pool_max"),
        ("pool_max=0", "pool_max"),
        ("pool_min=5&pool_max=2", "pool_min"),
        ("prepare_threshold=-1", "prepare_threshold"),
        ("ticket_cache=-1", "ticket_cache"),
        ("schema=Not-An-Identifier", "schema"),
    ],
}
_URL_CASES = [(b, q, o) for b, cases in _URL_OPTIONS.items() for q, o in cases]


@pytest.mark.parametrize(
    ("backend", "query", "option"), _URL_CASES, ids=[f"{b}-{q}" for b, q, _ in _URL_CASES]
)
def test_every_store_url_option_refuses_a_bad_value_naming_it(
    backend: str, query: str, option: str, tmp_path: Path
) -> None:
    with store_url(backend, tmp_path) as url:
        given = f"{url}{'&' if '?' in url else '?'}{query}"
        with pytest.raises(InvalidStoreOption) as refused:
            ServiceDesk.open(given)
    assert refused.value.option == option and option in str(refused.value)


_JOB_SETTINGS: list[tuple[dict[str, Any], str]] = [
    ({"every": {"zz_unknown": timedelta(hours=1)}}, "every"),
    ({"every": {"deliver": 60}}, "every"),
    ({"every": {"deliver": timedelta(seconds=-1)}}, "every"),
    ({"every": 5}, "every"),
    ({"disabled": {"zz_unknown"}}, "disabled"),
    ({"disabled": "deliver"}, "disabled"),
    ({"limit": "500"}, "limit"),
    ({"limit": True}, "limit"),
    ({"limit": 0}, "limit"),
    ({"limit": 10**12}, "limit"),
    ({"lease": 600}, "lease"),
    ({"lease": timedelta(0)}, "lease"),
    ({"senders": "4"}, "senders"),
    ({"senders": 0}, "senders"),
    ({"senders": 10**6}, "senders"),
]


@pytest.mark.parametrize(("fields", "key"), _JOB_SETTINGS, ids=[str(f) for f, _ in _JOB_SETTINGS])
def test_every_job_setting_refuses_a_bad_value_naming_it(fields: dict[str, Any], key: str) -> None:
    with pytest.raises(AftersalesError) as refused:
        JobSettings(**fields)
    assert getattr(refused.value, "field", None) == key or getattr(refused.value, "key", None) == key


def test_jobs_configure_refuses_anything_but_job_settings() -> None:
    with ServiceDesk.open("memory://") as desk:
        for given in (5, {"limit": 5}):
            with pytest.raises(ValidationError) as refused:
                desk.jobs.configure(given)
            assert refused.value.field == "settings"


class _Sender:
    def send_sms(self, phone: str, text: str, *, key: str) -> None:
        """Takes every message."""


_HOOK = "https://hooks.example.com/aftersales"
_NOTIFIERS: list[tuple[str, Callable[[], object], str]] = [
    ("sms_sender", lambda: SmsNotifier(5), "sender"),
    ("sms_max_length_type", lambda: SmsNotifier(_Sender(), max_length="70"), "max_length"),
    ("sms_max_length_range", lambda: SmsNotifier(_Sender(), max_length=5), "max_length"),
    ("sms_signature", lambda: SmsNotifier(_Sender(), signature="【" + "长" * 30 + "】"), "signature"),
    # Session 38: a NUL or a line break in the signature went before the text of every SMS.
    ("sms_signature_nul", lambda: SmsNotifier(_Sender(), signature="【维纳斯\x00】"), "signature"),
    ("sms_signature_line", lambda: SmsNotifier(_Sender(), signature="【维纳斯】\n"), "signature"),
    ("smtp_port_type", lambda: SmtpNotifier("mail.example.com", "25", sender="a@example.com"), "port"),
    ("smtp_port_range", lambda: SmtpNotifier("mail.example.com", 70000, sender="a@example.com"), "port"),
    (
        "smtp_security",
        lambda: SmtpNotifier("mail.example.com", sender="a@example.com", security="zz"),
        "security",
    ),
    ("smtp_timeout", lambda: SmtpNotifier("mail.example.com", sender="a@example.com", timeout=-1), "timeout"),
    ("smtp_sender", lambda: SmtpNotifier("mail.example.com", sender="nobody"), "sender"),
    (
        "webhook_timeout",
        lambda: WebhookNotifier("https://hooks.example.com/x", "s" * 32, timeout=0),
        "timeout",
    ),
    (
        "webhook_timeout_type",
        lambda: WebhookNotifier("https://hooks.example.com/x", "s" * 32, timeout="5"),
        "timeout",
    ),
    ("webhook_headers_type", lambda: WebhookNotifier(_HOOK, "s" * 32, headers=[("X-A", "b")]), "headers"),
    ("webhook_headers_value", lambda: WebhookNotifier(_HOOK, "s" * 32, headers={"X-A": 5}), "headers"),
    (
        "webhook_channels_unknown",
        lambda: WebhookNotifier(_HOOK, "s" * 32, channels=frozenset({"zz"})),
        "channels",
    ),
    ("webhook_channels_text", lambda: WebhookNotifier(_HOOK, "s" * 32, channels="sms"), "channels"),
    (
        "webhook_max_connections",
        lambda: WebhookNotifier(_HOOK, "s" * 32, max_connections=0),
        "max_connections",
    ),
    (
        "webhook_max_connections_type",
        lambda: WebhookNotifier(_HOOK, "s" * 32, max_connections="4"),
        "max_connections",
    ),
    ("webhook_tls_context", lambda: WebhookNotifier(_HOOK, "s" * 32, tls_context=5), "tls_context"),
    (
        "smtp_sender_name",
        lambda: SmtpNotifier("mail.example.com", sender="a@example.com", sender_name=5),
        "sender_name",
    ),
    (
        "smtp_domain",
        lambda: SmtpNotifier("mail.example.com", sender="a@example.com", domain="bad domain"),
        "domain",
    ),
    ("logging_logger", lambda: LoggingNotifier(logger="aftersales"), "logger"),
    ("logging_level", lambda: LoggingNotifier(level=-1), "level"),
    ("logging_remember", lambda: LoggingNotifier(remember=0), "remember"),
    # Session 39: the URL's user and password were dropped by the pool, every request unauthenticated.
    ("webhook_userinfo", lambda: WebhookNotifier("https://user:pw@hooks.example.com/x", "s" * 32), "url"),
    # Session 39: a 100,000-character URL was taken (no server takes it) and quoted whole in refusals.
    ("webhook_url_length", lambda: WebhookNotifier(_HOOK + "a" * 100_000, "s" * 32), "url"),
    ("wecom_key", lambda: WeComRobotNotifier("has space"), "key"),
    ("wecom_timeout", lambda: WeComRobotNotifier("k", timeout=-5), "timeout"),
    ("routes_type", lambda: ChannelNotifier([MemoryNotifier()]), "routes"),
    ("routes_unknown", lambda: ChannelNotifier({"zz_unknown": MemoryNotifier()}), "zz_unknown"),
    ("routes_notifier", lambda: ChannelNotifier({"sms": 5}), "sms"),
    ("routes_fallback", lambda: ChannelNotifier({}, fallback=5), "fallback"),
]


@pytest.mark.parametrize(
    ("build", "key"), [(b, k) for _, b, k in _NOTIFIERS], ids=[i for i, _, _ in _NOTIFIERS]
)
def test_every_notifier_setting_refuses_a_bad_value_naming_it(build: Callable[[], object], key: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        build()
    assert refused.value.key == key


def test_a_params_flag_figure_or_list_built_in_python_is_refused_unless_it_is_one() -> None:
    """A pack's TOML is checked by type; built in Python, ``dealer_contract="no"`` switched the seed 002
    contract on (text is true), ``callback_hours=True`` was one hour, a NaN passed ``at_least`` and a
    bare text given for a list was read as its letters."""
    for given, rule in (
        ({"dealer_contract": "no"}, "true_or_false"),
        ({"callback_hours": True}, "number"),
        ({"complex_resolution_days": float("nan")}, "number"),
        ({"complex_resolution_days": 10**30}, "number"),
        # Session 39: what a pack refuses (ten years of days) was taken in Python, and every triage then
        # failed with Python's OverflowError; infinity passed the per-priority tables' "positive".
        ({"complex_resolution_days": 10**9}, "number"),
        ({"resolution_days": {Priority.NORMAL: 10**9}}, "number"),
        ({"response_hours": {Priority.NORMAL: float("inf")}}, "number"),
    ):
        with pytest.raises(ValidationError) as refused:
            SlaParams(**given)
        assert (refused.value.field, refused.value.rule) == (next(iter(given)), rule)
    assert SlaParams(dealer_contract=True, callback_hours=48).callback_hours == 48
    for override in ({"resolution_days": "5"}, {"resolution_days": 10**9}, {"arrival_hours": float("nan")}):
        with pytest.raises(ValidationError) as refused:  # text raised TypeError comparing with 0
            SlaOverride(**override)
        assert (refused.value.field, refused.value.rule) == (next(iter(override)), "number")
    with pytest.raises(ValidationError) as refused:  # read as the channels "p", "h", "o", "n", "e"
        LifecycleParams(acceptance_channels="phone")  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.rule) == ("acceptance_channels", "collection")


def test_a_host_s_callback_plan_is_checked_as_the_pack_s_figures_are() -> None:
    """Session 39: a host's callback policy builds ``CallbackPlan``s too, unchecked: ``within=5`` (hours as
    a number) was taken and the callback's deadline then failed as Python's TypeError when it was planned,
    ``timedelta.max`` as OverflowError, ``required="no"`` planned a callback, ``True`` attempts was one."""
    plan = CallbackPlan(True, timedelta(hours=24), False)
    assert plan.due_from(START, START.tzinfo) == START + timedelta(hours=24)  # type: ignore[arg-type]
    for given, field in (
        ({"within": 5}, "within"),
        ({"within": timedelta.max}, "within"),
        ({"within": timedelta(0)}, "within"),
        ({"required": "no"}, "required"),
        ({"survey": 1}, "survey"),
        ({"whole_days": "yes"}, "whole_days"),
        ({"attempts_before_close": True}, "attempts_before_close"),
        ({"attempts_before_close": 10**9}, "attempts_before_close"),
    ):
        with pytest.raises(ValidationError) as refused:
            attrs.evolve(plan, **given)
        assert refused.value.field == field, given
