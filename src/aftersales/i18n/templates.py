"""Message templates as data: catalog strings with named ``{placeholders}``, nothing executable.

A template is parsed once: literal text and ``{name}`` slots (``{{`` / ``}}`` write a brace).
Substitution is a lookup of each slot's name in the values given, done here rather than with
``str.format``, which would let a translated string reach ``{ticket.__class__}`` or ``{items[0]}``.
Any brace that is not a plain ``{name}`` slot is refused when the template is parsed, and so is a
slot the template's owner did not declare, so a bad catalog entry fails at load time, in tests.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

import attrs

from aftersales.errors import ConfigurationError, ValidationError

__all__ = ["Template"]

_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}|[{}]")
_SNIPPET = re.compile(r"\{[^{}]{0,40}\}?|\}")


@attrs.frozen
class Template:
    """A parsed template. ``parts`` alternates literal text and slot names (literals at even indices)."""

    name: str
    text: str
    parts: tuple[str, ...]
    fields: frozenset[str]

    @classmethod
    def parse(cls, text: str, *, name: str = "template", allowed: Collection[str] | None = None) -> Template:
        """Parse ``text``; with ``allowed``, a slot outside it is refused.

        Raises :class:`ConfigurationError` (naming the template and the offending slot) for a
        stray brace, an attribute or index access such as ``{ticket.id}`` / ``{a[0]}``, a format
        spec such as ``{x:>10}``, or an undeclared slot.
        """
        parts: list[str] = []
        literal: list[str] = []
        position = 0
        for match in _TOKEN.finditer(text):
            literal.append(text[position : match.start()])
            position = match.end()
            token = match.group(0)
            field = match.group(1)
            if token in ("{{", "}}"):
                literal.append(token[0])
            elif field is None:
                snippet = _SNIPPET.match(text, match.start())
                shown = snippet.group(0) if snippet else token
                raise ConfigurationError(
                    f"template {name!r}: {shown!r} is not a placeholder; "
                    "use {name} (letters, digits, underscores) and {{ }} for literal braces",
                    key=name,
                )
            else:
                if allowed is not None and field not in allowed:
                    raise ConfigurationError(
                        f"template {name!r}: unknown placeholder {{{field}}}; "
                        f"allowed: {', '.join(sorted(allowed)) or '(none)'}",
                        key=name,
                    )
                parts.append("".join(literal))
                parts.append(field)
                literal = []
        literal.append(text[position:])
        parts.append("".join(literal))
        return cls(name, text, tuple(parts), frozenset(parts[1::2]))

    def substitute(self, values: Mapping[str, str]) -> str:
        """The text with every slot replaced by ``values[slot]`` (already formatted strings).

        Only the keys given are read; a slot without a value raises :class:`ValidationError`.
        Extra keys are ignored here (callers that want them refused check against :attr:`fields`).
        """
        parts = self.parts
        if len(parts) == 1:
            return parts[0]
        out = list(parts)
        for index in range(1, len(parts), 2):
            try:
                out[index] = values[parts[index]]
            except KeyError:
                raise ValidationError(
                    f"template {self.name!r}: no value for {{{parts[index]}}}", field=parts[index]
                ) from None
        return "".join(out)
