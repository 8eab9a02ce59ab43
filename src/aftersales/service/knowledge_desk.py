"""The knowledge desk: write and approve articles, search them, suggest fixes, resolve remotely.

Seed 001 (知识管理) and seed 003 (经验分享): what solved a problem once should help the next agent.
Two sources answer "what is likely wrong?": the fault statistics learnt from closed tickets
(:mod:`aftersales.domain.fault_stats`, one small document per product and symptom, so a suggestion
reads a handful of documents however large the ledger) and the approved articles, found by symptom
code or by Chinese full-text search (:mod:`aftersales.ports.text_search`).

The text index is persisted in the store (``uow.texts``, namespace ``"kb"``: FTS5 on SQLite, pg_trgm
on PostgreSQL), written in the same transaction as the article, so no process rebuilds it. A host
may inject an in-process :class:`~aftersales.ports.text_search.TextIndex` instead (e.g.
:class:`~aftersales.service.ngram_index.NgramIndex`), filled from the store on first use.
:meth:`KnowledgeDesk.reindex` reloads what this process keeps when another process changed articles;
what it keeps is one immutable snapshot swapped in whole (:mod:`aftersales.service.knowledge_index`),
so a search in another thread sees the articles before the rebuild or after it, never a mix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Annotated, ClassVar

import attrs

from aftersales.domain.bounds import Bounds
from aftersales.domain.call_shape import host_factories
from aftersales.domain.contact import check_locale
from aftersales.domain.fault_stats import (
    ALL_PRODUCTS,
    FaultContribution,
    FaultStats,
    FaultTally,
    TicketLearning,
    contributions_of,
    first_time_fix,
    stats_id,
)
from aftersales.domain.instants import require_aware
from aftersales.domain.knowledge import (
    Article,
    ArticleContent,
    ArticleProblem,
    ArticleVersion,
    RemoteResolution,
)
from aftersales.domain.text import CODE_PATTERN
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.domain.work import CustomerNote
from aftersales.errors import NotFound, ValidationError
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.ports.read_ahead import ReadAhead, read_ahead
from aftersales.ports.text_search import TextIndex, normalize
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.context import DeskContext
from aftersales.service.knowledge_index import KnowledgeIndex, KnowledgeSnapshot
from aftersales.service.lifecycle import resolve_in
from aftersales.service.numbering import next_number
from aftersales.service.permissions import KNOWLEDGE_ROLES, check_role
from aftersales.service.runner import CommandRunner
from aftersales.service.scope import ticket_id_readable
from aftersales.service.search_fold import fold_before_search
from aftersales.service.views import CommandResult

__all__ = ["SUGGEST_LIMIT", "ArticleView", "CauseSuggestion", "KnowledgeDesk", "Suggestions"]

SUGGEST_LIMIT = Bounds(1, 1000)
"""How many causes ``suggest`` ranks: its ``limit``'s one bound, in its annotation. Before it the
boundary refused a wrong type naming every limit's wide range (1 to 1,000,000) and the command
refused 0 as "a positive integer"; a list of more than a thousand likely causes suggests nothing."""

_KB = "kb"
"""The namespace of knowledge articles in the store's text index."""


@host_factories
@attrs.frozen
class ArticleView:
    """An approved article as a reader sees it, in their language."""

    id: str
    version: int
    locale: str
    title: str
    problem: str
    causes: tuple[str, ...]
    actions: tuple[str, ...]
    guidance: str
    symptoms: tuple[str, ...]
    product_id: str | None
    category: str | None

    @classmethod
    def of(cls, article_id: str, version: ArticleVersion, locale: str) -> ArticleView:
        """The view of ``version`` for a reader of ``locale``."""
        content = version.content(locale)
        return cls(
            article_id,
            version.number,
            content.locale,
            content.title,
            content.problem,
            content.causes,
            content.actions,
            content.guidance,
            version.problem.symptoms,
            version.problem.product_id,
            version.problem.category,
        )


@attrs.frozen
class CauseSuggestion:
    """A likely cause and the action that fixed it, with its record and the articles that explain it."""

    cause: str
    action: str
    count: int
    first_time_fixes: int
    score: int
    articles: tuple[str, ...] = ()


