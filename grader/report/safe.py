"""Text that came from a submission, made safe to show: no terminal escapes, no carriage
returns that overwrite a line, no bidirectional overrides, nothing XML 1.0 forbids."""

from __future__ import annotations

import unicodedata


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control or format character except newline and tab escaped."""
    if text.isprintable():
        return text
    return "".join(
        char
        if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn")
        else _escaped(char)
        for char in text
    )


def spreadsheet_cell(text: str) -> str:
    """A cell no spreadsheet will run as a formula (OWASP's CSV injection advice)."""
    text = printable(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
