"""``--busy-timeout SECONDS``: how long a CLI command waits for another writer's lock on the desk file.

Why: ``aftersales budget draft`` on a file another process held the write lock of sat some ninety seconds
before saying "busy" (the store's ten seconds, waited again by each re-run of the command). The wait is
now one timeout for the whole command (:mod:`aftersales.adapters.sqlite_busy`), 10 seconds unless the
operator gives another; then the command fails with the store's ``StoreBusy`` (exit 1, "busy"). The
value is the store URL's ``busy_timeout``: a value it refuses is a usage error naming it.
"""

from __future__ import annotations

import argparse

__all__ = ["add_busy_option", "desk_url"]


def add_busy_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--busy-timeout`` to a command that opens the desk file."""
    parser.add_argument(
        "--busy-timeout",
        default=None,
        metavar="SECONDS",
        help="wait at most this long for another writer's lock on the file (default 10), then fail busy",
    )


def desk_url(path: str, busy_timeout: str | None) -> str:
    """The store URL of the desk file ``path``, with ``busy_timeout`` when the operator gave one."""
    url = f"sqlite:///{path}"
    return url if busy_timeout is None else f"{url}?busy_timeout={busy_timeout}"
