# mypy: disable-error-code="arg-type"
"""Seeds 000 and 001 (人员绩效考核, 激励与约束; 售后培训): the after-sales manager appraises the company's
own staff once a month, the result sets the bonus; trainings are recorded with who attended — through
the service desk, on memory, SQLite and PostgreSQL.

Seed 001 六(三): 售后团队成员的考核由售后经理负责, 每月进行一次考核评估; 考核结果与绩效奖金挂钩 … 对于考核
成绩优秀的员工, 给予表彰和奖励; 对于考核成绩不合格的员工, 进行批评教育. Seed 000: 定期对售后维护人员的工作
进行绩效考核, 考核结果与薪酬、晋升等挂钩.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId, EngineerId
from aftersales.domain.parties import Customer, Dealer, Engineer
from aftersales.domain.staff_records import AppraisalRating, MeasureKind, StaffKind, Trainee
from aftersales.domain.training import TrainingTopic
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import store_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH_END = datetime(2026, 3, 31, 23, 30, tzinfo=SHANGHAI)
"""The last half hour of March in Shanghai (15:30 UTC): the month's appraisal is due."""
MANAGER = Actor.manager("mgr-1", "售后经理")
HEAD = Actor.department_head("head-1")
BACKENDS = ["memory", "sqlite", "postgres"]


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock]]:
    clock = ManualClock(MONTH_END)
    with (
        store_url(backend, tmp_path, "staff.db") as url,
        ServiceDesk.open(url, pack="exhibition_services", clock=clock) as desk,
    ):
        desk.register_dealer(
            MANAGER,
            Dealer(
                DealerId("d1"), "特约服务商", "SH", frozenset({"SH"}), Contact("陈店长", phone="13900000001")
            ),
        )
        desk.register_engineer(MANAGER, Engineer(EngineerId("e1"), "赵工"))
        desk.register_engineer(
            MANAGER, Engineer(EngineerId("e-dealer"), "服务商师傅", dealer_id=DealerId("d1"))
        )
        yield desk, clock


