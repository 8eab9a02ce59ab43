"""Issue 22 re-read by a peer tester (session 32, h): embedding the library in a web service, through the
public API only, on memory, SQLite and PostgreSQL where the behaviour touches storage.

Each test follows a bullet of the issue ("What to build" and "Tests"): JSON at the edge, the local year of
ticket numbers, phone numbers and channel preference, a logging notifier without personal data, an outbox
that a dead mailbox does not jam and whose dead letters a manager retries, two deliverers in two processes
sending each message once, the SQLite checkpoint thread being opt-in, and a desk delivering by SMTP
(aiosmtpd) and by a webhook whose receiver verifies the signature. All passed on the code as found.
"""

from __future__ import annotations

import email
import email.policy
import http.server
import json
import logging
import multiprocessing
import re
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest
from deliver_child import deliver_in_child

from aftersales import (
    Actor,
    Contact,
    Customer,
    Money,
    ServiceContract,
    ServiceDesk,
    Severity,
    from_json,
    render_reasons,
    to_json,
)
from aftersales.adapters import LoggingNotifier, ManualClock, MemoryNotifier
from aftersales.adapters.notifier_routing import ChannelNotifier
from aftersales.adapters.notifier_smtp import SmtpNotifier
from aftersales.adapters.notifier_webhook import WebhookNotifier, verify_signature
from aftersales.errors import DeliveryError, ValidationError
from aftersales.ports.notifier import RenderedMessage
from conftest import store_url

SH = ZoneInfo("Asia/Shanghai")
STORES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
SQL_STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
MANAGER, AGENT = Actor.manager("mgr"), Actor.agent("ag")
# What JavaScript's Date.parse reads for sure (ECMA-262's date-time string format): no [zone] suffix.
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,6})?)?([+-]\d\d:\d\d|Z)$")


class _Recorder:
    """A notifier whose mailbox ``dead@…`` is down (a transient failure: the outbox retries it)."""

    def __init__(self) -> None:
        self.sent: list[RenderedMessage] = []

    def send(self, message: RenderedMessage) -> None:
        if message.recipient.startswith("dead@"):
            raise DeliveryError("mailbox unavailable")
        self.sent.append(message)


@pytest.fixture(params=STORES)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with store_url(request.param, tmp_path) as opened:
        yield opened


def _instants(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _instants(item, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _instants(item, f"{path}[{n}]")
    elif isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\dT", value):
        yield path, value


def test_a_ticket_at_half_past_midnight_on_new_years_day_in_beijing_takes_the_new_year(url: str) -> None:
    clock = ManualClock(datetime(2025, 12, 31, 16, 30, tzinfo=UTC))  # a host clock in UTC
    with ServiceDesk.open(url, pack="sanitary_ware", clock=clock) as desk:
        desk.register_customer(MANAGER, Customer("c1", "王先生", Contact("王先生", phone="13800138000")))
        ticket = desk.open_ticket(AGENT, customer_id="c1", description="冲洗不出水").ticket
        assert ticket.id.startswith("SR-2026-")
        assert desk.zone == SH and ticket.received_at.utcoffset() == timedelta(hours=8)
        data = json.loads(to_json(desk.ticket(AGENT, ticket.id)))
        assert (data["received_at"], data["received_at_zone"]) == (
            "2026-01-01T00:30:00+08:00",
            "Asia/Shanghai",
        )


def test_every_instant_of_a_result_reads_in_python_and_javascript_and_the_reasons_are_worded() -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 12, tzinfo=SH))
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=clock, notifier=MemoryNotifier())
    desk.register_customer(MANAGER, Customer("c1", "王先生", Contact("王先生", phone="13800138000")))
    ticket = desk.open_ticket(AGENT, customer_id="c1", description="冲洗不出水").ticket
    result = desk.triage(AGENT, ticket.id, nature="no_flush", severity=Severity.MEDIUM)
    text = to_json(result, locale="zh_Hans")
    data = json.loads(text)
    assert (data["$type"], data["$version"]) == ("CommandResult", 1)
    instants = list(_instants(data))
    assert len(instants) >= 3
    for path, value in instants:
        assert RFC3339.match(value), (path, value)
        assert datetime.fromisoformat(value).utcoffset() == timedelta(hours=8), path
        assert data_at(data, path + "_zone") in ("Asia/Shanghai", None), path
    assert data["ticket"]["priority"] == "normal"  # enums as their codes
    assert render_reasons(result, "zh_Hans") and all(isinstance(s, str) for s in render_reasons(result, "en"))
    back = from_json(text, type(result))
    assert back.ticket.received_at == result.ticket.received_at
    assert [e.at for e in back.ticket.events] == [e.at for e in result.ticket.events]
    contract = ServiceContract(
        id="HT-1", customer_id="c1", assets=("u1",), starts_on=date(2026, 3, 1), ends_on=date(2027, 2, 28),
        price=Money(Decimal("3600.50"), "CNY"),
    )  # fmt: skip
    assert json.loads(to_json(contract))["price"] == {"amount": "3600.50", "currency": "CNY"}  # decimal text