@attrs.frozen
class Suggestions:
    """What :meth:`KnowledgeDesk.suggest` found: causes ranked best first, and the matching articles.

    ``symptoms`` are the codes looked up (given, or found from the description); ``from_all_products``
    says the product had no history of its own, so the figures are over every product; ``basis`` is
    how many fault records the ranking rests on.
    """

    product_id: str | None
    symptoms: tuple[str, ...]
    causes: tuple[CauseSuggestion, ...]
    articles: tuple[ArticleView, ...]
    basis: int
    from_all_products: bool = False


@attrs.define
class KnowledgeGeneration:
    """How many times the searchable articles changed (approve, withdraw), kept in the store.

    A desk's in-memory index is a cache of the store's articles; every search reads this one small
    document and rebuilds the index when another desk (another process) changed the articles since.
    """

    DOCUMENT_KIND: ClassVar[str] = "knowledge_generation"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str = "articles"
    count: int = 0
    version: int = 0


def _bump(uow: UnitOfWork) -> int:
    """One more change of the searchable articles, in ``uow``; returns the new count."""
    try:
        generation = uow.documents.get(KnowledgeGeneration, "articles")
    except NotFound:
        generation = KnowledgeGeneration(count=1)
        uow.documents.add(generation)
        return 1
    generation.count += 1
    uow.documents.save(generation)
    return generation.count


def _generation(uow: UnitOfWork) -> int:
    try:
        return uow.documents.get(KnowledgeGeneration, "articles").count
    except NotFound:
        return 0


