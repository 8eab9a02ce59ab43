"""Session 27 (f): ``--locale`` a language with no catalog is a usage error, not English.

``aftersales report … --locale fr`` and ``aftersales budget … --locale de`` printed English as if it had
been asked for: the CLI resolved the option the way a contact's stored locale is resolved (every
language without a catalog writes English, so the customer still gets the message). On the command
line the locale is the operator's choice, so one the library cannot honour is refused (exit 2) naming
the catalogs there are; regional forms of the three (zh_CN, zh-TW, en_US) still resolve.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from aftersales import ValidationError
from aftersales.cli.budget import add_budget_parser, run_budget
from aftersales.cli.locale_option import cli_locale
from aftersales.service.desk import ServiceDesk

from .cli_runs import MONTH, filled_db, run_cli


@pytest.mark.parametrize("asked", ["fr", "de_DE", "ja", "pt-BR"])
def test_the_report_refuses_a_language_without_a_catalog(tmp_path: Path, asked: str) -> None:
    db = filled_db(tmp_path)
    code, out, err = run_cli(["kpi", "--db", str(db), *MONTH, "--locale", asked])
    assert (code, out) == (2, "")
    # in the CLI's default words since session 30 (g), as argparse's refusal of the demo's --locale fr
    assert "可选 zh_Hans、zh_Hant、en" in err and repr(asked) in err


def test_the_budget_refuses_a_language_without_a_catalog(tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    ServiceDesk.open(f"sqlite:///{db}", pack="sanitary_ware").shutdown()
    parser = argparse.ArgumentParser()
    add_budget_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["budget", "draft", "--db", str(db), "--as", "manager:m1", "--period", "2026",
         "--category", "materials", "--amount", "100", "--locale", "fr"]
    )  # fmt: skip
    out, err = io.StringIO(), io.StringIO()
    assert run_budget(args, out, err) == 2
    assert out.getvalue() == "" and "可选 zh_Hans、zh_Hant、en" in err.getvalue()
    with ServiceDesk.open(f"sqlite:///{db}", pack="sanitary_ware") as desk:
        from aftersales import Actor

        assert desk.charges.budget_drafts(Actor.manager("m1"), "2026") == ()  # nothing drafted


@pytest.mark.parametrize(
    ("asked", "catalog"),
    [(None, "zh_Hans"), ("en", "en"), ("en_US", "en"), ("EN-gb", "en"), ("zh_CN", "zh_Hans"),
     ("zh-TW", "zh_Hant"), ("yue_HK", "zh_Hant"), ("zh_Hant", "zh_Hant")],
)  # fmt: skip
def test_regional_forms_of_the_three_resolve(asked: str | None, catalog: str) -> None:
    assert cli_locale(asked) == catalog


@pytest.mark.parametrize("asked", ["", "xx", "fr", "zz_ZZ", "en\n"])
def test_refusals_name_the_field(asked: str) -> None:
    with pytest.raises(ValidationError) as refused:
        cli_locale(asked)
    assert refused.value.field == "locale"
