"""Every path that resolves a ticket applies the same lifecycle rule (seed 002), on every store.

Seed 002: 出厂后的产品无论处于哪一个阶段,对于产品质量问题的记录均需按照故障描述→故障原因→处理措施的流程来进行
— the sanitary-ware pack says so for repairs (``lifecycle.fault_record_for``). ``desk.resolve`` and
``desk.knowledge.resolve_with_article`` both refuse a repair without its fault record (a typed
``FaultRecordRequired`` naming ``fault_records``; nothing changes) and both accept one with it. The
叫修处理流程 (用户叫修记录 → 是否需派人现场服务? 否 → 电话指导 → 结案) works end to end: the agent who
assessed the problem by phone records the fault (处理措施 such as 指导培训用户使用) on the triaged ticket,
resolves it from an article, the customer's acceptance by phone, the callback, the close.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Category, Severity
from aftersales.domain.knowledge import ArticleContent, ArticleProblem, RemoteResolution
from aftersales.errors import FaultRecordRequired, InvalidTransition
from aftersales.json import to_json
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

BACKENDS = ("memory", "sqlite", "postgres")


@pytest.fixture(params=BACKENDS)
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, World]]:
    world = make_world()
    with store_url(request.param, tmp_path) as url:
        desk = ServiceDesk.open(url, pack="sanitary_ware", clock=ManualClock(START), staff=STAFF)
        with desk:
            register(desk, world)
            yield desk, world


def _article(desk: ServiceDesk, world: World) -> str:
    contents = [
        ArticleContent(
            "zh_Hans", "马桶冲洗不出水", "按冲水键后马桶冲洗不出水", ("进水阀滤网堵塞",), ("清洗滤网",),
            "请关闭角阀，取下进水阀滤网冲洗干净后装回。",
        ),
    ]  # fmt: skip
    article = desk.knowledge.write_article(
        world.senior,
        problem=ArticleProblem(symptoms=("no_flush_water",), product_id=str(world.product.id)),
        contents=contents,
        cause_codes=["strainer_clogged"],
        action_codes=["guide_user"],
    )
    desk.knowledge.approve(world.manager, article.id, 1)
    return article.id


def _triaged_repair(desk: ServiceDesk, world: World) -> str:
    ticket = desk.open_ticket(
        world.agent,
        customer_id=world.cust_zh.id,
        asset_id=world.asset.id,
        description="马桶冲洗不出水",
        category=Category.REPAIR,
    ).ticket
    desk.triage(world.agent, ticket.id, nature="no_flush_water", severity=Severity.LOW)
    return ticket.id


def _phone_fault_record(desk: ServiceDesk, world: World, ticket_id: str) -> None:
    # 故障描述 → 故障原因 → 处理措施, assessed by phone: 指导培训用户使用.
    desk.add_fault_record(
        world.agent, ticket_id, symptom="no_flush_water", cause="strainer_clogged", action="guide_user"
    )


def _snapshot(desk: ServiceDesk, world: World, ticket_id: str) -> tuple[str, int, int, str]:
    """The ticket's state, its number of events, its remote-resolution documents and its whole stored form."""
    with desk.store() as uow:
        ticket = uow.tickets.get(ticket_id)
        resolutions = len(uow.documents.query(RemoteResolution, ticket_id=ticket_id))
    view = desk.ticket(world.manager, ticket_id)
    return view.state, len(ticket.events), resolutions, to_json(ticket)


Resolver = Callable[[ServiceDesk, World, str, str], object]


def _by_desk(desk: ServiceDesk, world: World, ticket_id: str, article_id: str) -> object:
    return desk.resolve(world.agent, ticket_id, summary="电话指导清洗进水阀滤网", remote=True)


def _by_article(desk: ServiceDesk, world: World, ticket_id: str, article_id: str) -> object:
    return desk.knowledge.resolve_with_article(world.agent, ticket_id, article_id)


PATHS: dict[str, tuple[Resolver, str]] = {
    "desk.resolve": (_by_desk, "resolve"),
    "resolve_with_article": (_by_article, "resolve"),  # the runner's command name for both
}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_both_paths_refuse_a_repair_without_its_fault_record_and_change_nothing(
    env: tuple[ServiceDesk, World], path: str
) -> None:
    desk, world = env
    article_id = _article(desk, world)
    ticket_id = _triaged_repair(desk, world)
    before = _snapshot(desk, world, ticket_id)
    resolver, command = PATHS[path]
    with pytest.raises(FaultRecordRequired) as refused:
        resolver(desk, world, ticket_id, article_id)
    error = refused.value
    assert isinstance(error, InvalidTransition)  # hosts catching the workflow's refusals still do
    assert error.field == "fault_records" and error.category == "repair"
    assert error.ticket_id == ticket_id and error.state == "triaged" and error.command == command
    assert _snapshot(desk, world, ticket_id) == before  # no guidance note, no resolution document
    assert desk.knowledge.remote_resolutions(world.manager, article_id) == []


