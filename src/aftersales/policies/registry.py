"""The policy registry: kinds, packs and named policies, discovered through entry points.

Discovery (:meth:`Registry.discover`) collects, in this order: the built-in kinds (lazily, see
``kinds.BUILTIN_KINDS``), the built-in packs (package data, so they load even when the distribution's
entry points are not installed), then every entry point of the group ``aftersales.policies``. An entry
point may name a :class:`PolicyKind`, a :class:`NamedPolicy`, a :class:`PackFile`, a parsed :class:`Pack`,
or a callable returning one of those or a list of them.

:func:`resolve_policies` turns a pack (plus per-kind overrides) into a :class:`PolicySet`: one attribute per
kind; overriding one policy leaves the others as the pack configures them.
"""

from __future__ import annotations

import contextlib
import functools
import re
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

import attrs

from aftersales.domain.call_shape import host_factories
from aftersales.errors import AftersalesError, ConfigurationError, carried_rule, shown_repr
from aftersales.policies.callback import DefaultCallback
from aftersales.policies.chargeability import DefaultChargeabilityPolicy
from aftersales.policies.guard import check_own, guarded
from aftersales.policies.kinds import NamedPolicy, PolicyKind, import_builtin_kinds
from aftersales.policies.maintenance import MaintenanceParams
from aftersales.policies.own_params import refused_params
from aftersales.policies.pack import Pack, PackFile, parse_pack, read_toml
from aftersales.policies.pack_unset import UNSET_KEY, unset_paths, without_unset
from aftersales.policies.protocols import (
    KIND_PROTOCOLS,
    CallbackPolicy,
    ChargeabilityPolicy,
    ComplaintPolicy,
    DispatchPolicy,
    EscalationPolicy,
    FeesPolicy,
    MaintenancePolicy,
    NotificationPolicy,
    PriorityPolicy,
    RoutingPolicy,
    SlaPolicy,
    SurveyCampaignPolicy,
    WarrantyPolicy,
)
from aftersales.policies.sla import DefaultSla
from aftersales.policies.survey_campaign import SurveyCampaignParams

__all__ = ["ENTRY_POINT_GROUP", "PolicySet", "Registry", "default_registry", "resolve_policies"]

ENTRY_POINT_GROUP = "aftersales.policies"

Contribution = PolicyKind | NamedPolicy | PackFile | Pack


@attrs.frozen
class PolicySet:
    """The active policy of every kind for one desk, and the pack they came from.

    One typed field per built-in kind (their Protocols are in :mod:`aftersales.policies.protocols`);
    kinds contributed by plugins are in ``extra``.
    """

    pack: str
    priority: PriorityPolicy
    routing: RoutingPolicy
    dispatch: DispatchPolicy
    callback: CallbackPolicy
    escalation: EscalationPolicy
    notification: NotificationPolicy
    warranty: WarrantyPolicy
    chargeability: ChargeabilityPolicy
    fees: FeesPolicy
    sla: SlaPolicy
    complaint: ComplaintPolicy
    maintenance: MaintenancePolicy = attrs.field(factory=MaintenanceParams)
    survey_campaign: SurveyCampaignPolicy = attrs.field(factory=SurveyCampaignParams)
    extra: Mapping[str, object] = attrs.field(factory=dict)

    def get(self, kind: str) -> object:
        """The policy of ``kind`` by name (built-in or plugin kind); ``KeyError`` if none is active."""
        if kind in _FIELDS:
            return getattr(self, kind)
        return self.extra[kind]


_FIELDS = frozenset(f.name for f in attrs.fields(PolicySet)) - {"pack", "extra"}
_PROTOCOLS: Mapping[str, type] = KIND_PROTOCOLS
_MAX_EXTENDS = 8
_EXTENDS_KEY = "extends"
"""The header key naming the pack a pack lays itself over."""


