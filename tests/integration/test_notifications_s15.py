"""Notifications and the outbox as a hostile tester sees them (session 15), against real components.

- SMTP (aiosmtpd): a recipient that is several addresses, or carries a line break, never reaches the
  server as extra recipients or headers — it is a dead letter at once; a subject with line breaks stays
  one ``Subject`` header.
- Webhook (a local HTTP server): the body is valid JSON whatever the text (NUL, a lone surrogate).
- Leases (memory, SQLite, PostgreSQL): a deliverer whose lease ran out mid-batch does not send the
  rest, which another deliverer holds now, and its stale failure does not undo the other's claim.
- A transport that times out is retried with backoff and dead-lettered after the configured attempts;
  only the office may retry dead letters.
- Configuration that can never work (a URL without a host, a route to a notifier that refuses its
  channel) is refused at open with a ``ConfigurationError`` naming the key.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hostile import ADDRESS, AGENT, DSN, EMAIL, MANAGER, NAME, NOW, PHONE, STORES, Opened, opened, seed
from mail_server import Mailboxes, mail_server

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifier_routing import ChannelNotifier
from aftersales.adapters.notifier_smtp import SmtpNotifier
from aftersales.adapters.notifier_webhook import WebhookNotifier
from aftersales.adapters.notifier_wecom import WeComRobotNotifier
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.domain.contact import Contact
from aftersales.domain.erasure import ERASED
from aftersales.domain.ids import CustomerId, DealerId
from aftersales.domain.parties import Customer, CustomerTier
from aftersales.errors import ConfigurationError, DeliveryError, PermissionDenied, ValidationError
from aftersales.ports.notifier import RenderedMessage
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.outbox_dispatch import DeliveryRules, dispatch_outbox
from aftersales.serialization import unstructure
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

SECRET = "s15-secret-for-tests-0123456789"


NOW_CLOCK = ManualClock(NOW)


def _message(
    n: int, recipient: str, channel: str = "email", *, subject: str = "工单已受理", body: str = "已受理"
) -> OutboxMessage:
    rendered = RenderedMessage(recipient, channel, subject, body, "zh_Hans", f"s15-key-{n}")
    return OutboxMessage(f"S15M{n:03d}", "notification", unstructure(rendered), f"s15-key-{n}", NOW)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def _put(store: Opened, messages: list[OutboxMessage]) -> None:
    with store.desk.store() as uow:
        uow.outbox.put(messages)
        uow.commit()


# -- SMTP: no header or recipient injection ------------------------------------------------------------


@pytest.fixture
def smtp() -> Iterator[tuple[Mailboxes, int]]:
    with mail_server() as server:
        yield server


@pytest.mark.parametrize(
    "recipient",
    [
        "victim@example.cn, attacker@evil.example",
        "victim@example.cn,attacker@evil.example",
        "victim,attacker@evil.example",
        "victim@example.cn>,<attacker@evil.example",
        "victim@example.cn\r\nBcc: attacker@evil.example",
        "victim@example.cn\nBcc: attacker@evil.example",
        "attacker(comment)@evil.example",
    ],
)
def test_a_recipient_that_is_not_one_address_is_a_dead_letter_and_reaches_no_one(
    smtp: tuple[Mailboxes, int], tmp_path: Path, recipient: str
) -> None:
    handler, port = smtp
    with _memory(tmp_path) as store:
        _put(store, [_message(1, recipient), _message(2, "ok@example.cn")])
        report = dispatch_outbox(
            store.desk.store, SmtpNotifier("127.0.0.1", port, sender="s@venus.example"), store.clock
        )
        assert report.dead == ("S15M001",) and report.sent == ("S15M002",) and report.failed == ()
    assert [rcpt for rcpt, _ in handler.received] == [["ok@example.cn"]]


@pytest.mark.parametrize("smtputf8", [True, False])
def test_a_non_ascii_address_goes_to_a_server_taking_smtputf8_and_is_a_dead_letter_at_once_elsewhere(
    tmp_path: Path, smtputf8: bool
) -> None:
    with mail_server(smtputf8=smtputf8) as (handler, port), _memory(tmp_path) as store:
        _put(store, [_message(1, "张三@例子.cn")])
        notifier = SmtpNotifier("127.0.0.1", port, sender="s@venus.example")
        report = dispatch_outbox(store.desk.store, notifier, store.clock)
    if smtputf8:
        assert report.sent == ("S15M001",)
        assert [rcpt for rcpt, _ in handler.received] == [["张三@例子.cn"]]
    else:  # retrying cannot help: not five more attempts before anyone sees it
        assert report.dead == ("S15M001",) and handler.received == []


def test_line_breaks_in_a_subject_stay_inside_one_subject_header(
    smtp: tuple[Mailboxes, int], tmp_path: Path
) -> None:
    handler, port = smtp
    subject = "工单 SR-1 张三\r\nBcc: attacker@evil.example\r\nX-Injected: yes"
    body = "描述：漏水\r\n.\r\nMAIL FROM:<attacker@evil.example>\r\n"
    with _memory(tmp_path) as store:
        _put(store, [_message(1, "victim@example.cn", subject=subject, body=body)])
        report = dispatch_outbox(
            store.desk.store, SmtpNotifier("127.0.0.1", port, sender="s@venus.example"), store.clock
        )
        assert report.sent == ("S15M001",)
    [(rcpt, mail)] = handler.received
    assert rcpt == ["victim@example.cn"]
    assert mail["Bcc"] is None and mail["X-Injected"] is None
    assert mail["Subject"] == "工单 SR-1 张三 Bcc: attacker@evil.example X-Injected: yes"
    assert "MAIL FROM:<attacker@evil.example>" in mail.get_content()  # the body is the body, whole


def test_a_locale_with_a_line_break_is_a_dead_letter_not_an_untyped_error_retried_forever(
    smtp: tuple[Mailboxes, int], tmp_path: Path
) -> None:
    _, port = smtp
    rendered = RenderedMessage("a@example.cn", "email", "s", "b", "en\r\nBcc: x@evil.example", "k-locale")
    with _memory(tmp_path) as store:
        _put(store, [OutboxMessage("L1", "notification", unstructure(rendered), "k-locale", NOW)])
        report = dispatch_outbox(
            store.desk.store, SmtpNotifier("127.0.0.1", port, sender="s@venus.example"), store.clock
        )
        assert report.dead == ("L1",)


class _memory:
    """A memory desk as a context manager (the SMTP tests need one store, not three)."""

    def __init__(self, tmp_path: Path) -> None:
        self._it = opened("memory", tmp_path)

    def __enter__(self) -> Opened:
        return next(self._it)

    def __exit__(self, *exc: object) -> None:
        for _ in self._it:
            pass


# -- Webhook: valid JSON whatever the text --------------------------------------------------------------


@pytest.fixture
def receiver() -> Iterator[tuple[list[bytes], str]]:
    bodies: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield bodies, f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()


def test_the_webhook_body_is_valid_json_with_nul_line_breaks_and_a_lone_surrogate(
    receiver: tuple[list[bytes], str], tmp_path: Path
) -> None:
    bodies, url = receiver
    nasty = 'a\x00b\r\n"}, {"injected": 1} end'
    notifier = WebhookNotifier(url, SECRET)
    with _memory(tmp_path) as store:  # the stores refuse a lone surrogate; NUL and line breaks go through
        _put(store, [_message(1, "13800138000", "sms", subject=nasty, body=nasty)])
        assert dispatch_outbox(store.desk.store, notifier, store.clock).sent == ("S15M001",)
    # A host may hand a notifier a message of its own: a lone surrogate is mended, not a TypeError.
    notifier.send(RenderedMessage("13800138000", "sms", "s\ud800", "b\udfff", "zh_Hans", "direct-1"))
    notifier.close()
    first, second = (json.loads(body.decode("utf-8")) for body in bodies)
    assert first["body"] == nasty and first["subject"] == nasty and "injected" not in first
    assert (second["subject"], second["body"]) == ("s\ufffd", "b\ufffd")


# -- Leases: a deliverer whose lease ran out sends nothing more ----------------------------------------


class _Slow:
    """Counts sends per key; the first send takes longer than the lease, and meanwhile ``during`` runs."""

    def __init__(self, store: Opened, lease: timedelta) -> None:
        self.store, self.lease = store, lease
        self.counts: Counter[str] = Counter()
        self.during: Any = None

    def send(self, message: RenderedMessage) -> None:
        self.counts[message.idempotency_key] += 1
        if self.during is not None:
            during, self.during = self.during, None
            self.store.clock.advance(self.lease + timedelta(seconds=10))
            during()


def test_a_notifier_timeout_no_socket_can_hold_is_refused_when_it_is_built() -> None:
    """A 10**30 s timeout was taken, then every send raised Python's OverflowError."""
    for build in (
        lambda: WebhookNotifier("https://hooks.example.cn/h", SECRET, timeout=10**30),
        lambda: WeComRobotNotifier("robot-key", timeout=10**30),
        lambda: SmtpNotifier(host="smtp.example.cn", sender="a@example.cn", timeout=10**30),
    ):
        with pytest.raises(ConfigurationError) as refused:
            build()
        assert refused.value.key == "timeout"


