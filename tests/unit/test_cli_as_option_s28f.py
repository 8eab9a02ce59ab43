"""Every CLI ``--as ROLE:ID`` reads its ID one way: an identifier as the stores hold it (session 28, f).

Why: ``aftersales budget --as manager:m1:x`` acted as the manager ``m1:x`` — everything after the first
colon was the id, any text (``manager: m1`` with a space too, an id no staff directory entry can equal),
while ``aftersales report --as dealer:ID`` checked its id as an identifier. Now both refuse, as a usage
error (exit 2) naming the rule, an ID that is not 1-64 ASCII letters, digits and ``_ . : @ / -`` starting
with a letter or digit; nothing is written. The role ends at the first colon, so an id holding a colon (ids
may: ``dealer-sh:HT-01``) is read whole.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from aftersales.cli import main
from aftersales.cli.actor_option import as_role_and_id
from aftersales.cli.budget import add_budget_parser, run_budget
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

DRAFT = ["--period", "2026", "--category", "materials", "--amount", "100"]
BAD = [
    "manager: m1",
    "manager:m1 ",
    "manager:",
    "manager:经理",
    "manager:-m1",
    "manager",
    ":m1",
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "desk.db"
    ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware").shutdown()
    return path


def _budget(db: Path, *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    add_budget_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["budget", *argv, "--db", str(db)])
    out, err = io.StringIO(), io.StringIO()
    return run_budget(args, out, err), out.getvalue(), err.getvalue()


@pytest.mark.parametrize("as_actor", BAD)
@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
def test_budget_refuses_an_id_that_is_not_an_identifier(db: Path, as_actor: str, locale: str) -> None:
    code, out, err = _budget(db, "draft", "--as", as_actor, *DRAFT, "--locale", locale)
    assert (code, out) == (2, "")
    assert "--as" in err and "_ . : @ / -" in err  # the rule, in the locale's words
    with ServiceDesk.open(f"sqlite:///{db}", pack="sanitary_ware") as desk:
        assert len(desk.charges.budget_drafts(Actor.manager("m1"), "2026")) == 0


def test_budget_still_acts_as_a_plain_id(db: Path) -> None:
    assert _budget(db, "draft", "--as", "manager:m1.li@hq", *DRAFT)[0] == 0


def test_budget_reads_an_id_holding_a_colon_whole(db: Path) -> None:
    assert _budget(db, "draft", "--as", "manager:hq:m1", *DRAFT)[0] == 0
    with ServiceDesk.open(f"sqlite:///{db}", pack="sanitary_ware") as desk:
        drafts = desk.charges.budget_drafts(Actor.manager("hq:m1"), "2026")
        assert [d.drafted_by.id for d in drafts] == ["hq:m1"]


@pytest.mark.parametrize("as_actor", ["dealer:-d1", "dealer: d1", "dealer:经销商"])
def test_report_refuses_a_dealer_id_that_is_not_an_identifier(
    db: Path, as_actor: str, capfd: pytest.CaptureFixture[str]
) -> None:
    code = main(["report", "sla", "--db", str(db), "--from", "2026-03-01", "--to", "2026-03-31",
                 "--as", as_actor, "--locale", "en"])  # fmt: skip
    err = capfd.readouterr().err
    assert code == 2 and "--as dealer:ID is not a valid id" in err and "_ . : @ / -" in err


def test_one_reading_for_every_command() -> None:
    assert as_role_and_id("manager:m1", ("manager",)) == ("manager", "m1")
    assert as_role_and_id("dealer:d-1/sh", ("dealer",)) == ("dealer", "d-1/sh")
    assert as_role_and_id("dealer:dealer-sh:HT-01", ("dealer",)) == ("dealer", "dealer-sh:HT-01")
    for text in [*BAD, None, 5, "auditor:a1"]:
        assert as_role_and_id(text, ("manager",)) is None