@host_factories
class Registry:
    """Kinds, named policies and packs known to one application. Build with :meth:`discover`."""

    def __init__(self) -> None:
        self._kinds: dict[str, PolicyKind] = {}
        self._named: dict[tuple[str, str], NamedPolicy] = {}
        self._pack_sources: dict[str, PackFile | Pack] = {}
        self._packs: dict[str, Pack] = {}

    @classmethod
    def discover(cls, points: Iterable[EntryPoint] | None = None, *, builtins: bool = True) -> Registry:
        """A registry with the built-ins and every entry point of ``aftersales.policies``."""
        from aftersales.policies import packs

        registry = cls()
        if builtins:
            for kind in import_builtin_kinds().values():
                registry.register(kind)
            for source in packs.BUILTIN:
                registry.register(source)
        for point in entry_points(group=ENTRY_POINT_GROUP) if points is None else points:
            registry._load_entry_point(point)
        registry._check_named_kinds()  # after every entry point: a kind may come after its policies
        return registry

    # -- registration -------------------------------------------------------------------------------

    def register(self, contribution: Contribution) -> None:
        """Register a kind, a named policy or a pack; the same one twice is harmless, a clash is refused."""
        if isinstance(contribution, PolicyKind):
            _check_kind_name(contribution)
            _check_kind_params(contribution)
            self._add(self._kinds, contribution.name, contribution, "policy kind")
        elif isinstance(contribution, NamedPolicy):
            self._add(self._named, (contribution.kind, contribution.name), contribution, "policy")
        elif isinstance(contribution, PackFile | Pack):
            if contribution.name in self._pack_sources and _same(
                self._pack_sources[contribution.name], contribution
            ):
                return
            self._add(self._pack_sources, contribution.name, contribution, "pack")
            self._packs.pop(contribution.name, None)
        else:
            raise ConfigurationError(f"cannot register {contribution!r}: not a kind, a policy or a pack")

    @staticmethod
    def _add(table: dict[Any, Any], key: object, value: object, what: str) -> None:
        existing = table.get(key)
        if existing is not None and existing != value:
            raise ConfigurationError(f"two different {what}s are registered as {key!r}", key=str(key))
        table[key] = value

    def _load_entry_point(self, point: EntryPoint) -> None:
        where = f"entry point {point.name} = {point.value}"
        try:
            loaded: Any = point.load()
        except Exception as error:  # a broken plugin must say which one it is
            raise ConfigurationError(f"cannot load {where}: {error}", key=point.name) from error
        if callable(loaded) and not isinstance(loaded, Contribution):
            try:
                loaded = loaded()
            except Exception as error:  # the plugin's factory failed: name it, as a failed import
                raise ConfigurationError(
                    f"{where} failed when called: {type(error).__name__}: {error}", key=point.name
                ) from error
        items = loaded if isinstance(loaded, list | tuple) else [loaded]
        for item in items:
            if not isinstance(item, Contribution):
                raise ConfigurationError(
                    f"{where} gave {item!r}, not a kind, a policy or a pack", key=point.name
                )
            self.register(item)

    def _check_named_kinds(self) -> None:
        """Refuse a named policy of a kind no one registers.

        Why: it can never be chosen (a pack's ``[policies]`` and ``overrides`` name registered kinds
        only), so a plugin that misspelt its kind (``NamedPolicy("dispatcher", ...)``) was installed
        without a word and its policy never used. Entry points load in no set order, so a kind may be
        registered after its named policies: the check runs once discovery has read them all, and again
        when a hand-built registry resolves a pack."""
        for kind, name in sorted(self._named):
            if kind not in self._kinds:
                known = ", ".join(sorted(self._kinds)) or "none"
                raise ConfigurationError(
                    f"the policy {name!r} is for kind {kind!r}, which no one registers; known: {known}",
                    key=kind,
                )

    # -- queries ----------------------------------------------------------------------------------

    @property
    def kinds(self) -> Mapping[str, PolicyKind]:
        """The registered kinds by name."""
        return dict(self._kinds)

    def pack_names(self) -> tuple[str, ...]:
        """The names of every registered pack, sorted."""
        return tuple(sorted(self._pack_sources))

    def implementations(self) -> dict[str, frozenset[str]]:
        """The named alternative implementations per kind."""
        found: dict[str, set[str]] = {}
        for kind, name in self._named:
            found.setdefault(kind, set()).add(name)
        return {kind: frozenset(names) for kind, names in found.items()}

    def load_pack(self, name_or_path: str | Path) -> Pack:
        """A registered pack by name, or a pack file by path, validated against the registered kinds."""
        if not isinstance(name_or_path, str | Path):  # else refused under its own text as a pack name
            raise ConfigurationError(
                f"pack is a registered pack's name, a pack file's path or a Pack, not {name_or_path!r}",
                key="pack",
            )
        if isinstance(name_or_path, Path) or str(name_or_path).endswith(".toml"):
            own, file = read_toml(Path(name_or_path))
            data = self._inherit(own, file, frozenset())
            with _as_written(own):
                return parse_pack(data, file=file, kinds=self._kinds, implementations=self.implementations())
        name = str(name_or_path)
        if name in self._packs:
            return self._packs[name]
        source = self._pack_sources.get(name)
        if source is None:
            known = ", ".join(self.pack_names()) or "none"
            raise ConfigurationError(
                f"no pack named {name!r}; registered packs: {known}",
                key=name,
                rule="unknown_pack",
                rule_params={"allowed": known},
            )
        if isinstance(source, Pack):
            pack = source
        else:
            own, file = source.read()
            data = self._inherit(own, file, frozenset({name}))
            with _as_written(own):
                pack = parse_pack(data, file=file, kinds=self._kinds, implementations=self.implementations())
            if pack.name != name:
                raise ConfigurationError(
                    f"pack registered as {name!r} is named {pack.name!r}", file=file, key="pack.name"
                )
        self._packs[name] = pack
        return pack

    def lineage(self, name_or_path: str | Path) -> tuple[str, ...]:
        """The pack's name, then its ``[pack] extends`` parent's, and so on (nearest first).

        Why: what the library keeps per shipped pack outside the pack file (its KPI goals) belongs to a
        pack extending it too. The pack is loaded first, so a bad one is refused as :meth:`load_pack`
        refuses it; a parent registered parsed ends the line.
        """
        pack = self.load_pack(name_or_path)
        if isinstance(name_or_path, Path) or str(name_or_path).endswith(".toml"):
            own, _ = read_toml(Path(name_or_path))
        else:
            source = self._pack_sources.get(pack.name)
            if source is None or isinstance(source, Pack):
                return (pack.name,)
            own, _ = source.read()
        names = [pack.name]
        for _ in range(_MAX_EXTENDS + 1):
            header = own.get("pack")
            parent = header.get("extends") if isinstance(header, dict) else None
            if not isinstance(parent, str) or parent in names:
                break
            names.append(parent)
            source = self._pack_sources.get(parent)
            if source is None or isinstance(source, Pack):
                break
            own, _ = source.read()
        return tuple(names)

    def _inherit(self, data: Mapping[str, Any], file: str, seen: frozenset[str]) -> dict[str, Any]:
        """``data`` with its ``[pack] extends`` parent's sections underneath, key by key.

        The child's keys win inside each section, and inside each keyed table (``sla.response_hours``,
        ``escalation.targets``, ``faults.causes``…): a child that changes one entry keeps its parent's
        others (else they fell back to the library's defaults, not the parent's: a child changing the
        ``no_candidate`` target of exhibition_services sent its hard cases to the general manager). A
        list is replaced whole. Sections only the parent has are inherited whole; the ``[policies]``
        table merges the same way. A missing parent, a cycle or a parent that is
        not a pack file is a ``ConfigurationError``.

        The keys ``[pack] unset`` lists leave the parent's tables before the child's are laid over them
        (:mod:`aftersales.policies.pack_unset`): a parent's key can be removed, not only overridden.
        """
        header = data.get("pack")
        parent = header.get("extends") if isinstance(header, dict) else None
        entries = unset_paths(header, file) if isinstance(header, dict) else ()
        if parent is None:
            if entries:
                raise ConfigurationError(
                    f"pack.{UNSET_KEY} removes keys of the pack this one extends, and it extends none: "
                    "there is nothing to remove",
                    file=file,
                    key=f"pack.{UNSET_KEY}",
                    rule="unset_not_inherited",
                )
            return _linked_follow({**data, "pack": _own_header(header)}, data, file)
        if not isinstance(parent, str) or not parent.strip():
            raise ConfigurationError("extends names a registered pack", file=file, key="pack.extends")
        if parent in seen or len(seen) > _MAX_EXTENDS:
            raise ConfigurationError(
                f"pack {parent!r} extends itself (a cycle)", file=file, key="pack.extends"
            )
        source = self._pack_sources.get(parent)
        if source is None:
            known = ", ".join(self.pack_names()) or "none"
            raise ConfigurationError(
                f"extends unknown pack {parent!r}; registered packs: {known}", file=file, key="pack.extends"
            )
        if isinstance(source, Pack):
            raise ConfigurationError(
                f"pack {parent!r} was registered parsed, without its file; it cannot be extended",
                file=file,
                key="pack.extends",
            )
        parent_data, parent_file = source.read()
        inherited = self._inherit(parent_data, parent_file, seen | {parent})
        below = {k: v for k, v in inherited.items() if k != "pack"}
        merged = without_unset(below, entries, parent=parent, file=file, kinds=self._kinds, linked=_LINKED)
        for key, section in data.items():
            if key == "pack":
                continue
            merged[key] = _layered(merged.get(key), section)
        merged["pack"] = _own_header(header)
        return _linked_follow(merged, data, file)

    def _check_parsed(self, pack: Pack) -> None:
        """Refuse a :class:`Pack` built in Python (a host's, or a plugin's entry point) whose parameters
        are not the params objects of registered kinds, or whose ``policies`` name a kind none is.

        Why: a pack file is validated key by key when it loads, but a parsed pack skipped that, so a raw
        table (``{"sla": {"foo": 1}}``) or another kind's params reached the desk and failed at its first
        command with an untyped ``AttributeError``."""
        for name, value in pack.parameters.items():
            kind = self._kinds.get(name)
            if kind is None:
                known = ", ".join(sorted(self._kinds))
                raise ConfigurationError(
                    f"pack {pack.name!r} has parameters for {name!r}, which is no registered policy "
                    f"kind; known: {known}",
                    file=pack.source,
                    key=name,
                )
            if kind.params is None or not isinstance(value, kind.params):
                wanted = kind.params.__name__ if kind.params is not None else "no parameters"
                raise ConfigurationError(
                    f"pack {pack.name!r}: the [{name}] parameters are a {type(value).__name__}, not "
                    f"{wanted} (parse a table with parse_pack or load_pack)",
                    file=pack.source,
                    key=name,
                )
        for name in pack.policies:
            if name not in self._kinds and name not in pack.pending:
                raise ConfigurationError(
                    f"pack {pack.name!r} chooses a policy for {name!r}, which is no registered policy kind",
                    file=pack.source,
                    key=f"policies.{name}",
                )

    def resolve(self, pack: str | Path | Pack, overrides: Mapping[str, object] | None = None) -> PolicySet:
        """The policy of every registered kind for ``pack``; ``overrides`` replaces single kinds.

        An override is a policy object (used as is) or the name of a registered :class:`NamedPolicy`
        (built with the pack's params for that kind).
        """
        self._check_named_kinds()
        chosen = pack if isinstance(pack, Pack) else self.load_pack(pack)
        self._check_parsed(chosen)
        for section in chosen.pending:
            raise ConfigurationError(
                f"pack section [{section}] is not consumed: no policy kind {section!r} is registered",
                file=chosen.source,
                key=section,
            )
        if overrides is not None and not isinstance(overrides, Mapping):
            raise ConfigurationError("overrides map a policy kind to a policy or a name", key="overrides")
        overrides = dict(overrides or {})
        for kind_name, given in overrides.items():
            if kind_name not in self._kinds:
                known = ", ".join(sorted(self._kinds))
                raise ConfigurationError(  # the key as text: a caller's key may be any object
                    f"cannot override unknown policy kind {kind_name!r}; known: {known}", key=str(kind_name)
                )
            if isinstance(given, type):  # its methods unbound: the first argument would become self
                raise ConfigurationError(
                    f"the override of {kind_name!r} is the class {given.__name__}: give an instance of it",
                    key=f"overrides.{kind_name}",
                )
            if given is None:  # else read as "no override" and the pack's policy used without a word
                raise ConfigurationError(
                    f"the override of {kind_name!r} is None: give a policy object or the name of a "
                    "registered implementation, or leave the kind out",
                    key=f"overrides.{kind_name}",
                )
            expected = self._kinds[kind_name].params
            if expected is not None and _library_policy(given):
                # A built-in policy built with params of another type (DefaultSla("x"), a dict of the
                # pack's keys) opened the desk and failed at first use with Python's AttributeError.
                own = getattr(given, "params", _NO_PARAMS)  # a kind whose policy is its params has none
                if (
                    own is not _NO_PARAMS
                    and not isinstance(given, expected)
                    and not isinstance(own, expected)
                ):
                    error = refused_params(kind_name, expected, own)
                    raise ConfigurationError(
                        str(error).removeprefix(f"{kind_name}: "),
                        key=f"overrides.{kind_name}",
                        **carried_rule(error),
                    )
        policies: dict[str, object] = {}
        for kind_name, kind in self._kinds.items():
            override = overrides.get(kind_name)
            if override is not None and not isinstance(override, str):
                policies[kind_name] = override
                continue
            impl = override if isinstance(override, str) else chosen.policies.get(kind_name, "default")
            params = chosen.params(kind)
            if impl == "default":
                policies[kind_name] = _built(kind_name, "default", kind.build, params, chosen.source)
            else:
                named = self._named.get((kind_name, impl))
                if named is None:
                    known = ", ".join(
                        sorted(self.implementations().get(kind_name, frozenset()) | {"default"})
                    )
                    if isinstance(override, str):  # the host's override names it, not the pack file
                        raise ConfigurationError(
                            f"no {kind_name} implementation named {impl!r}; known: {known}",
                            key=f"overrides.{kind_name}",
                        )
                    raise ConfigurationError(
                        f"no {kind_name} implementation named {impl!r}; known: {known}",
                        file=chosen.source,
                        key=f"policies.{kind_name}",
                    )
                policies[kind_name] = _built(kind_name, impl, named.factory, params, chosen.source)
        extra = {k: v for k, v in policies.items() if k not in _FIELDS}
        core = {k: v for k, v in policies.items() if k in _FIELDS}
        for kind_name, protocol in _PROTOCOLS.items():
            if kind_name not in core:
                raise ConfigurationError(f"no policy registered for kind {kind_name!r}", key=kind_name)
            if getattr(protocol, "_is_runtime_protocol", False) and not _implements(
                core[kind_name], protocol
            ):
                raise ConfigurationError(
                    f"the {kind_name} policy {shown_repr(core[kind_name], 200)} does not implement "
                    f"{protocol.__name__} "
                    "(its name and methods: see aftersales.policies.protocols)",
                    key=kind_name,
                )
        given = frozenset(
            k for k, v in overrides.items() if not isinstance(v, str) and k in ("sla", "callback")
        )
        _check_callback_deadlines(core, chosen.source, given)
        for kind_name, policy in core.items():
            if kind_name in _PROTOCOLS:
                check_own(kind_name, policy, _PROTOCOLS[kind_name])
        core = {k: guarded(k, v, _PROTOCOLS[k]) if k in _PROTOCOLS else v for k, v in core.items()}
        _chargeability_asks_warranty(core, overrides)  # the warranty as guarded
        return PolicySet(pack=chosen.name, extra=extra, **typing.cast(dict[str, Any], core))


