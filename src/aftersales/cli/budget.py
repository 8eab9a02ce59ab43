"""``aftersales budget draft|approve|return|list --db FILE --as ROLE:ID --period PERIOD``.

Seed 000 (售后维护费用管理, 费用预算): the after-sales department draws the year's (or a month's) cost
budget up and management approves it or sends it back. These are the desk's own commands
(``desk.charges.draft_budget``, ``approve_budget``, ``return_budget``, ``budgets`` and
``budget_drafts``), run as the ``--as`` actor through the one command path and permission table: who
may draft, approve or send back is the desk's rule (the pack's ``fees.budget_approvers``), not the CLI's.

``draft`` takes ``--category`` and ``--amount`` (in the pack's currency, written ``12000.00`` or
``12,000.00``, at most the currency's places; ``--note`` optional), ``approve``
``--category``, ``return`` ``--category`` and ``--reason``; ``list`` prints the period's budgets and drafts.
An option another action would ignore is refused. Words are in ``--locale`` (zh_Hans by default);
``--idempotency-key`` makes a retried write return its first result.

Exit codes: 0 done, 1 the desk refused (no permission, no draft awaiting approval, storage), 2 usage
(missing file, bad amount, period or role, an option the action does not take), as ``report`` does.
"""

from __future__ import annotations

import argparse
import re
import sys
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

from aftersales.cli.actor_option import ID_RULE, as_role_and_id
from aftersales.cli.busy_option import add_busy_option, desk_url
from aftersales.cli.desk_address import desk_file
from aftersales.domain.charges import ChargeKind
from aftersales.errors import AftersalesError, ValidationError

__all__ = ["add_budget_parser", "run_budget"]

USAGE = 2
REFUSED = 1
ACTIONS = ("draft", "approve", "return", "list")
ROLES = ("manager", "department_head", "general_manager", "auditor")
"""The roles ``--as`` may name: the heads who draft and approve, and the auditor who reads."""
ONLY_FOR: dict[str, tuple[str, ...]] = {
    "category": ("draft", "approve", "return"),
    "amount": ("draft",),
    "note": ("draft",),
    "reason": ("return",),
    "idempotency_key": ("draft", "approve", "return"),
}
"""Which actions take which option: given to another, it would be ignored, so it is refused."""
_AMOUNT = re.compile(r"([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]+)?")
"""An amount in ASCII digits, its thousands optionally grouped by commas, a decimal point."""
NEEDS: dict[str, tuple[str, ...]] = {
    "draft": ("category", "amount"),
    "approve": ("category",),
    "return": ("category", "reason"),
    "list": (),
}


def add_budget_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``budget`` command to the CLI's subparsers."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "budget", help="draft, approve, send back or list the after-sales cost budgets (seed 000)"
    )
    p.add_argument("action", choices=ACTIONS)
    p.add_argument("--db", required=True, help="the SQLite file of the service desk (or its sqlite:/// URL)")
    p.add_argument("--as", dest="as_actor", required=True,
                   help=f"ROLE:ID of who acts, ROLE one of {', '.join(ROLES)}; ID {ID_RULE}")  # fmt: skip
    p.add_argument("--period", required=True, help="a year YYYY or a month YYYY-MM")
    p.add_argument("--category", default=None, choices=[kind.value for kind in ChargeKind],
                   help="draft, approve, return: the cost category (a charge kind)")  # fmt: skip
    p.add_argument("--amount", default=None, help="draft: the amount, in the pack's currency (12000.00)")
    p.add_argument("--note", default=None, help="draft: a note for management")
    p.add_argument("--reason", default=None, help="return: why the draft goes back")
    p.add_argument("--idempotency-key", default=None, help="a retried write returns its first result")
    p.add_argument("--pack", default="sanitary_ware", help="policy pack of the desk")
    p.add_argument("--locale", default=None, help="zh_Hans (default), zh_Hant or en")
    p.add_argument("--timezone", default="Asia/Shanghai")
    add_busy_option(p)
    return p


class _Usage(Exception):
    """A usage error, its words already in the locale."""


