"""Whether a pooled PostgreSQL connection still has a server behind it, without a round trip.

When the server restarts, or an administrator ends a session, the server sends a fatal error and
closes the socket. A connection idle in the pool then holds a dead socket, and libpq finds out only at
the next query: the command given that connection fails. psycopg_pool's ``check`` would send an empty
query on every check-out, a round trip more per command (a command is two). Here the socket is polled
instead: an idle connection outside a transaction has nothing to read unless the server said
something, so a readable socket is read, and a fatal message or an end of file marks it dead.
"""

from __future__ import annotations

import select
from typing import Any

import psycopg

__all__ = ["still_open"]

_OK = psycopg.pq.ConnStatus.OK
_READS = 8


def still_open(conn: psycopg.Connection[Any]) -> bool:
    """False when ``conn`` is closed or its server has gone; true otherwise (one ``poll``, no I/O
    to the server). A notification or parameter report the server sent meanwhile is read and kept
    for psycopg, as any query would."""
    pgconn = conn.pgconn
    if conn.closed or pgconn.status != _OK:
        return False
    try:
        # A server going away sends its fatal message, then closes: libpq reads the message on one
        # call and meets the end of the socket (an error) on the next; a live one stops being readable.
        for _ in range(_READS):
            readable, _, _ = select.select([pgconn.socket], [], [], 0)
            if not readable:
                return pgconn.status == _OK
            pgconn.consume_input()
    except (OSError, ValueError, psycopg.Error):
        return False
    return False  # still talking after several reads while idle: not a session to hand a command