_RESERVED_KINDS = frozenset({"pack", "policies", "extra"})
"""Names a kind cannot take: the pack file's header and policy table, and :class:`PolicySet`'s own fields."""


def _check_kind_name(kind: PolicyKind) -> None:
    """Refuse a kind named ``pack``, ``policies`` or ``extra``.

    Why: its pack section would be the pack's header (``[pack]``) or its policy choices (``[policies]``),
    so no pack could ever set its parameters (each key refused as a header key), and ``PolicySet.get``
    answered the pack's name or the plugin kinds' table instead of its policy; it was registered without
    a word."""
    if kind.name in _RESERVED_KINDS:
        raise ConfigurationError(
            f"policy kind {kind.name!r} takes a name the pack file and the policy set use themselves "
            f"({', '.join(sorted(_RESERVED_KINDS))}); choose another",
            key=kind.name,
        )


def _check_kind_params(kind: PolicyKind) -> None:
    """Refuse a kind whose ``params`` is not an attrs class with a default for every field (or ``None``).

    Why: its pack section is read into that class key by key, and a pack that leaves the section out
    gets the defaults; else an untyped attrs ``NotAnAttrsClassError`` or a ``TypeError`` (a field with no
    default) escaped from the first pack resolved, long after the plugin was installed."""
    params = kind.params
    if params is None:
        return
    if not (isinstance(params, type) and attrs.has(params)):
        raise ConfigurationError(
            f"policy kind {kind.name!r} has params {params!r}: an attrs class with a default for every "
            "field, or None for a kind without parameters",
            key=kind.name,
        )
    required = [a.name for a in attrs.fields(params) if a.default is attrs.NOTHING]
    if required:
        raise ConfigurationError(
            f"policy kind {kind.name!r}: its params {params.__name__} need a default for every field, "
            f"not only for some (none for {', '.join(required)})",
            key=kind.name,
        )


