"""Reasons in words: ``Reason(code, params)`` rendered from the catalog entry ``reason.<code>``.

The entry is a template over the reason's parameter names ("VIP 客户，优先级提高到{priority}").
Rendering never fails: an unknown code, or an entry that needs a parameter the reason lacks,
falls back to a readable ``code(key=value, …)``, because a reason is an explanation shown to an
auditor, and an explanation in codes beats an error in the middle of a ledger.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aftersales.domain.reasons import Param, Reason
from aftersales.errors import AftersalesError
from aftersales.i18n.catalog import MessageCatalog
from aftersales.i18n.format import LocaleFormatter, formatter_for
from aftersales.i18n.templates import Template

__all__ = ["PARAM_LABELS", "ReasonRenderer", "reason_fallback", "reason_msgid", "render_reason"]

_PREFIX = "reason."

PARAM_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "scope": "impact_scope",
        "tier": "customer_tier",
        "coordinator": "role",
        "target": "route_target",
        "to": "role",
    }
)
"""Parameters whose (code) value is labelled from another catalog prefix than their own name.

A ``str`` parameter ``key=value`` reads as the catalog entry ``<prefix>.<value>`` when one exists,
where the prefix is ``PARAM_LABELS.get(key, key)``: ``severity="high"`` reads "严重", not "high".
"""


def reason_msgid(code: str) -> str:
    """The catalog msgid of a reason code: ``reason.<code>``."""
    return _PREFIX + code


def reason_fallback(reason: Reason) -> str:
    """The readable fallback for a reason without (usable) words: ``code(key=value, …)``."""
    if not reason.params:
        return reason.code
    inner = ", ".join(f"{key}={value}" for key, value in sorted(reason.params.items()))
    return f"{reason.code}({inner})"


class ReasonRenderer:
    """Renders reasons in one locale; parsed templates are cached per code."""

    __slots__ = ("_formatter", "_templates", "catalog")

    def __init__(self, formatter: LocaleFormatter, catalog: MessageCatalog | None = None) -> None:
        self._formatter = formatter
        self.catalog = catalog if catalog is not None else formatter.catalog
        self._templates: dict[str, Template | None] = {}

    def template(self, code: str) -> Template | None:
        """The parsed ``reason.<code>`` template, or None when the catalog lacks (or garbles) it."""
        try:
            return self._templates[code]
        except KeyError:
            pass
        text = self.catalog.get(reason_msgid(code))
        found: Template | None = None
        if text is not None:
            try:
                found = Template.parse(text, name=reason_msgid(code))
            except AftersalesError:
                found = None
        if len(self._templates) < 4096:
            self._templates[code] = found
        return found

    def param(self, key: str, value: Param) -> str:
        """A parameter in words: codes labelled, numbers localized, booleans and None from the catalog."""
        if value is None:
            return self.catalog.get("value.none") or "-"
        if isinstance(value, bool):
            return self.catalog.get("value.yes" if value else "value.no") or str(value)
        if isinstance(value, int):
            return self._formatter.number(value)
        label = self.catalog.get(f"{PARAM_LABELS.get(key, key)}.{value}")
        return value if label is None else label

    def render(self, reason: Reason) -> str:
        """``reason`` in words, or :func:`reason_fallback` when the catalog cannot say it."""
        template = self.template(reason.code)
        params = reason.params
        if template is None or not template.fields <= params.keys():
            return reason_fallback(reason)
        return template.substitute({key: self.param(key, params[key]) for key in template.fields})


_renderers: dict[str, ReasonRenderer] = {}


def render_reason(reason: Reason, locale: str) -> str:
    """``reason`` in the shipped catalog of ``locale`` (any identifier; it is resolved)."""
    formatter = formatter_for(locale)
    name = formatter.catalog.locale
    found = _renderers.get(name)
    if found is None:
        found = _renderers[name] = ReasonRenderer(formatter)
    return found.render(reason)
