"""Periodic satisfaction survey campaigns (定期開展客戶滿意度調查, seed 000), beside per-ticket callbacks.

A campaign samples customers by rules (product, region, tier, served recently, not surveyed within N
days), gives each sampled customer a survey task (for an agent to call, or a link for the host's
portal), and records the RATER answers of seed 002. Sampling is deterministic for a campaign: the same
candidates and the same campaign id pick the same customers, so a rerun after a crash picks no one new.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any, ClassVar

import attrs

from aftersales.domain.actors import ActorRef
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.ids import CustomerId
from aftersales.domain.surveys import SatisfactionSurvey
from aftersales.domain.text import required_text
from aftersales.domain.validation import YEAR_RANGE, check_text
from aftersales.domain.work import aware, optional_aware
from aftersales.errors import InvalidTransition, ValidationError, shown_repr

__all__ = [
    "FROM_PACK",
    "CampaignChannel",
    "CampaignState",
    "Candidate",
    "FromPack",
    "SamplingRules",
    "SurveyCampaign",
    "SurveyTask",
    "SurveyTaskState",
    "checked_period",
    "eligible",
    "notice_key_head",
    "sample",
]


_PERIOD = re.compile(r"([0-9]{4})(-Q[1-4]|-(0[1-9]|1[0-2]))?")
"""A year, a quarter or a month, in ASCII digits (``2026``, ``2026-Q4``, ``2026-03``)."""


def checked_period(value: object) -> str:
    """``value`` if it names a period a campaign surveys (a year ``2026``, a quarter ``2026-Q4`` or a month
    ``2026-03``, the year within :data:`~aftersales.domain.validation.YEAR_RANGE`), else a
    ``ValidationError`` naming ``period``. Free text took zero-width characters, ``2026-Q5`` and
    ``0001-Q1`` (session 37). Checked when a campaign starts: one stored before reads back as it was."""
    found = _PERIOD.fullmatch(value) if isinstance(value, str) else None
    if found is None or not YEAR_RANGE[0] <= int(found.group(1)) <= YEAR_RANGE[1]:
        raise ValidationError(
            f"period is a year (2026), a quarter (2026-Q4) or a month (2026-03) from {YEAR_RANGE[0]} to "
            f"{YEAR_RANGE[1]}, got {shown_repr(value)}",
            field="period",
            rule="survey_period",
        )
    return found.group(0)


class CampaignChannel(CodedEnum):
    """How the survey reaches the customer: an agent's call, or a message with a link to the host's portal."""

    CALL = "call"
    LINK = "link"


def _codes(values: object) -> frozenset[str]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ValidationError("a rule lists codes", field="rules")
    # A member of the library's enums (``CustomerTier.VIP``) is its code, as priorities are taken: kept
    # as the plain code, so the stored rules and their fingerprint are the same either way.
    items = frozenset(item.value if isinstance(item, CodedEnum) else item for item in values)
    for item in items:
        if type(item) is not str or not item or len(item) > 64:
            raise ValidationError("a rule lists codes of at most 64 characters", field="rules")
    return items


class FromPack(Enum):
    """The value of a sampling rule the host left unset: the pack's ``[survey_campaign]`` value fills it."""

    PACK = "pack"

    def __repr__(self) -> str:
        return "FROM_PACK"


FROM_PACK = FromPack.PACK
"""Unset: the pack decides (``SamplingRules(regions={"SH"})`` samples the pack's number of customers)."""


def _days(low: int, high: int) -> Any:
    def check(instance: object, attribute: attrs.Attribute[object], value: object) -> None:
        if value is FROM_PACK or (value is None and attribute.name == "served_within_days"):
            return
        if type(value) is not int or not low <= value <= high:
            raise ValidationError(
                f"{attribute.name} is a whole number from {low} to {high}",
                field=attribute.name,
                rule="whole_number",
                rule_params={"least": low, "most": high},
            )

    return check


