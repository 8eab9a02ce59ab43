"""The PostgreSQL adapter's driver errors as the library's, as a table (session 31, g).

A host sees only :mod:`aftersales.errors`; the runner runs again what is a lost race. A statement refused
because an earlier one aborted the transaction (``InFailedSqlTransaction``) follows a lost race the
library read as a refusal and went on from (a ``DuplicateError`` of an insert sent with a later statement):
a lost race too, not a ``StorageError`` the runner gives up on.
"""

from __future__ import annotations

import pytest

from aftersales.errors import AftersalesError, ConcurrencyConflict, DuplicateError, StorageError

psycopg = pytest.importorskip("psycopg")
from aftersales.adapters.postgres_pipeline import translated  # noqa: E402 (needs psycopg)

TABLE = [
    (psycopg.errors.UniqueViolation, DuplicateError),
    (psycopg.errors.SerializationFailure, ConcurrencyConflict),
    (psycopg.errors.DeadlockDetected, ConcurrencyConflict),
    (psycopg.errors.InFailedSqlTransaction, ConcurrencyConflict),
    (psycopg.errors.LockNotAvailable, StorageError),
    (psycopg.OperationalError, StorageError),
]


@pytest.mark.parametrize(("raised", "seen"), TABLE)
def test_a_driver_error_is_seen_as_the_librarys(raised: type[Exception], seen: type[AftersalesError]) -> None:
    with pytest.raises(AftersalesError) as told, translated("postgresql"):
        raise raised("from the server")
    assert type(told.value) is seen
    assert isinstance(told.value.__cause__, raised)
