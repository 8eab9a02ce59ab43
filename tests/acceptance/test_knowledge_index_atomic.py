"""A rebuild of the knowledge index is atomic for the threads of one desk.

The desk keeps the approved articles in process and rebuilds them when another desk (another process)
changed them. The rebuild used to set the new generation, empty the maps and refill them in place, so
a search running meanwhile in another thread mixed the two states (an article found in the old index
was missing from the new maps: dropped from the results, or an uncaught ``KeyError`` in ``suggest``).
Each search must answer from the old articles or the new ones, whole.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.knowledge import ArticleContent, ArticleProblem
from aftersales.ports.text_search import TextIndex
from aftersales.service import knowledge_desk
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.knowledge_desk import KnowledgeDesk
from aftersales.service.ngram_index import NgramIndex
from conftest import store_url

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ENGINEER = Actor.engineer("eng-1")
MANAGER = Actor.manager("mgr-1")
AGENT = Actor.agent("agent-1")
QUERY = "漏水"


def _approve(kb: KnowledgeDesk, title: str) -> str:
    article = kb.write_article(
        ENGINEER,
        problem=ArticleProblem(("leak",), product_id="wc-100", keywords=(title,)),
        contents=[ArticleContent("zh_Hans", title, f"{title}的处理", ("原因",), ("措施",))],
    )
    kb.approve(MANAGER, article.id, 1)
    return article.id


def _index(kind: str) -> TextIndex | None:
    return NgramIndex() if kind == "ngram" else None


@pytest.fixture(params=["sqlite-store", "sqlite-ngram", "postgres-store", "postgres-ngram"])
def desks(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ServiceDesk]]:
    """The desk under test (the store's index or an injected one) and another desk on the same store."""
    backend, index = str(request.param).split("-")
    with ExitStack() as stack:
        url = stack.enter_context(store_url(backend, tmp_path))
        reader = ServiceDesk.open(url, clock=ManualClock(T0), settings={"text_index": _index(index)})
        stack.callback(reader.shutdown)
        other = ServiceDesk.open(url, clock=ManualClock(T0))
        stack.callback(other.shutdown)
        yield reader, other


def _once(action: Callable[[], None]) -> Callable[[], None]:
    done: list[bool] = []

    def run() -> None:
        if not done:
            done.append(True)
            action()

    return run


def test_a_search_during_a_rebuild_answers_from_one_state_whole(
    desks: tuple[ServiceDesk, ServiceDesk], monkeypatch: pytest.MonkeyPatch
) -> None:
    reader, other = desks
    kept = _approve(other.knowledge, "转换开关漏水")
    dropped = _approve(other.knowledge, "水箱漏水")
    old = {kept, dropped}
    assert {v.id for v in reader.knowledge.search(AGENT, QUERY)} == old  # loaded

    added: list[str] = []

    def another_process_changes_then_this_desk_rebuilds() -> None:
        added.append(_approve(other.knowledge, "进水阀漏水"))
        other.knowledge.withdraw(MANAGER, dropped)
        reader.knowledge.reindex()  # as another thread of the reader's desk would

    hook = _once(another_process_changes_then_this_desk_rebuilds)
    real_of = knowledge_desk.ArticleView.of

    def view_after_the_rebuild(article_id: str, version: object, locale: str) -> knowledge_desk.ArticleView:
        hook()  # the rebuild lands between the search of the index and the reading of the articles
        return real_of(article_id, version, locale)  # type: ignore[arg-type]

    monkeypatch.setattr(knowledge_desk.ArticleView, "of", staticmethod(view_after_the_rebuild))
    found = {v.id for v in reader.knowledge.search(AGENT, QUERY, limit=50)}
    new = {kept, *added}
    assert found in (old, new), f"a mix of the two states: {found}"
    monkeypatch.undo()
    assert {v.id for v in reader.knowledge.search(AGENT, QUERY)} == new  # the rebuild did land


def test_suggestions_during_a_rebuild_raise_nothing_and_answer_from_one_state(
    desks: tuple[ServiceDesk, ServiceDesk], monkeypatch: pytest.MonkeyPatch
) -> None:
    reader, other = desks
    kept = _approve(other.knowledge, "转换开关漏水")
    dropped = _approve(other.knowledge, "水箱漏水")
    old = {kept, dropped}
    assert {a.id for a in reader.knowledge.suggest(AGENT, "wc-100", description=QUERY).articles} == old

    def another_process_withdraws_then_this_desk_rebuilds() -> None:
        other.knowledge.withdraw(MANAGER, dropped)
        reader.knowledge.reindex()

    hook = _once(another_process_withdraws_then_this_desk_rebuilds)
    real_normalize = knowledge_desk.normalize

    def normalize_after_the_rebuild(text: str) -> str:
        hook()  # the rebuild lands after the text search, before the articles found are looked up
        return real_normalize(text)

    monkeypatch.setattr(knowledge_desk, "normalize", normalize_after_the_rebuild)
    found = {a.id for a in reader.knowledge.suggest(AGENT, "wc-100", description=QUERY).articles}
    assert found in (old, {kept}), f"a mix of the two states: {found}"


def test_searches_racing_rebuilds_in_threads_see_whole_states(desks: tuple[ServiceDesk, ServiceDesk]) -> None:
    """Readers, a rebuilding thread and another desk's writes at once: no exception, whole states only."""
    reader, other = desks
    base = [_approve(other.knowledge, f"底座{n}漏水") for n in range(25)]
    first = _approve(other.knowledge, "换新前漏水")
    states = [frozenset({*base, first})]
    writer_done = threading.Event()
    errors: list[BaseException] = []
    seen: list[frozenset[str]] = []

    def writer() -> None:
        try:
            previous = first
            for n in range(12):
                fresh = _approve(other.knowledge, f"第{n}次漏水")
                states.append(states[-1] | {fresh})
                other.knowledge.withdraw(MANAGER, previous)
                states.append(states[-1] - {previous})
                previous = fresh
        except BaseException as exc:  # reported below, in the test thread
            errors.append(exc)
        finally:
            writer_done.set()

    def rebuilder() -> None:
        try:
            while not writer_done.is_set():
                reader.knowledge.reindex()
        except BaseException as exc:
            errors.append(exc)

    def searcher(kind: int) -> None:
        try:
            while True:  # at least once, however late this thread gets the processor
                if kind % 2:
                    found = reader.knowledge.suggest(AGENT, "wc-100", description=QUERY, limit=5).articles
                else:
                    found = tuple(reader.knowledge.search(AGENT, QUERY, limit=100))
                seen.append(frozenset(v.id for v in found))
                if writer_done.is_set():
                    break
        except BaseException as exc:
            errors.append(exc)

    reader.knowledge.search(AGENT, QUERY)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show up in few rounds
    try:
        threads = [threading.Thread(target=writer), threading.Thread(target=rebuilder)]
        threads += [threading.Thread(target=searcher, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert seen, "the searchers ran"
    mixed = [found for found in seen if found not in states]
    assert mixed == [], f"{len(mixed)} answers were no state of the store, e.g. {sorted(mixed[0])}"
