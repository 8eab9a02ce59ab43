"""``aftersales report kpi|faults|trend|sla|dealers|ledger|engineers --db FILE --from DATE --to DATE``.

``--db`` is the desk's SQLite file, by name or by the ``sqlite:///`` URL the library opens it by
(:mod:`aftersales.cli.desk_address`).

Formats: ``text`` (default), ``md``, ``csv`` (with a BOM for Chinese locales, ``--bom/--no-bom``),
``xlsx`` (needs ``--out``) and ``html`` (a complete page; ``--open`` shows it in the browser). Words
are in ``--locale`` (zh_Hans by default: the shipped packs are Chinese companies'). ``ledger``
streams the 台账 with a progress bar, scoped to who runs it (``--as dealer:ID`` for a dealer's view).
``engineers`` is the engineers' appraisal (:func:`~aftersales.reports.engineer_kpi.scoped_engineer_kpis`:
each indicator credited to the engineer who earned it, seed 003 三 2 绩效考核), the appraisers' by the
permission table's ``staff_kpi_report``; ``--as dealer:ID`` or ``--as engineer:ID`` is refused by it
(exit 1, as a refused ``budget`` command). ``--group engineer`` of ``kpi`` stays the holders' workload;
``--group dealer`` (the default) is by the dealer doing each job, ``--group customer-dealer`` by the
customer's own dealer (:data:`KPI_GROUPS`).

Exit codes: 0 done, 1 an aftersales error (e.g. storage), 2 usage (missing file, bad date, unknown
pack or locale, an option the report refuses such as a trend of more than 36 months), as argparse
does for its own usage errors.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO

from aftersales.cli.actor_option import as_role_and_id
from aftersales.cli.argv_words import bad_locale_line, count
from aftersales.cli.busy_option import add_busy_option, desk_url
from aftersales.cli.desk_address import desk_file
from aftersales.cli.desk_file_words import desk_file_reason
from aftersales.cli.error_words import error_line
from aftersales.cli.report_usage import usage_line
from aftersales.domain.text import checked_month
from aftersales.errors import AftersalesError, ValidationError, carried_rule

__all__ = ["add_report_parser", "run_report"]

USAGE = 2
COMMAND = "aftersales report"
KINDS = ("kpi", "faults", "trend", "sla", "dealers", "ledger", "feedback", "engineers")
LEDGER_FILTERS = ("state", "priority", "category", "dealer", "region", "engineer", "product", "batch", "text")
ONLY_FOR: dict[str, tuple[str, ...]] = {
    "group": ("kpi",),
    "dimension": ("faults", "trend"),
    "top": ("faults",),
    "trend_months": ("kpi",),
    "month": ("feedback",),
    **dict.fromkeys(LEDGER_FILTERS, ("ledger",)),
}
"""The options that shape only some reports: given to another, they would be ignored, so they are refused
(``report kpi --dealer d1`` printed the whole network's figures as if filtered)."""
SCOPED_KINDS = ("kpi", "faults", "trend", "sla", "dealers", "ledger", "engineers")
"""The reports read through the desk's scoped reads (judged by the one permission table), so ``--as
dealer:ID`` shows that dealer's part: its own KPI total (and trend), its jobs' faults, its row of the
dealers' month, its SLA breaches, its ledger. The monthly feedback is the heads' (not a dealer's); the
engineers' appraisal lets the permission table refuse a dealer or an engineer."""
AS_ROLES: dict[str, tuple[str, ...]] = {"engineers": ("dealer", "engineer")}
"""The ``--as ROLE:ID`` roles of a report besides ``dealer`` (the appraised engineer may ask for his own
figures: the permission table answers)."""
FORMATS = ("text", "md", "csv", "xlsx", "html", "jsonl")
KPI_GROUPS: dict[str, str] = {
    "dealer": "serving_dealer_id",
    "customer-dealer": "dealer_id",
    "all": "all",
    "engineer": "assignee_id",
    "product": "product_id",
    "region": "region",
}
"""``kpi --group`` → the :class:`~aftersales.ports.reporting.GroupBy` value. "By dealer" is by the dealer
doing each job (seed 002 分工 9/10/12: the maker judges a dealer by the jobs it did), as the dealers'
month and a dealer's own KPIs are; until session 31 it grouped by the customer's dealer, which is now
``customer-dealer``. The report's "grouped by" line names which (three locales)."""


def add_report_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``report`` command to the CLI's subparsers."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "report",
        help="KPIs, fault Pareto, trends, SLA breaches, dealer reports, the ledger export, the monthly "
        "feedback to the general manager",
    )
    p.add_argument("kind", choices=KINDS)
    p.add_argument("--db", required=True, help="the SQLite file of the service desk (or its sqlite:/// URL)")
    p.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD (optional for ledger)")
    p.add_argument("--to", dest="date_to", help="last day (inclusive), YYYY-MM-DD (optional for ledger)")
    p.add_argument("--format", default="text", choices=FORMATS)
    p.add_argument("--locale", default=None, help="zh_Hans (default), zh_Hant or en")
    p.add_argument("--out", type=Path, default=None, help="write to this file instead of standard output")
    p.add_argument("--open", action="store_true", help="open the HTML page (or workbook) when written")
    p.add_argument("--bom", action=argparse.BooleanOptionalAction, default=None,
                   help="UTF-8 byte-order mark before CSV (default: on for Chinese locales)")  # fmt: skip
    p.add_argument("--pack", default="sanitary_ware", help="policy pack of the desk")
    p.add_argument("--group", default=None, choices=list(KPI_GROUPS),
                   help="kpi: the groups of the table: dealer (default) = the dealer doing each job, as the "
                   "maker judges a dealer; customer-dealer = the customer's own dealer, whoever did the job; "
                   "all, engineer, product, region")  # fmt: skip
    p.add_argument("--dimension", default=None, choices=["product", "batch", "symptom", "cause"],
                   help="faults, trend: what the faults are counted by (default symptom)")  # fmt: skip
    p.add_argument("--top", type=count, default=None, help="faults: keep the N most frequent")
    p.add_argument("--trend-months", type=count, default=None, help="kpi: add a trend chart of N months")
    p.add_argument("--month", default=None, help="feedback: the month fed back, YYYY-MM")
    p.add_argument("--timezone", default="Asia/Shanghai")
    add_busy_option(p)
    p.add_argument(
        "--as",
        dest="as_actor",
        default="manager",
        help="manager (default) or dealer:DEALER_ID (kpi, faults, trend, sla, dealers, ledger, engineers); "
        "engineer:ID (engineers)",
    )
    for name in ("state", "priority", "category"):
        p.add_argument(f"--{name}", action="append", default=None, help=f"ledger: only this {name} (repeat)")
    for name in ("dealer", "region", "engineer", "product", "batch", "text"):
        p.add_argument(f"--{name}", default=None, help=f"ledger: only tickets with this {name}")
    return p


