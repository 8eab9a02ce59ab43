# mypy: disable-error-code="arg-type"
"""Session 18: the dealers' obligations and the archives (seed 002 档案管理 / 特约承销商), on three stores.

The monthly report is of a month that is over (每月3号之前将上月…报至售后服务部); the dealer archive
(经销商档案) shows a dealer its own region's calls, callbacks and training — not another dealer's staff;
the maker's spot-checks of a dealer's service (甲方有权对乙方的服务情况进行抽查和指导) are recorded and read
back in the dealer's archive.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.quality_reports import DealerMonthlyReport
from aftersales.domain.spot_checks import DealerSpotCheck, SpotCheckOutcome
from aftersales.domain.training import Attendee, TrainingRecord
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.reports.dealer_monthly import ReportStatus, dealer_monthly
from conftest import SHANGHAI, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _reports(desk: object) -> list[tuple[str, str]]:
    with desk.store() as uow:  # type: ignore[attr-defined]
        return sorted((r.dealer_id, r.month) for r in uow.documents.query(DealerMonthlyReport))


# -- the monthly report is of a month that is over -------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_month_not_over_cannot_be_reported(backend: str, tmp_path: Path) -> None:
    """On 2 March the dealer reports February; March (still running) and April are refused, and nothing is
    stored. At 00:30 on 1 April in Shanghai (16:30 UTC on 31 March) March is over in the desk's zone."""
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, clock, w):
        staff = w.dealer_sh_staff
        for month in ("2026-03", "2026-04", "2027-01"):
            with pytest.raises(ValidationError) as refused:
                desk.reports.submit_dealer_report(staff, w.dealer_sh.id, month, installations=1, repairs=2)
            assert refused.value.field == "month"
        assert _reports(desk) == []
        desk.reports.submit_dealer_report(staff, w.dealer_sh.id, "2026-02", installations=1, repairs=2)
        clock.set(datetime(2026, 3, 31, 16, 30, tzinfo=UTC))
        desk.reports.submit_dealer_report(staff, w.dealer_sh.id, "2026-03", installations=0, repairs=0)
        assert _reports(desk) == [(w.dealer_sh.id, "2026-02"), (w.dealer_sh.id, "2026-03")]


# -- the dealer archive shows a dealer its own staff ------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_dealer_reads_its_own_attendees_of_a_shared_training(backend: str, tmp_path: Path) -> None:
    """A central training (集训) of both dealers' staff is in both archives; each dealer reads the names of
    its own staff who attended, not the other dealer's. The office reads every attendee."""
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, w):
        sh, bj = w.dealer_sh.id, w.dealer_bj.id
        desk.archives.record_training(
            w.manager,
            kind="central",
            held_on=date(2026, 3, 1),
            trainer="售后服务部",
            dealer_ids=[sh, bj],
            topics=["etiquette", "product_knowledge"],
            attendees=[Attendee("小赵", sh), Attendee("老钱", bj)],
        )
        march = {"start": date(2026, 3, 1), "end": date(2026, 4, 1)}
        own = desk.archives.dealer_archive(w.dealer_bj_staff, bj, **march)
        assert own.total.trainings == 1
        assert [a.name for a in own.training[0].attendees] == ["老钱"]
        shanghai = desk.archives.dealer_archive(w.dealer_sh_staff, sh, **march)
        assert [a.name for a in shanghai.training[0].attendees] == ["小赵"]
        office = desk.archives.dealer_archive(w.manager, bj, **march)
        assert [a.name for a in office.training[0].attendees] == ["小赵", "老钱"]


# -- the maker's spot-checks of a dealer's service ----------------------------------------------------------


