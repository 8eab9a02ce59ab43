"""WAL checkpoints on a thread of their own, so a command's commit does not pay for them.

In WAL mode every commit appends pages to the ``-wal`` file, and a *checkpoint* copies them back into the
database and syncs it. SQLite's default runs the checkpoint inside whichever commit crosses the threshold:
that commit then takes milliseconds, and spread over all commands it was about 40 µs each (a desk command
writes a dozen pages). SQLite's documentation suggests the alternative used here: commands leave
checkpointing to a separate thread, which runs ``PRAGMA wal_checkpoint(PASSIVE)`` (it never blocks
readers or writers) after every ``every`` commits and at least every ``interval`` seconds while there
were any. The sqlite3 module releases the GIL while SQLite works, so on a machine with a spare core the
copying happens beside the commands.

If the thread falls behind (a long reader pins the WAL), the command connections still checkpoint by
themselves once the WAL reaches their ``wal_autocheckpoint`` safety limit, so the WAL cannot grow without
bound. Durability is unchanged: commits are in the WAL either way.
"""

from __future__ import annotations

import sqlite3
import threading

__all__ = ["BackgroundCheckpointer"]


class BackgroundCheckpointer:
    """One daemon thread per store that checkpoints the WAL of the database at ``path``."""

    def __init__(self, path: str, *, every: int = 256, interval: float = 2.0) -> None:
        self._path = path
        self._every = every
        self._interval = interval
        self._commits = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.checkpoints = 0
        """How many checkpoints the thread has run (for tests and monitoring)."""
        self._thread = threading.Thread(target=self._run, name="aftersales-sqlite-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """Count one commit; every ``every`` commits the thread is woken."""
        # Unlocked on purpose: a lost increment under a race only delays a checkpoint a little.
        self._commits += 1
        if self._commits >= self._every:
            self._wake.set()

    def close(self) -> None:
        """Stop the thread (after a last checkpoint) and wait for it."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._path, timeout=1.0, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            return  # the command connections keep checkpointing by themselves
        try:
            while True:
                self._wake.wait(self._interval)
                self._wake.clear()
                if self._commits or self._stop.is_set():
                    self._commits = 0
                    try:
                        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                        self.checkpoints += 1
                    except sqlite3.Error:
                        pass  # busy or closing: the next round, or the safety limit, catches up
                if self._stop.is_set():
                    return
        finally:
            conn.close()
