"""Words at the edge: locales, catalogs, formats, templates, reasons and notifications.

The domain speaks in codes (``Reason(code, params)``, states, priorities); this package turns them
into text for one reader, in ``zh_Hans``, ``zh_Hant`` or ``en`` and in the reader's time zone,
with Babel's CLDR data and gettext catalogs. Nothing here is installed globally: a
:class:`Renderer` (or a :class:`MessageCatalog`) is passed to whoever renders.
"""

from __future__ import annotations

from aftersales.i18n.catalog import (
    DOMAIN,
    LOCALE_DIR,
    MessageCatalog,
    catalog_for,
    catalog_path,
    load_catalog,
    load_catalogs,
)
from aftersales.i18n.errors import (
    ERROR_PARAM_LABELS,
    WORKFLOW_PARAM_LABELS,
    error_reason,
    render_error,
)
from aftersales.i18n.format import (
    LocaleFormatter,
    format_datetime,
    format_duration,
    format_money,
    formatter_for,
)
from aftersales.i18n.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES, babel_locale, resolve_locale
from aftersales.i18n.notifications import (
    NOTIFICATION_KINDS,
    NotificationKind,
    Rendered,
    Renderer,
    default_renderer,
    render,
)
from aftersales.i18n.reasons import ReasonRenderer, reason_fallback, reason_msgid, render_reason
from aftersales.i18n.templates import Template
from aftersales.i18n.values import Term, ValueFormatter, label_msgid
from aftersales.i18n.workflow_words import workflow_label

__all__ = [
    "DEFAULT_LOCALE",
    "DOMAIN",
    "ERROR_PARAM_LABELS",
    "LOCALE_DIR",
    "NOTIFICATION_KINDS",
    "SUPPORTED_LOCALES",
    "WORKFLOW_PARAM_LABELS",
    "LocaleFormatter",
    "MessageCatalog",
    "NotificationKind",
    "ReasonRenderer",
    "Rendered",
    "Renderer",
    "Template",
    "Term",
    "ValueFormatter",
    "babel_locale",
    "catalog_for",
    "catalog_path",
    "default_renderer",
    "error_reason",
    "format_datetime",
    "format_duration",
    "format_money",
    "formatter_for",
    "label_msgid",
    "load_catalog",
    "load_catalogs",
    "reason_fallback",
    "reason_msgid",
    "render",
    "render_error",
    "render_reason",
    "resolve_locale",
    "workflow_label",
]
