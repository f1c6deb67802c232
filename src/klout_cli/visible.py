"""One sanitiser for everything kscore prints: data never reaches a terminal raw.

An account name, an item's text, a topic, a platform, a file name or a model's name can hold
control characters: ESC sequences that clear the screen, set the window title or make a
hyperlink; C1 controls; carriage returns and backspaces that overwrite a line; bidi overrides
that reverse it. `visible` shows each of them as its escape (`\\x1b`, `\\u202e`), so the text
is seen, not obeyed. Rich markup in data is never interpreted either: renderers build `Text`
objects from it (`text`), which rich does not parse.

- Terminal tables, explanations, markdown, notes, warnings and errors: `visible`.
- CSV and TSV: `visible` too, so a pipe's CSV never carries a raw control character (a tab or
  newline inside a cell becomes `\\t` or `\\n`).
- JSON and JSONL keep the data exactly: the encoder escapes C0 controls; `json_line` escapes
  the rest (DEL, C1, bidi controls, line separators) as `\\uXXXX`, which decodes to the same
  string.

A backslash in the data is shown as it is, so `\\x1b` typed into a name and an ESC character
look alike on screen; the machine formats tell them apart.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

#: C0 controls, DEL, C1 controls, the Arabic letter mark, LRM/RLM, line and paragraph separators,
#: bidi embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069), and lone surrogates
#: (a YAML or JSON `\\ud83d` escape makes one; no terminal or file encoding can carry it).
CONTROLS = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_CONTROL = re.compile(f"[{CONTROLS}]")
_CONTROL_BUT_LINES = re.compile(f"[\x00-\x08\x0b-\x1f{CONTROLS[3:]}]")  # keeps \t and \n
#: What JSON leaves raw of the above (it escapes C0 itself).
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(found: re.Match[str]) -> str:
    char = found.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: object, *, lines: bool = False) -> str:
    """`value` as text with every control character shown as its escape (`lines`: newlines and
    tabs are kept, for messages of several lines that kscore itself wrote)."""
    text = value if isinstance(value, str) else str(value)
    if lines:
        return _CONTROL_BUT_LINES.sub(_escape, text)
    return _CONTROL.sub(_escape, text)


def text(value: object, style: str = "") -> Text:
    """A rich `Text` of `value`, escaped by `visible`: never parsed as markup or emoji codes."""
    from rich.text import Text

    return Text(visible(value), style=style)


def json_line(line: str) -> str:
    """A line of JSON with the control characters JSON leaves raw escaped as `\\uXXXX` (the same
    data once decoded)."""
    return _JSON_RAW.sub(lambda found: f"\\u{ord(found.group()):04x}", line)
