"""Permission actions that are ticket steps, refused in English (session 24's words, left over).

Every action of the permission table is worded (``permission_action.<action>``, then the ticket's step
of that name). 73 actions are also ticket steps and had only the step's words, which are the ledger's:
past tense ("dispatched", "quote accepted", "resolved"). A refusal read "You may not do this
(dispatched)". English now has the imperative for each (``permission_action.<action>``, which wins
over the step's); the Chinese words were the step's and read right as a refusal ("派工").
"""

from __future__ import annotations

import pytest

from aftersales.errors import PermissionDenied
from aftersales.i18n import load_catalog
from aftersales.i18n.errors import render_error
from aftersales.reports.labels import ReportLabels
from aftersales.service.permissions import PERMISSIONS

ACTIONS = sorted({action for table in PERMISSIONS.values() for action in table})


def test_no_action_of_the_table_is_refused_in_the_ledgers_past_tense() -> None:
    en = load_catalog("en")
    steps = {a: en.get(f"ticket_action.{a}") for a in ACTIONS}
    past = [
        words
        for action in ACTIONS
        if steps[action] is not None
        and (words := render_error(PermissionDenied("agent:a1", action, "SR-1"), "en"))
        == f"You may not do this ({steps[action]})"
    ]
    assert len([a for a in ACTIONS if steps[a] is not None]) >= 73
    assert past == []


@pytest.mark.parametrize(
    ("action", "words"),
    [
        ("dispatch", "You may not do this (dispatch a ticket)"),
        ("accept_quote", "You may not do this (accept a quote)"),
        ("resolve", "You may not do this (resolve a ticket)"),
        ("withdraw", "You may not do this (withdraw a complaint)"),
    ],
)
def test_a_step_refused_reads_as_what_was_refused(action: str, words: str) -> None:
    assert render_error(PermissionDenied("agent:a1", action, "SR-1"), "en") == words
    assert render_error(PermissionDenied("agent:a1", action, "SR-1"), "zh_Hans") != words


def test_a_dealers_dispatch_beyond_its_own_reads_in_the_imperative() -> None:
    refused = PermissionDenied("dealer_staff:d1", "dispatch", "e-9", rule="beyond_own_dealer")
    assert render_error(refused, "en") == "You may dispatch a ticket only within your own dealer"
    assert render_error(refused, "zh_Hans") == "只能在本经销商范围内派工"


def test_the_ledger_still_reads_its_steps_in_the_past_tense() -> None:
    # The refusal's imperative is no event's label: the history shows what was done.
    en, hans = ReportLabels("en"), ReportLabels("zh_Hans")
    assert [en.step(a) for a in ("dispatch", "resolve", "await_parts")] == [
        "dispatched",
        "resolved",
        "waiting for parts",
    ]
    assert en.step("accept", "quote") == "quote accepted" and hans.step("dispatch") == "派工"
