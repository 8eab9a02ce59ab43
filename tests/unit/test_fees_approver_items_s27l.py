"""A host's ``FeesParams`` with an approver that is no role name is refused naming the list (session 27, l).

Why: ``fees.overrun_approvers`` (session 27) and ``fees.budget_approvers`` checked each item with
``item not in known`` (a set): a list or a table among the roles (``[["manager"]]``, built by a host in
code — a pack file's loader refuses those earlier) let Python's ``TypeError: unhashable type`` out of
the constructor. Now a ``ValidationError`` naming the list, as an unknown role name is.
"""

from __future__ import annotations

import pytest

from aftersales.errors import ValidationError
from aftersales.policies.fees import FeesParams


@pytest.mark.parametrize("field", ["overrun_approvers", "budget_approvers"])
@pytest.mark.parametrize(
    "item", [["manager"], {"role": "manager"}, {"manager"}, None, 5, b"manager"], ids=repr
)
def test_an_item_that_is_no_role_name_is_refused_naming_the_list(field: str, item: object) -> None:
    with pytest.raises(ValidationError) as refused:
        FeesParams(**{field: ["general_manager", item]})
    assert refused.value.field == field


def test_role_names_still_configure_the_approvers() -> None:
    params = FeesParams(budget_approvers=["general_manager"], overrun_approvers=("manager",))
    assert (params.budget_approvers, params.overrun_approver_roles) == (("general_manager",), ("manager",))