@pytest.mark.parametrize("path", sorted(PATHS))
def test_both_paths_refuse_work_done_on_site_without_a_fault_record(
    env: tuple[ServiceDesk, World], path: str
) -> None:
    desk, world = env
    article_id = _article(desk, world)
    ticket_id = _triaged_repair(desk, world)
    desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_senior.id)
    desk.start_work(world.senior, ticket_id)
    before = _snapshot(desk, world, ticket_id)
    resolver, _ = PATHS[path]
    with pytest.raises(FaultRecordRequired):
        resolver(desk, world, ticket_id, article_id)
    assert _snapshot(desk, world, ticket_id) == before


@pytest.mark.parametrize("path", sorted(PATHS))
def test_both_paths_resolve_a_repair_with_its_fault_record(env: tuple[ServiceDesk, World], path: str) -> None:
    desk, world = env
    article_id = _article(desk, world)
    ticket_id = _triaged_repair(desk, world)
    _phone_fault_record(desk, world, ticket_id)
    resolver, _ = PATHS[path]
    resolver(desk, world, ticket_id, article_id)
    view = desk.ticket(world.manager, ticket_id)
    assert view.state == "resolved"
    resolve = [e for e in view.events if e.action == "resolve"]
    assert len(resolve) == 1 and resolve[0].payload["remote"] is True
    assert [(f.symptom, f.cause, f.action) for f in view.fault_records] == [
        ("no_flush_water", "strainer_clogged", "guide_user")
    ]


def test_a_category_the_pack_does_not_name_resolves_without_a_fault_record_on_both_paths(
    env: tuple[ServiceDesk, World],
) -> None:
    desk, world = env
    article = desk.knowledge.write_article(
        world.senior,
        problem=ArticleProblem(symptoms=("weak_flush",), category=Category.TECHNICAL_SUPPORT.code),
        contents=[
            ArticleContent("zh_Hans", "冲水无力", "冲水无力", ("水位低",), ("调高水位",), "请调高水箱水位。")
        ],
    )
    desk.knowledge.approve(world.manager, article.id, 1)
    ids = []
    for _ in PATHS:
        ticket = desk.open_ticket(
            world.agent,
            customer_id=world.cust_zh.id,
            description="冲洗无力",
            category=Category.TECHNICAL_SUPPORT,
        ).ticket
        desk.triage(world.agent, ticket.id, nature="weak_flush", severity=Severity.LOW)
        ids.append(ticket.id)
    for (resolver, _), ticket_id in zip(PATHS.values(), ids, strict=True):
        resolver(desk, world, ticket_id, article.id)
    assert [desk.ticket(world.manager, t).state for t in ids] == ["resolved", "resolved"]


def test_a_repair_guided_by_phone_goes_from_the_call_to_closed(env: tuple[ServiceDesk, World]) -> None:
    """叫修处理流程: 用户叫修记录 → 不需派人现场服务 → 电话指导 → 结案, with its fault record and callback."""
    desk, world = env
    article_id = _article(desk, world)
    ticket_id = _triaged_repair(desk, world)
    _phone_fault_record(desk, world, ticket_id)
    desk.knowledge.resolve_with_article(world.agent, ticket_id, article_id)
    desk.confirm(world.agent, ticket_id, channel="phone")  # the customer confirms on the phone
    desk.record_callback(world.agent, ticket_id, problem_back=False, satisfaction=5)
    desk.close(world.agent, ticket_id)
    view = desk.ticket(world.manager, ticket_id)
    assert view.state == "closed"
    actions = [e.action for e in view.events if e.action != "note_to_customer"]
    steps = [
        a
        for a in actions
        if a in ("triage", "record_fault", "resolve", "confirm", "record_callback", "close")
    ]
    assert steps == ["triage", "record_fault", "resolve", "confirm", "record_callback", "close"]
    assert not any(e.action in ("assign", "start_work", "add_visit") for e in view.events)  # nobody went
    (record,) = desk.knowledge.remote_resolutions(world.manager, article_id)
    assert record.ticket_id == ticket_id


def test_no_service_module_resolves_a_ticket_around_the_one_check() -> None:
    """Only ``service.lifecycle.resolve_in`` calls ``Ticket.resolve``: a new resolving command cannot skip
    the pack's rules by calling the domain step itself (the defect this file pins down)."""
    service = Path(__file__).resolve().parents[2] / "src" / "aftersales" / "service"
    callers = sorted(
        path.name
        for path in service.rglob("*.py")
        if re.search(r"\bticket\.resolve\(", path.read_text(encoding="utf-8"))
    )
    assert callers == ["lifecycle.py"]