def _passed_to(desk: object, w: object, dealer_id: str) -> str:
    """A call of the Shanghai customer, passed to ``dealer_id`` (甲方的电话通知)."""
    tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="马桶漏水").ticket.id  # type: ignore[attr-defined]
    desk.triage(w.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)  # type: ignore[attr-defined]
    desk.dispatch(w.agent, tid, dealer_id=dealer_id)  # type: ignore[attr-defined]
    return str(tid)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_spot_check_is_recorded_and_read_back_in_the_dealer_archive(backend: str, tmp_path: Path) -> None:
    """Seed 002 12 (甲方有权对乙方的服务情况进行抽查和指导): the office records a spot-check of the Beijing
    dealer's service — a call passed to it — with its findings and guidance; it is in the dealer's archive,
    which the dealer reads, and counted in its month. The Shanghai dealer reads none of it."""
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, clock, w):
        bj = w.dealer_bj.id
        job = _passed_to(desk, w, bj)
        clock.set(datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI))
        # The same request twice under one key (a retried submission): one spot-check.
        check, again = (
            desk.archives.record_spot_check(
                w.manager,
                bj,
                checked_on=date(2026, 3, 20),
                outcome="needs_improvement",
                findings="上门未出示工作证",
                guidance="重新学习礼仪规范",
                ticket_ids=[job],
                idempotency_key="sc-1",
            )
            for _ in range(2)
        )
        assert again.id == check.id
        march = {"start": date(2026, 3, 1), "end": date(2026, 4, 1)}
        archive = desk.archives.dealer_archive(w.dealer_bj_staff, bj, **march)
        assert [(c.id, c.outcome, c.findings, c.guidance, c.ticket_ids) for c in archive.spot_checks] == [
            (check.id, SpotCheckOutcome.NEEDS_IMPROVEMENT, "上门未出示工作证", "重新学习礼仪规范", (job,))
        ]
        assert archive.spot_checks[0].checked_by == w.manager.ref
        assert (archive.periods[0].spot_checks, archive.total.spot_checks) == (1, 1)
        shanghai = desk.archives.dealer_archive(w.dealer_sh_staff, w.dealer_sh.id, **march)
        assert (shanghai.spot_checks, shanghai.total.spot_checks) == ((), 0)
        april = desk.archives.dealer_archive(w.manager, bj, start=date(2026, 4, 1), end=date(2026, 5, 1))
        assert april.spot_checks == ()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_spot_check_is_the_makers_of_a_dealers_own_jobs_once_made(backend: str, tmp_path: Path) -> None:
    """Dealers do not check themselves; a check is of the dealer's jobs (not another dealer's call), made
    (not dated tomorrow), of a known dealer and ticket, with findings and a known verdict. Nothing is
    stored for a refused one."""
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, w):
        bj = w.dealer_bj.id
        own = _passed_to(desk, w, w.dealer_sh.id)
        good = {"checked_on": date(2026, 3, 2), "outcome": "satisfactory", "findings": "回访记录完整"}
        with pytest.raises(PermissionDenied):
            desk.archives.record_spot_check(w.dealer_bj_staff, bj, **good)
        with pytest.raises(PermissionDenied):
            desk.archives.record_spot_check(w.auditor, bj, **good)
        refused: list[tuple[dict[str, object], str]] = [
            ({"ticket_ids": [own]}, "ticket_ids"),  # the Shanghai dealer's job
            ({"checked_on": date(2026, 3, 3)}, "checked_on"),
            ({"outcome": "excellent"}, "outcome"),
            ({"findings": " "}, "findings"),
            ({"ticket_ids": "SR-1"}, "ticket_ids"),
        ]
        for change, field in refused:
            with pytest.raises(ValidationError) as error:
                desk.archives.record_spot_check(w.manager, bj, **{**good, **change})
            assert error.value.field == field
        with pytest.raises(NotFound):
            desk.archives.record_spot_check(w.manager, "dealer-xx", **good)
        with pytest.raises(NotFound):
            desk.archives.record_spot_check(w.manager, bj, **good, ticket_ids=["SR-2026-999999"])
        yesterday = {**good, "checked_on": date(2026, 3, 1)}
        with pytest.raises(ValidationError) as error:  # the call came in on 2 March
            desk.archives.record_spot_check(w.manager, w.dealer_sh.id, **yesterday, ticket_ids=[own])
        assert error.value.field == "ticket_ids"
        with desk.store() as uow:
            assert uow.documents.query(DealerSpotCheck) == []
        desk.archives.record_spot_check(w.manager, w.dealer_sh.id, **good, ticket_ids=[own])


