"""An after-sales web service: FastAPI routes around one ``ServiceDesk``.

Run it with ``uvicorn examples.fastapi_app.app:app`` (``AFTERSALES_URL`` names the store, e.g.
``sqlite:///service.db``). What it shows, in order of importance for a real deployment:

* **one desk per process**, opened in the lifespan and shared by every request thread (a desk is
  thread-safe; several processes may share one SQLite file or one PostgreSQL database);
* **the jobs in the lifespan**: a background task calls ``desk.run_due_jobs()`` every
  ``jobs_every`` seconds (SLA sweep, callbacks due, chargebacks, delivery…); jobs are leased in the
  store, so every worker process may run the loop;
* **the actor from the request**: here from headers (``X-Actor-Role``, ``X-Actor-Id``, and
  ``X-Customer-Id`` / ``X-Dealer-Id`` for scoped roles). A real host derives them from its
  authentication (a session, a JWT) and never trusts a client's word for its role;
* **typed errors to HTTP**: ``ValidationError`` 400, ``PermissionDenied`` 403, ``NotFound`` 404,
  ``ConcurrencyConflict`` / ``InvalidTransition`` / ``DuplicateError`` 409 — with the library's
  message and the field it names;
* **JSON at the edge** with :func:`aftersales.to_dict` (RFC 3339 instants, decimals as strings,
  reasons in the reader's language from ``Accept-Language``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from aftersales import Actor, ServiceDesk, render_error, to_dict
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.actors import Role
from aftersales.domain.classification import Category, Channel, Plan, Severity
from aftersales.domain.ids import CustomerId, DealerId
from aftersales.errors import (
    AftersalesError,
    ConcurrencyConflict,
    ConfigurationError,
    DuplicateError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    PluginError,
    StorageError,
    StoreBusy,
    ValidationError,
)
from aftersales.i18n.format import format_datetime, formatter_for
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.ports.reporting import Period
from aftersales.ports.ticket_search import SearchRequest
from aftersales.reports.kpi import scoped_kpi_report

__all__ = [
    "INTAKE_FIELDS",
    "STEPS",
    "STEP_FIELDS",
    "actor_from_headers",
    "create_app",
    "error_status",
    "known_fields",
]

_STATUS: tuple[tuple[type[AftersalesError], int], ...] = (
    (PermissionDenied, 403),
    (NotFound, 404),
    (ConcurrencyConflict, 409),
    (DuplicateError, 409),
    (InvalidTransition, 409),
    (ValidationError, 400),
    (ConfigurationError, 500),
    (PluginError, 500),  # your own policy or store answered outside its contract: your set-up's bug
    (StoreBusy, 503),  # the database is busy: the client may retry
    (StorageError, 500),
)


def error_status(error: AftersalesError) -> int:
    """The HTTP status of a library error (400 for any other input the library refused)."""
    for cls, status in _STATUS:
        if isinstance(error, cls):
            return status
    return 400


def actor_from_headers(
    x_actor_role: Annotated[str, Header()],
    x_actor_id: Annotated[str, Header()],
    x_customer_id: Annotated[str | None, Header()] = None,
    x_dealer_id: Annotated[str | None, Header()] = None,
    x_regions: Annotated[str | None, Header()] = None,
) -> Actor:
    """The actor of a request (a real host maps its authenticated user instead)."""
    try:
        role = Role(x_actor_role)
    except ValueError:
        raise ValidationError(f"unknown role {x_actor_role!r}", field="X-Actor-Role") from None
    regions = frozenset(r for r in (x_regions or "").split(",") if r)
    customer = CustomerId(x_customer_id) if x_customer_id else None
    dealer = DealerId(x_dealer_id) if x_dealer_id else None
    return Actor(x_actor_id, role, customer_id=customer, dealer_id=dealer, regions=regions)


ActorDep = Annotated[Actor, Depends(actor_from_headers)]


def the_desk(request: Request) -> ServiceDesk:
    """The process's one desk (opened in the lifespan)."""
    desk: ServiceDesk = request.app.state.desk
    return desk


