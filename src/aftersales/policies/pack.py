"""Packs: a named bundle of policies and their parameters for one industry (TOML, ``tomllib``).

A pack file looks like::

    [pack]
    name = "office_equipment"
    description = "Office-equipment supplier (seed 003)"

    [policies]            # optional: a named alternative implementation per kind
    dispatch = "default"

    [priority]            # one section per policy kind, validated by that kind's params class
    vip_raises = 1

Validation is strict: an unknown key, a wrong type or an out-of-range value raises
:class:`ConfigurationError` with the file and the dotted key. Every key has a documented default, so a
pack names only what differs. A section for a built-in kind whose module is not there yet is kept,
unvalidated, in :attr:`Pack.pending` until that kind registers. A pack may lay itself over another
(``[pack] extends``) and remove keys of it (``[pack] unset``): the registry applies both when it loads the
pack (:meth:`~aftersales.policies.registry.Registry.load_pack`, :mod:`aftersales.policies.pack_unset`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import attrs

from aftersales.domain.shown_text import BIDI_CONTROLS
from aftersales.domain.text import code
from aftersales.domain.validation import check_text
from aftersales.errors import ConfigurationError, ValidationError, carried_rule
from aftersales.policies.kinds import BUILTIN_KINDS, PolicyKind
from aftersales.policies.params import frozen_mapping, structure_params

__all__ = ["Pack", "PackFile", "load_pack", "parse_pack", "read_toml"]

_HEADER_KEYS = frozenset({"name", "description", "seed", "extends", "unset"})
_HEADER_LIMITS = {"description": 2000, "name": 200, "seed": 200, "extends": 200}
"""The longest text of each header key (a description of a few lines; the others are codes)."""


@attrs.frozen
class Pack:
    """One industry's policies: ``policies`` maps a kind to a named implementation (absent: the kind's
    default); ``parameters`` maps a kind to its validated params object."""

    name: str = attrs.field(validator=code)
    description: str
    source: str
    seed: str | None = None
    policies: Mapping[str, str] = attrs.field(factory=dict, converter=frozen_mapping)
    parameters: Mapping[str, object] = attrs.field(factory=dict, converter=frozen_mapping)
    pending: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict, converter=frozen_mapping)

    def params(self, kind: PolicyKind) -> object | None:
        """The pack's params for ``kind``, or the kind's defaults when the pack leaves it out."""
        found = self.parameters.get(kind.name)
        return found if found is not None else kind.default_params()


def _resource(value: object) -> Traversable | Path:
    """A pack file's place: a path (a ``str`` is read as one) or a package resource. Anything else was
    kept and failed with an untyped ``AttributeError`` when the pack was first read."""
    if isinstance(value, str) or hasattr(value, "__fspath__"):  # a path as text or any os.PathLike
        return Path(value)
    if isinstance(value, Traversable):
        return value
    raise ConfigurationError(
        f"a pack file is a path or importlib.resources.files(...) / 'name.toml', got {type(value).__name__}",
        key="resource",
    )


@attrs.frozen
class PackFile:
    """Where a pack's TOML lives (a file path or a package resource), announced under ``name``.

    This is what an entry point in the group ``aftersales.policies`` points at to contribute a pack::

        PACK = PackFile("my_industry", importlib.resources.files(__package__) / "my_industry.toml")
    """

    name: str = attrs.field(validator=code)
    resource: Traversable | Path = attrs.field(converter=_resource)

    def read(self) -> tuple[dict[str, Any], str]:
        """The parsed TOML and the file name to cite in errors."""
        return read_toml(self.resource)


def read_toml(resource: Traversable | Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; a missing file or a syntax error becomes a :class:`ConfigurationError`."""
    file = str(resource)
    try:
        text = resource.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError(f"cannot read pack file: {error}", file=file) from error
    except ValueError as error:  # a NUL or a lone surrogate in the path (session 39: Python's ValueError)
        shown = repr(file)[1:-1][:200]
        raise ConfigurationError(f"cannot read pack file: {error}", file=shown, key="pack") from None
    try:
        return tomllib.loads(text), file
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"invalid TOML: {error}", file=file) from error
    except RecursionError:  # thousands of nested tables or arrays
        raise ConfigurationError("invalid TOML: nested too deeply", file=file) from None