def data_at(data: object, path: str) -> object:
    """The value at a dotted ``path`` of :func:`_instants` (``.a.b[2].c``), ``None`` when absent."""
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path):
        key, index = part
        if key and isinstance(data, dict):
            data = data.get(key)
        elif index and isinstance(data, list):
            data = data[int(index)]
        else:
            return None
    return data


def test_a_phone_of_three_digits_is_refused_and_the_channel_order_is_the_persons() -> None:
    with pytest.raises(ValidationError) as refused:
        Contact("王先生", phone="123")
    assert refused.value.field == "phone"
    chinese = Contact("王先生", phone="13800138000", email="w@example.cn", wechat="wx-wang")
    assert [c.value for c, _ in chinese.reach()] == ["wechat", "sms", "email"]
    chosen = Contact("王先生", phone="13800138000", email="w@example.cn", channels=("sms", "email"))
    assert [c.value for c, _ in chosen.reach()] == ["sms", "email"]
    landline = Contact("王先生", phone="021-6234 5678", email="w@example.cn")
    assert [c.value for c, _ in landline.reach()] == ["email"]  # no SMS to a landline


def test_the_logging_notifier_logs_ids_channel_and_status_but_no_personal_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=clock, notifier=LoggingNotifier())
    contact = Contact("欧阳娜娜", phone="13912345678", email="nana@example.cn", address="锦绣路1888弄")
    desk.register_customer(MANAGER, Customer("c1", "欧阳娜娜", contact))
    desk.open_ticket(AGENT, customer_id="c1", description="欧阳娜娜家的马桶漏水")
    with caplog.at_level(logging.DEBUG):
        assert desk.deliver().sent
    logged = caplog.text
    assert "sent" in logged
    for personal in ("欧阳", "13912345678", "5678", "nana@", "锦绣路"):
        assert personal not in logged


def test_a_dead_mailbox_does_not_hold_back_good_messages_and_its_dead_letters_are_retried(url: str) -> None:
    notifier = _Recorder()
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    with ServiceDesk.open(url, pack="sanitary_ware", clock=clock, notifier=notifier) as desk:
        for who in ("dead", "good"):
            contact = Contact(who, email=f"{who}@example.cn", channels=("email",))
            desk.register_customer(MANAGER, Customer(who, who, contact))
        for n in range(120):  # queued first: 120 messages to the dead mailbox
            desk.open_ticket(AGENT, customer_id="dead", description=f"漏水 {n}")
        for n in range(30):
            desk.open_ticket(AGENT, customer_id="good", description=f"漏水 {n}")
        for _ in range(10):
            desk.deliver()
            clock.advance(timedelta(seconds=30))
        assert len({m.idempotency_key for m in notifier.sent}) == 30
        assert {m.recipient for m in notifier.sent} == {"good@example.cn"}

        for _ in range(20):  # backoff up to 6 h, eight attempts: then dead letters
            clock.advance(timedelta(hours=7))
            desk.deliver(limit=500)
        dead = desk.outbox.dead_letters(MANAGER, limit=500)
        assert len(dead) == 120
        assert desk.outbox.retry_dead_letters(MANAGER, [m.id for m in dead[:5]]) == 5
        assert len(desk.outbox.dead_letters(MANAGER, limit=500)) == 115