# -- the end-user archive records every communication with the customer ------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_end_user_archive_records_every_communication_with_its_method(
    backend: str, tmp_path: Path
) -> None:
    """Seeds 003/004 (所有服务记录…均需归档保存; 完整准确记录客户反映的问题): the customer's archive lists the
    request (by its channel), the call that told them the visit time, the visit, a progress note, a failed
    callback attempt and the callback, oldest first. The customer reads the staff's words on the attempt
    ("客户难缠") as nothing, the office reads them; an internal note is no communication with the customer."""
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, clock, w):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="马桶漏水", channel="wechat")
        tid = tid.ticket.id
        desk.triage(w.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        clock.advance(timedelta(minutes=20))
        visit_at = clock.now() + timedelta(hours=3)
        desk.contact_customer(w.agent, tid, channel="phone", note="下午两点上门", expected_at=visit_at)
        desk.note_to_customer(w.agent, tid, text="客户脾气急", visible=False)
        clock.set(visit_at)
        desk.start_work(w.junior, tid)
        desk.add_visit(w.junior, tid, planned_at=visit_at, engineer_id=w.eng_junior.id, arrived_at=visit_at)
        desk.add_fault_record(w.junior, tid, symptom="leak", cause="seal_worn", action="replace_seal")
        clock.advance(timedelta(minutes=30))
        desk.note_to_customer(w.junior, tid, text="已更换密封圈")
        desk.resolve(w.junior, tid)
        desk.confirm(w.customer_zh, tid, note="好了")
        clock.advance(timedelta(hours=2))
        desk.record_callback_attempt(w.agent, tid, note="客户难缠")
        clock.advance(timedelta(hours=2))
        desk.record_callback(w.agent, tid, problem_back=False, satisfaction=5, comment="满意")

        def kinds(actor: object) -> list[tuple[str, str | None, str, bool]]:
            contacts = desk.archives.customer_archive(actor, w.cust_zh.id).contacts
            assert all(c.ticket_id == tid for c in contacts)
            return [(c.kind, c.channel, c.note, c.reached) for c in contacts]

        assert kinds(w.customer_zh) == [
            ("request", "wechat", "", True),
            ("contact", "phone", "下午两点上门", True),
            ("visit", "visit", "", True),
            ("note", "portal", "已更换密封圈", True),  # the customer's progress view (session 35)
            ("callback_attempt", "phone", "", False),
            ("callback", "phone", "满意", True),  # record_callback's channel (phone by default)
        ]
        assert ("callback_attempt", "phone", "客户难缠", False) in kinds(w.manager)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_callback_attempt_records_how_it_was_tried(backend: str, tmp_path: Path) -> None:
    """Seed 001 (沟通记录…包括沟通时间、沟通方式、沟通内容): a failed attempt to reach the customer by WeChat
    is recorded as such, in the ticket's history and the customer's archive; ``planned`` (the maintenance
    job's intake channel) is no way of trying, and refused with nothing recorded."""
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, clock, w):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="马桶漏水").ticket.id
        desk.triage(w.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        desk.start_work(w.junior, tid)
        desk.add_fault_record(w.junior, tid, symptom="leak", cause="seal_worn", action="replace_seal")
        desk.resolve(w.junior, tid)
        desk.confirm(w.customer_zh, tid)
        clock.advance(timedelta(hours=2))
        before = len(desk.ticket(w.manager, tid).events)
        with pytest.raises(ValidationError) as refused:
            desk.record_callback_attempt(w.agent, tid, channel="planned", note="未回复")
        assert refused.value.field == "channel"
        assert len(desk.ticket(w.manager, tid).events) == before
        desk.record_callback_attempt(w.agent, tid, channel="wechat", note="未回复")
        (attempt,) = [e for e in desk.ticket(w.manager, tid).events if e.action == "callback_attempt"]
        assert attempt.payload["channel"] == "wechat"
        contacts = desk.archives.customer_archive(w.manager, w.cust_zh.id).contacts
        assert [(c.kind, c.channel) for c in contacts if c.kind == "callback_attempt"] == [
            ("callback_attempt", "wechat")
        ]


# -- the monthly summary refuses what it cannot use --------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_monthly_summary_refuses_bad_arguments_with_typed_errors(backend: str, tmp_path: Path) -> None:
    """``dealer_monthly`` judges lateness against an instant: a naive or textual ``as_of`` and a clock
    that is none were a TypeError or an AttributeError; ``due_day=True`` meant the 1st and a category
    given as one string matched by substring. Each is a ValidationError naming the argument now."""
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, clock, w):
        queries = reporting_for(desk.store)
        desk.reports.submit_dealer_report(w.manager, w.dealer_sh.id, "2026-02", installations=1, repairs=1)
        bad: list[tuple[dict[str, object], str]] = [
            ({"as_of": datetime(2026, 3, 5)}, "as_of"),
            ({"as_of": "2026-03-05"}, "as_of"),
            ({"clock": "now"}, "clock"),
            ({"as_of": clock.now(), "due_day": True}, "due_day"),
            ({"as_of": clock.now(), "repair_categories": "repair"}, "repair_categories"),
            ({"as_of": clock.now(), "installation_categories": [1]}, "installation_categories"),
        ]
        for kwargs, field in bad:
            with pytest.raises(ValidationError) as refused:
                dealer_monthly(queries, desk.store, "2026-02", **kwargs)  # type: ignore[arg-type]
            assert refused.value.field == field, kwargs
        summary = dealer_monthly(queries, desk.store, "2026-02", clock=clock, repair_categories=["repair"])
        assert {r.dealer_id: r.status for r in summary.rows}[w.dealer_sh.id] is ReportStatus.ON_TIME