def _implements(policy: object, protocol: type) -> bool:
    """``isinstance(policy, protocol)``, False when asking raises: the protocol check reads the host's
    attributes (``name``), and a property that raises there escaped untyped from ``ServiceDesk.open``."""
    try:
        return isinstance(policy, protocol)
    except Exception:
        return False


def _built(
    kind: str, name: str, factory: Callable[[Any], object], params: object, source: str | None
) -> object:
    """The ``kind`` policy ``name`` that ``factory`` builds from the pack's ``params``. A plugin's factory
    that fails is a ``ConfigurationError`` naming the kind and the implementation (as a plugin that does
    not load is), not its own ``KeyError`` from inside ``ServiceDesk.open``; the library's typed errors
    pass through."""
    try:
        return factory(params)
    except AftersalesError:
        raise
    except Exception as error:
        raise ConfigurationError(
            f"the {kind} implementation {name!r} could not be built from the pack's [{kind}] "
            f"parameters: {type(error).__name__}: {error}",
            file=source,
            key=kind,
        ) from error


def _chargeability_asks_warranty(policies: dict[str, object], overrides: Mapping[str, object]) -> None:
    """The built-in chargeability policy built here judges the phase with the desk's warranty policy (the
    pack's ``[warranty]`` section, or the host's override), not a default one of its own: else its
    :meth:`~aftersales.policies.chargeability.DefaultChargeabilityPolicy.decide` ignored the section (a
    pack's ``out_of_box = false`` judged out of box there, in warranty on the charge sheet). A host's own
    chargeability object keeps the warranty it was given."""
    given = overrides.get("chargeability")
    if given is not None and not isinstance(given, str):
        return  # the host's own object
    chargeability, warranty = policies.get("chargeability"), policies.get("warranty")
    if isinstance(chargeability, DefaultChargeabilityPolicy) and isinstance(warranty, WarrantyPolicy):
        chargeability.warranty = warranty


