"""The ``aftersales`` command line: ``demo``, ``report``, ``budget`` and ``diagram``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from aftersales.cli.argv_words import WordedParser, argv_locale, count
from aftersales.cli.desk_address import desk_file
from aftersales.cli.error_words import error_line
from aftersales.errors import AftersalesError, ValidationError

__all__ = ["main"]


def _parser(locale: str = "zh_Hans") -> argparse.ArgumentParser:
    # argparse's own refusals (an unknown option, a bad choice) are worded in ``locale`` (cli/argv_words)
    parser = WordedParser(prog="aftersales", description="After-sales service as a library.", locale=locale)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="play a month of a bathroom-fixture maker into SQLite, print the ledger and KPIs"
    )
    demo.add_argument(
        "--locale",
        default="zh_Hans",
        choices=["zh_Hans", "zh_Hant", "en"],
        help="language of the output (default zh_Hans)",
    )
    demo.add_argument(
        "--db", default=None, help="SQLite file (or sqlite:/// URL) to create (default: a temp file)"
    )
    demo.add_argument("--tickets", type=count, default=None, help="requests to play (default 2000)")
    demo.add_argument("--one", action="store_true", help="walk one repair ticket instead, print its ledger")

    diagram = commands.add_parser("diagram", help="print a workflow as a Mermaid state diagram")
    diagram.add_argument(
        "workflow",
        nargs="?",
        default="ticket",
        help="ticket (default), complaint, materials, part_return, quote",
    )
    diagram.add_argument(
        "--locale",
        default="zh_Hans",
        choices=["zh_Hans", "zh_Hant", "en"],
        help="language of a refusal (default zh_Hans); the diagram itself is Mermaid",
    )
    from aftersales.cli.budget import add_budget_parser
    from aftersales.cli.report import add_report_parser

    add_report_parser(commands)
    add_budget_parser(commands)
    return parser


def _locale(args: argparse.Namespace) -> str:
    """The locale a command writes its refusals in: its ``--locale`` (the demo's and the diagram's are
    one of the three catalogs, argparse checked), else the CLI's default."""
    from aftersales.cli.locale_option import CLI_DEFAULT_LOCALE, cli_locale

    try:
        return cli_locale(getattr(args, "locale", None))
    except AftersalesError:
        return CLI_DEFAULT_LOCALE


def _demo_refusal(locale: str, key: str, **values: str) -> str:
    """The demo's own usage refusal ``cli.demo.usage.<key>`` in ``locale`` (argparse checked it)."""
    from aftersales.cli.report_usage import usage_line

    return usage_line("aftersales demo", locale, key, "cli.demo.usage.", **values)


def _exists(path: Path) -> bool:
    """Whether ``path`` names a file already; a name the file system refuses is left to the demo's own
    refusal (it names the reason)."""
    try:
        return path.exists()
    except OSError:
        return False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (0 ok, 1 domain error, 2 usage error)."""
    given = sys.argv[1:] if argv is None else list(argv)
    args = _parser(argv_locale(given)).parse_args(given)
    try:
        if args.command == "demo":
            if args.one:
                # The single ticket is played in memory: a --db or --tickets for it would be ignored.
                ignored = [
                    flag
                    for flag, value in (("--db", args.db), ("--tickets", args.tickets))
                    if value is not None
                ]
                if ignored:
                    print(_demo_refusal(args.locale, "one_only", flags=", ".join(ignored)), file=sys.stderr)
                    return 2
                from aftersales.cli.demo import run_demo

                return run_demo(locale=args.locale, out=sys.stdout)
            db = None if args.db is None else desk_file(args.db)
            if args.db is not None and db is None:  # another store's URL, not a file to create
                print(_demo_refusal(args.locale, "db_scheme", db=str(args.db)[:200]), file=sys.stderr)
                return 2
            if db is not None and "?" in str(db):
                # The store would read what follows as URL options and write the month into another
                # file, one that may exist already (the demo's guard is for a new file).
                print(_demo_refusal(args.locale, "db_query", db=str(args.db)), file=sys.stderr)
                return 2
            if db is not None and _exists(db):  # the demo writes a new file, never over one
                print(_demo_refusal(args.locale, "db_exists", db=str(db)), file=sys.stderr)
                return 2
            from aftersales.cli.demo_month import run_month_demo

            tickets = 2000 if args.tickets is None else args.tickets
            return run_month_demo(args.locale, sys.stdout, db, tickets)
        if args.command == "report":
            from aftersales.cli.report import run_report

            return run_report(args)
        if args.command == "budget":
            from aftersales.cli.budget import run_budget

            return run_budget(args)
        if args.command == "diagram":
            from aftersales.cli.diagram import print_diagram

            return print_diagram(args.workflow, out=sys.stdout)
    except ValidationError as exc:
        # The demo and the diagram check their options before any work: a bad one is a usage error,
        # as argparse's own and the report's are; worded in the command's --locale (session 29).
        print(error_line(f"aftersales {args.command}", exc, _locale(args)), file=sys.stderr)
        return 2
    except AftersalesError as exc:
        print(error_line(f"aftersales {args.command}", exc, _locale(args)), file=sys.stderr)
        return 1
    return 2
