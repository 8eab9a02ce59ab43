"""The after-sales knowledge base (售后知识库): common problems and the solutions that fix them.

Seed 001 (七、知识管理) asks for a knowledge base of common problems and their solutions; seed 003 for
sharing the experience of solved cases; seed 002 for recording faults as 故障描述 → 故障原因 → 处理措施.
An :class:`Article` is one problem — for a product or a category, with symptom codes and keywords —
with its causes, the actions that fix it and the guidance a customer can follow by phone (remote
resolution), in up to three language variants. Every change is a new :class:`ArticleVersion` with its
author; a version is used (suggested, shown to customers) only once someone else has approved it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import ClassVar

import attrs

from aftersales.domain.actors import HEADS, ActorRef, Role
from aftersales.domain.call_shape import host_factories
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.text import CODE_PATTERN, bounded, code, required_text
from aftersales.domain.typed_init import refused_typed
from aftersales.domain.work import aware, optional_aware
from aftersales.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError

__all__ = [
    "ARTICLE_APPROVERS",
    "ARTICLE_AUTHORS",
    "LOCALE_FALLBACK",
    "Article",
    "ArticleContent",
    "ArticleProblem",
    "ArticleState",
    "ArticleVersion",
    "RemoteResolution",
]

LOCALES = ("zh_Hans", "zh_Hant", "en")
LOCALE_FALLBACK: dict[str, tuple[str, ...]] = {
    "zh_Hans": ("zh_Hans", "zh_Hant", "en"),
    "zh_Hant": ("zh_Hant", "zh_Hans", "en"),
    "en": ("en", "zh_Hans", "zh_Hant"),
}
"""Which variant a reader of each locale gets when their own is missing."""

ARTICLE_AUTHORS = frozenset(
    {Role.AGENT, Role.ENGINEER, Role.DEALER_STAFF, Role.MANAGER, Role.DEPARTMENT_HEAD, Role.GENERAL_MANAGER}
)
"""Who may write a version: whoever solves problems."""
ARTICLE_APPROVERS = HEADS
"""Who may approve one: the after-sales manager and above."""


class ArticleState(CodedEnum):
    """A version is a draft until approved; an approved version may later be superseded or withdrawn."""

    DRAFT = "draft"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"


def _codes(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    items = tuple(dict.fromkeys(value))
    for item in items:
        if not isinstance(item, str) or not _is_code(item):
            raise ValidationError(f"{item!r} is not a snake_case code", field="codes", rule="snake_code")
    return items


def _is_code(value: str) -> bool:
    return CODE_PATTERN.fullmatch(value) is not None


def _texts(limit: int) -> Callable[[Iterable[str]], tuple[str, ...]]:
    def convert(value: Iterable[str]) -> tuple[str, ...]:
        if isinstance(value, str):
            value = (value,)
        items = tuple(value)
        for item in items:
            if not isinstance(item, str) or not item.strip() or len(item) > limit:
                raise ValidationError(f"each entry is non-blank text of at most {limit} characters")
        return items

    return convert


def _keywords(value: Iterable[str]) -> tuple[str, ...]:
    return _texts(50)(value)


def _lines_of_text(value: Iterable[str]) -> tuple[str, ...]:
    return _texts(500)(value)


def _locale(value: str) -> str:
    if value not in LOCALES:
        raise ValidationError(
            f"unknown locale {value!r}; use one of {', '.join(LOCALES)}",
            field="locale",
            rule="one_of",
            rule_params={"allowed": ", ".join(LOCALES)},
        )
    return value


@refused_typed
@attrs.frozen
class ArticleProblem:
    """What the article is about: a product (or, for any product, a category), symptoms, keywords.

    ``symptoms`` are the fault-record symptom codes (e.g. ``no_flush_water``) that link the article to
    the fault statistics; ``keywords`` are words customers use ("不出水", "漏水") and help the search.
    """

    symptoms: tuple[str, ...] = attrs.field(converter=_codes)
    product_id: str | None = attrs.field(default=None, validator=attrs.validators.optional(required_text(64)))
    category: str | None = attrs.field(default=None, validator=attrs.validators.optional(code))
    keywords: tuple[str, ...] = attrs.field(default=(), converter=_keywords)

    def __attrs_post_init__(self) -> None:
        if not self.symptoms:
            raise ValidationError("an article names at least one symptom code", field="symptoms")
        if self.product_id is None and self.category is None:
            raise ValidationError("an article is about a product or a category", field="product_id")

    def applies_to(self, product_id: str | None, category: str | None = None) -> bool:
        """True when the article fits a ticket of ``product_id`` (or, for category articles, ``category``)."""
        if self.product_id is not None:
            return self.product_id == product_id
        return category is None or self.category == category


@attrs.frozen
class ArticleContent:
    """One language variant: title, the problem as customers describe it, causes, actions, guidance.

    ``guidance`` is what an agent reads to (or sends) the customer to fix the problem remotely.
    """

    locale: str = attrs.field(converter=_locale)
    title: str = attrs.field(validator=required_text(200))
    problem: str = attrs.field(validator=required_text(2000))
    causes: tuple[str, ...] = attrs.field(converter=_lines_of_text)
    actions: tuple[str, ...] = attrs.field(converter=_lines_of_text)
    guidance: str = attrs.field(default="", validator=bounded(4000))

    def texts(self) -> tuple[str, ...]:
        """Every searchable field of this variant."""
        return (self.title, self.problem, *self.causes, *self.actions, self.guidance)


def _contents(value: Iterable[ArticleContent]) -> tuple[ArticleContent, ...]:
    items = tuple(value)
    if not items:
        raise ValidationError("a version has at least one language variant", field="contents")
    if not all(isinstance(c, ArticleContent) for c in items):
        raise ValidationError("contents are ArticleContent values", field="contents")
    seen = [c.locale for c in items]
    if len(set(seen)) != len(seen):
        raise ValidationError("one variant per locale", field="contents")
    return items


@attrs.frozen
class ArticleVersion:
    """One version of an article: the problem, its variants, the coded causes/actions, who and when.

    ``cause_codes`` / ``action_codes`` are the fault-record codes this article explains, so that
    suggestions computed from the ledger can point to it.
    """

    number: int
    problem: ArticleProblem
    contents: tuple[ArticleContent, ...] = attrs.field(converter=_contents)
    written_by: ActorRef
    written_at: datetime = attrs.field(validator=aware)
    cause_codes: tuple[str, ...] = attrs.field(default=(), converter=_codes)
    action_codes: tuple[str, ...] = attrs.field(default=(), converter=_codes)
    change_note: str = attrs.field(default="", validator=bounded(500))
    state: ArticleState = attrs.field(default=ArticleState.DRAFT, converter=ArticleState)
    approved_by: ActorRef | None = None
    approved_at: datetime | None = attrs.field(default=None, validator=optional_aware)

    def content(self, locale: str) -> ArticleContent:
        """The variant for ``locale``, or the nearest one (see :data:`LOCALE_FALLBACK`)."""
        by_locale = {c.locale: c for c in self.contents}
        for candidate in LOCALE_FALLBACK.get(locale, LOCALES):
            if candidate in by_locale:
                return by_locale[candidate]
        return self.contents[0]

    def texts(self) -> tuple[str, ...]:
        """Every searchable text of this version: keywords and every variant's fields."""
        out: list[str] = list(self.problem.keywords)
        for content in self.contents:
            out.extend(content.texts())
        return tuple(out)