def _refuse(err: TextIO, locale: str, key: str, **values: str) -> int:
    """A usage refusal in the words of ``locale`` (cli/report_usage)."""
    err.write(usage_line(COMMAND, locale, key, **values) + "\n")
    return USAGE


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


_SIDE_FILES = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside a database: writing over one loses or corrupts committed data too."""


def _is_the_database(target: Path, db: Path) -> bool:
    """Whether writing ``target`` would write over the database ``db`` or one of its side files, by any
    name (a relative path, a link, another spelling of the same file)."""
    if target.exists() and target.samefile(db):
        return True
    resolved = target.resolve()
    base = db.resolve()
    return resolved == base or any(resolved == base.with_name(base.name + s) for s in _SIDE_FILES)


def _check(args: argparse.Namespace, err: TextIO, locale: str) -> tuple[date | None, date | None] | int:
    from aftersales.adapters.sqlite_schema import not_a_desk_file, not_current_schema

    db = desk_file(args.db)
    if db is None:
        return _refuse(err, locale, "db_scheme", db=str(args.db)[:200])
    if "?" in str(db):  # the store would read what follows as URL options and open another file
        return _refuse(err, locale, "db_query", db=str(db))
    try:
        if not db.is_file():
            return _refuse(err, locale, "no_db", db=str(db))
    except OSError as exc:  # a name too long for the file system: a traceback before
        return _refuse(err, locale, "db_unreadable", db=str(db)[:80], why=str(exc.strerror))
    why = not_a_desk_file(db)  # opening the store would create the schema in it: an empty report
    if why is not None:
        return _refuse(err, locale, "not_desk", db=str(db), why=desk_file_reason(why, locale))
    why = not_current_schema(db)  # opening the store would migrate it: a report reads, it does not write
    if why is not None:
        return _refuse(err, locale, "schema", db=str(db), why=desk_file_reason(why, locale))
    args.db = str(db)  # the file checked is the file opened
    needs_period = args.kind not in ("ledger", "feedback")
    if args.kind == "feedback":
        if args.date_from is not None or args.date_to is not None:  # they would be ignored
            return _refuse(err, locale, "feedback_period")
        if args.month is None:
            return _refuse(err, locale, "feedback_month")
        try:
            checked_month(args.month)
        except ValidationError as exc:  # named as the operator typed it: the option, not the field
            err.write(
                error_line(COMMAND, ValidationError(str(exc), field="--month", **carried_rule(exc)), locale)
                + "\n"
            )
            return USAGE
    if needs_period and (args.date_from is None or args.date_to is None):
        return _refuse(err, locale, "needs_period", kind=args.kind)
    first, last = _day(args.date_from), _day(args.date_to)
    for text, parsed in ((args.date_from, first), (args.date_to, last)):
        if text is not None and parsed is None:
            return _refuse(err, locale, "bad_date", text=repr(text))
    if first is not None and last is not None and last < first:
        return _refuse(err, locale, "to_before_from")
    if last is not None and last >= date.max:  # the period ends the day after --to
        return _refuse(err, locale, "to_max", day=str(date.max - timedelta(days=1)))
    if args.out is not None:
        target = Path(args.out)
        try:
            if target.is_dir():
                return _refuse(err, locale, "out_folder", target=str(target))
            if not target.parent.is_dir():
                return _refuse(err, locale, "out_no_folder", target=str(target), folder=str(target.parent))
            if _is_the_database(target, db):  # written over, the desk's data would be gone
                return _refuse(err, locale, "out_is_db", target=str(target))
        except OSError as exc:  # a name too long for the file system, a loop of links
            return _refuse(err, locale, "out_unwritable", target=str(target), why=str(exc.strerror))
        except ValueError as exc:  # a NUL or a lone surrogate main(argv) was given: a traceback before
            return _refuse(
                err, locale, "out_unwritable", target=repr(str(target))[1:-1][:200], why=str(exc)[:80]
            )
    if args.format == "xlsx" and args.out is None:
        return _refuse(err, locale, "xlsx_out")
    if args.kind == "ledger" and args.format not in ("csv", "xlsx", "jsonl"):
        return _refuse(err, locale, "ledger_formats")
    if args.kind != "ledger" and args.format == "jsonl":
        return _refuse(err, locale, "jsonl_ledger")
    if args.locale is not None and args.format == "jsonl":  # codes and ISO instants: no words to translate
        return _refuse(err, locale, "jsonl_locale")
    if args.bom is not None and args.format != "csv":
        return _refuse(err, locale, "bom")
    for name, kinds in ONLY_FOR.items():
        if getattr(args, name) is not None and args.kind not in kinds:
            flag = "--" + name.replace("_", "-")
            if len(kinds) == 1:
                return _refuse(err, locale, "only_for", flag=flag, kind=kinds[0])
            return _refuse(
                err, locale, "only_for_two", flag=flag, first=kinds[0], second=", ".join(kinds[1:])
            )
    if args.open and args.out is None and (args.kind == "ledger" or args.format != "html"):
        return _refuse(err, locale, "open_out")
    if args.top is not None and args.top < 1:
        return _refuse(err, locale, "top")
    if args.trend_months is not None and not 0 <= args.trend_months <= 36:
        return _refuse(err, locale, "trend_months")
    by_month = _month_reach(args, first, last)
    if by_month is not None:
        return _refuse(err, locale, by_month[0], **by_month[1])
    roles = AS_ROLES.get(args.kind, ("dealer",))
    if args.as_actor != "manager" and as_role_and_id(args.as_actor, roles) is None:
        # the one reading of --as ROLE:ID (cli/actor_option): an id as the stores hold it
        role = args.as_actor.partition(":")[0]
        if role not in roles or ":" not in args.as_actor:
            if len(roles) == 1:
                return _refuse(err, locale, "as_roles", role=roles[0])
            return _refuse(err, locale, "as_roles_two", first=roles[0], second=", ".join(roles[1:]))
        return _refuse(err, locale, "as_id", role=role)
    if args.as_actor != "manager" and args.kind not in SCOPED_KINDS:
        # The monthly feedback is the heads' (the permission table's monthly_feedback): not a dealer's.
        return _refuse(err, locale, "as_scope", kinds=", ".join(SCOPED_KINDS), kind=args.kind)
    return first, last


def _month_reach(
    args: argparse.Namespace, first: date | None, last: date | None
) -> tuple[str, dict[str, str]] | None:
    """Why the months a report is read by cannot be read, as a refusal's key and values (``None``: they can).

    The trend, the dealers' month and the KPI trend read whole months: a month is from its first day to
    the next month's, so December 9999 has no end, and ``--trend-months`` may not reach back before
    January of year 1 (both were an error from deep inside the report, or a traceback).
    """
    if first is None or last is None:
        return None
    if args.kind == "trend" and _month(last) == "9999-12":
        return "trend_last", {}
    uses_first = args.kind == "dealers" or (args.kind == "kpi" and args.trend_months)
    if uses_first and _month(first) == "9999-12":
        return "first_last", {"kind": args.kind}
    if args.kind == "kpi" and args.trend_months and first.year * 12 + first.month - args.trend_months < 12:
        return "trend_reach", {"months": str(args.trend_months), "month": _month(first)}
    return None


def run_report(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``report`` with parsed ``args``; returns the exit code. ``out`` and ``err`` default to the
    standard streams as they are when it runs (not when the module was imported: a host or a test
    may have replaced them since)."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    from aftersales.cli.locale_option import cli_locale
    from aftersales.domain.contact import zone
    from aftersales.policies.registry import resolve_policies

    try:
        locale = cli_locale(args.locale)
    except AftersalesError:  # worded in the CLI's default, as argparse's refusals of a --locale are
        err.write(bad_locale_line(COMMAND, str(args.locale)[:40]) + "\n")
        return USAGE
    checked = _check(args, err, locale)
    if isinstance(checked, int):
        return checked
    first, last = checked
    args.locale = locale
    # From here on a refusal of the library is in the operator's words (cli/error_words).
    try:
        resolve_policies(args.pack, None)
        tz = zone(args.timezone)
    except AftersalesError as exc:
        err.write(error_line(COMMAND, exc, locale) + "\n")
        return USAGE
    try:
        return _produce(args, first, last, tz, out, err)
    except ValidationError as exc:  # the options asked for what the report refuses (a trend of 40 months)
        err.write(error_line(COMMAND, exc, locale) + "\n")
        return USAGE
    except AftersalesError as exc:
        err.write(error_line(COMMAND, exc, locale) + "\n")
        return 1
    except OSError as exc:  # the --out file could not be written (permissions, a full disk)
        _refuse(err, locale, "write", file=str(exc.filename or args.out), why=str(exc.strerror))
        return 1


def _produce(
    args: argparse.Namespace, first: date | None, last: date | None, tz: Any, out: TextIO, err: TextIO
) -> int:
    from aftersales.adapters.attachments_memory import MemoryAttachmentStore
    from aftersales.adapters.clock import ManualClock
    from aftersales.ports.reporting import Period
    from aftersales.service.desk import ServiceDesk

    period = None
    if first is not None and last is not None:
        end = datetime.combine(last + timedelta(days=1), time(), tz)
        period = Period(datetime.combine(first, time(), tz), end)
    # --timezone is the desk's own zone too (its today, its due instants, its books), not only the labels'.
    # A report reads: the desk's attachments (a folder beside the file, made when a desk opens) are not
    # read, so they are kept in memory and no folder is made beside a file that only was read.
    desk = ServiceDesk.open(
        desk_url(args.db, args.busy_timeout),
        pack=args.pack,
        clock=ManualClock(datetime.now(tz)),
        settings={"timezone": args.timezone},
        attachments=MemoryAttachmentStore(),
    )
    try:
        if args.kind == "ledger":
            # Either end alone bounds the export too (--from alone used to export every ticket).
            received = (
                datetime.combine(first, time(), tz) if first is not None else None,
                datetime.combine(last + timedelta(days=1), time(), tz) if last is not None else None,
            )
            return _ledger(args, desk, received, out, err)
        if args.kind == "feedback":
            return _emit(args, _feedback(args, desk), out, err)
        if period is None or first is None or last is None:
            raise AftersalesError(f"{args.kind} needs --from and --to")
        return _emit(args, _document(args, desk, period, first, last), out, err)
    finally:
        desk.shutdown()


def _actor(args: argparse.Namespace) -> Any:
    from aftersales.service.actors import Actor

    if args.as_actor.startswith("dealer:"):
        dealer = args.as_actor.split(":", 1)[1]
        return Actor.dealer_staff(f"cli-{dealer}", dealer)
    if args.as_actor.startswith("engineer:"):
        return Actor.engineer(args.as_actor.split(":", 1)[1])
    return Actor.manager("cli", "aftersales report")


def _document(args: argparse.Namespace, desk: Any, period: Any, first: date, last: date) -> Any:
    """The report of ``args.kind`` as the ``--as`` actor may read it: every report goes through its scoped
    entry, judged by the one permission table (the manager reads the network, a dealer its own part)."""
    from aftersales.adapters.reporting import reporting_for
    from aftersales.ports.reporting import FaultDimension, GroupBy
    from aftersales.reports.dealer_monthly import scoped_dealer_monthly
    from aftersales.reports.engineer_kpi import scoped_engineer_kpis
    from aftersales.reports.faults import scoped_fault_pareto, scoped_fault_trend
    from aftersales.reports.kpi import scoped_kpi_report
    from aftersales.reports.labels import report_labels
    from aftersales.reports.months import months_between
    from aftersales.reports.names import group_names
    from aftersales.reports.pages import document_for
    from aftersales.reports.sla import sla_breaches
    from aftersales.reports.targets import KpiGoals, inherited_goals
    from aftersales.reports.trend import scoped_kpi_trend

    queries = reporting_for(desk.store)
    actor = _actor(args)
    as_dealer = args.as_actor != "manager"
    labels = report_labels(args.locale, group_names(desk.store), args.timezone)
    goals = inherited_goals(args.pack) or KpiGoals()  # a pack over a shipped one: its goals
    dimension = FaultDimension[(args.dimension or "symptom").upper()]
    if desk.calendar is None and args.kind in ("kpi", "trend", "dealers", "engineers"):
        raise AftersalesError("the desk has no working calendar")
    # What was due by now, whether or not the period is over: the reports read each ticket as it is now
    # (resolved since the period's end or not), so one still unanswered or unresolved past its due time is
    # late too; judged at the period's end it would drop out of the on-time rates (seed 001 响应及时率).
    as_of = desk.clock.now()
    if args.kind == "kpi":
        # a dealer reads its own total (seed 003 考核 of its own figures): one group, unless it asks another
        group = GroupBy(KPI_GROUPS[args.group or ("all" if as_dealer else "dealer")])
        report = scoped_kpi_report(desk, actor, queries, period, group=group, as_of=as_of)
        trend = None
        if args.trend_months:
            months = _months_to(first, args.trend_months)
            trend = scoped_kpi_trend(desk, actor, queries, months, as_of=as_of)
        return document_for(report, labels, goals=goals, trend=trend)
    if args.kind == "engineers":  # each indicator credited to who earned it (seed 003 三 2)
        appraisal = scoped_engineer_kpis(desk, actor, period, as_of=as_of)
        return document_for(appraisal, labels, goals=goals)
    if args.kind == "faults":
        return document_for(
            scoped_fault_pareto(desk, actor, queries, period, dimension), labels, top=args.top
        )
    if args.kind == "trend":
        months = months_between(_month(first), _month(last))
        trend = scoped_kpi_trend(desk, actor, queries, months, as_of=as_of)
        faults = scoped_fault_trend(desk, actor, queries, months, dimension, timezone=args.timezone)
        return document_for(trend, labels, goals=goals, faults=faults)
    if args.kind == "sla":
        breaches = sla_breaches(desk, actor, period, as_of=as_of, timezone=args.timezone)
        return document_for(breaches, labels)
    summary = scoped_dealer_monthly(desk, actor, queries, _month(first), as_of=as_of)
    if as_dealer:  # its own row; the dealers' KPI comparison is the maker's (every dealer's figures)
        return document_for(summary, labels, goals=goals)
    # the KPIs of the dealer doing each job, as the counts beside them (seed 002 9/10: 乙方…所维修情况)
    kpis = scoped_kpi_report(desk, actor, queries, period, group=GroupBy.SERVING_DEALER, as_of=as_of)
    return document_for(summary, labels, goals=goals, kpis=kpis)


def _feedback(args: argparse.Namespace, desk: Any) -> Any:
    """The month's feedback to the general manager (seed 004 第五条 1(6)), read as the manager."""
    from aftersales.adapters.reporting import reporting_for
    from aftersales.reports.labels import report_labels
    from aftersales.reports.monthly_feedback import monthly_feedback
    from aftersales.reports.names import group_names
    from aftersales.reports.pages import document_for
    from aftersales.reports.targets import KpiGoals, inherited_goals

    labels = report_labels(args.locale, group_names(desk.store), args.timezone)
    report = monthly_feedback(
        desk, _actor(args), reporting_for(desk.store), args.month, as_of=desk.clock.now()
    )
    return document_for(report, labels, goals=inherited_goals(args.pack) or KpiGoals())