DeskDep = Annotated[ServiceDesk, Depends(the_desk)]


def _locale(accept_language: str | None) -> str:
    first = (accept_language or "zh-Hans").split(",")[0].split(";")[0].strip()
    if first.lower().startswith(("zh-tw", "zh-hk", "zh-hant")):
        return "zh_Hant"
    return "en" if first.lower().startswith("en") else "zh_Hans"


def _text(body: Mapping[str, Any], name: str, required: bool = True) -> Any:
    value = body.get(name)
    if required and value is None:
        raise ValidationError(f"{name} is required", field=name)
    return value


def _enum(cls: Callable[[Any], Any], body: Mapping[str, Any], name: str, default: Any = None) -> Any:
    value = body.get(name, default)
    if value is None:
        return None
    try:
        return cls(value)
    except ValueError:
        raise ValidationError(f"unknown {name} {value!r}", field=name) from None


Step = Callable[[ServiceDesk, Actor, str, Mapping[str, Any]], Any]

STEPS: Mapping[str, Step] = {
    "triage": lambda d, a, t, b: d.triage(
        a,
        t,
        nature=_text(b, "nature"),
        severity=_enum(Severity, b, "severity", _text(b, "severity")),
        plan=_enum(Plan, b, "plan"),
    ),
    "dispatch": lambda d, a, t, b: d.dispatch(a, t),
    "start_work": lambda d, a, t, b: d.start_work(a, t),
    "note": lambda d, a, t, b: d.note_to_customer(a, t, text=_text(b, "text")),
    "fault": lambda d, a, t, b: d.add_fault_record(
        a,
        t,
        symptom=_text(b, "symptom"),
        cause=_text(b, "cause"),
        action=_text(b, "action"),
        part=b.get("part"),
    ),
    # "remote" as sent: the desk refuses anything but true or false ("false" was read as remote).
    "resolve": lambda d, a, t, b: d.resolve(a, t, summary=b.get("summary"), remote=b.get("remote", False)),
    "confirm": lambda d, a, t, b: d.confirm(a, t, channel=b.get("channel")),
    "reject": lambda d, a, t, b: d.reject(a, t, reason=_text(b, "reason")),
    "callback": lambda d, a, t, b: d.record_callback(
        a,
        t,
        problem_back=_text(b, "problem_back"),
        satisfaction=b.get("satisfaction"),
        attitude=b.get("attitude"),
        comment=b.get("comment") or "",
    ),
    "callback_attempt": lambda d, a, t, b: d.record_callback_attempt(a, t, note=b.get("note")),
    "close": lambda d, a, t, b: d.close(a, t, reason=b.get("reason")),
    "cancel": lambda d, a, t, b: d.cancel(a, t, reason=_text(b, "reason")),
}
"""The workflow steps the API exposes (``POST /tickets/{id}/steps/{step}``) and their body fields
(:data:`STEP_FIELDS`).

Each is the desk's command with the desk's rules, nothing added or left out: a repair is resolved once its
fault record is in (``fault``, where the pack asks for one), the customer accepts (``confirm``) or rejects
(``reject``, with a reason) the work, and a ticket closes after its callback (``callback``) or the pack's
failed attempts (``callback_attempt``); ``close`` takes a reason only if one is given, as the desk does."""


STEP_FIELDS: Mapping[str, frozenset[str]] = {
    "triage": frozenset({"nature", "severity", "plan"}),
    "dispatch": frozenset(),
    "start_work": frozenset(),
    "note": frozenset({"text"}),
    "fault": frozenset({"symptom", "cause", "action", "part"}),
    "resolve": frozenset({"summary", "remote"}),
    "confirm": frozenset({"channel"}),
    "reject": frozenset({"reason"}),
    "callback": frozenset({"problem_back", "satisfaction", "attitude", "comment"}),
    "callback_attempt": frozenset({"note"}),
    "close": frozenset({"reason"}),
    "cancel": frozenset({"reason"}),
}
"""The body fields each step reads; any other is refused (400 naming it), never ignored."""

