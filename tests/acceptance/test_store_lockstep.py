# mypy: disable-error-code="arg-type"
"""Memory, SQLite and PostgreSQL in lockstep: random command sequences, the same answers.

A hostile tester's property: the stores are interchangeable. Hypothesis drives one desk per store
(PostgreSQL when ``AFTERSALES_PG_DSN`` is set) with the same commands, by random roles, at the same
instants, including commands that must be refused. After every step each store must have given the
same answer (the same result, or the same typed error naming the same field), a refused command must
have changed nothing, and an auditor must read the same tickets, the same SLA and the same delivered
notifications from every store.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.ids import SequentialIds
from aftersales.adapters.invoicing_memory import MemoryInvoiceIssuer
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.ids import AssetId
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.money import Money
from aftersales.domain.products import Asset
from aftersales.errors import AftersalesError, ValidationError
from aftersales.json import to_json
from aftersales.policies.fees import DealerFeeSchedule, DefaultFeesPolicy, FeesParams, PartPriceEntry
from aftersales.ports.queries import TicketFilter
from aftersales.ports.reporting import FaultDimension, GroupBy, Period
from aftersales.reports.faults import fault_pareto
from aftersales.reports.kpi import kpi_report
from aftersales.serialization import dumps
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, register

DSN = os.environ.get("AFTERSALES_PG_DSN")
PART = "WN-CB-01"
FEES = DefaultFeesPolicy(
    FeesParams(
        currency="CNY",
        parts={PART: PartPriceEntry(cost="75.00", retail="120.00")},
        dealer_schedules={
            "dealer-sh": DealerFeeSchedule(
                labour={"flush_valve_leak": "80"}, travel_zones={"pudong": "30"}, service_fee="20"
            )
        },
    )
)
OUT_OF_WARRANTY = Asset(
    AssetId("unit-out"),
    "wc-100",
    "SN-OUT",
    customer_id="cust-zh",
    purchase_date=date(2021, 1, 10),
    installation_accepted_on=date(2021, 1, 11),
    dealer_id="dealer-sh",
)
WORLD = make_world()
ACTORS: dict[str, Actor] = {
    "agent": WORLD.agent,
    "manager": WORLD.manager,
    "dealer_sh": WORLD.dealer_sh_staff,
    "dealer_bj": WORLD.dealer_bj_staff,
    "customer": WORLD.customer_zh,
    "junior": WORLD.junior,
    "senior": WORLD.senior,
}
STEPS = (
    "start_work",
    "await_parts",
    "resume",
    "resolve",
    "confirm",
    "close",
    "schedule_callback",
    "contact_customer",
    "record_callback_attempt",
)
MATERIALS_STEPS = ("check", "pick", "ship", "receive", "return", "chargebacks", "ledger", "reconcile")
DEALER_SH = PartyRef("dealer", "dealer-sh")
COMPLAINT_STEPS = ("investigate", "propose", "agree", "extend", "feedback")
QUERIES = ("冲水阀", "漏水", "SN-OUT", "张伟", "T-000001", "13912345678", "阀 漏", "维修后")
REASONED = ("await_customer", "reject", "cancel", "reopen")
CAUSES = ("flush_valve_worn", "misuse_against_manual", "force_majeure", "design_hazard")
# Mostly the roles that do the work, so that sequences get deep into the workflow; every role sometimes.
actors = st.sampled_from(["manager"] * 4 + ["dealer_sh"] * 3 + ["agent"] * 2 + sorted(ACTORS))
picks = st.integers(min_value=0, max_value=50)


def _answer(call: Callable[[], Any]) -> tuple[str, str]:
    """What a store answered: the result as JSON, or the typed error (its class, field and text)."""
    try:
        result = call()
    except AftersalesError as exc:
        field = getattr(exc, "field", None) or getattr(exc, "key", None)
        return "error", f"{type(exc).__name__} field={field}: {exc}"
    if isinstance(result, str):
        return "ok", result
    try:
        return "ok", to_json(result)
    except ValidationError:  # not a view or a result: a domain value, a list, a count
        return "ok", dumps(result) if attrs.has(type(result)) else repr(result)


def _without_read_ids(export: str) -> str:
    """The export without its access records' ids (random, by design: no store makes them), its reads
    of one instant in one order (the export lists them by instant, then by those random ids)."""
    data = orjson.loads(export)
    for read in data["data"]["reads"]:
        del read["id"]
    data["data"]["reads"].sort(key=lambda read: orjson.dumps(read, option=orjson.OPT_SORT_KEYS))
    return orjson.dumps(data).decode()


class Lockstep(RuleBasedStateMachine):
    """One desk per store, the same clock readings, the same commands."""

    def __init__(self) -> None:
        super().__init__()
        self.clocks: list[ManualClock] = []
        self.notifiers: list[MemoryNotifier] = []
        self.desks: list[ServiceDesk] = []
        self.schemas: list[str] = []
        self.tmp = Path(os.environ.get("LOCKSTEP_TMP", "/tmp")) / f"lockstep-{uuid.uuid4().hex[:12]}"
        self.tmp.mkdir(parents=True)
        urls = ["memory://", f"sqlite:///{self.tmp / 'desk.db'}"]
        if DSN:
            schema = f"ls_{uuid.uuid4().hex[:16]}"
            self.schemas.append(schema)
            urls.append(f"{DSN}{'&' if '?' in DSN else '?'}schema={schema}")
        for url in urls:
            clock, notifier = ManualClock(START), MemoryNotifier()
            desk = ServiceDesk.open(
                url,
                pack="sanitary_ware",
                overrides={"fees": FEES},
                clock=clock,
                notifier=notifier,
                staff=STAFF,
                ids=SequentialIds(),
                invoice_issuer=MemoryInvoiceIssuer(),
            )
            register(desk, WORLD)
            desk.register_asset(WORLD.manager, OUT_OF_WARRANTY)
            self.clocks.append(clock)
            self.notifiers.append(notifier)
            self.desks.append(desk)
        self.tickets: list[str] = []
        self.quotes: list[tuple[str, str]] = []
        self.complaints: list[str] = []
        self.requests: list[str] = []

    def teardown(self) -> None:
        for desk in self.desks:
            desk.shutdown()
        for schema in self.schemas:
            import psycopg

            with psycopg.connect(DSN or "", autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        for path in sorted(self.tmp.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        self.tmp.rmdir()

    # -- helpers --------------------------------------------------------------------------------------

    def _versions(self, ticket_id: str | None) -> list[object]:
        if ticket_id is None:
            return []
        return [_answer(lambda d=d: d.ticket(WORLD.auditor, ticket_id).version) for d in self.desks]

    def _on_every_store(
        self, command: Callable[[ServiceDesk], Any], ticket_id: str | None = None
    ) -> tuple[str, str]:
        before = self._versions(ticket_id)
        answers = [_answer(lambda d=d: command(d)) for d in self.desks]
        told = "\n".join(f"{d.store!r}: {a}" for d, a in zip(self.desks, answers, strict=True))
        assert all(a == answers[0] for a in answers), told
        if answers[0][0] == "error":
            assert self._versions(ticket_id) == before, f"a refused command changed the ticket: {answers[0]}"
        return answers[0]

    def _ticket(self, pick: int) -> str | None:
        return self.tickets[pick % len(self.tickets)] if self.tickets else None

    # -- rules ----------------------------------------------------------------------------------------

    @precondition(lambda self: len(self.tickets) < 3)
    @rule(who=actors, asset=st.booleans(), urgent=st.booleans())
    def open_ticket(self, who: str, asset: bool, urgent: bool) -> None:
        kind, text = self._on_every_store(
            lambda d: d.open_ticket(
                ACTORS[who],
                customer_id="cust-zh",
                description="坐便器冲水阀漏水",
                asset_id="unit-out" if asset else None,
                urgent=urgent,
            )
        )
        if kind == "ok":
            self.tickets.append(orjson.loads(text)["ticket"]["id"])

    @precondition(lambda self: self.tickets)
    @rule(pick=picks, dealer=st.booleans())
    def work_on(self, pick: int, dealer: bool) -> None:
        """The next step of the ticket's ordinary path, by the role that does it: random sequences of
        random commands alone seldom get past triage."""
        t = self._ticket(pick)
        view = self.desks[0].ticket(WORLD.auditor, t)
        state = "recording" if view.state == "in_progress" and not view.fault_records else view.state
        worker = WORLD.dealer_sh_staff if dealer else WORLD.manager
        path: dict[str, Callable[[ServiceDesk], Any]] = {
            "new": lambda d: d.triage(WORLD.agent, t, nature="flush_valve_leak", severity=Severity.MEDIUM),
            "triaged": lambda d: d.dispatch(WORLD.agent, t, dealer_id="dealer-sh"),
            "assigned": lambda d: d.start_work(worker, t),
            "rework": lambda d: d.start_work(worker, t),
            "awaiting_parts": lambda d: d.resume(worker, t),
            "awaiting_customer": lambda d: d.resume(worker, t),
            "recording": lambda d: d.add_fault_record(
                worker,
                t,
                symptom="keeps_flushing",
                cause="flush_valve_worn",
                action="replace_flush_valve",
                part=PART,
                component="flush_valve",
            ),
            "in_progress": lambda d: d.resolve(worker, t, summary="更换冲水阀"),
            "resolved": lambda d: d.confirm(WORLD.customer_zh, t),
            "accepted": lambda d: d.record_callback(WORLD.agent, t, problem_back=not dealer, satisfaction=4),
        }
        if state in path:
            self._on_every_store(path[state], t)

    @precondition(lambda self: self.tickets)
    @rule(who=actors, pick=picks, severity=st.sampled_from(Severity), plan=st.sampled_from(Plan))
    def triage(self, who: str, pick: int, severity: Severity, plan: Plan) -> None:
        t = self._ticket(pick)
        self._on_every_store(
            lambda d: d.triage(ACTORS[who], t, nature="flush_valve_leak", severity=severity, plan=plan), t
        )

    @precondition(lambda self: self.tickets)
    @rule(who=actors, pick=picks, to=st.sampled_from([None, "dealer-sh", "dealer-bj", "eng-jr", "eng-sr"]))
    def dispatch(self, who: str, pick: int, to: str | None) -> None:
        t = self._ticket(pick)
        if to is not None and to.startswith("eng"):
            self._on_every_store(lambda d: d.dispatch(ACTORS[who], t, engineer_id=to, reason="就近"), t)
        else:
            self._on_every_store(lambda d: d.dispatch(ACTORS[who], t, dealer_id=to), t)

    @precondition(lambda self: self.tickets)
    @rule(who=actors, pick=picks, step=st.sampled_from(STEPS))
    def step(self, who: str, pick: int, step: str) -> None:
        t = self._ticket(pick)
        self._on_every_store(lambda d: getattr(d, step)(ACTORS[who], t), t)

    @precondition(lambda self: self.tickets)
    @rule(who=actors, pick=picks, step=st.sampled_from(REASONED), reason=st.sampled_from(["客户要求", " "]))
    def reasoned_step(self, who: str, pick: int, step: str, reason: str) -> None:
        t = self._ticket(pick)
        self._on_every_store(lambda d: getattr(d, step)(ACTORS[who], t, reason=reason), t)

    @precondition(lambda self: self.tickets)
    @rule(who=actors, pick=picks, cause=st.sampled_from(CAUSES))
    def fault_record(self, who: str, pick: int, cause: str) -> None:
        t = self._ticket(pick)
        self._on_every_store(
            lambda d: d.add_fault_record(
                ACTORS[who],
                t,
                symptom="keeps_flushing",
                cause=cause,
                action="replace_flush_valve",
                part=PART,
                component="flush_valve",
            ),
            t,
        )

    @precondition(lambda self: self.tickets)
    @rule(
        who=actors, pick=picks, visible=st.booleans(), text=st.sampled_from(["工程师已出发", "", "x" * 5000])
    )
    def note(self, who: str, pick: int, visible: bool, text: str) -> None:
        t = self._ticket(pick)
        self._on_every_store(lambda d: d.note_to_customer(ACTORS[who], t, text=text, visible=visible), t)

    @precondition(lambda self: self.tickets)
    @rule(who=actors, pick=picks, hours=st.sampled_from([-1, 0, 30, 48, 49]))
    def extend_sla(self, who: str, pick: int, hours: int) -> None:
        t = self._ticket(pick)
        self._on_every_store(
            lambda d: d.extend_sla(
                ACTORS[who], t, target="dealer_resolution", new_limit=timedelta(hours=hours), reason="缺件"
            ),
            t,
        )

    @precondition(lambda self: self.tickets)
    @rule(who=actors, pick=picks)
    def assess_and_quote(self, who: str, pick: int) -> None:
        t = self._ticket(pick)
        self._on_every_store(lambda d: d.charges.assess(ACTORS[who], t, travel_zone="pudong"), t)
        kind, _ = self._on_every_store(lambda d: d.charges.quote(ACTORS[who], t), t)
        if kind == "ok":
            sheet = self.desks[0].charges.sheet(WORLD.auditor, t)
            if sheet is not None and sheet.quotes:
                self.quotes.append((t, sheet.quotes[-1].id))

    @precondition(lambda self: self.quotes)
    @rule(who=actors, pick=picks, answer=st.sampled_from(["accept", "refuse", "pay", "overpay"]))
    def answer_quote(self, who: str, pick: int, answer: str) -> None:
        t, quote_id = self.quotes[pick % len(self.quotes)]
        if answer == "accept":
            self._on_every_store(lambda d: d.charges.accept(ACTORS[who], t, quote_id), t)
        elif answer == "refuse":
            self._on_every_store(lambda d: d.charges.refuse(ACTORS[who], t, quote_id, reason="太贵"), t)
        else:
            amount = Money(Decimal("1000000.00" if answer == "overpay" else "50.00"), "CNY")
            self._on_every_store(
                lambda d: d.charges.record_payment(ACTORS[who], t, quote_id, amount=amount), t
            )

    @precondition(lambda self: self.tickets)
    @rule(who=actors, pick=picks, back=st.booleans(), score=st.sampled_from([None, 0, 1, 3, 5, 6]))
    def callback(self, who: str, pick: int, back: bool, score: int | None) -> None:
        t = self._ticket(pick)
        self._on_every_store(
            lambda d: d.record_callback(ACTORS[who], t, problem_back=back, satisfaction=score), t
        )

    @rule(minutes=st.sampled_from([1, 45, 240, 60 * 24, 60 * 24 * 9]))
    def advance(self, minutes: int) -> None:
        for clock in self.clocks:
            clock.advance(timedelta(minutes=minutes))

    @rule(who=actors)
    def sweep(self, who: str) -> None:
        self._on_every_store(lambda d: d.sla_watch.sweep(ACTORS[who]))

    @rule(who=actors)
    def read_ledger(self, who: str) -> None:
        self._on_every_store(lambda d: [row.id for row in d.ticket_rows(ACTORS[who]).items])

    @precondition(lambda self: self.tickets and len(self.complaints) < 2)
    @rule(who=actors, pick=picks)
    def complain(self, who: str, pick: int) -> None:
        t = self._ticket(pick)
        kind, text = self._on_every_store(
            lambda d: d.complaints.open_complaint(
                ACTORS[who], "cust-zh", "维修后仍然漏水", [t], asset_id="unit-out"
            )
        )
        if kind == "ok":
            self.complaints.append(orjson.loads(text)["ticket"]["id"])

    @precondition(lambda self: self.complaints)
    @rule(
        who=actors,
        pick=picks,
        step=st.sampled_from(["investigate", "propose", "agree", "extend", "feedback"]),
    )
    def handle_complaint(self, who: str, pick: int, step: str) -> None:
        c = self.complaints[pick % len(self.complaints)]
        actor = ACTORS[who]
        commands: dict[str, Callable[[ServiceDesk], Any]] = {
            "investigate": lambda d: d.complaints.investigate(actor, c),
            "propose": lambda d: d.complaints.propose_solution(actor, c, solution="延长保修一年"),
            "agree": lambda d: d.complaints.agree_solution(
                WORLD.customer_zh if who == "customer" else actor, c
            ),
            "extend": lambda d: d.complaints.grant_remedy(
                actor,
                c,
                kind=RemedyKind.WARRANTY_EXTENSION,
                cost=Money(Decimal("0.00"), "CNY"),
                extend_by=12,
                asset_id="unit-out",
            ),
            "feedback": lambda d: d.complaints.give_feedback(actor, c, outcome="已延长保修"),
        }
        self._on_every_store(commands[step], c)

    @rule(
        who=actors,
        query=st.sampled_from(["冲水阀", "漏水", "SN-OUT", "张伟", "T-000001", "13912345678", "阀 漏"]),
    )
    def search(self, who: str, query: str) -> None:
        self._on_every_store(lambda d: [v.id for v in d.search(ACTORS[who], query).items])

    @rule(
        who=actors,
        filters=st.sampled_from(
            [
                TicketFilter(is_open=True),
                TicketFilter(unresolved=True),
                TicketFilter(dealer_id="dealer-sh"),
                TicketFilter(states=("assigned", "in_progress")),
                TicketFilter(worked_by="eng-jr"),
                TicketFilter(breached_at=START + timedelta(days=3)),
                TicketFilter(text="漏水"),
            ]
        ),
    )
    def filtered_ledger(self, who: str, filters: TicketFilter) -> None:
        self._on_every_store(lambda d: [row.id for row in d.ticket_rows(ACTORS[who], filters).items])

    @precondition(lambda self: self.tickets and len(self.requests) < 3)
    @rule(who=actors, pick=picks)
    def request_parts(self, who: str, pick: int) -> None:
        t = self._ticket(pick)
        kind, text = self._on_every_store(
            lambda d: d.materials.request(ACTORS[who], t, party=DEALER_SH, lines=[MaterialsLine(PART, 1)]), t
        )
        if kind == "ok":
            self.requests.append(orjson.loads(text)["id"])

    @precondition(lambda self: self.requests)
    @rule(who=actors, pick=picks, step=st.sampled_from(MATERIALS_STEPS))
    def materials_step(self, who: str, pick: int, step: str) -> None:
        r = self.requests[pick % len(self.requests)]
        actor = ACTORS[who]
        commands: dict[str, Callable[[ServiceDesk], Any]] = {
            "check": lambda d: d.materials.check(actor, r),
            "pick": lambda d: d.materials.pick(actor, r),
            "ship": lambda d: d.materials.ship(actor, r),
            "receive": lambda d: d.materials.receive(actor, r)[0],
            "return": lambda d: d.materials.register_return(actor, request_id=r, part=PART),
            "chargebacks": lambda d: list(d.materials.run_overdue_chargebacks(actor)),
            "ledger": lambda d: d.materials.ledger(actor, DEALER_SH),
            "reconcile": lambda d: d.materials.reconcile(actor, DEALER_SH, {PART: 0}),
        }
        self._on_every_store(commands[step])

    @rule(who=actors, erase=st.booleans())
    def personal_data(self, who: str, erase: bool) -> None:
        if erase:
            self._on_every_store(
                lambda d: d.privacy.erase_customer(ACTORS[who], "cust-en", reason="客户要求删除")
            )
        else:
            self._on_every_store(
                lambda d: _without_read_ids(d.privacy.export_customer(ACTORS[who], "cust-zh"))
            )

    @rule(group=st.sampled_from(list(GroupBy)), dimension=st.sampled_from(list(FaultDimension)))
    def reports(self, group: GroupBy, dimension: FaultDimension) -> None:
        # Each store answers reports with its own queries (SQL aggregates, a scan in memory): the same
        # KPIs, fault Pareto and month's revenue from every one, mid-month and with work still open.
        now = self.clocks[0].now()
        period = Period(START - timedelta(days=1), now + timedelta(days=1))

        def kpis(d: ServiceDesk) -> Any:
            assert d.context.calendar is not None
            queries = reporting_for(d.store)
            return kpi_report(queries, period, d.context.calendar, group=group, as_of=now)

        self._on_every_store(kpis)
        self._on_every_store(lambda d: fault_pareto(reporting_for(d.store), period, dimension))
        self._on_every_store(lambda d: d.fees.monthly_revenue(WORLD.manager, now.strftime("%Y-%m")))

    # -- what every store must agree on after each step -------------------------------------------------

    @invariant()
    def same_tickets(self) -> None:
        for t in self.tickets + self.complaints:
            self._on_every_store(lambda d, t=t: d.ticket(WORLD.auditor, t))
            self._on_every_store(lambda d, t=t: d.sla(WORLD.auditor, t))
            self._on_every_store(lambda d, t=t: d.progress(WORLD.customer_zh, t))

    @invariant()
    def same_notifications(self) -> None:
        for desk in self.desks:
            desk.deliver()
        sent = [[(m.channel, m.recipient, m.subject, m.body) for m in n.sent] for n in self.notifiers]
        assert all(s == sent[0] for s in sent)


Lockstep.TestCase.settings = settings(
    max_examples=int(os.environ.get("LOCKSTEP_EXAMPLES", "12")),
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(autouse=True)
def _tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCKSTEP_TMP", str(tmp_path))


TestLockstep = Lockstep.TestCase
