"""The outbox contract: claims, leases, backoff, dead letters and retention, for every store.

Like :mod:`aftersales.testing.storage_contract`, subclass :class:`OutboxContract` and say how to
open a fresh, empty store; every ``test_*`` method runs against it::

    class TestMyOutbox(OutboxContract):
        def make_store(self, tmp_path):
            return open_mystore(f"mystore://{tmp_path}/db")
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

from aftersales.errors import DuplicateError, NotFound, ValidationError
from aftersales.ports.notifier import NOTIFICATION_TOPIC, RenderedMessage
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.outbox_dispatch import DeliveryRules, dispatch_outbox
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.serialization import unstructure

__all__ = ["CountingNotifier", "ManualClock", "OutboxContract", "notification"]

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
LEASE = timedelta(minutes=5)


def notification(n: int, recipient: str, *, minutes: int | None = None) -> OutboxMessage:
    """Outbox message ``n``: a rendered SMS to ``recipient``, created ``n`` seconds after T0."""
    key = f"note-{n}"
    rendered = RenderedMessage(recipient, "sms", "工单", f"body {n}", "zh_Hans", key)
    created = T0 + (timedelta(seconds=n) if minutes is None else timedelta(minutes=minutes))
    return OutboxMessage(f"N{n:05d}", NOTIFICATION_TOPIC, unstructure(rendered), key, created)


class ManualClock:
    """A clock the test moves (thread-safe enough: one attribute)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


class CountingNotifier:
    """Counts deliveries per idempotency key (without dropping repeats); fails for ``dead`` recipients."""

    def __init__(self, dead: frozenset[str] = frozenset()) -> None:
        self.dead = dead
        self.counts: Counter[str] = Counter()
        self.attempts: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def send(self, message: RenderedMessage) -> None:
        if message.recipient in self.dead:
            raise ConnectionRefusedError(f"mailbox {message.recipient} is down")
        with self._lock:
            self.counts[message.idempotency_key] += 1
            self.attempts.setdefault(message.idempotency_key, []).append(message.attempt)