def _own_header(header: object) -> object:
    """The ``[pack]`` header as parsed, without ``extends`` and ``unset`` (applied here: the parent's
    tables laid under the pack's, less the keys removed), which ``parse_pack`` refuses in a table."""
    if isinstance(header, dict) and (UNSET_KEY in header or _EXTENDS_KEY in header):
        return {k: v for k, v in header.items() if k not in (UNSET_KEY, _EXTENDS_KEY)}
    return header


def _layered(below: object, above: object) -> object:
    """``above`` laid over ``below``: tables merge key by key, at every depth; anything else replaces."""
    if not (isinstance(below, dict) and isinstance(above, dict)):
        return above
    merged = dict(below)
    for key, value in above.items():
        merged[key] = _layered(below.get(key), value)
    return merged


_LINKED: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = (
    (("callback", "service_within_hours"), ("sla", "callback_hours")),
    (("callback", "complaint_within_days"), ("sla", "complaint_callback_days")),
    (("callback", "service_from"), ("sla", "callback_from")),
)
"""Keys that hold one figure in two sections: the callback deadline and what it runs from, for the task and
the SLA target."""


def _linked_follow(merged: dict[str, Any], own: Mapping[str, Any], file: str) -> dict[str, Any]:
    """``merged`` with each linked key the pack file itself (``own``) names, and its partner not, copied
    to the partner: a company that fills in the seed's one callback deadline (000: 服务结束后一定时间内…回访)
    in one section gets it in both, whatever its parent pack said. Both named and different is refused
    by :func:`_check_callback_deadlines`.

    A working-hour SLA callback (``sla.callback_in_working_hours = true``) is another unit and does not
    follow: ``sla.callback_hours`` is then the service callback's one deadline (the task falls due with
    the SLA target: ``service.callback_working``), so a ``callback.service_within_hours`` the pack file
    itself names would be ignored and is refused, naming both keys."""

    def named(section: str, key: str) -> object:
        table = own.get(section)
        return table.get(key) if isinstance(table, dict) else None

    sla = merged.get("sla")
    working = isinstance(sla, dict) and sla.get("callback_in_working_hours") is True
    if working and named("callback", "service_within_hours") is not None:
        raise ConfigurationError(
            "callback.service_within_hours is not used when sla.callback_in_working_hours = true: the "
            "service callback falls due sla.callback_hours working hours after the acceptance (one "
            "deadline for the task and the SLA target); remove callback.service_within_hours or count the "
            "callback in wall-clock hours",
            file=file,
            key="callback.service_within_hours",
        )
    for pair in _LINKED:
        for (src, src_key), (dst, dst_key) in (pair, pair[::-1]):
            value = named(src, src_key)
            if not isinstance(value, int | str) or isinstance(value, bool) or named(dst, dst_key) is not None:
                continue  # not named here, named on both sides, or invalid (validation names it)
            if working and "callback_hours" in (src_key, dst_key):
                continue
            below = merged.get(dst)
            merged[dst] = {**below, dst_key: value} if isinstance(below, dict) else {dst_key: value}
    return merged


