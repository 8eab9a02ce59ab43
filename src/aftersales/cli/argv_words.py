"""argparse's own usage errors in the words of the command's ``--locale``, and a count in ASCII digits.

Why: an unknown option, a missing value, a bad choice or a missing required option is refused by
argparse before any command runs, and argparse words it in English ("unrecognized arguments",
"invalid choice … (choose from …)") whatever ``--locale`` asked for, while every other refusal of the
same command is in the locale (session 29). :class:`WordedParser` reads each refusal's shape (the
argparse messages of Python 3.11+) into a catalog entry ``cli.usage.<shape>``; option names, choices
and the values typed stay as typed. A shape it does not know keeps argparse's text inside the locale's
sentence. The locale is read from the command line before parsing (:func:`argv_locale`): a refusal may
come before ``--locale`` is parsed, or be about it.

``int`` takes full-width digits (``１２``), spaces around and ``1_000``: :func:`count` takes ASCII digits
only, as months and budget periods are (sessions 26 and 29).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import Any, NoReturn

from aftersales.cli.terminal_text import printable

__all__ = ["SHAPES", "WordedParser", "argv_locale", "bad_locale_line", "count", "worded_refusal"]

_ARG = r"argument (?P<option>.+?): "
SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("choice", re.compile(_ARG + r"invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)", re.S)),
    ("count", re.compile(_ARG + r"invalid count value: (?P<value>.*)", re.S)),
    ("value", re.compile(_ARG + r"invalid \w+ value: (?P<value>.*)", re.S)),
    ("needs_value", re.compile(_ARG + r"expected (?:one|at least one|at most one|\d+) arguments?")),
    ("no_value", re.compile(_ARG + r"ignored explicit argument (?P<value>.*)", re.S)),
    ("not_with", re.compile(_ARG + r"not allowed with argument (?P<other>.*)")),
    ("unrecognized", re.compile(r"unrecognized arguments: (?P<arguments>.*)", re.S)),
    ("required", re.compile(r"the following arguments are required: (?P<arguments>.*)")),
    ("ambiguous", re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)")),
)
"""argparse's refusals by shape, each worded by ``cli.usage.<shape>``; the first that matches wins."""

_SLOT = re.compile(r"\{(\w+)\}")
_COUNT = re.compile(r"-?[0-9]{1,9}")


def count(text: str) -> int:
    """An argparse ``type``: a whole number written in ASCII digits (``１２``, `` 12`` and ``1_000`` are
    refused, as ``int`` would take them). Its name is the shape ``cli.usage.count`` words."""
    if not _COUNT.fullmatch(text):
        raise ValueError(text)
    return int(text)


def argv_locale(argv: Sequence[str]) -> str:
    """The catalog the command line asks for (``--locale X``, ``--locale=X`` or an abbreviation such as
    ``--loc X``, the last one given), or
    the CLI's default when it names none or one there is no catalog for."""
    from aftersales.cli.locale_option import CLI_DEFAULT_LOCALE, cli_locale
    from aftersales.errors import AftersalesError

    asked: str | None = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        # argparse takes an abbreviation (--loc) where no other option starts so: no command has one
        option, equals, value = arg.partition("=")
        if len(option) < 4 or not "--locale".startswith(option):
            continue
        if equals:
            asked = value
        elif i + 1 < len(argv):
            asked = argv[i + 1]
    try:
        return cli_locale(asked)
    except AftersalesError:
        return CLI_DEFAULT_LOCALE


def worded_refusal(prog: str, message: str, locale: str) -> str:
    """``<prog>: error: <argparse's refusal in words>`` in ``locale``, control characters escaped."""
    from aftersales.reports.labels import report_labels

    words = report_labels(locale)
    key, values = "cli.usage.other", {"message": message}
    for shape, pattern in SHAPES:
        found = pattern.fullmatch(message)
        if found is not None:
            key, values = f"cli.usage.{shape}", found.groupdict()
            break
    # one pass: a value typed as "{choices}" stays as typed
    said = _SLOT.sub(lambda slot: values.get(slot[1], slot[0]), words.catalog.text(key))
    return printable(words.text("cli.error", command=prog, message=said))


def bad_locale_line(prog: str, value: str) -> str:
    """The refusal of a ``--locale`` no catalog is written in, in the CLI's default locale (as argparse's
    refusal of the demo's ``--locale fr`` is): before, ``report`` and ``budget`` wrote it in English."""
    from aftersales.cli.locale_option import CLI_DEFAULT_LOCALE
    from aftersales.reports.labels import report_labels

    words = report_labels(CLI_DEFAULT_LOCALE)
    said = _SLOT.sub(
        lambda slot: repr(value) if slot[1] == "value" else slot[0], words.catalog.text("cli.usage.locale")
    )
    return printable(words.text("cli.error", command=prog, message=said))


class WordedParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage errors are in ``locale`` (its subcommands' parsers too)."""

    def __init__(self, *args: Any, locale: str = "zh_Hans", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locale = locale

    def add_subparsers(self, **kwargs: Any) -> Any:
        """Subcommand parsers word their errors in the same locale."""
        locale = self.locale

        def parser_class(**options: Any) -> WordedParser:
            return WordedParser(locale=locale, **options)

        kwargs.setdefault("parser_class", parser_class)
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> NoReturn:
        """Print the usage (its prefix in words) and the refusal in words; exit 2 as argparse does."""
        from aftersales.reports.labels import report_labels

        usage = self.format_usage()
        if usage.startswith("usage: "):
            usage = report_labels(self.locale).text("cli.usage.prefix") + usage[len("usage: ") :]
        self.exit(2, usage + worded_refusal(self.prog, message, self.locale) + "\n")