def _month(day: date) -> str:
    """``YYYY-MM`` of ``day``, four-digit year always (``strftime("%Y")`` writes year 1 as "1")."""
    return day.isoformat()[:7]


def _months_to(day: date, count: int) -> list[str]:
    """The ``count`` months ending with ``day``'s month, oldest first (``_check`` keeps them after year 0)."""
    last = day.year * 12 + day.month - 1
    return [f"{n // 12:04d}-{n % 12 + 1:02d}" for n in range(last - count + 1, last + 1)]


def _emit(args: argparse.Namespace, doc: Any, out: TextIO, err: TextIO) -> int:
    from aftersales.reports.render import render

    body = render(doc, args.format, bom=args.bom)
    target: Path | None = args.out
    if target is None and args.open and args.format == "html":
        import tempfile

        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept for the browser to read
            "wb", prefix=f"aftersales-{args.kind}-", suffix=".html", delete=False
        )
        handle.close()
        target = Path(handle.name)
    if target is None:
        assert isinstance(body, str)
        out.write(body)
        return 0
    target.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    err.write(f"{target}\n")
    if args.open:
        _open(target)
    return 0


def _open(path: Path) -> None:
    import webbrowser

    webbrowser.open(path.resolve().as_uri())


def _filters(args: argparse.Namespace, received: tuple[datetime | None, datetime | None]) -> Any:
    from aftersales.ports.queries import TicketFilter

    return TicketFilter(
        states=tuple(args.state or ()), priorities=tuple(args.priority or ()),
        categories=tuple(args.category or ()), dealer_id=args.dealer, region=args.region,
        engineer_id=args.engineer, product_id=args.product, batch=args.batch, text=args.text,
        received_from=received[0], received_to=received[1],
    )  # fmt: skip