@contextlib.contextmanager
def _as_written(own: Mapping[str, Any]) -> Iterator[None]:
    """A ``ConfigurationError`` about a linked key the pack file did not write, but whose partner it did
    (the value followed, :func:`_linked_follow`), re-raised naming the key the file wrote: a bad
    ``[sla] callback_from`` was refused as ``callback.service_from``, a key the author never typed."""
    try:
        yield
    except ConfigurationError as error:
        for pair in _LINKED:
            for (src, src_key), (dst, dst_key) in (pair, pair[::-1]):
                if error.key != f"{dst}.{dst_key}" or _named(own, dst, dst_key) is not None:
                    continue
                if _named(own, src, src_key) is not None:
                    where = ":".join(part for part in (error.file, error.key) if part)
                    # The rule in the written key's words: "callback_hours must be …", not the partner's
                    # "service_within_hours must be …" under the key sla.callback_hours (session 28).
                    said = _as_word(dst_key).sub(src_key, str(error).removeprefix(f"{where}: "))
                    raise ConfigurationError(
                        f"{said} (the value of {src}.{src_key}, which {dst}.{dst_key} follows)",
                        file=error.file,
                        key=f"{src}.{src_key}",
                        **carried_rule(error),
                    ) from None
        raise


def _as_word(key: str) -> re.Pattern[str]:
    """``key`` as a word of a message (not inside another key such as ``callback.service_from``)."""
    return re.compile(rf"(?<![\w.]){re.escape(key)}(?![\w.])")