@pytest.mark.parametrize("backend", SQL_STORES)
def test_two_deliverers_in_two_processes_send_each_message_once(backend: str, tmp_path: Path) -> None:
    with store_url(backend, tmp_path) as shared:
        with ServiceDesk.open(shared, pack="sanitary_ware") as desk:
            desk.register_customer(MANAGER, Customer("c1", "王先生", Contact("王先生", phone="13800138000")))
            for n in range(60):
                desk.open_ticket(AGENT, customer_id="c1", description=f"漏水 {n}")
        context = multiprocessing.get_context("spawn")
        outs = [str(tmp_path / f"sent-{n}.txt") for n in range(2)]
        children = [context.Process(target=deliver_in_child, args=(shared, out, 12)) for out in outs]
        for child in children:
            child.start()
        for child in children:
            child.join(120)
            assert child.exitcode == 0
        keys = [k for out in outs for k in Path(out).read_text(encoding="utf-8").split("\n") if k]
        assert len(keys) >= 60 and len(keys) == len(set(keys))  # every message, none twice


def test_the_sqlite_checkpoint_thread_is_opt_in(tmp_path: Path) -> None:
    def checkpointers() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if "checkpoint" in t.name]

    before = len(checkpointers())
    with ServiceDesk.open(f"sqlite:///{tmp_path / 'a.db'}", pack="sanitary_ware") as desk:
        desk.register_customer(MANAGER, Customer("c1", "王", Contact("王", phone="13800138000")))
        assert len(checkpointers()) == before  # pre-fork servers: no thread by default
    with ServiceDesk.open(
        f"sqlite:///{tmp_path / 'b.db'}?checkpoint=background", pack="sanitary_ware"
    ) as desk:
        desk.register_customer(MANAGER, Customer("c1", "王", Contact("王", phone="13800138000")))
        assert len(checkpointers()) == before + 1


class _Mail:
    """An aiosmtpd handler keeping each message's recipients and raw bytes."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


class _Hook(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[bool, dict[str, Any]]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        good = verify_signature(
            "s3cret-of-the-host-16+",
            self.headers["X-Aftersales-Timestamp"],
            body,
            self.headers["X-Aftersales-Signature"],
        )
        self.received.append((good, json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:  # quiet
        return


def test_a_desk_delivers_by_smtp_and_by_a_signed_webhook_to_real_local_servers() -> None:
    from aiosmtpd.controller import Controller

    mail = _Mail()
    with socket.socket() as probe:  # a free port: aiosmtpd's controller checks the one it is given
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(mail, hostname="127.0.0.1", port=port)
    smtp.start()
    hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    try:
        webhook = WebhookNotifier(f"http://127.0.0.1:{hook.server_address[1]}/hook", "s3cret-of-the-host-16+")
        notifier = ChannelNotifier(
            {"email": SmtpNotifier("127.0.0.1", port, sender="service@example.cn")},
            fallback=webhook,
        )
        clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
        desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=clock, notifier=notifier)
        by_mail = Contact("王先生", email="wang@example.cn", channels=("email",))
        desk.register_customer(MANAGER, Customer("c1", "王先生", by_mail))
        desk.register_customer(MANAGER, Customer("c2", "李女士", Contact("李女士", phone="13800138000")))
        desk.open_ticket(AGENT, customer_id="c1", description="冲洗不出水")
        desk.open_ticket(AGENT, customer_id="c2", description="龙头滴水")
        report = desk.deliver()
        assert report.failed == () and report.dead == ()
        (recipients, raw) = mail.messages[0]
        assert recipients == ["wang@example.cn"]
        assert (
            "SR-2026-000001"
            in email.message_from_bytes(raw, policy=email.policy.default).get_body().get_content()
        )
        assert _Hook.received and all(good for good, _ in _Hook.received)
        assert {body["recipient"] for _, body in _Hook.received} >= {"13800138000"}
        desk.shutdown()
        webhook.close()
    finally:
        smtp.stop()
        hook.shutdown()
        hook.server_close()