@validated_commands
class KnowledgeDesk:
    """The knowledge base (售后知识库) on a :class:`ServiceDesk`'s store."""

    def __init__(self, context: DeskContext, runner: CommandRunner, index: TextIndex | None = None) -> None:
        self.context = context
        self.runner = runner
        self._kb = KnowledgeIndex(index)

    # -- index ------------------------------------------------------------------------------------

    @property
    def text_index(self) -> TextIndex | None:
        """The in-process text index the host injected (``settings.text_index``), or ``None``."""
        return self._kb.text_index

    @staticmethod
    def _persist(uow: UnitOfWork, article: Article) -> None:
        """Keep the store's article index in step, in the article's own transaction."""
        current = article.current
        if current is None:
            uow.texts.remove(_KB, article.id)
        else:
            uow.texts.put(_KB, article.id, current.texts())

    def _search(self, snapshot: KnowledgeSnapshot, query: str, limit: int) -> list[str]:
        """Ids matching ``query`` among ``snapshot``'s articles (the index answers while it is that state)."""
        if self._kb.in_process:
            return self._kb.search_text(snapshot, query, limit)
        fold_before_search(self.context.store)  # articles indexed before folding (session 35)
        # A snapshot read (no write lock): the generation and the index's answer are of one state.
        with self.context.reader() as uow:
            if _generation(uow) == snapshot.generation:
                return uow.texts.search(_KB, query, limit)
        return snapshot.search(query, limit)  # the articles changed since this call began: its own state

    def reindex(self) -> int:
        """Reload the in-memory index from the store; returns how many articles are searchable.

        The new index is made aside and swapped in whole: a search in another thread meanwhile reads
        the old index or the new one, never a half-filled one.
        """
        return len(self._reload().current)

    def _reload(self) -> KnowledgeSnapshot:
        with self.context.reader() as uow:  # the generation and the articles of one state
            generation = _generation(uow)
            articles = uow.documents.query(Article)
            stale = not self._kb.in_process and uow.texts.count(_KB) != sum(1 for a in articles if a.current)
        if stale:
            # A store written before the index existed (or by a host's own code): fill it once.

            def fill(uow: UnitOfWork, now: datetime) -> None:
                for article in uow.documents.query(Article):
                    self._persist(uow, article)

            self.runner.write(Actor.system(), "reindex_knowledge", None, None, fill)
        return self._kb.publish(KnowledgeSnapshot.of(generation, articles))

    def _loaded(self) -> KnowledgeSnapshot:
        """The snapshot this call reads, checked against the store's generation (rebuilt if behind)."""
        snapshot = self._kb.snapshot
        if snapshot.loaded:
            with self.context.reader() as uow:
                if _generation(uow) == snapshot.generation:
                    return snapshot  # the index is the store's, checked on this hit
        return self._reload()

    def _changed(self, article: Article, generation: int) -> None:
        """Our own change of the searchable articles: patch the index if nobody else changed them."""
        self._kb.change(article, generation)

    # -- articles ---------------------------------------------------------------------------------

    def write_article(
        self,
        actor: Actor,
        *,
        problem: ArticleProblem,
        contents: Iterable[ArticleContent],
        cause_codes: Iterable[str] = (),
        action_codes: Iterable[str] = (),
        article_id: str | None = None,
        change_note: str = "",
        idempotency_key: str | None = None,
    ) -> Article:
        """Write a new article (``article_id`` ``None``) or a new draft version of an existing one.

        With ``idempotency_key`` a retried call returns the first article instead of writing another.
        """
        check_role(actor, "write_article", article_id, KNOWLEDGE_ROLES["write_article"])
        contents = tuple(contents)
        cause_codes = tuple(cause_codes)
        action_codes = tuple(action_codes)
        request = [problem, contents, cause_codes, action_codes, article_id, change_note]

        def apply(uow: UnitOfWork, now: datetime) -> Article:
            if article_id is None:
                article = Article(next_number(uow, "kb", now))
                article.write(
                    problem,
                    contents,
                    actor.ref,
                    now,
                    cause_codes=cause_codes,
                    action_codes=action_codes,
                    change_note=change_note,
                )
                uow.documents.add(article)
            else:
                article = uow.documents.get(Article, article_id)
                article.write(
                    problem,
                    contents,
                    actor.ref,
                    now,
                    cause_codes=cause_codes,
                    action_codes=action_codes,
                    change_note=change_note,
                )
                article = uow.documents.save(article)
            return article

        return self.runner.write(
            actor,
            "write_article",
            idempotency_key,
            request,
            apply,
            remember=lambda a: a.id,
            reload=lambda uow, id: uow.documents.get(Article, id),
        )

    def approve(self, actor: Actor, article_id: str, version: int) -> Article:
        """Approve a draft version (not one's own); it becomes the current, searchable one."""
        check_role(actor, "approve_article", article_id, KNOWLEDGE_ROLES["approve_article"])

        def apply(uow: UnitOfWork, now: datetime) -> tuple[Article, int]:
            article = uow.documents.get(Article, article_id)
            article.approve(version, actor.ref, now)
            saved: Article = uow.documents.save(article)
            self._persist(uow, saved)
            return saved, _bump(uow)

        article, generation = self.runner.write(actor, "approve_article", None, [article_id, version], apply)
        self._changed(article, generation)
        return article

    def withdraw(self, actor: Actor, article_id: str) -> Article:
        """Withdraw the current version (wrong advice): the article is no longer suggested or shown."""
        check_role(actor, "withdraw_article", article_id, KNOWLEDGE_ROLES["withdraw_article"])

        def apply(uow: UnitOfWork, now: datetime) -> tuple[Article, int]:
            article = uow.documents.get(Article, article_id)
            article.withdraw(actor.ref, now)
            saved: Article = uow.documents.save(article)
            self._persist(uow, saved)
            return saved, _bump(uow)

        article, generation = self.runner.write(actor, "withdraw_article", None, article_id, apply)
        self._changed(article, generation)
        return article

    def article(self, actor: Actor, article_id: str) -> Article:
        """The article with every version (staff who write or approve); others use :meth:`view`."""
        check_role(actor, "article_history", article_id, KNOWLEDGE_ROLES["article_history"])
        with self.context.store() as uow:
            return uow.documents.get(Article, article_id)

    def view(self, actor: Actor, article_id: str, locale: str | None = None) -> ArticleView:
        """The current approved version of an article in ``locale`` (default: the actor's)."""
        check_role(actor, "read_article", article_id, KNOWLEDGE_ROLES["read_article"])
        current = self._loaded().current.get(article_id)
        if current is None:
            raise NotFound("knowledge_article", article_id)
        return ArticleView.of(article_id, current, _reader(locale, actor))

    def search(
        self,
        actor: Actor,
        query: str,
        *,
        product_id: str | None = None,
        category: str | None = None,
        limit: int = 20,
        locale: str | None = None,
    ) -> list[ArticleView]:
        """Approved articles containing every term of ``query`` (Chinese substrings too), best first.

        ``product_id`` / ``category`` keep the articles that apply to such a ticket.
        """
        check_role(actor, "read_article", None, KNOWLEDGE_ROLES["read_article"])
        reader = _reader(locale, actor)
        snapshot = self._loaded()
        scoped = product_id is not None or category is not None
        fetch = max(limit * 4, limit)
        while True:
            # The index ranks every article; those of other products (or no longer approved) are left
            # out here, so it is asked for more until ``limit`` fit or it has no more: the first
            # ``limit * 4`` hits alone could all be another product's, and a fitting article was lost.
            found = self._search(snapshot, query, fetch)
            views = []
            for article_id in found:
                current = snapshot.current.get(article_id)
                if current is None:
                    continue
                if scoped and not current.problem.applies_to(product_id, category):
                    continue
                views.append(ArticleView.of(article_id, current, reader))
            if len(views) >= limit or len(found) < fetch:
                return views[:limit]
            fetch *= 4

    # -- suggestions --------------------------------------------------------------------------------

    def suggest(
        self,
        actor: Actor,
        product_id: str | None,
        *,
        symptom: str | None = None,
        description: str | None = None,
        category: str | None = None,
        limit: Annotated[int, SUGGEST_LIMIT] = 5,
        locale: str | None = None,
    ) -> Suggestions:
        """Likely causes and actions for ``symptom`` (or a free ``description``) on ``product_id``.

        Causes are ranked by how often they fixed that symptom on that product, a first-time fix
        counting double; a product without history falls back to the figures over all products.
        With a description, the symptoms are those of the approved articles the text search finds.
        """
        check_role(actor, "suggest", product_id, KNOWLEDGE_ROLES["suggest"])
        if symptom is None and description is None:
            raise ValidationError("give a symptom code or a description", field="symptom")
        if symptom is None and description is not None and not description.strip():
            raise ValidationError(
                "description is blank: describe the problem or give a symptom code", field="description"
            )
        if symptom is not None and (not isinstance(symptom, str) or not CODE_PATTERN.fullmatch(symptom)):
            raise ValidationError(
                f"symptom must be a snake_case code, got {symptom!r}", field="symptom", rule="snake_code"
            )
        SUGGEST_LIMIT.check(limit, "limit")
        snapshot = self._loaded()
        current = snapshot.current
        reader_locale = _reader(locale, actor)
        text_hits: list[str] = []
        if symptom is not None:
            symptoms: tuple[str, ...] = (symptom,)
        else:
            assert description is not None
            text_hits = [
                a
                for a in self._describe(snapshot, description)
                if current[a].problem.applies_to(product_id, category)
            ]
            symptoms = tuple(dict.fromkeys(s for a in text_hits for s in current[a].problem.symptoms))
        with self.context.store() as uow:
            tallies, fallback = self._tallies(uow, product_id, symptoms)
        ranked = sorted(tallies.values(), key=lambda t: (-t.score, -t.count, t.cause, t.action))[:limit]
        articles = self._articles_for(snapshot, symptoms, product_id, category, text_hits)
        causes = tuple(
            CauseSuggestion(
                t.cause,
                t.action,
                t.count,
                t.first_time_fixes,
                t.score,
                tuple(
                    a
                    for a in articles
                    if t.cause in current[a].cause_codes or t.action in current[a].action_codes
                ),
            )
            for t in ranked
        )
        # Articles explaining the top causes first, then the rest in symptom/text order.
        rank = {a: i for i, c in enumerate(causes) for a in reversed(c.articles)}
        ordered = sorted(articles, key=lambda a: (rank.get(a, len(causes)), articles.index(a)))
        views = tuple(ArticleView.of(a, current[a], reader_locale) for a in ordered)
        basis = sum(t.count for t in tallies.values())
        return Suggestions(product_id, symptoms, causes, views, basis, fallback)

    def _describe(self, snapshot: KnowledgeSnapshot, description: str) -> list[str]:
        """Articles matching a free description: by text search, and by their keywords in it.

        A customer's sentence rarely occurs verbatim in an article, so articles whose keywords occur
        in the description count too (keywords are few and short, so this stays cheap).
        """
        current = snapshot.current
        found: dict[str, None] = dict.fromkeys(
            a for a in self._search(snapshot, description, 50) if a in current
        )
        text = normalize(description)
        for article_id in sorted(current):
            if any(normalize(k) in text for k in current[article_id].problem.keywords):
                found[article_id] = None
        return list(found)

    @staticmethod
    def _tallies(
        uow: UnitOfWork, product_id: str | None, symptoms: Sequence[str]
    ) -> tuple[dict[tuple[str, str], FaultTally], bool]:
        def load(product: str) -> dict[tuple[str, str], FaultTally]:
            merged: dict[tuple[str, str], FaultTally] = {}
            for symptom in symptoms:
                try:
                    stats = uow.documents.get(FaultStats, stats_id(product, symptom))
                except NotFound:
                    continue
                for t in stats.tallies:
                    seen = merged.get((t.cause, t.action))
                    merged[(t.cause, t.action)] = (
                        t
                        if seen is None
                        else FaultTally(
                            t.cause,
                            t.action,
                            seen.count + t.count,
                            seen.first_time_fixes + t.first_time_fixes,
                        )
                    )
            return merged

        if product_id is not None:
            own = load(product_id)
            if own:
                return own, False
        return load(ALL_PRODUCTS), product_id is not None

    @staticmethod
    def _articles_for(
        snapshot: KnowledgeSnapshot,
        symptoms: Sequence[str],
        product_id: str | None,
        category: str | None,
        text_hits: Sequence[str],
    ) -> list[str]:
        found: dict[str, None] = dict.fromkeys(text_hits)
        for symptom in symptoms:
            for article_id in sorted(snapshot.by_symptom.get(symptom, ())):
                if snapshot.current[article_id].problem.applies_to(product_id, category):
                    found[article_id] = None
        return list(found)

    # -- learning -------------------------------------------------------------------------------------

    def learn(self, uow: UnitOfWork, ticket: Ticket, now: datetime) -> int:
        """Bring ``ticket``'s contribution to the statistics up to date inside ``uow``.

        A closed ticket adds its fault records; one learnt before and since reopened (or changed) has
        its old contribution taken back first. Returns how many tallies changed (0: nothing to do).
        Call it from a command's apply step to learn in the same transaction as the close.
        """
        new = contributions_of(ticket)
        first_time = first_time_fix(ticket)
        try:
            learning: TicketLearning | None = uow.documents.get(TicketLearning, ticket.id)
        except NotFound:
            learning = None
        if learning is not None and learning.contributions == new and learning.first_time == first_time:
            return 0
        changes: dict[str, list[tuple[FaultContribution, bool, int]]] = {}
        if learning is not None:
            for old in learning.contributions:
                changes.setdefault(stats_id(old.product_id, old.symptom), []).append(
                    (old, learning.first_time, -1)
                )
        for contribution in new:
            changes.setdefault(stats_id(contribution.product_id, contribution.symptom), []).append(
                (contribution, first_time, +1)
            )
        # Every tally read before any is written: a store across a network reads them in one round trip
        # (a write ends what it read ahead; issue 21).
        if len(changes) > 1:
            read_ahead(uow, ReadAhead(documents=tuple((FaultStats, doc_id) for doc_id in changes)))
        read: list[tuple[FaultStats, bool, list[tuple[FaultContribution, bool, int]]]] = []
        for doc_id, items in changes.items():
            first = items[0][0]
            try:
                read.append((uow.documents.get(FaultStats, doc_id), True, items))
            except NotFound:
                read.append((FaultStats.empty(first.product_id, first.symptom), False, items))
        for stats, exists, items in read:
            for contribution, was_first, times in items:
                stats.add(contribution.cause, contribution.action, first_time=was_first, times=times)
            if exists:
                uow.documents.save(stats)
            else:
                uow.documents.add(stats)
        if learning is None:
            uow.documents.add(TicketLearning(ticket.id, now, first_time, new))
        else:
            learning.learned_at, learning.first_time, learning.contributions = now, first_time, new
            uow.documents.save(learning)
        return sum(len(items) for items in changes.values())

    def learn_from(self, actor: Actor, ticket_id: str) -> int:
        """Learn from one ticket (idempotent); returns how many tallies changed."""
        check_role(actor, "learn", ticket_id, KNOWLEDGE_ROLES["learn"])
        return self.runner.write(
            actor, "learn", None, ticket_id, lambda uow, now: self.learn(uow, uow.tickets.get(ticket_id), now)
        )

    def learn_closed(self, actor: Actor, since: datetime | None = None, *, batch: int = 500) -> int:
        """Learn from every ticket closed at or after ``since`` (all closed tickets if ``None``).

        Idempotent: a nightly job may run it over the same window again. Returns tickets learnt.
        Tickets reopened since they were learnt are taken back when they close again.
        """
        check_role(actor, "learn", None, KNOWLEDGE_ROLES["learn"])
        if since is not None:
            require_aware(since, "since")
        learnt = 0
        cursor: str | None = None
        closed = TicketFilter(states=(TicketState.CLOSED.value,))

        def one_page(uow: UnitOfWork, now: datetime) -> tuple[int, str | None]:
            page = uow.tickets.query(closed, PageRequest(batch, cursor, Sort.RECEIVED_ASC))
            done = 0
            for ticket in page.items:
                if since is not None and (ticket.closed_at is None or ticket.closed_at < since):
                    continue
                if self.learn(uow, ticket, now):
                    done += 1
            return done, page.next_cursor

        while True:  # one transaction per page: a long backfill never holds the write lock for long
            done, cursor = self.runner.write(actor, "learn", None, [since, cursor], one_page)
            learnt += done
            if cursor is None:
                return learnt

    # -- remote resolution ----------------------------------------------------------------------------

    def resolve_with_article(
        self,
        actor: Actor,
        ticket_id: str,
        article_id: str,
        *,
        locale: str | None = None,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Resolve a ticket by remote guidance (电话指导) from an approved article.

        The ticket gets a customer-visible note with the article's guidance (in the customer's
        language), then a ``resolve`` event marked remote whose summary names the article and version
        (``knowledge:KB-2026-000001@2``); a :class:`RemoteResolution` document records the same for
        the article's statistics. The article must apply to the ticket's product or category.
        """
        given = None if locale is None else check_locale(locale)

        def apply(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            article = uow.documents.get(Article, article_id)
            current = article.current
            if current is None:
                raise ValidationError(f"article {article_id} has no approved version", field="article_id")
            if not current.problem.applies_to(ticket.product_id, ticket.category.code):
                raise ValidationError(
                    f"article {article_id} is not about this ticket's product or category", field="article_id"
                )
            reader = given
            if reader is None:
                try:
                    reader = uow.customers.get(ticket.customer_id).contact.locale
                except NotFound:
                    reader = "zh_Hans"
            content = current.content(reader)
            if content.guidance.strip():
                ticket.note_to_customer(
                    actor.ref, now, CustomerNote(content.guidance, visible_to_customer=True)
                )
            event = resolve_in(
                self.context,
                actor,
                ticket,
                now,
                summary=f"knowledge:{article.id}@{current.number}",
                remote=True,
                uow=uow,
            )
            uow.documents.add(
                RemoteResolution(
                    f"{ticket.id}:{event.seq}",
                    ticket.id,
                    article.id,
                    current.number,
                    content.locale,
                    actor.ref,
                    now,
                )
            )

        return self.runner.execute(
            actor, "resolve", ticket_id, apply, idempotency_key, request=[article_id, locale]
        )

    def remote_resolutions(self, actor: Actor, article_id: str) -> list[RemoteResolution]:
        """Every remote resolution made with ``article_id`` on a ticket ``actor`` may read.

        Scoped like tickets: a dealer sees only its own tickets' resolutions, never other dealers' ids.
        """
        check_role(actor, "suggest", article_id, KNOWLEDGE_ROLES["suggest"])
        with self.context.store() as uow:
            found = uow.documents.query(RemoteResolution, article_id=article_id)
            return [r for r in found if ticket_id_readable(uow, actor, r.ticket_id)]


def _reader(locale: str | None, actor: Actor) -> str:
    """The locale an article is read in: ``locale`` if given (a malformed one, ``"EN"`` or ``""``, is
    refused, not read as the actor's or the first variant: session 36), else the actor's."""
    return actor.locale if locale is None else check_locale(locale)
