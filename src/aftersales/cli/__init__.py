"""The ``aftersales`` command line: ``demo``, ``report`` and ``diagram``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from aftersales.errors import AftersalesError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aftersales", description="After-sales service as a library.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="walk a repair ticket of a bathroom-fixture maker, print its ledger"
    )
    demo.add_argument(
        "--locale", default="en", choices=["en", "zh_Hans", "zh_Hant"], help="language of the output"
    )

    diagram = commands.add_parser("diagram", help="print a workflow as a Mermaid state diagram")
    diagram.add_argument(
        "workflow",
        nargs="?",
        default="ticket",
        help="ticket (default), complaint, materials, part_return, quote",
    )
    from aftersales.cli.report import add_report_parser

    add_report_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (0 ok, 1 domain error, 2 usage error)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            from aftersales.cli.demo import run_demo

            return run_demo(locale=args.locale, out=sys.stdout)
        if args.command == "report":
            from aftersales.cli.report import run_report

            return run_report(args)
        if args.command == "diagram":
            from aftersales.cli.diagram import print_diagram

            return print_diagram(args.workflow, out=sys.stdout)
    except AftersalesError as exc:
        print(f"aftersales: error: {exc}", file=sys.stderr)
        return 1
    return 2