@attrs.frozen
class SamplingRules:
    """Who may be sampled. Empty sets mean "any"; ``served_within_days`` needs a service in that window.

    The three numbers the pack's ``[survey_campaign]`` section sets (``sample_size``,
    ``exclude_surveyed_days``, ``served_within_days``) default to :data:`FROM_PACK`: a field the host
    does not set takes the pack's value when the campaign starts (:meth:`filled`), a field it sets wins.
    So ``SamplingRules(regions={"SH"})`` samples the pack's 200, not some number of this class's own.
    ``served_within_days=None`` set explicitly means "served or not, anyone".
    """

    products: frozenset[str] = attrs.field(factory=frozenset, converter=_codes)
    regions: frozenset[str] = attrs.field(factory=frozenset, converter=_codes)
    tiers: frozenset[str] = attrs.field(factory=frozenset, converter=_codes)
    served_within_days: int | FromPack | None = attrs.field(default=FROM_PACK, validator=_days(1, 3660))
    exclude_surveyed_days: int | FromPack = attrs.field(default=FROM_PACK, validator=_days(0, 3660))
    sample_size: int | FromPack = attrs.field(default=FROM_PACK, validator=_days(1, 1_000_000))

    def filled(
        self, *, sample_size: int, exclude_surveyed_days: int, served_within_days: int | None
    ) -> SamplingRules:
        """These rules with every field left :data:`FROM_PACK` given the value passed (the pack's)."""
        return attrs.evolve(
            self,
            sample_size=sample_size if self.sample_size is FROM_PACK else self.sample_size,
            exclude_surveyed_days=(
                exclude_surveyed_days
                if self.exclude_surveyed_days is FROM_PACK
                else self.exclude_surveyed_days
            ),
            served_within_days=(
                served_within_days if self.served_within_days is FROM_PACK else self.served_within_days
            ),
        )

    def check_filled(self) -> None:
        """Refuse rules with a field still :data:`FROM_PACK` (``ValidationError`` naming it)."""
        for name in ("served_within_days", "exclude_surveyed_days", "sample_size"):
            if getattr(self, name) is FROM_PACK:
                raise _unfilled(name)

    @property
    def served_window(self) -> int | None:
        """``served_within_days`` once filled (``None``: no service needed)."""
        value = self.served_within_days
        if value is FROM_PACK:
            raise _unfilled("served_within_days")
        return value

    @property
    def exclusion_days(self) -> int:
        """``exclude_surveyed_days`` once filled."""
        value = self.exclude_surveyed_days
        if isinstance(value, FromPack):
            raise _unfilled("exclude_surveyed_days")
        return value

    @property
    def size(self) -> int:
        """``sample_size`` once filled."""
        value = self.sample_size
        if isinstance(value, FromPack):
            raise _unfilled("sample_size")
        return value


def _unfilled(name: str) -> ValidationError:
    return ValidationError(
        f"{name} is unset: fill the rules from the pack first (SamplingRules.filled)", field=name
    )


class CampaignState(CodedEnum):
    """A campaign is open (tasks may be answered) until closed."""

    OPEN = "open"
    CLOSED = "closed"


