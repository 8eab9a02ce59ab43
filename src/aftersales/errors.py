"""The typed errors of aftersales.

Every error a host can meet derives from :class:`AftersalesError`, so one ``except`` catches them
all; the subclasses say what went wrong precisely enough to act on. Errors carry their facts as
attributes (the state, the trigger, the ticket id) as well as in the message, so a host can
render its own text. An operation that raises changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Self, TypedDict

__all__ = [
    "AftersalesError",
    "AlreadyErased",
    "AttachmentRequired",
    "CalendarDataMissing",
    "ConcurrencyConflict",
    "ConfigurationError",
    "CurrencyMismatch",
    "CustomerErased",
    "DeliveryError",
    "DuplicateError",
    "ErasedIdReused",
    "FaultRecordRequired",
    "IdempotencyKeyReused",
    "InvalidMoney",
    "InvalidStoreOption",
    "InvalidTransition",
    "LegalHold",
    "LockOrderConflict",
    "NaiveDatetimeError",
    "NotFound",
    "OpenTicketsBlockErasure",
    "OutOfBounds",
    "PermissionDenied",
    "PluginError",
    "PolicyError",
    "ReadOnlyError",
    "RemedyBeyondAuthority",
    "SlaExtensionRefused",
    "StorageError",
    "StoreBusy",
    "UnknownCurrency",
    "ValidationError",
]


class AftersalesError(Exception):
    """Base of every error raised by aftersales.

    Every one pickles and copies as itself, its facts kept (a host hands it to another process)."""

    def __reduce__(self) -> tuple[object, ...]:
        # Exception's own reduce calls cls(*args): an error built from its facts (OutOfBounds(field,
        # value, least, most)) holds its message alone in args, so the copy failed with TypeError.
        return (_rebuilt, (type(self), self.args), self.__dict__)


def _rebuilt(cls: type[AftersalesError], args: tuple[object, ...]) -> AftersalesError:
    """An error of ``cls`` holding ``args``, its facts set by ``__setstate__`` (see ``__reduce__``)."""
    error = cls.__new__(cls)
    error.args = args
    return error


class ValidationError(AftersalesError, ValueError):
    """Input refused at the boundary: wrong type, missing, out of range, too long.

    ``field`` names the input refused. ``rule`` is the rule it broke as a stable snake_case code
    (``"empty"``, ``"too_long"``, ``"whole_number"``: the ``error_rule.<code>`` entries of the catalogs,
    listed in ``docs/embedding.md``) and ``rule_params`` the figures that rule names (``{"most": 200}``);
    ``None`` and empty for a one-off rule stated only in the message. Why: a host switches on
    ``err.rule`` and :func:`~aftersales.i18n.render_error` words it from the code, so neither depends on
    the English of ``str(err)``, which may be reworded.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        rule: str | None = None,
        rule_params: Mapping[str, str | int] | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule
        self.rule_params: Mapping[str, str | int] = dict(rule_params or {})


class RuleFacts(TypedDict):
    """The ``rule`` and ``rule_params`` keywords of a refusal, to pass on (:func:`carried_rule`)."""

    rule: str | None
    rule_params: Mapping[str, str | int]


def carried_rule(error: BaseException) -> RuleFacts:
    """The rule code and figures ``error`` carries, as keywords for the error that re-raises it under
    another field or key (``ConfigurationError(str(error), key=..., **carried_rule(error))``); none for
    an error that carries none (a plain ``ValueError``).

    Why: a refusal re-raised naming the caller's field kept its English but lost its code, so it was
    no longer worded in the reader's language nor switchable by a host."""
    return {
        "rule": getattr(error, "rule", None),
        "rule_params": dict(getattr(error, "rule_params", None) or {}),
    }