def _appraisals(desk: ServiceDesk, staff_id: str) -> list[tuple[str, AppraisalRating]]:
    try:
        record = desk.staff_records.staff_record(HEAD, staff_id)
    except NotFound:
        return []
    return [(a.month, a.rating) for a in record.appraisals]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_month_is_appraised_once_it_has_begun_on_the_desks_calendar(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as (desk, clock):
        staff = desk.staff_records
        staff.appraise(MANAGER, "e1", "2026-03", kind=StaffKind.ENGINEER, score=92)
        # April has not begun in Shanghai (it has not in UTC either): no work to appraise yet.
        with pytest.raises(ValidationError) as refused:
            staff.appraise(MANAGER, "e1", "2026-04", kind=StaffKind.ENGINEER, score=60)
        assert refused.value.field == "month"
        assert _appraisals(desk, "e1") == [("2026-03", AppraisalRating.EXCELLENT)]
        # Ten minutes past midnight in Shanghai, still 31 March in UTC: April has begun for the books.
        clock.set(datetime(2026, 4, 1, 0, 10, tzinfo=SHANGHAI))
        staff.appraise(MANAGER, "e1", "2026-04", kind=StaffKind.ENGINEER, score=58)
        assert _appraisals(desk, "e1") == [
            ("2026-03", AppraisalRating.EXCELLENT),
            ("2026-04", AppraisalRating.UNQUALIFIED),
        ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_only_the_after_sales_manager_appraises_the_team_once_a_month(backend: str, tmp_path: Path) -> None:
    # 六(三) 1: 售后团队成员的考核由售后经理负责, 每月进行一次考核评估. The pack's [staff] appraisers are the
    # managers: a general manager or a department head (roles seed 001's team does not have) is refused,
    # and so are the incentives and sanctions that follow the appraisal (六(三) 2); nothing is written.
    with _desk(backend, tmp_path) as (desk, _clock):
        staff = desk.staff_records
        for head in (HEAD, Actor.general_manager("gm-1")):
            with pytest.raises(PermissionDenied):
                staff.appraise(head, "e1", "2026-03", kind=StaffKind.ENGINEER, score=90)
            with pytest.raises(PermissionDenied):
                staff.record_measure(
                    head, "e1", kind=StaffKind.ENGINEER, measure=MeasureKind.REWARD, reason="考核优秀"
                )
        assert _appraisals(desk, "e1") == []
        # Once a month: the month's appraisal again corrects it, never a second one for the month.
        staff.appraise(MANAGER, "e1", "2026-03", kind=StaffKind.ENGINEER, score=92)
        staff.appraise(MANAGER, "e1", "2026-03", kind=StaffKind.ENGINEER, score=75)
        assert _appraisals(desk, "e1") == [("2026-03", AppraisalRating.GOOD)]
        staff.record_measure(
            MANAGER, "e1", kind=StaffKind.ENGINEER, measure=MeasureKind.REWARD, reason="考核优秀"
        )


@pytest.mark.parametrize("backend", BACKENDS)
def test_nobody_appraises_themselves_and_a_rating_against_the_score_says_why(
    backend: str, tmp_path: Path
) -> None:
    # The rating sets the bonus (表彰和奖励 / 批评教育): the manager's own score, or an "excellent" over a
    # failing score without a word, would set a bonus nobody can account for.
    with _desk(backend, tmp_path) as (desk, _clock):
        staff = desk.staff_records
        with pytest.raises(PermissionDenied):
            staff.appraise(MANAGER, "mgr-1", "2026-03", kind=StaffKind.AGENT, score=100)
        engineer_head = Actor.engineer("e1")
        with pytest.raises(PermissionDenied):  # engineers do not appraise, themselves least of all
            staff.appraise(engineer_head, "e1", "2026-03", kind=StaffKind.ENGINEER, score=100)
        with pytest.raises(ValidationError) as refused:
            staff.appraise(
                MANAGER, "a7", "2026-03", kind=StaffKind.AGENT, score=45, rating=AppraisalRating.EXCELLENT
            )
        assert refused.value.field == "note"
        assert _appraisals(desk, "mgr-1") == [] and _appraisals(desk, "a7") == []
        # The manager's own month is the 上级's (售后经理…定期向上级汇报: the pack's [staff]
        # manager_appraisers, the general manager; session 27); a rating against the score stands with its
        # reason.
        staff.appraise(Actor.general_manager("gm-1"), "mgr-1", "2026-03", kind=StaffKind.MANAGER, score=88)
        kept = staff.appraise(
            MANAGER, "a7", "2026-03", kind=StaffKind.AGENT, score=45, rating=AppraisalRating.QUALIFIED,
            note="本月两周病假，按出勤折算",
        )  # fmt: skip
        assert kept.rating is AppraisalRating.QUALIFIED and kept.score == 45
        same = staff.appraise(MANAGER, "a7", "2026-03", kind=StaffKind.AGENT, score=45)  # correction
        assert same.rating is AppraisalRating.UNQUALIFIED
        assert _appraisals(desk, "mgr-1") == [("2026-03", AppraisalRating.GOOD)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_dealers_engineer_and_a_training_not_yet_held_are_refused(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as (desk, _clock):
        staff = desk.staff_records
        with pytest.raises(ValidationError) as refused:
            staff.appraise(MANAGER, "e-dealer", "2026-03", kind=StaffKind.ENGINEER, score=80)
        assert refused.value.field == "staff_id"
        own, dealers = Trainee("e1", StaffKind.ENGINEER, 90), Trainee("e-dealer", StaffKind.ENGINEER, 70)
        with pytest.raises(ValidationError) as refused:
            staff.record_staff_training(
                MANAGER, held_on=date(2026, 3, 30), trainer="李老师", topics=[TrainingTopic.ETIQUETTE],
                trainees=[own, dealers],
            )  # fmt: skip
        assert refused.value.field == "trainees"
        with pytest.raises(ValidationError) as refused:
            staff.record_staff_training(
                MANAGER, held_on=date(2026, 4, 1), trainer="李老师", topics=[TrainingTopic.ETIQUETTE],
                trainees=[own],
            )  # fmt: skip
        assert refused.value.field == "held_on"
        assert _appraisals(desk, "e-dealer") == []
        with pytest.raises(NotFound):
            staff.staff_record(HEAD, "e1")  # nothing recorded by the refused commands
        held = staff.record_staff_training(
            MANAGER, held_on=date(2026, 3, 31), trainer="李老师", topics=[TrainingTopic.ETIQUETTE],
            trainees=[own],
        )  # fmt: skip
        assert staff.staff_record(Actor.engineer("e1"), "e1").trainings == (held,)


@pytest.mark.parametrize("backend", BACKENDS)
def test_incentives_and_sanctions_are_recorded_with_their_reason_and_the_complaint_behind_them(
    backend: str, tmp_path: Path
) -> None:
    # Seed 000 人员激励与约束: 对表现优秀的…给予表彰、奖励; 对违反…服务规范的…进行批评教育和相应的处罚.
    # Seed 001 四(二): 服务人员态度不好 … 对相关服务人员进行批评教育 — the sanction names the complaint.
    from aftersales.domain.money import Money

    with _desk(backend, tmp_path) as (desk, _clock):
        staff = desk.staff_records
        desk.register_customer(
            MANAGER, Customer(CustomerId("c1"), "张三", Contact("张三", phone="13800000000"))
        )
        complaint = desk.complaints.open_complaint(Actor.agent("a1"), "c1", "赵工上门态度恶劣").ticket.id
        service = desk.open_ticket(Actor.agent("a1"), customer_id="c1", description="展位灯不亮").ticket.id
        fined = staff.record_measure(
            MANAGER, "e1", kind=StaffKind.ENGINEER, measure=MeasureKind.PENALTY, reason="上门服务态度恶劣",
            amount=Money("200", "CNY"), complaint_id=complaint,
        )  # fmt: skip
        assert (fined.decided_on, fined.complaint_id, fined.decided_by) == (
            date(2026, 3, 31),
            complaint,
            MANAGER.ref,
        )
        praised = staff.record_measure(
            MANAGER, "a7", kind=StaffKind.AGENT, measure=MeasureKind.COMMENDATION, reason="本月满意度第一"
        )
        assert praised.measure.incentive and not fined.measure.incentive
        refusals: list[tuple[Actor, dict[str, object], type[Exception], str | None]] = [
            (MANAGER, {"staff_id": "mgr-1", "measure": MeasureKind.REWARD}, PermissionDenied, None),
            (Actor.engineer("e2"), {"measure": MeasureKind.PENALTY}, PermissionDenied, None),
            (MANAGER, {"reason": " "}, ValidationError, "reason"),
            (
                MANAGER,
                {"measure": MeasureKind.CRITICISM, "amount": Money("50", "CNY")},
                ValidationError,
                "amount",
            ),
            (MANAGER, {"amount": Money("0", "CNY")}, ValidationError, "amount"),
            (MANAGER, {"measure": "sack"}, ValidationError, "measure"),
            (MANAGER, {"staff_id": "e-dealer"}, ValidationError, "staff_id"),
            (MANAGER, {"complaint_id": service}, NotFound, None),  # a service ticket is not a complaint
            (MANAGER, {"complaint_id": "SR-9999-999999"}, NotFound, None),
        ]
        for actor, changed, error, field in refusals:
            args: dict[str, object] = {
                "staff_id": "e1", "kind": StaffKind.ENGINEER, "measure": MeasureKind.PENALTY,
                "reason": "迟到", **changed,
            }  # fmt: skip
            with pytest.raises(error) as refused:
                staff.record_measure(actor, **args)  # type: ignore[arg-type]
            if field is not None:
                assert refused.value.field == field  # type: ignore[attr-defined]
        record = staff.staff_record(Actor.engineer("e1"), "e1")  # their own: the sanction is theirs to read
        assert [(m.measure, m.amount) for m in record.measures] == [
            (MeasureKind.PENALTY, Money("200", "CNY"))
        ]
        with pytest.raises(NotFound):
            staff.staff_record(Actor.engineer("e1"), "a7")
        assert [m.measure for m in staff.staff_record(HEAD, "a7").measures] == [MeasureKind.COMMENDATION]
        again = staff.record_measure(
            MANAGER, "a7", kind=StaffKind.AGENT, measure=MeasureKind.REWARD, reason="季度之星",
            amount=Money("500", "CNY"), idempotency_key="reward-a7-q1",
        )  # fmt: skip
        replay = staff.record_measure(
            MANAGER, "a7", kind=StaffKind.AGENT, measure=MeasureKind.REWARD, reason="季度之星",
            amount=Money("500", "CNY"), idempotency_key="reward-a7-q1",
        )  # fmt: skip
        assert replay.id == again.id and len(staff.staff_record(HEAD, "a7").measures) == 2


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_dealers_training_is_recorded_once_held(backend: str, tmp_path: Path) -> None:
    # The dealer archive counts trainings received per month: a training dated after today (in Shanghai)
    # is refused rather than shown as received.
    from aftersales.domain.training import TrainingKind

    with _desk(backend, tmp_path) as (desk, clock):
        archives = desk.archives
        with pytest.raises(ValidationError) as refused:
            archives.record_training(
                MANAGER, kind=TrainingKind.ON_SITE, held_on=date(2026, 4, 1), trainer="李老师",
                dealer_ids=["d1"], topics=[TrainingTopic.ETIQUETTE],
            )  # fmt: skip
        assert refused.value.field == "held_on"
        archive = archives.dealer_archive(MANAGER, "d1", start=date(2026, 3, 1), end=date(2026, 5, 1))
        assert archive.total.trainings == 0
        clock.set(datetime(2026, 4, 1, 0, 5, tzinfo=SHANGHAI))  # 1 April has begun in Shanghai
        held = archives.record_training(
            MANAGER, kind=TrainingKind.ON_SITE, held_on=date(2026, 4, 1), trainer="李老师",
            dealer_ids=["d1"], topics=[TrainingTopic.ETIQUETTE],
        )  # fmt: skip
        assert held.held_on == date(2026, 4, 1)
        archive = archives.dealer_archive(MANAGER, "d1", start=date(2026, 3, 1), end=date(2026, 5, 1))
        assert archive.total.trainings == 1


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_nobody_records_their_own_test_score(backend: str, tmp_path: Path) -> None:
    # The training's test (seed 003 并进行考核) feeds the appraisal: an agent may record a training it
    # attended, not the score it got.
    with _desk(backend, tmp_path) as (desk, _clock):
        staff = desk.staff_records
        agent = Actor.agent("a7")
        with pytest.raises(PermissionDenied):
            staff.record_staff_training(
                agent, held_on=date(2026, 3, 30), trainer="李老师", topics=[TrainingTopic.ETIQUETTE],
                trainees=[Trainee("a7", StaffKind.AGENT, 100), Trainee("a8", StaffKind.AGENT, 70)],
            )  # fmt: skip
        with pytest.raises(NotFound):
            staff.staff_record(HEAD, "a8")
        held = staff.record_staff_training(
            agent, held_on=date(2026, 3, 30), trainer="李老师", topics=[TrainingTopic.ETIQUETTE],
            trainees=[Trainee("a7", StaffKind.AGENT), Trainee("a8", StaffKind.AGENT, 70)],
        )  # fmt: skip
        assert [t.score for t in held.trainees] == [None, 70]