def test_a_claim_lease_shorter_than_a_minute_is_refused() -> None:
    """A microsecond's lease ran out before the batch was sent: another deliverer sent it again."""
    with pytest.raises(ValidationError) as refused:
        DeliveryRules(lease=timedelta(microseconds=1))
    assert refused.value.field == "lease"
    assert DeliveryRules(lease=timedelta(minutes=1)).lease == timedelta(minutes=1)


def test_a_deliverer_whose_lease_ran_out_does_not_send_what_another_now_holds(store: Opened) -> None:
    lease = timedelta(minutes=1)
    rules = DeliveryRules(lease=lease)
    _put(store, [_message(1, "one@example.cn"), _message(2, "two@example.cn")])
    slow = _Slow(store, lease)
    second = MemoryNotifier()
    reports = []
    # While A's first send hangs past its lease, B claims both messages and delivers them.
    slow.during = lambda: reports.append(
        dispatch_outbox(store.desk.store, second, store.clock, rules=rules, owner="B")
    )
    first = dispatch_outbox(store.desk.store, slow, store.clock, rules=rules, owner="A")
    assert [m.idempotency_key for m in second.sent] == ["s15-key-1", "s15-key-2"]
    assert slow.counts["s15-key-2"] == 0  # A's lease ran out before it got there: B's to send, once
    assert first.sent == ("S15M001",) and first.failed == () and first.dead == ()
    with store.desk.store() as uow:
        assert uow.outbox.pending() == []


