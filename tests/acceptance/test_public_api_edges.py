# mypy: disable-error-code="arg-type"
"""Focused regressions of what the public-API fuzz (test_public_api_fuzz.py) found, on every store.

Each was an untyped exception, an error naming no argument, a broken record stored, or a store answering
differently from the others:

- an actor whose id or scope holds a NUL: memory and SQLite stored it in the events, PostgreSQL refused
  with a ``StorageError``; a lone surrogate in a customer actor's id was a ``UnicodeEncodeError`` from
  the SQL stores' ledger. Now the actor is refused, the same way everywhere, naming ``actor.<field>``.
- ``desk.master_data`` (its commands are public; the desk's ``register_*`` are shortcuts to it) took no
  argument checks: a customer whose contact was set past its validators was an ``AttributeError``, a
  product whose category was a NUL was stored (and every later read of it failed), a lone surrogate in
  an idempotency key was a ``UnicodeEncodeError`` on SQLite and accepted by memory.
- ``desk.jobs.run_due`` / ``desk.run_due_jobs`` with a datetime in year 9999 (``OverflowError``) or
  ``only=5`` (``TypeError``); ``desk.jobs.configure`` with a broken ``JobSettings`` made every later run
  fail; ``desk.outbox.retry_dead_letters(ids=5)`` (``TypeError``); ``desk.fees.month_of`` and
  ``desk.materials.return_deadline`` with a string (``AttributeError``);
  ``desk.attachments.delete_bytes(5)`` (``TypeError``).
- errors naming no argument: ``fees.record_payment`` in another currency, ``fees.request_invoice`` with
  no slip waiting; or the wrong one: ``complaints.classify(major_by_judgement=" ")`` named ``reason``,
  ``knowledge.suggest(description=" ")`` named ``query``, ``materials.inspect_return(reason="")`` named
  ``code``, ``materials.reconcile(reference=" ")`` named ``key``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from fuzz_world import MANAGER, FuzzWorld, open_world

from aftersales import Actor, JobSettings, Money, PartyRef
from aftersales.errors import AftersalesError, ValidationError
from conftest import store_url

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.fixture(params=BACKENDS)
def fuzz(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FuzzWorld]:
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path, "edges.db"))
        world = open_world(request.param, url)
        stack.callback(world.close)
        yield world


def _past_validators(record: Any, **fields: Any) -> Any:
    copy = attrs.evolve(record)
    for name, value in fields.items():
        object.__setattr__(copy, name, value)
    return copy


def _nul_actor() -> Actor:
    actor = Actor.agent("agent-2")
    object.__setattr__(actor, "id", "agent\x00")
    return actor


def _surrogate_customer() -> Actor:
    actor = Actor.customer("cust-zh")
    object.__setattr__(actor, "id", "cust\ud800")
    return actor


CASES: list[tuple[str, str, Callable[[FuzzWorld], object]]] = [
    ("NUL actor id", "actor.id", lambda w: w.desk.note_to_customer(
        _nul_actor(), w.ids["progress"], text="x")),
    ("surrogate actor id", "actor.id", lambda w: w.desk.ledger(_surrogate_customer())),
    ("broken contact", "customer.contact", lambda w: w.desk.master_data.register_customer(
        MANAGER, _past_validators(w.world.cust_zh, contact="x"))),
    ("NUL category", "product.category", lambda w: w.desk.master_data.register_product(
        MANAGER, _past_validators(w.world.product, category="\x00"))),
    ("surrogate key", "idempotency_key", lambda w: w.desk.master_data.register_dealer(
        MANAGER, w.world.dealer_sh, idempotency_key="k\ud800")),
    ("not a record", "customer", lambda w: w.desk.master_data.register_customer(MANAGER, "x")),
    ("year 9999", "now", lambda w: w.desk.run_due_jobs(datetime(9999, 12, 31, tzinfo=UTC))),
    ("jobs only=5", "only", lambda w: w.desk.jobs.run_due(only=5)),
    ("broken settings", "settings.every", lambda w: w.desk.jobs.configure(
        _past_validators(JobSettings(), every="x"))),
    ("dead letter ids=5", "ids", lambda w: w.desk.outbox.retry_dead_letters(MANAGER, 5)),
    ("month_of a string", "at", lambda w: w.desk.fees.month_of("2026-03-02")),
    ("return_deadline a string", "repaired_at", lambda w: w.desk.materials.return_deadline("2026-03-02")),
    ("delete_bytes 5", "hashes", lambda w: w.desk.attachments.delete_bytes(5)),
    ("delete_bytes not a hash", "hashes", lambda w: w.desk.attachments.delete_bytes(["abc"])),
    ("payment in USD", "amount", lambda w: w.desk.fees.record_payment(
        MANAGER, w.ids["slip"], Money("10", "USD"))),
    ("no slip waiting", "slip_ids", lambda w: w.desk.fees.request_invoice(MANAGER, "cust-zh", title="x")),
    ("blank judgement", "major_by_judgement", lambda w: w.desk.complaints.classify(
        MANAGER, w.ids["complaint"], major_by_judgement=" ")),
    ("blank description", "description", lambda w: w.desk.knowledge.suggest(MANAGER, None, description=" ")),
    ("blank reason code", "reason", lambda w: w.desk.materials.inspect_return(
        MANAGER, w.ids["return"], accepted=False, reason="")),
    ("blank reference", "reference", lambda w: w.desk.materials.reconcile(
        MANAGER, PartyRef.dealer("dealer-bj"), {"WN-FV-01": 1}, reference=" ")),
]  # fmt: skip


@pytest.mark.parametrize(("label", "field", "call"), CASES, ids=[c[0] for c in CASES])
def test_refused_as_a_validation_error_naming_the_argument_and_nothing_changes(
    fuzz: FuzzWorld, label: str, field: str, call: Callable[[FuzzWorld], object]
) -> None:
    before = fuzz.snapshot()
    with pytest.raises(ValidationError) as caught:
        call(fuzz)
    assert caught.value.field == field, (label, str(caught.value))
    assert fuzz.snapshot() == before
    # and the world still reads: the customer's ticket, the product and the jobs
    assert fuzz.desk.ticket(MANAGER, fuzz.ids["progress"]).id == fuzz.ids["progress"]
    assert fuzz.desk.run_due_jobs() is not None


def test_an_actor_with_a_nul_or_a_surrogate_cannot_be_built() -> None:
    for build, field in [
        (lambda: Actor.agent("a\x00b"), "actor.id"),
        (lambda: Actor.customer("c\ud800"), "actor.id"),
        (lambda: Actor.manager("m-1", "名\x00字"), "actor.name"),
        (lambda: Actor.dealer_staff("s-1", "dealer\x00"), "actor.dealer_id"),
        (lambda: Actor.dealer_staff("s-1", "dealer-sh", {"SH", "\udcff"}), "actor.regions"),
        (lambda: Actor.engineer("e-1", team="east\nwest"), "actor.team"),
    ]:
        with pytest.raises(ValidationError) as caught:
            build()
        assert caught.value.field == field
    assert Actor.manager("mgr-1", "王经理").name == "王经理"  # words in a name are fine


def test_a_broken_record_is_an_aftersales_error_on_every_path(fuzz: FuzzWorld) -> None:
    """The desk's shortcut and the capability it forwards to refuse the same broken record alike."""
    broken = _past_validators(fuzz.world.product, category="\x00")
    answers = []
    for register in (fuzz.desk.register_product, fuzz.desk.master_data.register_product):
        with pytest.raises(AftersalesError) as caught:
            register(MANAGER, broken)
        answers.append((type(caught.value).__name__, getattr(caught.value, "field", None)))
    assert answers[0] == answers[1] == ("ValidationError", "product.category")