class OutboxContract:
    """Subclass and implement :meth:`make_store`."""

    def make_store(self, tmp_path: Path) -> StoreFactory:
        raise NotImplementedError

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[StoreFactory]:
        factory = self.make_store(tmp_path)
        try:
            yield factory
        finally:
            factory.close()

    @staticmethod
    def _put(store: StoreFactory, messages: list[OutboxMessage]) -> None:
        with store() as uow:
            uow.outbox.put(messages)
            uow.commit()

    # -- claims and leases ---------------------------------------------------------------------

    def test_a_claim_leases_in_next_attempt_order(self, store: StoreFactory) -> None:
        self._put(store, [notification(n, f"r{n}") for n in (3, 1, 2)])
        now = T0 + timedelta(minutes=1)
        with store() as uow:
            taken = uow.outbox.claim("a", now, LEASE, limit=2)
            uow.commit()
        assert [m.id for m in taken] == ["N00001", "N00002"]
        assert {(m.attempts, m.lease_owner, m.lease_until, m.last_attempt_at) for m in taken} == {
            (1, "a", now + LEASE, now)
        }
        with store() as uow:
            other = uow.outbox.claim("b", now + timedelta(seconds=1), LEASE, limit=10)
            uow.commit()
        assert [m.id for m in other] == ["N00003"]  # the leased ones are skipped
        with store() as uow:
            assert uow.outbox.claim("c", now + timedelta(minutes=2), LEASE) == []
            # The lease of "a" ran out (a deliverer that died): its messages are taken again.
            again = uow.outbox.claim("c", now + LEASE, LEASE)
            uow.commit()
        assert [(m.id, m.attempts, m.lease_owner) for m in again] == [("N00001", 2, "c"), ("N00002", 2, "c")]

    def test_a_message_not_yet_created_is_not_due(self, store: StoreFactory) -> None:
        self._put(store, [notification(1, "r", minutes=10)])
        with store() as uow:
            assert uow.outbox.claim("a", T0, LEASE) == []
            assert [m.id for m in uow.outbox.claim("a", T0 + timedelta(minutes=10), LEASE)] == ["N00001"]

    def test_claim_refuses_bad_arguments(self, store: StoreFactory) -> None:
        with store() as uow:
            for args in (
                ("", T0, LEASE, 1),
                ("a", T0.replace(tzinfo=None), LEASE, 1),
                ("a", T0, timedelta(0), 1),
                ("a", T0, LEASE, 0),
            ):
                with pytest.raises(ValidationError):
                    uow.outbox.claim(*args)

    def test_a_failure_backs_off_and_lets_the_others_pass(self, store: StoreFactory) -> None:
        self._put(store, [notification(n, f"r{n}") for n in (1, 2)])
        now = T0 + timedelta(minutes=1)
        with store() as uow:
            (first, _) = uow.outbox.claim("a", now, LEASE, limit=2)
            uow.outbox.mark_failed(first.id, now, "timeout", retry_at=now + timedelta(minutes=4))
            uow.commit()
        with store() as uow:
            (failed,) = [m for m in uow.outbox.pending() if m.id == first.id]
            claimable = uow.outbox.claim("b", now + timedelta(minutes=3), LEASE)
        assert (failed.attempts, failed.last_error, failed.lease_owner) == (1, "timeout", None)
        assert failed.next_attempt_at == now + timedelta(minutes=4)
        assert claimable == []  # N00002 is leased to "a", N00001 waits for its next attempt
        with store() as uow:
            assert [m.id for m in uow.outbox.pending()] == ["N00002", "N00001"]  # next-attempt order
            assert [m.id for m in uow.outbox.claim("b", now + timedelta(minutes=4), LEASE)] == ["N00001"]

    def test_dead_letters_wait_for_a_manager(self, store: StoreFactory) -> None:
        self._put(store, [notification(n, f"r{n}") for n in (1, 2, 3)])
        at = T0 + timedelta(hours=1)
        with store() as uow:
            uow.outbox.mark_failed("N00002", at, "mailbox full", dead=True)
            uow.outbox.mark_failed("N00001", at + timedelta(seconds=1), "no such user", dead=True)
            uow.commit()
        with store() as uow:
            assert [m.id for m in uow.outbox.pending()] == ["N00003"]
            dead = list(uow.outbox.dead())
            assert [m.id for m in uow.outbox.claim("a", at + timedelta(days=30), LEASE)] == ["N00003"]
        assert [(m.id, m.state, m.last_error, m.dead_at) for m in dead] == [
            ("N00002", "dead", "mailbox full", at),
            ("N00001", "dead", "no such user", at + timedelta(seconds=1)),
        ]
        with store() as uow:
            assert uow.outbox.revive(["N00001", "N00003", "nope"], at + timedelta(days=1)) == 1
            uow.commit()
        with store() as uow:
            assert [m.id for m in uow.outbox.dead()] == ["N00002"]
            taken = uow.outbox.claim("b", at + timedelta(days=1), LEASE)
        assert [(m.id, m.attempts, m.state) for m in taken] == [
            ("N00003", 1, "pending"),
            ("N00001", 1, "pending"),
        ]

    def test_mark_failed_of_an_unknown_id(self, store: StoreFactory) -> None:
        with store() as uow, pytest.raises(NotFound):
            uow.outbox.mark_failed("nope", T0, "x")

    def test_retention_purges_only_old_sent_messages(self, store: StoreFactory) -> None:
        self._put(store, [notification(n, f"r{n}") for n in range(1, 6)])
        with store() as uow:
            uow.outbox.mark_sent(["N00001", "N00002", "N00003"], T0 + timedelta(days=1))
            uow.outbox.mark_sent(["N00004"], T0 + timedelta(days=40))
            uow.commit()
        with store() as uow:
            assert uow.outbox.purge_sent(T0 + timedelta(days=30), limit=2) == 2
            uow.commit()
        with store() as uow:
            assert uow.outbox.purge_sent(T0 + timedelta(days=30)) == 1
            uow.commit()
        with store() as uow:
            assert uow.outbox.purge_sent(T0 + timedelta(days=30)) == 0
            assert [m.id for m in uow.outbox.pending()] == ["N00005"]
            uow.outbox.mark_sent(["N00004"], T0)  # still there: a repeat is ignored, not NotFound
            uow.commit()

    def test_retention_purges_only_old_dead_letters(self, store: StoreFactory) -> None:
        self._put(store, [notification(n, f"d{n}") for n in range(1, 6)])
        with store() as uow:
            uow.outbox.mark_failed("N00002", T0 + timedelta(days=1), "no such user", dead=True)
            uow.outbox.mark_failed("N00001", T0 + timedelta(days=2), "no such user", dead=True)
            uow.outbox.mark_failed("N00003", T0 + timedelta(days=3), "no such user", dead=True)
            uow.outbox.mark_failed("N00004", T0 + timedelta(days=40), "no such user", dead=True)
            uow.commit()
        with store() as uow:
            assert uow.outbox.revive(["N00003"], T0 + timedelta(days=4)) == 1  # pending again: stays
            uow.commit()
        with store() as uow:
            assert uow.outbox.purge_dead(T0 + timedelta(days=30), limit=1) == 1  # the oldest first
            uow.commit()
        with store() as uow:
            assert [m.id for m in uow.outbox.dead()] == ["N00001", "N00004"]
            assert uow.outbox.purge_dead(T0 + timedelta(days=30)) == 1
            uow.commit()
        with store() as uow:
            assert uow.outbox.purge_dead(T0 + timedelta(days=30)) == 0
            assert [m.id for m in uow.outbox.dead()] == ["N00004"]
            assert sorted(m.id for m in uow.outbox.pending()) == ["N00003", "N00005"]

    def test_many_messages_in_one_put_and_a_duplicate_rolls_back(self, store: StoreFactory) -> None:
        self._put(store, [notification(n, "r") for n in range(1, 1201)])
        with store() as uow:
            assert len(uow.outbox.pending(5000)) == 1200
        with store() as uow, pytest.raises(DuplicateError):
            uow.outbox.put([notification(n, "r") for n in range(1190, 1300)])
        with store() as uow:
            assert len(uow.outbox.pending(5000)) == 1200

    # -- dispatch --------------------------------------------------------------------------------

    def test_a_dead_mailbox_does_not_block_good_messages(self, store: StoreFactory) -> None:
        bad = [notification(n, "dead@example.com") for n in range(1, 121)]
        good = [notification(n, f"ok{n}@example.com") for n in range(121, 151)]
        self._put(store, bad + good)
        clock = ManualClock(T0 + timedelta(minutes=5))
        notifier = CountingNotifier(dead=frozenset({"dead@example.com"}))
        rules = DeliveryRules(max_attempts=3, first_retry=timedelta(minutes=1))
        first = dispatch_outbox(store, notifier, clock, 100, rules=rules)
        second = dispatch_outbox(store, notifier, clock, 100, rules=rules)
        assert (len(first.failed), len(first.sent)) == (100, 0)
        assert (len(second.failed), len(second.sent)) == (20, 30)
        assert set(notifier.counts) == {m.idempotency_key for m in good}
        # Backoff: 1, then 2 minutes; the third failure makes dead letters.
        clock.at = T0 + timedelta(minutes=6) - timedelta(seconds=1)
        assert dispatch_outbox(store, notifier, clock, 1000, rules=rules) == type(first)()  # not due
        clock.at = T0 + timedelta(minutes=6)
        assert len(dispatch_outbox(store, notifier, clock, 1000, rules=rules).failed) == 120
        clock.at = T0 + timedelta(minutes=8)
        last = dispatch_outbox(store, notifier, clock, 1000, rules=rules)
        assert (len(last.dead), last.failed, last.sent) == (120, (), ())
        with store() as uow:
            assert uow.outbox.pending() == []
            assert len(uow.outbox.dead(1000)) == 120
        assert max(notifier.counts.values()) == 1

    def test_concurrent_deliverers_send_each_message_once(self, store: StoreFactory) -> None:
        self._put(store, [notification(n, f"r{n}") for n in range(1, 401)])
        clock = ManualClock(T0 + timedelta(hours=1))
        notifier = CountingNotifier()
        rules = DeliveryRules(batch=20)
        errors: list[BaseException] = []

        def deliverer(name: str) -> None:
            try:
                while dispatch_outbox(store, notifier, clock, 40, rules=rules, owner=name).sent:
                    pass
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=deliverer, args=(f"d{i}",)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [repr(e) for e in errors] == []
        assert len(notifier.counts) == 400
        assert set(notifier.counts.values()) == {1}

    def test_concurrent_senders_within_one_deliverer(self, store: StoreFactory) -> None:
        self._put(store, [notification(n, f"r{n}") for n in range(1, 101)])
        notifier = CountingNotifier()
        report = dispatch_outbox(store, notifier, ManualClock(T0 + timedelta(hours=1)), 1000, senders=8)
        assert len(report.sent) == 100
        assert set(notifier.counts.values()) == {1}

    def test_a_redelivery_after_a_lost_lease_is_marked_as_a_retry(self, store: StoreFactory) -> None:
        self._put(store, [notification(1, "r1")])
        with store() as uow:
            uow.outbox.claim("crashed", T0 + timedelta(minutes=1), LEASE)  # claimed, then the process died
            uow.commit()
        notifier = CountingNotifier()
        clock = ManualClock(T0 + timedelta(minutes=2))
        assert dispatch_outbox(store, notifier, clock).sent == ()
        clock.at = T0 + timedelta(minutes=1) + LEASE
        report = dispatch_outbox(store, notifier, clock)
        assert (report.sent, report.retried) == (("N00001",), ("N00001",))
        assert notifier.attempts == {"note-1": [2]}

    def test_delivery_rules_are_validated(self) -> None:
        with pytest.raises(ValidationError):
            DeliveryRules(max_attempts=0)
        with pytest.raises(ValidationError):
            DeliveryRules(lease=timedelta(seconds=-1))
        rules = DeliveryRules(first_retry=timedelta(minutes=1), max_retry=timedelta(minutes=10))
        assert [rules.retry_at(n, T0) - T0 for n in (1, 2, 3, 4, 5, 60)] == [
            timedelta(minutes=m) for m in (1, 2, 4, 8, 10, 10)
        ]
        assert attrs.evolve(rules, batch=7).batch == 7

    def test_a_message_reads_back_as_its_stored_json(self, store: StoreFactory) -> None:
        # Session 35 (issue 21): every store hands out what it stored, the payload as its JSON (a tuple
        # read back as a list); the memory store handed out the very message put, tuple and all.
        message = OutboxMessage("J1", "ticket.event", {"seq": 2, "reasons": ({"code": "x"},)}, "k-1", T0)
        self._put(store, [message])
        stored = attrs.evolve(message, payload={"reasons": [{"code": "x"}], "seq": 2})
        with store() as uow:
            assert list(uow.outbox.pending()) == [stored]
            assert uow.outbox.pending()[0] is not uow.outbox.pending()[0]  # each read its own payload
            (taken,) = uow.outbox.claim("d1", T0, LEASE)
            uow.outbox.mark_failed("J1", T0, "down", dead=True, owner="d1")
            uow.commit()
        assert taken == attrs.evolve(
            stored, attempts=1, last_attempt_at=T0, lease_until=T0 + LEASE, lease_owner="d1"
        )
        with store() as uow:
            (dead,) = uow.outbox.dead()
        assert dead.payload == stored.payload
        assert (dead.state, dead.attempts, dead.last_error, dead.dead_at) == ("dead", 1, "down", T0)