def _title(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """One line of at most 200 characters by the shared text rule (``check_text``): the desk's argument
    check refused a NUL, a control character or a line break, but the record built directly or read back by
    ``aftersales.json.from_json`` took them (session 39), and the title goes into every invitation sent."""
    check_text(value, attribute.name, multiline=False, limit=200)


def _comment(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The customer's comment by the same rule, lines allowed (it is quoted in the manager's notice)."""
    check_text(value, attribute.name, multiline=True, limit=2000)


@attrs.define
class SurveyCampaign:
    """One periodic survey campaign (e.g. the fourth quarter of 2026) and how many it sampled."""

    DOCUMENT_KIND: ClassVar[str] = "survey_campaign"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("period", "state")

    id: str = attrs.field(validator=required_text(64))
    period: str = attrs.field(validator=required_text(32))
    """The period surveyed: a year, a quarter or a month (``2026-Q4``; :func:`checked_period`)."""
    rules: SamplingRules
    channel: CampaignChannel
    started_at: datetime = attrs.field(validator=aware)
    started_by: ActorRef
    title: str = attrs.field(default="", validator=_title)
    state: CampaignState = CampaignState.OPEN
    sampled: int = 0
    closed_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    closed_by: ActorRef | None = None
    version: int = 0

    def close(self, at: datetime, by: ActorRef) -> None:
        """Close the campaign: its results are final, no task of it is answered any more."""
        if self.state is not CampaignState.OPEN:
            raise InvalidTransition("survey_campaign", self.state.value, "close_campaign", record_id=self.id)
        self.state = CampaignState.CLOSED
        self.closed_at = at
        self.closed_by = by


class SurveyTaskState(CodedEnum):
    """A survey task waits for the customer's answers, or is declined (could not reach, refused)."""

    PENDING = "pending"
    ANSWERED = "answered"
    DECLINED = "declined"


def notice_key_head(task_id: str) -> str:
    """The head of the keys of the messages about survey task ``task_id`` (the manager's low-score
    notice quotes the customer's comment).

    Why one place: the notice names the task, not the customer, so an erasure of the customer finds
    the messages quoting their comment by this head (the keys read ``survey:<task id>:…``)."""
    return f"survey:{task_id}"


@attrs.define
class SurveyTask:
    """One sampled customer's survey in a campaign, with the answers once given."""

    DOCUMENT_KIND: ClassVar[str] = "survey_task"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("campaign_id", "customer_id", "state", "region")

    id: str = attrs.field(validator=required_text(100))
    campaign_id: str
    customer_id: CustomerId
    region: str | None
    created_at: datetime = attrs.field(validator=aware)
    state: SurveyTaskState = SurveyTaskState.PENDING
    answers: SatisfactionSurvey | None = None
    comment: str = attrs.field(default="", validator=_comment)
    answered_at: datetime | None = attrs.field(default=None, validator=optional_aware)
    answered_by: ActorRef | None = None
    version: int = 0

    def answer(self, survey: SatisfactionSurvey, comment: str, at: datetime, by: ActorRef) -> None:
        """Record the customer's scores (RATER + overall) and their evaluation of the service attitude.

        A campaign is a satisfaction survey (seed 000: 定期开展客户满意度调查), made by phone or by an online
        questionnaire like the callback's; seed 001 三(七)2 says what such a survey asks —
        调查内容包括客户对问题处理结果的满意度、对售后团队服务态度的评价等 — so an answer without
        ``survey.attitude`` is half of it, as at a callback owing the survey: ``ValidationError`` naming
        ``attitude``, nothing changes.
        """
        if self.state is not SurveyTaskState.PENDING:
            raise InvalidTransition("survey_task", self.state.value, "answer_survey", record_id=self.id)
        if not isinstance(survey, SatisfactionSurvey):
            raise ValidationError("answers are a SatisfactionSurvey", field="answers")
        if survey.attitude is None:
            raise ValidationError(
                "a satisfaction survey asks the customer to evaluate the service team's attitude (seed "
                "001: 对售后团队服务态度的评价) beside the result: give the survey's attitude (1-5)",
                field="attitude",
            )
        self.answers = survey
        self.comment = comment
        self.answered_at = at
        self.answered_by = by
        self.state = SurveyTaskState.ANSWERED

    def decline(self, at: datetime, by: ActorRef, reason: str) -> None:
        """The customer could not be reached or did not want to answer."""
        if self.state is not SurveyTaskState.PENDING:
            raise InvalidTransition("survey_task", self.state.value, "decline_survey", record_id=self.id)
        self.comment = reason
        self.answered_at = at
        self.answered_by = by
        self.state = SurveyTaskState.DECLINED


@attrs.frozen
class Candidate:
    """A customer the sampler may pick, with what the rules look at."""

    customer_id: str
    region: str | None
    tier: str
    products: frozenset[str]
    last_served: date | None
    last_surveyed: date | None


def eligible(rules: SamplingRules, candidate: Candidate, today: date) -> bool:
    """Whether ``candidate`` passes every rule on ``today``."""
    if rules.regions and candidate.region not in rules.regions:
        return False
    if rules.tiers and candidate.tier not in rules.tiers:
        return False
    if rules.products and not rules.products & candidate.products:
        return False
    window = rules.served_window
    if window is not None and (
        candidate.last_served is None or (today - candidate.last_served).days > window
    ):
        return False
    return not (
        candidate.last_surveyed is not None and (today - candidate.last_surveyed).days < rules.exclusion_days
    )


def sample(
    campaign_id: str, rules: SamplingRules, candidates: Iterable[Candidate], today: date
) -> list[Candidate]:
    """The eligible candidates, at most ``sample_size``, picked by a hash of campaign and customer.

    A hash rather than a random draw: reproducible (a rerun picks the same people) and unbiased by the
    order in which the store lists customers.
    """

    def rank(c: Candidate) -> bytes:
        return hashlib.blake2b(f"{campaign_id}\x00{c.customer_id}".encode(), digest_size=8).digest()

    rules.check_filled()  # unfilled rules are refused before any candidate is read
    pool = [c for c in candidates if eligible(rules, c, today)]
    pool.sort(key=rank)
    return pool[: rules.size]
