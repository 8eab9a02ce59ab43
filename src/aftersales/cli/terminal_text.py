"""Error lines the command line writes, with the caller's control characters shown, not sent.

Why: a usage error quotes what was typed (``--period``, ``--amount``, the ``--db`` file name), and a
value holding an escape sequence (``\\x1b[2J`` clears the screen, others retitle the window or fake
earlier output) reached the terminal as is — a script passing a file name it did not choose could
drive the operator's terminal. Each control or format character is written as its Python escape.
"""

from __future__ import annotations

from aftersales.domain.shown_text import controls_shown as printable

__all__ = ["printable"]