# -- a training of a region's staff ------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_regions_training_is_linked_to_the_dealers_serving_it(backend: str, tmp_path: Path) -> None:
    """Seed 002 集训 (某一区域的售后服务人员集中起来进行培训): a training of the Shanghai region's staff
    linked to the Beijing dealer, or with a blank region, was stored as given (the region checked against
    nothing); it is refused, and nothing is stored. The Shanghai dealer's is recorded."""
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, w):
        central = {
            "kind": "central",
            "held_on": date(2026, 3, 1),
            "trainer": "售后服务部",
            "topics": ["etiquette"],
        }
        for dealers, region, field in (
            ([w.dealer_sh.id, w.dealer_bj.id], "SH", "dealer_ids"),
            ([w.dealer_sh.id], " ", "region"),
        ):
            with pytest.raises(ValidationError) as refused:
                desk.archives.record_training(w.manager, dealer_ids=dealers, region=region, **central)
            assert refused.value.field == field
        with desk.store() as uow:
            assert uow.documents.query(TrainingRecord) == []
        record = desk.archives.record_training(w.manager, dealer_ids=[w.dealer_sh.id], region="SH", **central)
        assert record.region == "SH"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_report_filed_on_time_and_corrected_later_stays_on_time_and_keeps_its_first_figures(
    backend: str, tmp_path: Path
) -> None:
    """Seed 002 (每月3号之前将上月…报至售后服务部): the dealer filed February on 2 March and the office
    corrected it on 5 March. The correction used to replace the filing, time and figures: the report
    showed as late and what the dealer first reported was lost to the audit (内部审计)."""
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, clock, w):
        dealer = w.dealer_sh.id
        desk.reports.submit_dealer_report(w.dealer_sh_staff, dealer, "2026-02", installations=4, repairs=7)
        filed = clock.now()
        clock.advance(timedelta(days=3))
        fixed = desk.reports.submit_dealer_report(w.manager, dealer, "2026-02", installations=4, repairs=9)
        assert (fixed.repairs, fixed.filed_at, fixed.submitted_at) == (9, filed, clock.now())
        assert [(c.installations, c.repairs, c.submitted_at) for c in fixed.corrections] == [(4, 7, filed)]
        queries = reporting_for(desk.store)
        summary = dealer_monthly(queries, desk.store, "2026-02", clock=clock)
        row = {r.dealer_id: r for r in summary.rows}[dealer]
        assert row.status is ReportStatus.ON_TIME and row.submitted is not None
        assert (row.submitted.repairs, len(row.submitted.corrections)) == (9, 1)