def run_budget(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``budget`` with parsed ``args``; returns the exit code (streams default to the current
    standard ones)."""
    from aftersales.cli.locale_option import cli_locale
    from aftersales.cli.terminal_text import printable

    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    try:
        locale = cli_locale(args.locale)
    except AftersalesError:  # worded in the CLI's default, as argparse's refusals of a --locale are
        from aftersales.cli.argv_words import bad_locale_line

        err.write(bad_locale_line("aftersales budget", str(args.locale)[:40]) + "\n")
        return USAGE
    words = _Words(locale)
    try:
        _check_options(args, words)
        args.db = str(_check_db(args.db, words))  # the file checked is the file opened
        return _run(args, words, out, err)
    except _Usage as exc:
        err.write(printable(words.text("cli.budget.error", message=str(exc))) + "\n")
        return USAGE
    except ValidationError as exc:  # a period, category, id or amount the desk refuses
        err.write(printable(words.text("cli.budget.error", message=words.error(exc))) + "\n")
        return USAGE
    except AftersalesError as exc:
        err.write(printable(words.text("cli.budget.error", message=words.error(exc))) + "\n")
        return REFUSED


class _Words:
    """The CLI's words in ``locale`` (the report labels' catalog)."""

    def __init__(self, locale: str) -> None:
        from aftersales.reports.labels import report_labels

        self.locale = locale
        self.labels = report_labels(locale)

    def text(self, msgid: str, **params: str) -> str:
        return self.labels.text(msgid, **params)

    def category(self, code: str) -> str:
        """A budget category (a charge kind) in words: ``材料费`` for ``materials``."""
        return self.labels.catalog.get(f"charge_kind.{code}") or code

    def error(self, error: AftersalesError) -> str:
        from aftersales.i18n.errors import render_error

        return render_error(error, self.locale)


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _check_options(args: argparse.Namespace, words: _Words) -> None:
    for name, actions in ONLY_FOR.items():
        if getattr(args, name) is not None and args.action not in actions:
            raise _Usage(
                words.text("cli.budget.usage.only_for", option=_flag(name), actions=", ".join(actions))
            )
    for name in NEEDS[args.action]:
        if getattr(args, name) is None:
            raise _Usage(words.text("cli.budget.usage.needs", action=args.action, option=_flag(name)))
    if as_role_and_id(args.as_actor, ROLES) is None:  # the one reading of --as ROLE:ID (cli/actor_option)
        raise _Usage(words.text("cli.budget.usage.as", roles=", ".join(ROLES)))
    from aftersales.domain.budgets import checked_period

    try:
        checked_period(args.period)
    except ValidationError:
        raise _Usage(words.text("cli.budget.usage.period", period=str(args.period)[:40])) from None
    from aftersales.domain.contact import zone
    from aftersales.policies.registry import resolve_policies

    for option, check in (
        ("--pack", lambda: resolve_policies(args.pack, None)),
        ("--timezone", lambda: zone(args.timezone)),
    ):
        try:
            check()
        except AftersalesError as exc:
            # the locale's colon: "--timezone: 输入有误" mixed an ASCII one into the Chinese line
            raise _Usage(
                words.text("cli.budget.usage.option", option=option, message=words.error(exc))
            ) from None


def _check_db(given: str, words: _Words) -> Path:
    """The desk file ``--db`` names (a file name or a ``sqlite:///`` URL), checked; else ``_Usage``."""
    from aftersales.adapters.sqlite_schema import not_a_desk_file, not_current_schema

    db = desk_file(given)
    if db is None:
        raise _Usage(words.text("cli.budget.usage.db_scheme", db=given[:200]))
    if "?" in str(db):  # the store would read what follows as URL options and open another file
        raise _Usage(words.text("cli.budget.usage.db", db=str(db)[:200], why="?"))
    try:
        if not db.is_file():
            raise _Usage(words.text("cli.budget.usage.no_db", db=str(db)[:200]))
    except OSError as exc:  # a name too long for the file system
        raise _Usage(words.text("cli.budget.usage.db", db=str(db)[:80], why=str(exc.strerror))) from None
    why = not_a_desk_file(db) or not_current_schema(db)  # opening would create or migrate the schema
    if why is not None:
        from aftersales.cli.desk_file_words import desk_file_reason

        raise _Usage(
            words.text("cli.budget.usage.db", db=str(db)[:200], why=desk_file_reason(why, words.locale))
        )
    return db


def _actor(args: argparse.Namespace) -> Any:
    from aftersales.service.actors import Actor

    found = as_role_and_id(args.as_actor, ROLES)
    assert found is not None  # checked with the options
    role, actor_id = found
    factory = getattr(Actor, role)
    return factory(actor_id, name="aftersales budget")


def _amount(text: str, currency: str, words: _Words) -> Any:
    from aftersales.domain.money import Money, currency_exponent

    # Written as a person writes an amount (12000.00, 12,000.00): Decimal alone took 1_000, 1E+3, １２０００
    # and commas anywhere (1,2,3 read as 123); a cent the currency does not have would be rounded away.
    if not _AMOUNT.fullmatch(text):
        raise _Usage(words.text("cli.budget.usage.amount", amount=text[:40]))
    try:
        amount = Decimal(text.replace(",", ""))
        whole = amount.quantize(currency_exponent(currency), rounding=ROUND_DOWN)
    except InvalidOperation:  # more digits than the context holds: Money refuses it too
        raise _Usage(words.text("cli.budget.usage.amount", amount=text[:40])) from None
    if amount <= 0 or amount != whole:
        raise _Usage(words.text("cli.budget.usage.amount", amount=text[:40]))
    return Money(amount, currency)


def _run(args: argparse.Namespace, words: _Words, out: TextIO, err: TextIO) -> int:
    from aftersales.adapters.attachments_memory import MemoryAttachmentStore
    from aftersales.service.desk import ServiceDesk

    actor = _actor(args)  # an id the desk refuses is a usage error, before the store is opened
    desk = ServiceDesk.open(
        desk_url(args.db, args.busy_timeout),
        pack=args.pack,
        settings={"timezone": args.timezone},
        attachments=MemoryAttachmentStore(),  # no attachments folder made beside the file
    )
    try:
        charges = desk.charges
        key = args.idempotency_key
        if args.action == "draft":
            amount = _amount(args.amount, charges.currency, words)
            draft = charges.draft_budget(
                actor, args.period, args.category, amount, note=args.note or "", idempotency_key=key
            )
            out.write(_said(words, "cli.budget.drafted", draft.period, draft.category, draft.amount) + "\n")
        elif args.action == "approve":
            budget = charges.approve_budget(actor, args.period, args.category, idempotency_key=key)
            out.write(
                _said(words, "cli.budget.approved", budget.period, budget.category, budget.amount) + "\n"
            )
        elif args.action == "return":
            draft = charges.return_budget(
                actor, args.period, args.category, reason=args.reason, idempotency_key=key
            )
            line = _said(words, "cli.budget.returned", draft.period, draft.category, draft.amount)
            out.write(line.replace("{reason}", draft.returned_reason) + "\n")
        else:
            _list(
                words,
                charges.budgets(actor, args.period),
                charges.budget_drafts(actor, args.period),
                args,
                out,
            )
    finally:
        desk.shutdown()
    return 0


def _said(words: _Words, msgid: str, period: str, category: str, amount: Any) -> str:
    text = words.labels.catalog.text(msgid)  # {reason} is filled by the caller, after the others
    filled = (
        ("period", period),
        ("category", words.category(category)),
        ("amount", words.labels.money(amount)),
    )
    for key, value in filled:
        text = text.replace("{" + key + "}", value)
    return text


def _list(words: _Words, budgets: Any, drafts: Any, args: argparse.Namespace, out: TextIO) -> None:
    """The period's categories, one line each: the budget in force, the draft and where it stands."""
    by_category: dict[str, list[Any]] = {}
    for budget in budgets:
        by_category.setdefault(budget.category, [None, None])[0] = budget
    for draft in drafts:
        by_category.setdefault(draft.category, [None, None])[1] = draft
    out.write(words.text("cli.budget.list.title", period=args.period) + "\n")
    if not by_category:
        out.write(words.text("cli.budget.list.none") + "\n")
        return
    none = words.text("cli.budget.list.nothing")
    for category in sorted(by_category):
        budget, draft = by_category[category]
        state = words.text(f"budget_draft_state.{draft.state.value}") if draft is not None else none
        line = words.text(
            "cli.budget.list.row",
            category=words.category(category),
            budget=words.labels.money(budget.amount) if budget is not None else none,
            draft=words.labels.money(draft.amount) if draft is not None else none,
            state=state,
        )
        if draft is not None and draft.returned_reason:
            line += words.text("cli.budget.list.reason", reason=draft.returned_reason)
        out.write(line + "\n")
