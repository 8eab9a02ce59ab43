"""Session 39 (u, peer seams): a books-zone move keeps a given-back cost in the month it was given back
to, on memory, SQLite and PostgreSQL.

Seed 000 费用核算 (session 39 k): a free repair's work counts as cost in the month it was accepted; a later
quote's slip takes that count back in the slip's month (``free_work_on_slip``) and, cancelled, gives it
back in that same month (``free_work_given`` naming the slip), so the month holds neither. The books'
zone moved (:meth:`ServiceDesk.move_books_zone`, session 21) re-dated every movement by its own instant:
the give-back, written at the cancellation a month later, jumped to the cancellation's month — April
then held the take-back alone (-130.00 of cost) and May a cost no slip or repair of May gave. A
movement written with or for a slip counts in the slip's month, and is dated again by the slip's issue.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from test_seed002_money import SH, _free_part_received, story  # noqa: F401  (the fixture)

from aftersales.adapters.clock import ManualClock
from aftersales.reports.money import month_money
from aftersales.service.books_redating import REDATED, ids_of, redate_page
from aftersales.service.desk import ServiceDesk
from conftest import World

LONDON = ZoneInfo("Europe/London")


def _accept(desk: ServiceDesk, clock: ManualClock, world: World, ticket_id: str, at: datetime) -> None:
    clock.set(at)
    desk.resolve(world.dealer_sh_staff, ticket_id, summary="更换冲水阀")
    desk.confirm(world.customer_zh, ticket_id)


def _months(desk: ServiceDesk) -> list[tuple[str, str]]:
    with desk.store() as uow:
        money = [month_money(uow.documents, m) for m in ("2026-03", "2026-04", "2026-05")]
    return [(str(m.income), str(m.cost)) for m in money]


def test_a_given_back_free_work_stays_in_its_slip_s_month_when_the_books_move(
    story: tuple[ServiceDesk, ManualClock, World],  # noqa: F811
) -> None:
    desk, clock, world = story
    dealer = world.dealer_sh_staff
    ticket_id, _request = _free_part_received(desk, clock, world)
    desk.charges.assess(dealer, ticket_id, travel_zone="pudong")
    _accept(desk, clock, world, ticket_id, datetime(2026, 3, 4, 10, 0, tzinfo=SH))
    clock.set(datetime(2026, 4, 2, 10, 0, tzinfo=SH))  # April: reassessed as misuse, charged on a quote
    desk.reopen(dealer, ticket_id, reason="复查")
    desk.start_work(dealer, ticket_id)
    desk.add_fault_record(
        dealer, ticket_id, symptom="keeps_flushing", cause="misuse_against_manual", action="reinstall"
    )
    desk.charges.assess(dealer, ticket_id, travel_zone="pudong")
    desk.charges.accept(world.customer_zh, ticket_id, desk.charges.quote(world.agent, ticket_id).id)
    _accept(desk, clock, world, ticket_id, datetime(2026, 4, 3, 10, 0, tzinfo=SH))
    clock.set(datetime(2026, 5, 6, 10, 0, tzinfo=SH))  # May: the charge waived, the work free after all
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    desk.fees.cancel_slip(world.manager, slip.id, "费用已与客户协商免除")
    before = _months(desk)
    assert before[2] == ("0.00 CNY", "0.00 CNY")  # May holds none of it

    # The books move to London: every instant here is at 02:00 or 03:00 there, in the same month.
    for kind in REDATED[:2]:
        with desk.store() as uow:
            redate_page(uow, kind, ids_of(uow, kind), LONDON)
            uow.commit()

    assert _months(desk) == before