def _second_desk(store: Opened) -> ServiceDesk | None:
    """Another desk on ``store``'s database (``None`` for memory: a memory store is one process's)."""
    if store.path is not None:
        return ServiceDesk.open(f"sqlite:///{store.path}", pack="sanitary_ware", clock=store.clock)
    if store.schema is not None:
        sep = "&" if "?" in (DSN or "") else "?"
        return ServiceDesk.open(f"{DSN}{sep}schema={store.schema}", pack="sanitary_ware", clock=store.clock)
    return None


def test_two_desks_delivering_at_once_post_each_message_once(
    store: Opened, receiver: tuple[list[bytes], str]
) -> None:
    bodies, url = receiver
    _put(store, [_message(n, f"1380013{n:04d}", "sms") for n in range(1, 61)])
    other = _second_desk(store)
    factories = [store.desk.store, (other or store.desk).store]
    notifier = WebhookNotifier(url, SECRET)
    rules = DeliveryRules(batch=5)
    start = threading.Barrier(2)
    reports = []

    def deliver(factory: Any, owner: str) -> None:
        start.wait()
        reports.append(
            dispatch_outbox(factory, notifier, store.clock, 1000, rules=rules, owner=owner, senders=2)
        )

    threads = [threading.Thread(target=deliver, args=(f, f"worker-{i}")) for i, f in enumerate(factories)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    notifier.close()
    if other is not None:
        other.shutdown()
    keys = Counter(json.loads(body)["idempotency_key"] for body in bodies)
    assert keys == Counter({f"s15-key-{n}": 1 for n in range(1, 61)})
    assert sorted(m for r in reports for m in r.sent) == [f"S15M{n:03d}" for n in range(1, 61)]


def test_a_stale_failure_does_not_undo_another_deliverers_claim(store: Opened) -> None:
    lease = timedelta(minutes=1)
    _put(store, [_message(1, "one@example.cn")])
    now = store.clock.now()
    with store.desk.store() as uow:
        uow.outbox.claim("A", now, lease)
        uow.commit()
    later = now + timedelta(minutes=2)
    with store.desk.store() as uow:
        [taken] = uow.outbox.claim("B", later, lease)
        uow.commit()
    with store.desk.store() as uow:  # A's send timed out long after: its verdict is stale
        uow.outbox.mark_failed(taken.id, later, "timeout", dead=True, owner="A")
        uow.commit()
    with store.desk.store() as uow:
        assert uow.outbox.dead() == []
        assert uow.outbox.claim("C", later + timedelta(seconds=30), lease) == []  # B's lease holds
        uow.commit()
    with store.desk.store() as uow:
        uow.outbox.mark_failed(taken.id, later, "timeout", dead=True, owner="B")
        uow.commit()
    with store.desk.store() as uow:
        assert [m.id for m in uow.outbox.dead()] == ["S15M001"]


# -- Timeouts: backoff, dead letters, and who may retry them -------------------------------------------


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A server that accepts connections and never answers (an SMTP server that hangs)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield int(listener.getsockname()[1])
    finally:
        listener.close()


def test_a_transport_that_times_out_backs_off_then_is_a_dead_letter_only_the_office_retries(
    store: Opened, silent_server: int
) -> None:
    rules = DeliveryRules(max_attempts=3, first_retry=timedelta(minutes=1))
    _put(store, [_message(1, "slow@example.cn")])
    hanging = SmtpNotifier("127.0.0.1", silent_server, sender="s@venus.example", timeout=0.2)
    clock, factory = store.clock, store.desk.store
    assert dispatch_outbox(factory, hanging, clock, rules=rules).failed == ("S15M001",)
    assert dispatch_outbox(factory, hanging, clock, rules=rules).failed == ()  # not due before its backoff
    clock.advance(timedelta(minutes=1))
    assert dispatch_outbox(factory, hanging, clock, rules=rules).failed == ("S15M001",)
    clock.advance(timedelta(minutes=1))
    assert dispatch_outbox(factory, hanging, clock, rules=rules).sent == ()  # the second backoff is 2 minutes
    clock.advance(timedelta(minutes=1))
    assert dispatch_outbox(factory, hanging, clock, rules=rules).dead == ("S15M001",)
    clock.advance(timedelta(days=1))
    assert dispatch_outbox(factory, hanging, clock, rules=rules).dead == ()  # a dead letter stays put
    desk = store.desk
    [dead] = desk.outbox.dead_letters(MANAGER)
    assert dead.attempts == 3 and "SMTP delivery failed" in (dead.last_error or "")
    for outsider in (Actor.agent("agent-1"), Actor.engineer("e-1", team="t1"), Actor.customer("c-1")):
        with pytest.raises(PermissionDenied):
            desk.outbox.retry_dead_letters(outsider, [dead.id])
    assert [m.id for m in desk.outbox.dead_letters(MANAGER)] == ["S15M001"]
    assert desk.outbox.retry_dead_letters(MANAGER, [dead.id]) == 1
    delivered = MemoryNotifier()
    assert dispatch_outbox(factory, delivered, clock, rules=rules).sent == ("S15M001",)


# -- Erasure: nothing waiting or dead still quotes the person, nothing goes to an erased address ---------


class _Refusing:
    """A notifier whose far end refuses every message for good (so they become dead letters)."""

    def send(self, message: RenderedMessage) -> None:
        raise DeliveryError("mailbox full", permanent=True)


def test_after_an_erasure_no_waiting_or_dead_message_quotes_the_person_and_none_is_sent(
    store: Opened,
) -> None:
    desk, clock = store.desk, store.clock
    ticket_id = seed(desk, clock)
    before = MemoryNotifier()
    dispatch_outbox(desk.store, before, clock)  # the receipt went out, quoting the ticket
    assert before.sent and all(m.recipient == PHONE for m in before.sent)
    desk.note_to_customer(AGENT, ticket_id, text=f"已致电{NAME}（{PHONE}），地址 {ADDRESS}，邮件 {EMAIL}")
    assert dispatch_outbox(desk.store, _Refusing(), clock).dead  # the note is a dead letter
    clock.advance(timedelta(minutes=5))
    desk.note_to_customer(AGENT, ticket_id, text=f"{NAME} 明天上门")  # and this one waits
    desk.privacy.erase_customer(
        Actor.privacy_officer("dpo-1"), "c-1", "the customer asked (PIPL art. 47)", cancel_open_tickets=True
    )

    with desk.store() as uow:
        left = [*uow.outbox.pending(10_000), *uow.outbox.dead(10_000)]
    quoted = [
        m.id for m in left for text in (NAME, PHONE, EMAIL, ADDRESS) if text in json.dumps(unstructure(m))
    ]
    assert quoted == []
    revived = desk.outbox.retry_dead_letters(MANAGER, [m.id for m in desk.outbox.dead_letters(MANAGER)])
    assert revived >= 1
    after = MemoryNotifier()
    report = dispatch_outbox(desk.store, after, clock)
    assert [m.idempotency_key for m in after.sent if ERASED in m.recipient or PHONE in m.recipient] == []
    assert report.failed == () and report.dead == ()
    with desk.store() as uow:
        assert [m.id for m in uow.outbox.pending(10_000)] == []
    assert dispatch_outbox(desk.store, after, clock).sent == ()  # what was sent is not sent again


# -- Locales: each recipient in their own language and time zone; no channel, no message, no error -----


def test_each_customer_is_told_in_their_own_locale_and_time_zone_and_one_without_a_channel_is_skipped(
    store: Opened,
) -> None:
    desk, clock = store.desk, store.clock
    seed(desk, clock)
    people = {
        "c-hans": Contact("张三", email="zhang.s15@example.cn", locale="zh_Hans", timezone="Asia/Shanghai"),
        "c-hant": Contact(
            "陳大文", email="chan.s15@example.hk", locale="zh_Hant", timezone="America/Vancouver"
        ),
        "c-en": Contact("Ann Lee", email="ann.s15@example.co.uk", locale="en", timezone="Europe/London"),
        # An address only (session 32: no way of contact at all is refused at registration): no channel
        # a notice can take.
        "c-none": Contact(
            "无联系方式", address="上海市浦东新区 8 号", locale="zh_Hans", timezone="Asia/Shanghai"
        ),
    }
    for cid, contact in people.items():
        customer = Customer(
            CustomerId(cid),
            contact.name,
            contact,
            CustomerTier.REGULAR,
            region="SH",
            dealer_id=DealerId("d-sh"),
        )
        desk.register_customer(MANAGER, customer)
    dispatch_outbox(desk.store, MemoryNotifier(), clock)  # what the seed's ticket sent
    for cid in people:
        desk.open_ticket(AGENT, customer_id=cid, description="马桶漏水")  # 09:05 in Shanghai
    sent = MemoryNotifier()
    report = dispatch_outbox(desk.store, sent, clock)
    assert report.failed == () and report.dead == ()
    told = {m.recipient: m for m in sent.sent if m.idempotency_key.split(":")[2] == "ticket_received"}
    assert sorted(told) == ["ann.s15@example.co.uk", "chan.s15@example.hk", "zhang.s15@example.cn"]
    hans, hant, en = (
        told[a] for a in ("zhang.s15@example.cn", "chan.s15@example.hk", "ann.s15@example.co.uk")
    )
    assert (hans.locale, hant.locale, en.locale) == ("zh_Hans", "zh_Hant", "en")
    assert "09:05" in hans.body and "受理" in hans.body  # Shanghai: 09:05 on 2 March
    assert "3月1日 下午5:05" in hant.body and "您的服務請求" in hant.body  # Vancouver: the day before
    assert "registered on Mar 2, 2026, 1:05" in en.body  # London: 01:05


# -- Configuration refused at open ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://", "http://exa mple.cn/hook", "https://[::1/hook", "http://h:0/x", "http://h:99999/x"]
)
def test_a_webhook_or_robot_url_that_cannot_work_is_refused_naming_the_key(url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        WebhookNotifier(url, SECRET)
    assert caught.value.key == "url"
    with pytest.raises(ConfigurationError) as caught:
        WeComRobotNotifier("robot-key", url=url)
    assert caught.value.key == "url"


def test_a_robot_url_sending_its_key_over_plain_http_off_this_machine_is_refused() -> None:
    """The key is in the robot URL's query; http:// to another host sent it in clear (session 38)."""
    with pytest.raises(ConfigurationError) as caught:
        WeComRobotNotifier("robot-key", url="http://qyapi.weixin.qq.com/cgi-bin/webhook/send")
    assert caught.value.key == "url" and "https://" in str(caught.value)
    WeComRobotNotifier("robot-key", url="http://[::1]:8080/cgi-bin/webhook/send").close()  # a local relay


def test_a_route_to_a_webhook_that_refuses_its_channel_is_refused_naming_the_channel() -> None:
    sms_only = WebhookNotifier("http://127.0.0.1:9/hooks", SECRET, channels=frozenset({"sms"}))
    with pytest.raises(ConfigurationError) as caught:
        ChannelNotifier({"email": sms_only})
    assert caught.value.key == "email"
    assert ChannelNotifier({"sms": sms_only}).routes["sms"] is sms_only
    sms_only.close()


def test_an_empty_router_is_refused_naming_its_routes() -> None:
    with pytest.raises(ConfigurationError) as caught:
        ChannelNotifier({})
    assert caught.value.key == "routes"
    assert ChannelNotifier({}, fallback=MemoryNotifier()).fallback is not None


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ({"first_retry": 60}, "first_retry"),  # seconds as a number: every retry would raise TypeError
        ({"max_retry": 3600.0}, "max_retry"),
        ({"lease": 300}, "lease"),
        ({"max_attempts": timedelta(minutes=1)}, "max_attempts"),
        ({"batch": 2.5}, "batch"),
        ({"first_retry": timedelta(hours=2), "max_retry": timedelta(hours=1)}, "first_retry"),
        # Session 39 (hostile configuration): a claim of 10**30 messages reached SQLite as OverflowError;
        # a lease or wait the clock cannot add (timedelta.max) failed every claim or retry alike; a wait of
        # a microsecond let one run try a failing message max_attempts times and give it up as dead.
        ({"batch": 10**30}, "batch"),
        ({"max_attempts": 10**30}, "max_attempts"),
        ({"max_attempts": True}, "max_attempts"),
        ({"lease": timedelta.max}, "lease"),
        ({"first_retry": timedelta(microseconds=1)}, "first_retry"),
        ({"max_retry": timedelta.max}, "max_retry"),
    ],
)
def test_delivery_rules_that_could_not_work_are_refused_naming_the_field(
    rules: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        DeliveryRules(**rules)
    assert caught.value.field == field


def test_a_delivery_run_s_limit_and_rules_are_bounded_and_typed() -> None:
    """``dispatch_outbox(limit=10**30)`` was taken (SQLite's LIMIT then raised OverflowError), and
    ``rules={}`` was replaced by the default rules without a word (a dict with a key: AttributeError)."""

    def no_store() -> Any:
        raise AssertionError("refused before any claim")

    for limit in (10**30, 0, True):
        with pytest.raises(ValidationError) as refused:
            dispatch_outbox(no_store, MemoryNotifier(), NOW_CLOCK, limit)
        assert refused.value.field == "limit"
    for rules in ({}, {"batch": 5}):
        with pytest.raises(ValidationError) as refused:
            dispatch_outbox(no_store, MemoryNotifier(), NOW_CLOCK, rules=rules)  # type: ignore[arg-type]
        assert (refused.value.field, refused.value.rule) == ("rules", "wrong_type")


def test_a_notification_payload_that_is_no_message_is_a_dead_letter_at_once(store: Opened) -> None:
    broken = OutboxMessage("B1", "notification", {"recipient": "a@example.cn"}, "broken-1", NOW)
    _put(store, [broken, _message(2, "ok@example.cn")])
    sent = MemoryNotifier()
    report = dispatch_outbox(store.desk.store, sent, store.clock)
    assert report.dead == ("B1",) and report.sent == ("S15M002",) and report.failed == ()
    with store.desk.store() as uow:
        [dead] = uow.outbox.dead()
    assert dead.attempts == 1 and "not a rendered notification" in (dead.last_error or "")


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"host": "smtp.example.cn\r\nX-Injected: 1"}, "host"),
        ({"host": "smtp example.cn"}, "host"),
        ({"port": 0}, "port"),
        ({"port": 70000}, "port"),
        ({"port": "25"}, "port"),
        ({"sender": "s@venus.example\r\nBcc: all@evil.example"}, "sender"),
        ({"sender": "s@venus.example, all@evil.example"}, "sender"),
        ({"sender_name": "售后\r\nBcc: all@evil.example"}, "sender_name"),
    ],
)
def test_smtp_settings_that_cannot_work_are_refused_naming_the_key(
    settings: dict[str, Any], key: str
) -> None:
    given: dict[str, Any] = {"host": "127.0.0.1", "port": 25, "sender": "s@venus.example", **settings}
    with pytest.raises(ConfigurationError) as caught:
        SmtpNotifier(given.pop("host"), given.pop("port"), **given)
    assert caught.value.key == key


@pytest.mark.parametrize("robot_key", ["ab cd", "abcd\r\n", "\tabcd"])
def test_a_robot_key_with_spaces_or_line_breaks_is_refused(robot_key: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        WeComRobotNotifier(robot_key)
    assert caught.value.key == "key"


def test_two_staff_of_one_role_reaching_one_address_are_refused_at_open(tmp_path: Path) -> None:
    manager = Contact("王经理", email="manager.s15@venus.example", locale="zh_Hans")
    same_box = Contact("李经理", email="manager.s15@venus.example", locale="zh_Hans")
    with pytest.raises(ConfigurationError) as caught:
        ServiceDesk.open("memory://", pack="sanitary_ware", staff={Role.MANAGER: [manager, same_box]})
    assert caught.value.key == "staff.manager[1]"
    # The same address for two roles is two audiences, two messages: that is allowed.
    desk = ServiceDesk.open(
        "memory://", pack="sanitary_ware", staff={Role.MANAGER: [manager], Role.DEPARTMENT_HEAD: [same_box]}
    )
    desk.shutdown()
