"""A command's writes and ``COMMIT`` as one libpq pipeline of bound parameters (session 36, issue 21).

The writes of a command travelled as one simple query of ``EXECUTE name(literals)`` statements
(:meth:`aftersales.adapters.postgres_pipeline.Transaction._send_and_commit`): one write to the
socket, one answer. But the server's SQL lexer then reads every literal character by character, and
the ticket's document is most of the query: in a profile of the server process (``perf``, a note
on tickets of 2.5-18 kB) the lexer was some 10 % of its CPU, as much as parsing the document as
``jsonb``. Here the same prepared statements run with their parameters bound (extended protocol,
text format): the server copies each value as it is and parses only the ``jsonb`` itself. The
statements are queued in libpq's pipeline mode and sent with one ``Sync``: libpq writes its buffer
to the socket once (below 64 kB) and the server answers once, at the ``Sync`` — still one round trip
(psycopg's own pipeline talks to the socket after every statement).

Measured on the development server, the same commit (a note's search row, the ticket's update, two
outbox rows, ``COMMIT``) alternated 1,000 times each way: server CPU per commit 262 → 225 µs with
2.5 kB documents, 477 → 389 µs with 18 kB, the client's time the same or less.
"""

from __future__ import annotations

import select
from collections.abc import Sequence
from typing import Any

try:
    from psycopg import pq
except ImportError as exc:  # pragma: no cover - depends on the install
    from aftersales.errors import ConfigurationError

    raise ConfigurationError(
        "PostgreSQL storage needs psycopg 3 and psycopg_pool: pip install 'aftersales[postgres]'"
    ) from exc

__all__ = ["Plain", "Prepare", "Prepared", "numbered", "run_pipeline"]

Prepare = tuple[str, str]
"""``(name, sql)``: prepare ``sql`` (``$n`` placeholders) under ``name`` on the session."""
Prepared = tuple[str, Sequence[bytes | None]]
"""``(name, values)``: execute the statement prepared as ``name`` with text-format values (``None``: NULL)."""
Plain = str
"""A statement without parameters (``BEGIN``, ``COMMIT``)."""


def numbered(sql: str) -> str:
    """``sql`` with its ``%s`` placeholders as ``$1``, ``$2``…, as the server prepares it."""
    pieces = sql.split("%s")
    return pieces[0] + "".join(f"${n}{p}" for n, p in enumerate(pieces[1:], 1))


def run_pipeline(pgconn: Any, steps: Sequence[Prepare | Prepared | Plain], encoding: str) -> list[Any]:
    """Send ``steps`` in one pipeline with one ``Sync`` and return one result per step, in order (a
    step after a failed one comes back ``PIPELINE_ABORTED``). The connection leaves pipeline mode
    whatever happens; if it cannot (an interrupt while results were still coming), it is closed, so
    that it never goes back to the pool half-read."""
    pgconn.enter_pipeline_mode()
    try:
        for step in steps:
            if isinstance(step, str):
                pgconn.send_query_params(step.encode(encoding), None)
            elif isinstance(step[1], str):
                pgconn.send_prepare(step[0].encode(), step[1].encode(encoding))
            else:
                pgconn.send_query_prepared(step[0].encode(), step[1])
        pgconn.pipeline_sync()
        while pgconn.flush():  # what did not fit in the socket's buffer, as it drains
            select.select([], [pgconn.socket], [])
        results = _collect(pgconn, len(steps))
        pgconn.exit_pipeline_mode()
    except BaseException:
        if pgconn.pipeline_status != pq.PipelineStatus.OFF:
            pgconn.finish()  # half-read: no later user may read this pipeline's answers as its own
        raise
    return results


def _collect(pgconn: Any, count: int) -> list[Any]:
    """The results of ``count`` steps and the ``Sync``, waiting on the socket in ``select`` (libpq's own
    wait would hold the GIL while a row lock waits for another thread of this process)."""
    results: list[Any] = []
    while True:
        while pgconn.is_busy():  # the next result not whole yet: wait for the socket, read what came
            select.select([pgconn.socket], [], [])
            pgconn.consume_input()
        found = pgconn.get_result()
        if found is None:  # the end of one step's results
            continue
        if found.status == pq.ExecStatus.PIPELINE_SYNC:
            if len(results) != count:
                raise ConnectionError(f"pipeline: {len(results)} results for {count} statements")
            return results
        results.append(found)
