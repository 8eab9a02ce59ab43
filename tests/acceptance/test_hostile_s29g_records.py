"""Session 29 (g): the public records a host builds from user input, given hostile values.

Every attrs class exported from ``aftersales`` (the parameters classes have their own test,
test_hostile_s29g_params.py) is built with one hostile value per field: a host's object whose ``repr``
raises, a ``str`` subclass whose dunders raise, a 5,000-digit int (whose text Python refuses to write),
NaN decimals and floats, lists and mappings holding such objects. 163 of these calls escaped untyped
(``TicketFilter``, ``KpiGoals``, ``KpiTargets``, ``DeliveryRules``, ``DeskRoster``, ``ComplaintLogFilter``,
``QuoteRequest``, ``ArticleProblem``, ``CrisisFacts``, ``DeskSettings``, ``JobSettings``, ``PriceList``,
``Category``, ``MaterialsLine``, ``SlaTargets``): ``TypeError`` from ``tuple(5)``, a validator's ``!r``,
a cache hashing a str subclass. Now each is an ``AftersalesError`` — the records hosts build for queries
and settings by ``domain/typed_init.refused_typed``, the records built per ticket by their own checks (no
wrapper on a hot path).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest
from test_hostile_s29g_fuzz import RaisingStr
from test_public_api_fuzz import RaisingRepr

import aftersales
from aftersales.errors import AftersalesError

HOSTILE: list[Any] = [
    RaisingRepr(),
    RaisingStr("x"),
    10**5000,
    Decimal("NaN"),
    Decimal("sNaN"),
    float("nan"),
    [RaisingRepr()],
    {"x": RaisingRepr()},
]
RECORDS = sorted(
    (
        name
        for name in aftersales.__all__
        if attrs.has(getattr(aftersales, name)) and not name.endswith("Params")
    ),
)


def test_the_records_are_found() -> None:
    assert {"TicketFilter", "KpiGoals", "Category", "MaterialsLine", "SlaTargets"} <= set(RECORDS)


@pytest.mark.parametrize("name", RECORDS)
def test_a_hostile_value_for_any_field_is_refused_typed(name: str) -> None:
    cls = getattr(aftersales, name)
    escapes = []
    for field in (a for a in attrs.fields(cls) if a.init):
        for value in HOSTILE:
            try:
                cls(**{field.alias or field.name: value})
            except AftersalesError:
                continue
            except TypeError as error:
                if "required" in str(error) and "argument" in str(error):
                    break  # the record needs other arguments too: this field is tried through them
                escapes.append(f"{field.name}={type(value).__name__}: TypeError")
            except Exception as error:  # an escape is what the test looks for
                escapes.append(f"{field.name}={type(value).__name__}: {type(error).__name__}")
    assert escapes == []