def _ledger(
    args: argparse.Namespace,
    desk: Any,
    received: tuple[datetime | None, datetime | None],
    out: TextIO,
    err: TextIO,
) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from aftersales.reports.ledger_export import export_ledger
    from aftersales.reports.names import group_names

    # a filter the desk refuses (an unknown state, a blank --text) is worded as any other refusal
    filters = _filters(args, received)
    actor = _actor(args)
    total = desk.count(actor, filters)
    fmt = args.format
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=Console(file=err), transient=True,
    )  # fmt: skip
    with progress:
        task = progress.add_task(str(args.out or "ledger"), total=total)

        def advance(n: int) -> None:
            progress.update(task, completed=n)

        if args.out is None:
            import io

            stream = getattr(out, "buffer", None)  # a real stdout: stream the bytes through
            target = stream if stream is not None else io.BytesIO()
            out.flush()
            export_ledger(
                desk, actor, target, format=fmt, filters=filters, locale=args.locale,
                timezone=args.timezone, bom=args.bom, names=group_names(desk.store), progress=advance,
            )  # fmt: skip
            if stream is None:
                out.write(target.getvalue().decode("utf-8"))
            else:
                stream.flush()
            return 0
        written = export_ledger(desk, actor, args.out, format=fmt, filters=filters, locale=args.locale,
                                timezone=args.timezone, bom=args.bom, names=group_names(desk.store),
                                progress=advance)  # fmt: skip
    err.write(f"{args.out}: {written}\n")
    if args.open:
        _open(args.out)
    return 0
