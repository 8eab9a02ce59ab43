"""Records a host builds in Python (a pack section's parameters, query filters, settings): a wrong value
refused typed, naming its field.

Why: a pack's TOML is read by :func:`aftersales.policies.params.build_params`, which checks each value's
shape before the parameters class sees it. A host building ``SlaParams(response_hours=4)`` or
``CallbackParams(service_within_hours="24")`` itself (a custom policy, or a form passing user input through)
met the class's converters and validators with shapes they never expected, and 367 such calls escaped as
``TypeError``, ``AttributeError``, attrs' ``ValueError`` or a raising ``__repr__`` (session 29: every
parameters class, each field, nine hostile values). Now :func:`refused_typed` wraps the class's
``__init__``: a refusal the class words itself (an :class:`~aftersales.errors.AftersalesError`) passes as it
is; any other exception becomes a :class:`~aftersales.errors.ValidationError` naming the field — the one
whose value does not fit its annotation (checked as every command argument is, by
:func:`~aftersales.domain.validation.checker_for`), or the field an attrs validator names. Valid values take
the class's own path unchanged: the checks run only when the class has already failed. The same wrapper
serves the query and settings records a host builds (``TicketFilter``, ``KpiGoals``, ``DeskSettings`` …);
records built per ticket keep their own checks (a wrapper there would cost every read).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs

from aftersales.domain.validation import checker_for, resolve_hint
from aftersales.errors import AftersalesError, ValidationError, shown_repr

__all__ = ["refused_typed"]

T = TypeVar("T")


def _given(cls: type[Any], args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments of one call by field name (positional ones in the fields' order)."""
    names = [a.alias or a.name for a in attrs.fields(cls) if a.init]
    return {**dict(zip(names, args, strict=False)), **kwargs}


def _names(cls: type[Any]) -> set[str]:
    return {a.alias or a.name for a in attrs.fields(cls)} | {a.name for a in attrs.fields(cls)}


def _misfit(cls: type[Any], given: Mapping[str, Any]) -> ValidationError | None:
    """The refusal of the first given value that does not fit its field's annotation, if one does not."""
    namespace = vars(sys.modules[cls.__module__])
    fields = {a.alias or a.name: a for a in attrs.fields(cls) if a.init}
    for name, value in given.items():
        field = fields.get(name)
        if field is None:
            continue
        try:
            checker_for(resolve_hint(field.type, namespace), name)(value)
        except ValidationError as refused:
            return refused
        except Exception:
            continue
    return None


def _refusal(cls: type[Any], given: Mapping[str, Any], error: Exception) -> ValidationError:
    named = error.args[1] if len(error.args) > 1 else None
    if isinstance(named, attrs.Attribute):  # attrs' own validators (in_, instance_of) name their field
        value = given.get(named.alias or named.name)
        options = error.args[2] if len(error.args) > 2 else None
        if isinstance(options, tuple | list | frozenset | set) and options:  # in_: say what it takes
            allowed = ", ".join(sorted(shown_repr(o, 40) for o in options))
            return ValidationError(
                f"{named.name} must be one of {allowed}; got {shown_repr(value, 40)}",
                field=named.name,
                rule="one_of",
                rule_params={"allowed": allowed.replace("'", "")},
            )
        return ValidationError(
            f"{named.name} is not one of the values {cls.__name__} takes, got {shown_repr(value, 40)}",
            field=named.name,
        )
    found = _misfit(cls, given)
    if found is not None:
        return found
    field = next(iter(given), cls.__name__) if len(given) == 1 else cls.__name__
    return ValidationError(
        f"{cls.__name__} cannot be built from the values given ({type(error).__name__})", field=field
    )


def refused_typed(cls: type[T]) -> type[T]:
    """Class decorator (above ``@attrs.frozen``): the class's ``__init__`` refuses a value it cannot take with
    a :class:`ValidationError` naming the field, never another exception (see the module)."""
    init = cls.__init__

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            init(self, *args, **kwargs)
        except ValidationError as refused:
            # A converter's own check names its value's kind ("priority" for a table's key), not the field.
            if refused.field is None or refused.field.split(".", 1)[0] not in _names(cls):
                found = _misfit(cls, _given(cls, args, kwargs))
                if found is not None:
                    raise found from refused
            raise
        except AftersalesError:
            raise
        except Exception as error:
            raise _refusal(cls, _given(cls, args, kwargs), error) from error

    cls.__init__ = __init__  # type: ignore[method-assign]
    return cls
