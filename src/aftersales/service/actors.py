"""Actors: who is calling the desk, with what role and which scope (their customer, dealer, team)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import attrs

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.call_shape import host_factories
from aftersales.domain.contact import validate_locale, validate_timezone
from aftersales.domain.ids import CustomerId, DealerId, EngineerId
from aftersales.domain.shown_text import BIDI_CONTROLS
from aftersales.domain.text import bounded, required_text
from aftersales.domain.validation import check_text
from aftersales.errors import ValidationError

__all__ = ["ACTING", "Actor", "act_in", "acting_scope", "check_actor_text"]

ACTING: ContextVar[tuple[str, Role] | None] = ContextVar("aftersales_acting_role", default=None)
"""The role the current command was permitted under, for actors holding several roles.

Set to ``None`` for the lifetime of one public call (:func:`acting_scope`, or the argument wrapper of
:mod:`aftersales.service.arguments` which does the same inline)."""


def _role_set(value: Iterable[Role | str] | None) -> frozenset[Role]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({Role(value)})
    return frozenset(Role(r) for r in value)


def act_in(actor: Actor, allowed: Iterable[Role]) -> Role | None:
    """The role ``actor`` acts in for a command open to ``allowed`` (``None``: none of its roles).

    The primary role wins when it is allowed, then the extra roles in :class:`Role` order. The choice
    is remembered for the running command (until its :func:`acting_scope` ends) so :attr:`Actor.ref`
    records the person once, in that role.
    """
    wanted = frozenset(allowed)
    role: Role | None = actor.role if actor.role in wanted else None
    if role is None:
        role = next((r for r in Role if r in actor.extra_roles and r in wanted), None)
    if role is not None and actor.extra_roles:
        ACTING.set((actor.id, role))
    return role


@contextmanager
def acting_scope() -> Iterator[None]:
    """One command's (or read's) lifetime for the acting role :func:`act_in` chooses.

    Every public desk method runs inside one (see :mod:`aftersales.service.arguments`): the role
    starts unset and the value from before is restored on the way out, whether the call returns or
    raises — so a role chosen for one command never names the person in a later call on the same
    thread, and a command nested in another leaves the outer one's role as it was.
    """
    token = ACTING.set(None)
    try:
        yield
    finally:
        ACTING.reset(token)


_REFS: dict[tuple[str, Role], ActorRef] = {}
"""The refs handed out, by (id, role): immutable values, so the events of one person's commands share one
(each command made and validated a new one, kept alive by its event). Forgotten at once when full."""

_ALONE: dict[Role, frozenset[Role]] = {role: frozenset({role}) for role in Role}
"""The role set of an actor holding one role (shared: frozensets are immutable)."""


_TEXT_FIELDS = (
    ("id", 64),
    ("name", 100),
    ("customer_id", 64),
    ("dealer_id", 64),
    ("engineer_id", 64),
    ("team", 64),
)


def _plain_only(value: object, field: str) -> None:
    # An actor's field set past its converters (object.__setattr__) to a str subclass: hashed and
    # compared by every command, where the subclass's own dunders may raise.
    if isinstance(value, str) and type(value) is not str:
        raise ValidationError(f"{field} is a {type(value).__name__}, not plain text (str)", field=field)


def check_actor_text(actor: Actor) -> None:
    """Refuse an actor whose id, name or scope holds what no store keeps alike: control characters (a NUL
    that SQLite stores and PostgreSQL refuses), lone surrogates (which no store can encode), line breaks.

    Run when an actor is built and again when a command receives one (a caller can set a frozen field
    past the validators). ASCII printable text, the usual id, is passed at once.
    """
    for name, limit in _TEXT_FIELDS:
        value = getattr(actor, name)
        if type(value) is str and not value and name != "name":  # not ==: a str subclass's may raise
            # A scope of no id (session 36: dealer staff with dealer_id "" read a ticket by its region,
            # then the ledger refused the same actor naming the query's own ``dealer_scope``).
            raise ValidationError(
                f"actor.{name} must not be empty: leave it None when the actor has none",
                field=f"actor.{name}",
                rule="empty",
            )
        if value is None or (type(value) is str and value.isascii() and value.isprintable()):
            continue
        _plain_only(value, f"actor.{name}")
        check_text(value, f"actor.{name}", multiline=False, limit=limit)
        if name != "name" and BIDI_CONTROLS.search(value):
            raise ValidationError(
                f"actor.{name} contains a bidi control (U+202A-202E, U+2066-2069): an identifier shown"
                " reordered passes for another one",
                field=f"actor.{name}",
            )
    for region in actor.regions:
        if not (type(region) is str and region.isascii() and region.isprintable()):
            _plain_only(region, "actor.regions")
            check_text(region, "actor.regions", multiline=False, limit=64)


def _plain(value: str) -> str:
    """A str subclass as the plain text it holds (a host's lazy text, a template's safe string): the actor
    is hashed into every event's ref and compared in every scope check, and such a subclass's own
    ``__hash__``/``__eq__`` may raise (session 29). Other values are left to the validators."""
    if isinstance(value, str) and type(value) is not str:
        return str.__getitem__(value, slice(None))
    return value


def _plain_or_none(value: str | None) -> str | None:
    return None if value is None else _plain(value)


def _regions(value: Iterable[str] | str | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({_plain(value)})
    if not isinstance(value, Iterable):
        raise ValidationError(
            f"actor.regions must be a collection of text, got {type(value).__name__}", field="actor.regions"
        )
    regions = []
    for region in value:
        if not isinstance(region, str):  # hashed below: a list or a raising object escaped untyped
            raise ValidationError(
                f"actor.regions holds a {type(region).__name__}, not text", field="actor.regions"
            )
        regions.append(_plain(region))
    return frozenset(regions)


@host_factories
@attrs.frozen
class Actor:
    """A caller of the service desk.

    The scope fields say what the role may touch: a customer its ``customer_id``'s tickets, dealer
    staff the tickets of its ``dealer_id`` and ``regions``, an engineer the tickets assigned to its
    ``engineer_id`` (and, read-only, its ``team``'s). Build one with the classmethods.
    """

    id: str = attrs.field(converter=_plain, validator=required_text(64))
    role: Role = attrs.field(converter=Role)
    name: str = attrs.field(default="", converter=_plain, validator=bounded(100))
    customer_id: CustomerId | None = attrs.field(default=None, converter=_plain_or_none)
    dealer_id: DealerId | None = attrs.field(default=None, converter=_plain_or_none)
    regions: frozenset[str] = attrs.field(factory=frozenset, converter=_regions)
    engineer_id: EngineerId | None = attrs.field(default=None, converter=_plain_or_none)
    team: str | None = attrs.field(default=None, converter=_plain_or_none)
    locale: str = attrs.field(default="zh_Hans", converter=_plain, validator=validate_locale)
    timezone: str = attrs.field(default="Asia/Shanghai", converter=_plain, validator=validate_timezone)
    extra_roles: frozenset[Role] = attrs.field(factory=frozenset, converter=_role_set)
    """Further roles the same person holds (a manager who is also the department head)."""

    def __attrs_post_init__(self) -> None:
        check_actor_text(self)

    @property
    def roles(self) -> frozenset[Role]:
        """Every role this person holds: the primary ``role`` and the ``extra_roles``."""
        if not self.extra_roles:
            return _ALONE[self.role]  # the common case, without a new set per permission check
        return self.extra_roles | {self.role}

    def has_role(self, *roles: Role) -> bool:
        """Does this person hold any of ``roles``?"""
        try:
            return any(r in self.roles for r in roles)
        except TypeError:  # a list or another unhashable value: no role (free on the good path)
            raise ValidationError(
                "has_role takes roles", field="roles", rule="wrong_type", rule_params={"expected": "Role"}
            ) from None

    def with_roles(self, *roles: Role | str) -> Actor:
        """The same person also holding ``roles``.

        ``Actor.manager("m1").with_roles(Role.DEPARTMENT_HEAD)`` is one manager who heads a department.
        """
        extra = (self.extra_roles | _role_set(roles)) - {self.role}
        return attrs.evolve(self, extra_roles=extra)

    def acting_as(self, role: Role | str) -> Actor:
        """The same person acting explicitly in ``role``, one of the roles it holds."""
        chosen = Role(role)
        if chosen not in self.roles:
            raise ValidationError(f"{self} does not hold the role {chosen.value}", field="role")
        return attrs.evolve(self, role=chosen, extra_roles=self.roles - {chosen})

    @property
    def ref(self) -> ActorRef:
        """What events record about this actor: its id once, with the role the command runs under."""
        role = self.role
        if self.extra_roles:
            acting = ACTING.get()
            if acting is not None and acting[0] == self.id and acting[1] in self.roles:
                role = acting[1]
        key = (self.id, role)
        found = _REFS.get(key)
        if found is None:
            if len(_REFS) >= 4096:
                _REFS.clear()
            found = _REFS[key] = ActorRef(self.id, role)
        return found

    def __str__(self) -> str:
        return f"{self.role.value}:{self.id}"

    @classmethod
    def customer(cls, customer_id: str, name: str = "") -> Actor:
        """A customer acting on its own tickets (portal, WeChat, phone through an agent)."""
        return cls(customer_id, Role.CUSTOMER, name, customer_id=CustomerId(customer_id))

    @classmethod
    def agent(cls, id: str, name: str = "") -> Actor:
        """A customer-service agent (客服)."""
        return cls(id, Role.AGENT, name)

    @classmethod
    def engineer(cls, engineer_id: str, name: str = "", team: str | None = None) -> Actor:
        """A service engineer acting on the tickets assigned to them."""
        return cls(engineer_id, Role.ENGINEER, name, engineer_id=EngineerId(engineer_id), team=team)

    @classmethod
    def dealer_staff(cls, id: str, dealer_id: str, regions: Iterable[str] = (), name: str = "") -> Actor:
        """Staff of an authorised dealer, scoped to its own tickets and its regions' customers."""
        return cls(id, Role.DEALER_STAFF, name, dealer_id=DealerId(dealer_id), regions=regions)

    @classmethod
    def manager(cls, id: str, name: str = "") -> Actor:
        """The after-sales manager."""
        return cls(id, Role.MANAGER, name)

    @classmethod
    def department_head(cls, id: str, name: str = "") -> Actor:
        """A department head (coordinates critical tickets)."""
        return cls(id, Role.DEPARTMENT_HEAD, name)

    @classmethod
    def general_manager(cls, id: str, name: str = "") -> Actor:
        """The general manager (crisis events, hard cases)."""
        return cls(id, Role.GENERAL_MANAGER, name)

    @classmethod
    def auditor(cls, id: str, name: str = "") -> Actor:
        """An auditor: reads everything, including reasons; changes nothing."""
        return cls(id, Role.AUDITOR, name)

    @classmethod
    def system(cls, id: str = "aftersales") -> Actor:
        """The library's own jobs (SLA sweeps, scheduled callbacks)."""
        return cls(id, Role.SYSTEM)

    @classmethod
    def privacy_officer(cls, id: str, name: str = "") -> Actor:
        """The privacy officer (个人信息保护负责人): erasure, exports, the access log."""
        return cls(id, Role.PRIVACY_OFFICER, name)
