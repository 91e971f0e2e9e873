"""Text made safe to print on a terminal: control characters and escape sequences shown, long text cut.

Kept apart from ``safeio`` (which re-exports both functions) so that ``errors`` can quote data in its
messages without importing the module whose errors it defines.
"""

from __future__ import annotations


def _control_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]:
        table[code] = f"\\x{code:02x}"
    # the line and paragraph separators end a line for str.splitlines (a one-line message must stay one line);
    # bidirectional overrides and isolates can reorder what a terminal shows
    for code in [0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]:
        table[code] = f"\\u{code:04x}"
    return table


_CONTROLS = _control_table()
_CONTROLS_KEEP_LINES = {k: v for k, v in _CONTROLS.items() if k not in (0x0A, 0x09)}


def printable(text: object, *, keep_newlines: bool = False, limit: int | None = None) -> str:
    """``text`` made safe to print on a terminal: control characters and escape sequences shown as ``\\x1b``;
    with ``limit``, cut to at most that many characters (ending in an ellipsis)."""
    s = text if isinstance(text, str) else str(text)
    if limit is not None and len(s) > limit:  # cut first: a huge value costs nothing to translate
        s = s[: limit + 1]
    s = s.translate(_CONTROLS_KEEP_LINES if keep_newlines else _CONTROLS)
    return s if limit is None or len(s) <= limit else s[: max(0, limit - 1)] + "…"


def shorten(text: object, limit: int = 80) -> str:
    """``printable(text)`` cut to at most ``limit`` characters, an ellipsis marking the cut: for quoting keys,
    values and names from files in one-line messages."""
    return printable(text, limit=limit)