def _shown(value: object) -> str:
    """``value`` as the message shows it: short (a hostile integer of a million digits or a 5 MB text is
    not repeated, and ``repr`` of a huge int fails outright)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**18:
        return f"{'-' if value < 0 else ''}a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, int | float | bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return repr(value[:40]) + ("…" if len(value) > 40 else "")
    return f"a {type(value).__name__}"


def shown_repr(value: object, limit: int = 60) -> str:
    """``repr(value)`` for an error's message, at most ``limit`` characters; never raises.

    Why: a refused value is the caller's object, and a host's class whose ``__repr__`` raises (or a
    lazily loaded proxy that fails) turned the refusal into that untyped exception (session 28)."""
    try:
        text = repr(value)
    except Exception:
        return f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: max(limit - 3, 0)] + "..."


class OutOfBounds(ValidationError):
    """A whole number with bounds (a run's limit, a batch, a page size, a count of senders) that is not one,
    or outside them. Every such check words it one way: the field, the bounds and what was given
    ("batch is a whole number from 1 to 10,000, got 0"); ``least`` and ``most`` carry the bounds for a host
    (and :func:`~aftersales.i18n.render_error`) to word them, ``value`` what was given, as shown."""

    def __init__(self, field: str, value: object, least: int, most: int) -> None:
        super().__init__(
            self.sentence(field, value, least, most),
            field=field,
            rule="whole_number",
            rule_params={"least": least, "most": most},
        )
        self.least = least
        self.most = most
        self.value = _shown(value)

    @staticmethod
    def sentence(field: str, value: object, least: int, most: int) -> str:
        """The one wording of a bounded whole number refused, for the errors that are no ``OutOfBounds``
        (a pack's setting out of bounds is a ``ConfigurationError`` naming its key)."""
        return f"{field} is a whole number from {least:,} to {most:,}, got {_shown(value)}"


class NaiveDatetimeError(ValidationError):
    """A datetime without a time zone was given where an instant is needed."""

    def __init__(self, field: str) -> None:
        super().__init__(
            f"{field} must be a timezone-aware datetime (got a naive one); "
            "attach a tzinfo, e.g. datetime(..., tzinfo=ZoneInfo('Asia/Shanghai'))",
            field=field,
            rule="naive_datetime",  # a host switches on it as on any rule (session 37: it carried none)
        )


class InvalidMoney(ValidationError):
    """An amount that is not a finite Decimal (floats, NaN and infinities are refused)."""


class UnknownCurrency(ValidationError):
    """A currency code that is not an ISO 4217 code known to CLDR."""

    def __init__(self, code: object) -> None:
        super().__init__(
            f"unknown currency {shown_repr(code)}: use an ISO 4217 code such as 'CNY'", field="currency"
        )
        self.code = code


class CurrencyMismatch(ValidationError):
    """Arithmetic or a document mixed two currencies. ``field``, when a command knows it, names the
    argument that brought the second currency."""

    def __init__(self, left: str, right: str, *, field: str | None = None) -> None:
        super().__init__(f"cannot combine {left} with {right}: amounts must share one currency", field=field)
        self.left = left
        self.right = right


class InvalidTransition(AftersalesError):
    """A workflow trigger that is not allowed from the current state. Nothing was changed."""

    def __init__(
        self,
        workflow: str,
        state: str,
        trigger: str,
        *,
        ticket_id: str | None = None,
        command: str | None = None,
        why: str | None = None,
        record_id: str | None = None,
    ) -> None:
        named = ticket_id or record_id
        where = f"{workflow} {named}" if named else workflow
        shown = command or trigger
        detail = f": {why}" if why else ""
        super().__init__(f"{where}: cannot {shown!r} from state {state!r}{detail}")
        self.workflow = workflow
        self.state = state
        self.trigger = trigger
        self.ticket_id = ticket_id
        self.command = shown
        self.why = why
        self.record_id = record_id
        """The id of the record refused when it is no ticket (a maintenance visit, a fee slip, a quality
        incident…): its kind is ``workflow``."""

    def renamed(self, *, ticket_id: str | None, command: str, why: str | None) -> Self:
        """This refusal naming ``command`` (the one the caller ran) and ``ticket_id``, with ``why``.

        A copy of the same class keeping every other attribute: a subclass's own facts (the
        ``field`` and ``category`` of :class:`FaultRecordRequired`) survive the renaming, so a caller
        catching the subclass still catches it whichever command raised it.
        """
        cls = type(self)
        renamed = cls.__new__(cls)  # not copy.copy: it calls cls(*args), which a subclass may not take
        renamed.__dict__.update(self.__dict__)
        InvalidTransition.__init__(
            renamed,
            self.workflow,
            self.state,
            self.trigger,
            ticket_id=ticket_id,
            command=command,
            why=why,
            record_id=self.record_id,
        )
        return renamed


class FaultRecordRequired(InvalidTransition):
    """``resolve`` of a ticket whose category the pack's ``lifecycle.fault_record_for`` names, before the
    ticket has a complete fault record (seed 002: 质量问题的记录均需按照故障描述→故障原因→处理措施的流程
    来进行).

    Raised the same way by every path that resolves a ticket (``desk.resolve``,
    ``desk.knowledge.resolve_with_article``). ``field`` is ``"fault_records"``; ``category`` is the
    ticket's category code. Nothing was changed: record the fault (``desk.add_fault_record``), then retry.
    """

    def __init__(self, *, workflow: str, state: str, ticket_id: str, command: str, category: str) -> None:
        super().__init__(
            workflow,
            state,
            "resolve",
            ticket_id=ticket_id,
            command=command,
            why=f"the pack requires a fault record (symptom, cause, action) for a {category} ticket first",
        )
        self.field = "fault_records"
        self.category = category


class SlaExtensionRefused(ValidationError):
    """An SLA extension above the pack's maximum (seed 002: 48 h at most), or of a target that has none."""

    def __init__(self, ticket_id: str, target: str, asked: object, maximum: object) -> None:
        limit = f"the pack allows at most {maximum}" if maximum is not None else "the pack allows none"
        super().__init__(
            f"ticket {ticket_id}: cannot extend the {target} target to {asked}: {limit}", field="new_limit"
        )
        self.ticket_id = ticket_id
        self.target = target
        self.asked = asked
        self.maximum = maximum


class NotFound(AftersalesError, LookupError):
    """No such object, or one the actor may not know exists."""

    def __init__(self, kind: str, id: object) -> None:
        super().__init__(f"{kind} {id!r} not found")
        self.kind = kind
        self.id = id


class DuplicateError(AftersalesError):
    """An object with this id already exists, or a one-time booking was attempted twice."""


class AlreadyErased(DuplicateError):
    """An erasure (PIPL) of a customer whose personal data was already erased, with nothing of theirs
    held since: there is nothing to erase, and a second erasure record would say otherwise. Nothing
    was changed. ``record_id`` and ``erased_at`` name the erasure that did it."""

    def __init__(self, customer_id: str, record_id: str, erased_at: object) -> None:
        super().__init__(
            f"customer {customer_id!r}: personal data already erased ({record_id}, at {erased_at}); "
            "nothing is held to erase"
        )
        self.customer_id = customer_id
        self.record_id = record_id
        self.erased_at = erased_at


class PermissionDenied(AftersalesError):
    """The actor may not run this command on this object. Nothing was changed.

    ``action`` is the permission table's action (a code), or, for a refusal finer than the table, a
    phrase for the log; such a refusal names its ``rule`` (a code: the catalog's
    ``error.permission_<rule>`` words it for people) and the ``facts`` those words name (codes they
    label: ``{"action": "dispatch"}``). Why: a phrase built in English read English in every locale.
    """

    def __init__(
        self,
        actor: str,
        action: str,
        target: object = None,
        *,
        rule: str | None = None,
        facts: Mapping[str, str] | None = None,
    ) -> None:
        where = f" on {target!r}" if target is not None else ""
        super().__init__(f"{actor} may not {action}{where}")
        self.actor = actor
        self.action = action
        self.target = target
        self.rule = rule
        self.facts: Mapping[str, str] = dict(facts or {})


class RemedyBeyondAuthority(PermissionDenied):
    """A complaint remedy beyond what the actor may grant alone (the pack's ``[complaint]
    remedy_limits``; seed 002: 不做自己权限之外的约定). Nothing was changed: someone whose authority covers
    it grants it (a head), or the case goes to the general manager.

    ``field`` is ``kind`` (none of the actor's roles may grant this kind alone; ``limit`` is ``None``),
    ``cost`` (the complaint's remedies of this kind would cost ``asked``, above ``limit``) or ``months``
    (the complaint's warranty extensions would add ``asked`` months, above ``limit``)."""

    def __init__(
        self, actor: str, target: object, *, field: str, kind: str, asked: object, limit: object
    ) -> None:
        super().__init__(actor, "grant_remedy", target)
        if limit is None:
            rule = f"may not grant a {kind} remedy alone"
        elif field == "months":
            rule = f"may extend warranties by {limit} months a complaint alone; months would total {asked}"
        else:
            rule = f"may grant {kind} remedies up to {limit} a complaint alone; {field} would total {asked}"
        self.args = (f"{actor} {rule} on {target!r}",)
        self.field = field
        self.kind = kind
        self.asked = asked
        self.limit = limit


class ConcurrencyConflict(AftersalesError):
    """The object changed since it was loaded; the stale write was refused and nothing was written."""

    def __init__(self, kind: str, id: object, expected_version: int, actual_version: int | None) -> None:
        super().__init__(
            f"{kind} {id!r} was changed concurrently "
            f"(expected version {expected_version}, found {actual_version}); reload and retry"
        )
        self.kind = kind
        self.id = id
        self.expected_version = expected_version
        self.actual_version = actual_version


class LockOrderConflict(ConcurrencyConflict):
    """A write found, on a later read, a record to lock that sorts below one it already holds.

    Every writer takes its records' locks in one order (ascending id): taking this one now would wait
    for a writer that may be waiting for one held here (a deadlock on PostgreSQL). The write is given
    up instead, nothing written, and the command runner runs it again: its first read then finds the
    record and locks it in order. ``id`` is the record, ``above`` the highest id held.
    """

    def __init__(self, kind: str, id: object, above: object) -> None:
        AftersalesError.__init__(
            self,
            f"{kind} {id!r} was found to lock after {above!r}, out of the lock order; run again",
        )
        self.kind = kind
        self.id = id
        self.above = above
        self.expected_version = 0
        self.actual_version = None


class CalendarDataMissing(AftersalesError):
    """A working calendar was asked about a date its holiday data does not cover.

    Raised instead of guessing: an SLA computed on guessed holidays is wrong after New Year.
    """

    def __init__(self, asked: date, known_until: date, source: str = "holiday source") -> None:
        super().__init__(
            f"{source} has holiday data only until {known_until.isoformat()}; "
            f"cannot compute working time on {asked.isoformat()}"
        )
        self.asked = asked
        self.known_until = known_until
        self.source = source


class ConfigurationError(AftersalesError):
    """A pack, a parameter file or a plugin is invalid. Names the file and the key.

    ``rule`` and ``rule_params``: the rule broken, as a code, and its figures, as on
    :class:`ValidationError`."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        key: str | None = None,
        rule: str | None = None,
        rule_params: Mapping[str, str | int] | None = None,
    ) -> None:
        where = ":".join(part for part in (file, key) if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.file = file
        self.key = key
        self.rule = rule
        self.rule_params: Mapping[str, str | int] = dict(rule_params or {})


class PolicyError(AftersalesError):
    """A policy cannot decide with the facts given (e.g. a warranty start date is missing)."""

    def __init__(self, message: str, *, code: str = "policy_error") -> None:
        super().__init__(message)
        self.code = code


class PluginError(AftersalesError):
    """A host's own component (a policy object, the id generator) answered outside its contract: a
    ``decide`` that returned no ``Decision``, a ``Decision`` of the wrong outcome, an id that is no text.
    Nothing was changed: the command's transaction was rolled back.

    ``component`` names it (``policies.priority``, ``ids``), ``method`` what was called, and ``problem``
    what it answered. An exception the host's code raises itself is not turned into this: it reaches
    the caller unchanged (the host's bug, with its own traceback) — except from ``run_due_jobs()``,
    whose jobs are isolated: a clock raising before any job ran is this error naming ``clock`` (the
    host's exception chained), one raising later fails the jobs it reaches, each in the report.
    """

    def __init__(self, component: str, method: str, problem: str) -> None:
        super().__init__(f"{component}.{method} {problem}")
        self.component = component
        self.method = method
        self.problem = problem


class StorageError(AftersalesError):
    """The store cannot be used: a corrupt or foreign database file, a failed migration, a lost connection."""


class StoreBusy(StorageError):
    """Other writers held the store's write lock longer than its timeout. Nothing was written.

    The command runner re-runs a command that met it (a few times, with a pause) before giving up.
    """


class StoreDamaged(StorageError):
    """The store's file is damaged, or is not a desk's database (a foreign or corrupt file).

    Unlike a lost connection, retrying cannot help: the file has to be restored from a backup, or the
    desk pointed at the right one. Nothing was written. Rendered as ``error.store_damaged``.
    """


class IdempotencyKeyReused(AftersalesError):
    """An idempotency key already stands for a *different* request of the same actor and command.

    A retry must repeat the request it retries: the key names one request, and a changed argument
    under the same key is a client bug that would otherwise silently return the first result.
    Nothing was changed.
    """

    def __init__(self, command: str, key: str) -> None:
        super().__init__(
            f"idempotency key {key!r} was used for a different {command} request; "
            "a retry must send the same arguments"
        )
        self.command = command
        self.key = key


class DeliveryError(AftersalesError):
    """A notifier could not deliver a message. ``permanent``: retrying cannot help (no such
    mailbox, not a mobile number), so the outbox makes it a dead letter at once; otherwise the
    message is retried with backoff. ``status`` is what the far end answered, if anything."""

    def __init__(self, message: str, *, permanent: bool = False, status: str | int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status = status


class AttachmentRequired(ValidationError):
    """A step needs an attachment the ticket does not have yet (seed 002: a written report for an
    out-of-box fault). Nothing was changed; attach it, then retry. ``kind`` names what is missing."""

    def __init__(self, message: str, *, kind: str, step: str) -> None:
        super().__init__(message, field="attachments")
        self.kind = kind
        self.step = step


class LegalHold(AftersalesError):
    """Personal data may not be erased while a legal hold applies; nothing was changed.

    ``hold`` names the hold (``"open_compensation_claim"``, ``"unpaid_fee_slip"``) and ``target`` the
    record that holds it (a complaint or slip id).
    """

    def __init__(self, customer_id: str, hold: str, target: str) -> None:
        super().__init__(
            f"customer {customer_id!r} cannot be erased while a legal hold applies: {hold} ({target})"
        )
        self.customer_id = customer_id
        self.hold = hold
        self.target = target


class OpenTicketsBlockErasure(AftersalesError):
    """A customer's personal data may not be erased while tickets of theirs are still being worked;
    nothing was changed.

    Why: an erased customer's open ticket stays in the queues, its SLA clock keeps running (breaches
    announced under "[erased]"), an engineer is sent to an address that no longer exists. The caller
    decides: close or cancel them first, or ask the erasure to cancel them in the same command
    (``erase_customer(..., cancel_open_tickets=True)``). ``ticket_ids`` names them, sorted.
    """

    def __init__(self, customer_id: str, ticket_ids: tuple[str, ...]) -> None:
        super().__init__(
            f"customer {customer_id!r} cannot be erased while tickets of theirs are open: "
            f"{', '.join(ticket_ids)}; close or cancel them first, or erase with cancel_open_tickets=True"
        )
        self.customer_id = customer_id
        self.ticket_ids = ticket_ids


class CustomerErased(ValidationError):
    """Work opened for a customer whose personal data was erased (PIPL art. 47): nothing was written.

    Why: the erased record has no name, phone or address — no engineer can be sent, no callback made
    (seeds 000/003: 回访), no notice reach them — so the work would wait for ever, its SLA clocks running;
    the erasure cancels and closes the person's tickets for that reason. A person who calls again is
    registered as a new customer, under a new id (:class:`ErasedIdReused`: the erased id stays the
    erased history's), then the work is opened. An import naming the record would bring their erased
    history back. A unit is not registered for, nor transferred to, the record either: its work and
    history would attach to it. ``field`` is ``customer_id`` unless the caller names the field that
    held the id (``asset.customer_id``).
    """

    def __init__(self, customer_id: str, *, field: str = "customer_id") -> None:
        super().__init__(
            f"customer {customer_id!r}: their personal data was erased (PIPL); nobody can be reached for "
            "this work. Register the person, with their consent, as a new customer under a new id "
            "before opening work for them",
            field=field,
        )
        self.customer_id = customer_id


class ErasedIdReused(CustomerErased):
    """A customer registered under the id of one whose personal data was erased (PIPL art. 47): nothing
    was written. ``field`` is ``customer.id``.

    Why: the erasure keeps the person's tickets, complaints and slips under their id, pseudonymised, so
    the ledger and the KPIs stand; a name and phone registered under that id again linked them to that
    history (a search for the new phone found the erased tickets, the new export held them) — the
    identification the erasure took away. A person who comes back is registered under a new id: a
    fresh record that reads nothing of the erased history.
    """

    def __init__(self, customer_id: str) -> None:
        ValidationError.__init__(
            self,
            f"customer {customer_id!r} was erased (PIPL): its id stays with the erased history and is not "
            "registered again; register the person under a new customer id",
            field="customer.id",
        )
        self.customer_id = customer_id


class ReadOnlyError(StorageError):
    """A write was attempted through a read-only unit of work (``store.reader()``); nothing was written.

    ``operation`` names what was attempted (``"tickets.save"``, or the SQL statement's first word).
    Reads take no write lock, so they cannot write: open an ordinary unit of work (``store()``) to write.
    """

    def __init__(self, operation: str) -> None:
        super().__init__(
            f"{operation}: refused, a read-only unit of work (store.reader()) cannot write; "
            "use store() for a unit of work that writes"
        )
        self.operation = operation


class InvalidStoreOption(ConfigurationError, ValidationError):
    """A store URL's option has a value the store cannot use (``synchronous_commit=maybe``,
    ``pool_max=0``). Nothing was opened. Both a ``ConfigurationError`` (``key`` is ``"url"``) and a
    ``ValidationError`` (``field`` is ``"url"``); ``option`` names the option."""

    def __init__(self, message: str, *, option: str) -> None:
        ConfigurationError.__init__(self, message, key="url")
        self.field = "url"
        self.option = option