def parse_pack(
    data: Mapping[str, Any],
    *,
    file: str,
    kinds: Mapping[str, PolicyKind],
    implementations: Mapping[str, frozenset[str]] | None = None,
) -> Pack:
    """Validate a parsed pack table against the known ``kinds`` (and named ``implementations``).

    One table alone, with no parent underneath: a header's ``extends`` or ``unset`` is refused
    (``ConfigurationError`` naming ``pack.extends`` or ``pack.unset``), never ignored — a pack extending
    another is loaded through a registry (``load_pack``), which lays the parent's tables under it."""
    header = data.get("pack")
    if not isinstance(header, dict):
        raise ConfigurationError("a pack file needs a [pack] table with a name", file=file, key="pack")
    for key in header:
        if key not in _HEADER_KEYS:
            raise ConfigurationError(
                f"unknown key {key!r}; known keys: {', '.join(sorted(_HEADER_KEYS))}",
                file=file,
                key=f"pack.{key}",
            )
    if "unset" in header:  # applied by the registry over the parent's tables, and taken out then
        raise ConfigurationError(
            "pack.unset removes keys of the pack this one extends; a registry applies it when it loads "
            "the pack over its parent (load_pack, Registry.load_pack): parse_pack reads one table alone",
            file=file,
            key="pack.unset",
            rule="unset_not_inherited",
        )
    if "extends" in header:  # laid under this table by the registry when it loads the pack, and taken out
        raise ConfigurationError(
            "pack.extends lays the named pack's tables under this one; a registry applies it when it "
            "loads the pack (load_pack, Registry.load_pack): parse_pack reads one table alone",
            file=file,
            key="pack.extends",
            rule="extends_not_applied",
        )
    name = _text(header, "name", file, required=True) or ""
    description = _text(header, "description", file) or ""
    seed = _text(header, "seed", file)
    parameters: dict[str, object] = {}
    pending: dict[str, Mapping[str, Any]] = {}
    for key, section in data.items():
        if key in ("pack", "policies"):
            continue
        if key in kinds:
            kind = kinds[key]
            if kind.params is None:
                raise ConfigurationError(f"policy kind {key!r} takes no parameters", file=file, key=key)
            parameters[key] = structure_params(section, kind.params, file=file, key=key)
        elif key in BUILTIN_KINDS:
            if not isinstance(section, dict):
                raise ConfigurationError("expected a table", file=file, key=key)
            pending[key] = section
        else:
            known = sorted({"pack", "policies", *kinds, *BUILTIN_KINDS})
            raise ConfigurationError(
                f"unknown section {key!r}; known: {', '.join(known)}", file=file, key=key
            )
    policies = _policies(data.get("policies", {}), file, kinds, implementations or {})
    try:
        return Pack(name, description, file, seed, policies, parameters, pending)
    except ValueError as error:
        raise ConfigurationError(str(error), file=file, key="pack.name", **carried_rule(error)) from error


def _text(table: Mapping[str, Any], key: str, file: str, *, required: bool = False) -> str | None:
    value = table.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError("expected a non-empty string", file=file, key=f"pack.{key}")
    # The shared text rule (session 39): a NUL, a control character or a 100,000-character description
    # was taken; the seed, a code shown beside the rules, takes no bidi control either (it would reorder
    # what is shown after it).
    try:
        check_text(value, f"pack.{key}", multiline=key == "description", limit=_HEADER_LIMITS.get(key))
    except ValidationError as error:
        raise ConfigurationError(str(error), file=file, key=f"pack.{key}", **carried_rule(error)) from None
    if key != "description" and BIDI_CONTROLS.search(value):
        raise ConfigurationError("a bidi control reorders what follows it", file=file, key=f"pack.{key}")
    return value


def _policies(
    table: object, file: str, kinds: Mapping[str, PolicyKind], implementations: Mapping[str, frozenset[str]]
) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ConfigurationError("expected a table", file=file, key="policies")
    chosen: dict[str, str] = {}
    for kind, impl in table.items():
        key = f"policies.{kind}"
        if kind not in kinds and kind not in BUILTIN_KINDS:
            raise ConfigurationError(f"unknown policy kind {kind!r}", file=file, key=key)
        if not isinstance(impl, str):
            raise ConfigurationError("expected the name of an implementation", file=file, key=key)
        known = implementations.get(kind, frozenset()) | {"default"}
        if kind in kinds and impl not in known:
            raise ConfigurationError(
                f"no {kind} implementation named {impl!r}; known: {', '.join(sorted(known))}",
                file=file,
                key=key,
            )
        chosen[kind] = impl
    return chosen


def load_pack(name_or_path: str | Path) -> Pack:
    """A pack by registered name (``"office_equipment"``) or from a TOML file path, validated."""
    from aftersales.policies.registry import default_registry

    return default_registry().load_pack(name_or_path)
