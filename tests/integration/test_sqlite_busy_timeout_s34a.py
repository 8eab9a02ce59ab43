"""A write on a SQLite file another connection holds the write lock of: one bounded wait, then ``StoreBusy``.

The store waited ten seconds for the lock, and the command runner ran the command again after each
``StoreBusy``, eight times (with an idempotency key it also looked up the winner's result in a write
transaction, waiting again: sixteen waits), so ``aftersales budget draft`` on a locked file sat some
ninety seconds before saying "busy". The store's wait is now the URL's ``busy_timeout`` (seconds, 10 by
default; the CLI's ``--busy-timeout``), and the runner re-runs after a busy store only within that time
of the command's start: the lock is waited for once. Nothing is written.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales import Actor
from aftersales.adapters import sqlite as sqlite_adapter
from aftersales.adapters.sqlite import SqliteStore
from aftersales.cli.budget import add_budget_parser, run_budget
from aftersales.domain.charges import ChargeKind
from aftersales.domain.money import Money
from aftersales.errors import InvalidStoreOption, StoreBusy
from aftersales.policies.registry import resolve_policies
from aftersales.service.desk import ServiceDesk

MANAGER = Actor.manager("m1")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "desk.db"
    ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware").shutdown()
    return path


@contextlib.contextmanager
def write_locked(db: Path) -> Iterator[None]:
    """Another connection holding the file's write lock (an import, an operator's open transaction)."""
    other = sqlite3.connect(db, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each wait for the lock that ended busy (the adapter's translation of the driver's error)."""
    found: list[str] = []
    translate = sqlite_adapter._translate

    def counted(exc: sqlite3.Error, where: str) -> object:
        error = translate(exc, where)
        if isinstance(error, StoreBusy):
            found.append(where)
        return error

    monkeypatch.setattr(sqlite_adapter, "_translate", counted)
    return found


def _draft(desk: ServiceDesk, key: str | None) -> object:
    return desk.charges.draft_budget(
        MANAGER, "2026", ChargeKind.MATERIALS, Money("100.00", "CNY"), idempotency_key=key
    )


@pytest.mark.parametrize("key", [None, "draft-1"])
def test_a_write_on_a_locked_file_waits_for_the_lock_once(
    db: Path, waits: list[str], key: str | None
) -> None:
    # A store given its timeout as the constructor's argument (as before this session): the runner
    # re-ran the command, each run waiting the whole timeout again (8 waits, 16 with a key).
    store = SqliteStore(f"sqlite:///{db}", timeout=0.2)
    with ServiceDesk(store, policies=resolve_policies("sanitary_ware")) as desk:
        with write_locked(db), pytest.raises(StoreBusy):
            _draft(desk, key)
        assert len(waits) == 1
        assert not desk.charges.budget_drafts(MANAGER, "2026")  # nothing written
        _draft(desk, key)  # the lock released: the same command goes through
        assert len(desk.charges.budget_drafts(MANAGER, "2026")) == 1


def test_the_url_sets_how_long_a_write_waits(db: Path, waits: list[str]) -> None:
    with ServiceDesk.open(f"sqlite:///{db}?busy_timeout=0.2", pack="sanitary_ware") as desk:
        assert getattr(desk.context.store, "busy_timeout", None) == 0.2
        with write_locked(db), pytest.raises(StoreBusy):
            _draft(desk, None)
        assert len(waits) == 1
    with ServiceDesk.open(f"sqlite:///{db}", pack="sanitary_ware") as desk:
        assert getattr(desk.context.store, "busy_timeout", None) == 10.0  # the documented default


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "inf", "5000", ""])
def test_a_busy_timeout_the_store_cannot_use_is_refused_naming_it(db: Path, value: str) -> None:
    with pytest.raises(InvalidStoreOption) as refused:
        SqliteStore(f"sqlite:///{db}?busy_timeout={value}")
    assert (refused.value.option, refused.value.field) == ("busy_timeout", "url")


def test_a_timeout_given_twice_and_different_is_refused(db: Path) -> None:
    with pytest.raises(InvalidStoreOption) as refused:
        SqliteStore(f"sqlite:///{db}?busy_timeout=1", timeout=2.0)
    assert refused.value.option == "busy_timeout"
    SqliteStore(f"sqlite:///{db}?busy_timeout=2", timeout=2.0).close()  # the same: no doubt


def _budget(db: Path, *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    add_budget_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["budget", *argv, "--db", str(db)])
    out, err = io.StringIO(), io.StringIO()
    return run_budget(args, out, err), out.getvalue(), err.getvalue()


def test_the_cli_says_busy_after_its_busy_timeout(db: Path, waits: list[str]) -> None:
    draft = ["draft", "--as", "manager:m1", "--period", "2026", "--category", "materials", "--amount", "100"]
    with write_locked(db):
        code, out, err = _budget(db, *draft, "--busy-timeout", "0.2", "--locale", "en")
    assert (code, out) == (1, "")
    assert "busy" in err
    assert len(waits) == 1
    code, out, _ = _budget(db, "list", "--as", "manager:m1", "--period", "2026", "--locale", "en")
    assert code == 0 and "100.00" not in out  # nothing written
    code, _, err = _budget(db, *draft, "--busy-timeout", "soon", "--locale", "en")
    assert code == 2 and "busy_timeout" in err  # a usage error naming the option


@pytest.mark.parametrize("given", [0, -1.0, float("nan"), 601, True, "5"])
def test_a_timeout_argument_the_store_cannot_use_is_refused_naming_it(db: Path, given: object) -> None:
    with pytest.raises(InvalidStoreOption) as refused:
        SqliteStore(f"sqlite:///{db}", timeout=given)  # type: ignore[arg-type]
    assert refused.value.option == "timeout"