@host_factories
@attrs.define
class Article:
    """A knowledge-base article and all its versions (none is ever deleted).

    The *current* version is the latest approved one; newer drafts wait for approval. An approver
    may not approve their own version (four eyes), so what customers are told is checked by someone
    other than who wrote it.
    """

    DOCUMENT_KIND: ClassVar[str] = "knowledge_article"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("product_id", "category")

    id: str = attrs.field(validator=required_text(64))
    versions: list[ArticleVersion] = attrs.field(factory=list)
    product_id: str | None = None
    category: str | None = None
    version: int = 0

    @classmethod
    def draft(
        cls,
        id: str,
        problem: ArticleProblem,
        contents: Iterable[ArticleContent],
        by: ActorRef,
        at: datetime,
        *,
        cause_codes: Iterable[str] = (),
        action_codes: Iterable[str] = (),
    ) -> Article:
        """A new article with its first (draft) version."""
        article = cls(id)
        article.write(problem, contents, by, at, cause_codes=cause_codes, action_codes=action_codes)
        return article

    def write(
        self,
        problem: ArticleProblem,
        contents: Iterable[ArticleContent],
        by: ActorRef,
        at: datetime,
        *,
        cause_codes: Iterable[str] = (),
        action_codes: Iterable[str] = (),
        change_note: str = "",
    ) -> ArticleVersion:
        """Add a new draft version written by ``by``. Earlier versions stay as they were."""
        if by.role not in ARTICLE_AUTHORS:
            raise PermissionDenied(str(by), "write_article", self.id)
        if not isinstance(problem, ArticleProblem):
            raise ValidationError("problem must be an ArticleProblem", field="problem")
        if self.versions and at < self.versions[-1].written_at:
            raise ValidationError("a new version cannot predate the previous one", field="at")
        version = ArticleVersion(
            len(self.versions) + 1,
            problem,
            tuple(contents),
            by,
            at,
            tuple(cause_codes),
            tuple(action_codes),
            change_note,
        )
        self.versions.append(version)
        self.product_id = problem.product_id
        self.category = problem.category
        return version

    def get(self, number: int) -> ArticleVersion:
        """Version ``number`` (1-based); ``NotFound`` otherwise."""
        if not isinstance(number, int) or not 1 <= number <= len(self.versions):
            raise NotFound("article version", f"{self.id}@{number}")
        return self.versions[number - 1]

    def approve(self, number: int, by: ActorRef, at: datetime) -> ArticleVersion:
        """Approve draft ``number``; it becomes current and earlier approved versions are superseded."""
        version = self.get(number)
        if by.role not in ARTICLE_APPROVERS:
            raise PermissionDenied(str(by), "approve_article", self.id)
        if version.state is not ArticleState.DRAFT:
            raise InvalidTransition("knowledge_article", version.state.value, "approve", record_id=self.id)
        if by == version.written_by:
            raise PermissionDenied(str(by), "approve_article", self.id, rule="own_article_version")
        if at < version.written_at:
            raise ValidationError("approval cannot predate the version", field="at")
        approved = attrs.evolve(version, state=ArticleState.APPROVED, approved_by=by, approved_at=at)
        self.versions[number - 1] = approved
        return approved

    def withdraw(self, by: ActorRef, at: datetime) -> ArticleVersion:
        """Withdraw the current version (wrong advice); the article has none until one is re-approved."""
        current = self.current
        if current is None:
            raise InvalidTransition(
                "knowledge_article", self.latest.state.value, "withdraw", record_id=self.id
            )
        if by.role not in ARTICLE_APPROVERS:
            raise PermissionDenied(str(by), "withdraw_article", self.id)
        withdrawn = attrs.evolve(current, state=ArticleState.WITHDRAWN)
        self.versions[current.number - 1] = withdrawn
        return withdrawn

    @property
    def current(self) -> ArticleVersion | None:
        """The newest approved version (``None`` while nothing is approved)."""
        approved = [v for v in self.versions if v.state is ArticleState.APPROVED]
        if not approved:
            return None
        newest = max(approved, key=lambda v: v.number)
        withdrawn_later = any(
            v.state is ArticleState.WITHDRAWN and v.number > newest.number for v in self.versions
        )
        return None if withdrawn_later else newest

    @property
    def latest(self) -> ArticleVersion:
        """The newest version, whatever its state."""
        return self.versions[-1]


@attrs.frozen
class RemoteResolution:
    """A ticket resolved by remote guidance from an article (which version, who, when).

    Kept beside the ticket's own ``resolve`` event so the knowledge base can tell how often each
    article solved a problem without a visit.
    """

    DOCUMENT_KIND: ClassVar[str] = "remote_resolution"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("ticket_id", "article_id")

    id: str = attrs.field(validator=required_text(100))
    ticket_id: str = attrs.field(validator=required_text(64))
    article_id: str = attrs.field(validator=required_text(64))
    article_version: int
    locale: str = attrs.field(converter=_locale)
    resolved_by: ActorRef
    resolved_at: datetime = attrs.field(validator=aware)
    version: int = 0