def _named(own: Mapping[str, Any], section: str, key: str) -> object:
    table = own.get(section)
    return table.get(key) if isinstance(table, dict) else None


def _check_callback_deadlines(
    core: Mapping[str, object], source: str | None, given: frozenset[str] = frozenset()
) -> None:
    """Refuse a pack whose callback deadline differs between ``[callback]`` and ``[sla]``.

    Why: the seeds give one deadline (000: 服务结束后一定时间内…回访; 004: 投诉处理后的七天内); the callback
    policy dates the callback task and the SLA policy measures the callback target, so two figures would
    make the task, the SLA status and the KPI disagree. A figure named in one section only follows to the
    other (:func:`_linked_follow`); two different figures named in the pack itself are refused here.
    A host's override built on the library's policies (a ``DefaultSla``/``DefaultCallback``, or a
    subclass, whose params say the deadline) is held to the same rule, the error naming the override
    (``given``: the kinds the host passed as objects): before session 27 it was not compared, and a
    ``DefaultSla(SlaParams(pause_on_parts=True))`` over a pack calling back within 48 hours measured the
    callback against the default 24 while the task fell due at 48. A policy of the host's own class says
    no deadline the library can read and is not compared. Working-hour SLA callbacks (another unit) are
    not compared: the task then falls due with the SLA target, and a ``service_within_hours`` named
    beside them is refused by :func:`_linked_follow`.
    """
    sla, callback = core.get("sla"), core.get("callback")
    if not (isinstance(sla, DefaultSla) and isinstance(callback, DefaultCallback)):
        return
    pairs = [
        ("complaint_within_days", "complaint_callback_days", callback.params.complaint_within_days,
         sla.params.complaint_callback_days),
    ]  # fmt: skip
    if not sla.params.callback_in_working_hours:
        pairs.append(
            ("service_within_hours", "callback_hours", callback.params.service_within_hours,
             sla.params.callback_hours)
        )  # fmt: skip
    starts: list[tuple[str, str, object, object]] = [
        ("service_from", "callback_from", callback.params.service_from, sla.params.callback_from)
    ]  # the start too: the task and the SLA target run from one instant (seed 003: 录入系统 … 24小时内)
    for callback_key, sla_key, in_callback, in_sla in [*pairs, *starts]:
        if in_callback != in_sla and given:
            kind = "sla" if "sla" in given else "callback"
            raise ConfigurationError(
                f"callback.{callback_key} = {in_callback} but sla.{sla_key} = {in_sla} (the {kind} policy "
                "passed as an override): they are the same callback deadline (the callback task and the "
                "SLA target); build the override from the pack's params, e.g. attrs.evolve("
                f"resolve_policies(pack).{kind}.params, …), or override both with one figure",
                key=f"overrides.{kind}",
            )
        if in_callback != in_sla:
            raise ConfigurationError(
                f"callback.{callback_key} = {in_callback} but sla.{sla_key} = {in_sla}: they are the "
                "same callback deadline (the callback task and the SLA target); set both to one figure",
                file=source,
                key=f"callback.{callback_key}",
            )


def _same(a: PackFile | Pack, b: PackFile | Pack) -> bool:
    if isinstance(a, PackFile) and isinstance(b, PackFile):
        return a.name == b.name and str(a.resource) == str(b.resource)
    return a == b


@functools.cache
def default_registry() -> Registry:
    """The registry discovered from this environment's entry points (``cache_clear()`` rediscovers)."""
    return Registry.discover()


def resolve_policies(
    pack: str | Path | Pack = "general_maintenance",
    overrides: Mapping[str, object] | None = None,
    *,
    registry: Registry | None = None,
) -> PolicySet:
    """The :class:`PolicySet` of ``pack`` with ``overrides`` (e.g. ``{"dispatch": MyDispatch()}``)."""
    return (registry or default_registry()).resolve(pack, overrides)


_NO_PARAMS = object()
"""What a policy without a ``params`` attribute answers (its own params, or no parameters)."""


def _library_policy(policy: object) -> bool:
    """Whether ``policy`` is one of the library's own implementations (which take their kind's params)."""
    return not isinstance(policy, str) and type(policy).__module__.startswith("aftersales.policies.")
