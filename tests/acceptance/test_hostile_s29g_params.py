"""Session 29 (g): a pack section's parameters built in Python by a host, from hostile values.

The pack's TOML is shape-checked before a parameters class sees it; a host building ``SlaParams``,
``CallbackParams`` … itself (a custom policy, a settings form passed through) met the converters and
validators with values they never expected: 367 of these calls escaped as ``TypeError``,
``AttributeError``, attrs' ``ValueError`` (``callback_from="x"``), the ``ValueError`` of a 5,000-digit
int's text or a raising ``__repr__``. Now each is a typed error naming the field
(domain/typed_init.py).
``DealerReportParams(due_day=0)`` named the bare key ``due_day``; a pack's refusal names
``dealer_reports.due_day``: now both do (so do ``[maintenance]`` and ``[survey_campaign]``'s whole numbers).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import attrs
import pytest
from test_public_api_fuzz import RaisingRepr, _root

import aftersales.policies
from aftersales import DealerReportParams, SlaParams
from aftersales.errors import AftersalesError, ConfigurationError, ValidationError
from aftersales.policies.callback import CallbackParams
from aftersales.policies.maintenance import MaintenanceParams
from aftersales.policies.survey_campaign import SurveyCampaignParams


def _params_classes() -> list[type[Any]]:
    found: dict[str, type[Any]] = {}
    for module in pkgutil.iter_modules(aftersales.policies.__path__):
        loaded = importlib.import_module(f"aftersales.policies.{module.name}")
        for name, value in vars(loaded).items():
            if (
                isinstance(value, type)
                and attrs.has(value)
                and (name.endswith("Params") or name == "SlaOverride")
            ):
                found[name] = value
    return [found[name] for name in sorted(found)]


CLASSES = _params_classes()
HOSTILE: list[Any] = [
    0,
    "x",
    RaisingRepr(),
    ["x"],
    {"x": 1},
    {"normal": RaisingRepr()},
    [RaisingRepr()],
    float("inf"),
    float("nan"),
    10**5000,
]


def test_every_parameters_class_is_found() -> None:
    names = {cls.__name__ for cls in CLASSES}
    assert {"SlaParams", "CallbackParams", "FeesParams", "DealerReportParams", "SlaOverride"} <= names
    assert len(names) >= 20


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_a_hostile_value_for_any_field_is_refused_typed_naming_a_field(cls: type[Any]) -> None:
    escapes, unnamed = [], []
    names = {a.name for a in attrs.fields(cls)}
    for field in (a for a in attrs.fields(cls) if a.init):
        for value in HOSTILE:
            try:
                cls(**{field.alias or field.name: value})
            except AftersalesError as refused:
                named = getattr(refused, "field", None) or getattr(refused, "key", None) or ""
                if named.split(".")[-1] not in names and _root(named) not in names:
                    unnamed.append(f"{field.name}={type(value).__name__}: names {named!r}")
            except Exception as escaped:  # an escape is what the test looks for
                escapes.append(f"{field.name}={type(value).__name__}: {type(escaped).__name__}")
    assert escapes == []
    assert unnamed == []


def test_the_refusal_names_the_field_whose_value_does_not_fit() -> None:
    with pytest.raises(ValidationError) as refused:
        SlaParams(response_hours=4)  # type: ignore[arg-type]
    assert refused.value.field == "response_hours"
    with pytest.raises(ValidationError) as refused:
        SlaParams(response_hours={"nope": 4})
    assert refused.value.field.startswith("response_hours")
    with pytest.raises(ValidationError) as refused:
        CallbackParams(service_from="later")
    assert refused.value.field == "service_from" and "'later'" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        CallbackParams(service_within_hours=10**5000)
    assert refused.value.field == "service_within_hours" and "digits" in str(refused.value)
    assert CallbackParams(service_from="work_done").service_from == "work_done"  # valid values as before


@pytest.mark.parametrize(
    ("cls", "field", "key"),
    [
        (DealerReportParams, "due_day", "dealer_reports.due_day"),
        (MaintenanceParams, "interval_months", "maintenance.interval_months"),
        (SurveyCampaignParams, "sample_size", "survey_campaign.sample_size"),
    ],
)
def test_a_whole_number_out_of_bounds_names_its_section_and_key(cls: type[Any], field: str, key: str) -> None:
    for value in (0, True, "３", 10**5000):
        with pytest.raises(ConfigurationError) as refused:
            cls(**{field: value})
        assert refused.value.key == key