INTAKE_FIELDS = frozenset({"customer_id", "description", "channel", "category"})
"""The body fields ``POST /tickets`` reads."""


def known_fields(body: Mapping[str, Any], allowed: frozenset[str]) -> None:
    """Refuse a body field the route does not read: ignored, ``{"urgent": true}`` at intake or a misspelt
    ``"reasons"`` answered 201 or 200 and the caller believed it taken (session 39)."""
    for key in body:
        if key not in allowed:
            takes = ", ".join(sorted(allowed)) or "no fields"
            raise ValidationError(f"unknown field {key[:64]!r}; this request takes {takes}", field=key[:64])


def create_app(
    url: str | None = None,
    *,
    desk: ServiceDesk | None = None,
    pack: str = "sanitary_ware",
    jobs_every: float | None = 60.0,
) -> FastAPI:
    """The application over ``desk`` (or a desk opened on ``url`` in the lifespan).

    ``jobs_every`` seconds between two ``run_due_jobs`` calls (``None``: the host runs the jobs
    elsewhere, e.g. cron).
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = desk or ServiceDesk.open(url or os.environ.get("AFTERSALES_URL", "memory://"), pack=pack)
        app.state.desk = opened
        jobs: asyncio.Task[None] | None = None
        if jobs_every is not None:
            jobs = asyncio.create_task(_run_jobs(opened, jobs_every))
        try:
            yield
        finally:
            if jobs is not None:
                jobs.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await jobs
            if desk is None:
                opened.shutdown()

    app = FastAPI(title="aftersales", lifespan=lifespan)

    @app.exception_handler(AftersalesError)
    async def library_error(request: Request, error: AftersalesError) -> JSONResponse:
        field = getattr(error, "field", None)
        # ``text`` for the person at the screen, in their language; ``message`` (every id) for the logs.
        text = render_error(error, _locale(request.headers.get("accept-language")))
        return JSONResponse(
            {"error": type(error).__name__, "text": text, "message": str(error), "field": field},
            status_code=error_status(error),
        )

    # Handlers are plain functions: FastAPI runs them on its thread pool, all sharing the desk.

    @app.post("/tickets", status_code=201)
    def intake(
        desk: DeskDep,
        actor: ActorDep,
        body: Annotated[dict[str, Any], Body()],
        accept_language: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        known_fields(body, INTAKE_FIELDS)
        result = desk.open_ticket(
            actor,
            customer_id=_text(body, "customer_id"),
            description=_text(body, "description"),
            channel=_enum(Channel, body, "channel", "portal"),
            category=_enum(Category, body, "category", "repair"),
            idempotency_key=idempotency_key,
        )
        return to_dict(result, locale=_locale(accept_language))

    @app.post("/tickets/{ticket_id}/steps/{step}")
    def step(
        desk: DeskDep,
        actor: ActorDep,
        ticket_id: str,
        step: str,
        body: Annotated[dict[str, Any] | None, Body()] = None,
        accept_language: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        run = STEPS.get(step)
        if run is None:
            raise NotFound("step", step)
        known_fields(body or {}, STEP_FIELDS[step])
        result = run(desk, actor, ticket_id, body or {})
        return to_dict(result, locale=_locale(accept_language))

    @app.get("/tickets/{ticket_id}")
    def ticket(
        desk: DeskDep,
        actor: ActorDep,
        ticket_id: str,
        accept_language: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        return to_dict(desk.ticket(actor, ticket_id), locale=_locale(accept_language))

    @app.get("/ledger")
    def ledger(
        desk: DeskDep,
        actor: ActorDep,
        state: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
        accept_language: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        filters = TicketFilter(states=(state,)) if state else TicketFilter()
        page = desk.ledger(actor, filters, PageRequest(limit, cursor))
        return to_dict(page, locale=_locale(accept_language))

    @app.get("/search")
    def search(
        desk: DeskDep,
        actor: ActorDep,
        q: str,
        limit: int = 20,
        cursor: str | None = None,
        accept_language: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        # A number, a serial, a phone however typed, a name or Chinese text; only what the actor may see.
        page = desk.search(actor, q, page=SearchRequest(limit=limit, cursor=cursor))
        return to_dict(page, locale=_locale(accept_language))

    @app.get("/tickets/{ticket_id}/sla")
    def sla(desk: DeskDep, actor: ActorDep, ticket_id: str) -> dict[str, Any]:
        return to_dict(desk.sla(actor, ticket_id))

    @app.get("/tickets/{ticket_id}/progress")
    def progress(desk: DeskDep, actor: ActorDep, ticket_id: str) -> dict[str, Any]:
        return to_dict(desk.progress(actor, ticket_id))

    @app.get("/tickets/{ticket_id}/progress.html", response_class=HTMLResponse)
    def progress_page(
        desk: DeskDep,
        actor: ActorDep,
        ticket_id: str,
        accept_language: Annotated[str | None, Header()] = None,
    ) -> str:
        p = desk.progress(actor, ticket_id)
        locale = _locale(accept_language)
        words = formatter_for(locale)
        state = words.catalog.get(f"state.{p.state}") or p.state  # the state in the reader's words
        due = p.resolution_due_at
        shown = format_datetime(due, locale, actor.timezone) if due else "—"
        notes = "".join(f"<li>{_escape(n)}</li>" for n in p.notes)
        return (
            f"<!doctype html><html lang='{locale.replace('_', '-')}'><meta charset='utf-8'>"
            f"<title>{p.ticket_id}</title><h1>{p.ticket_id}</h1><p>{_escape(state)}</p>"
            f"<p><time datetime='{due.isoformat() if due else ''}'>{_escape(shown)}</time></p>"
            f"<ul>{notes}</ul></html>"
        )

    @app.get("/kpis/monthly/{year}/{month}")
    def monthly_kpis(desk: DeskDep, actor: ActorDep, year: int, month: int) -> dict[str, Any]:
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            raise ValidationError("a month is 1-12 of a year 2000-2100", field="month")
        start = datetime(year, month, 1, tzinfo=desk.zone)  # local months (Beijing time for China packs)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=desk.zone)
        # Who reads which figures is the library's table: the heads every dealer's, dealer staff their own.
        report = scoped_kpi_report(desk, actor, reporting_for(desk.store), Period(start, end))
        return to_dict(report)

    @app.get("/outbox/dead")
    def dead_letters(desk: DeskDep, actor: ActorDep) -> dict[str, Any]:
        found = desk.outbox.dead_letters(actor)
        return {
            "items": [
                {"id": m.id, "topic": m.topic, "attempts": m.attempts, "error": m.last_error} for m in found
            ]
        }

    @app.post("/outbox/dead/retry")
    def retry_dead(desk: DeskDep, actor: ActorDep, body: Annotated[dict[str, Any], Body()]) -> dict[str, int]:
        known_fields(body, frozenset({"ids"}))
        return {"retried": desk.outbox.retry_dead_letters(actor, _text(body, "ids"))}

    return app


async def _run_jobs(desk: ServiceDesk, every: float) -> None:
    """Run the due jobs every ``every`` seconds, off the event loop; a failing run is retried next time."""
    while True:
        with contextlib.suppress(AftersalesError):
            await run_in_threadpool(desk.run_due_jobs)
        await asyncio.sleep(every)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


app = create_app()
"""The application ``uvicorn examples.fastapi_app.app:app`` serves (store from ``AFTERSALES_URL``)."""
