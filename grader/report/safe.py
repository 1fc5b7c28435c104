"""Text that came from a submission, made safe to show.

Everything a student controls (their file and folder names, what their code raised, printed or
returned) reaches terminals, CI logs, spreadsheets and XML. Each output has its own hazards:

- terminals: control characters (ESC sequences, BEL, backspace, carriage returns that overwrite
  a line), C1 controls (NEL U+0085, CSI U+009B), line and paragraph separators (U+2028/2029),
  bidirectional overrides;
- GitHub Actions logs: workflow commands (`::error ...::`, the legacy `##[error]`);
- spreadsheets: a cell that starts like a formula (OWASP's CSV injection);
- XML 1.0: most control characters are not allowed at all;
- any of them: sheer size, so every piece of student text is cut to a fixed length.
"""

from __future__ import annotations

import re
import unicodedata

# Categories escaped: controls, format characters (bidi overrides, zero-width), surrogates,
# private use, unassigned, and the Unicode line and paragraph separators.
_UNSAFE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_COMMAND = re.compile(r":(?=:)|#(?=#\[)")  # `::` and `##[` anywhere, however many in a row
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n")  # OWASP; leading blanks are looked past


def _escaped(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str, keep: str = "\n\t") -> str:
    """`text` with every control, format or separator character except those in `keep` escaped."""
    if text.isprintable() and not any(c in text for c in "\u2028\u2029"):
        return text
    return "".join(
        char if char in keep or unicodedata.category(char) not in _UNSAFE else _escaped(char)
        for char in text
    )


def one_line(text: str) -> str:
    """`text` as a single line: newlines and tabs escaped too (names, labels, problems)."""
    return printable(text, keep="")


def no_workflow_commands(text: str) -> str:
    """`::` and `##[` broken up (`: :`, `# #[`) so that no CI log reads them as commands."""
    return _COMMAND.sub(lambda m: m.group(0) + " ", text)


def spreadsheet_cell(text: str) -> str:
    """A cell no spreadsheet will run as a formula (OWASP's CSV injection advice)."""
    stripped = text.lstrip(" ")
    if text[:1] in _FORMULA or stripped[:1] in _FORMULA:
        text = "'" + text
    return printable(text)  # newlines stay (the csv module quotes them); tabs, CRs do not lead


def encodable(text: str) -> str:
    """`text` with lone surrogates (a file name's undecodable bytes) escaped: valid UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def cut(text: str, limit: int) -> str:
    """At most `limit` characters; a longer text keeps its start and says it was cut."""
    text = encodable(text)
    if len(text) <= limit:
        return text
    marker = f" [cut: {len(text)} characters in all]"
    return (text[: max(0, limit - len(marker))] + marker)[:limit]


def cut_start(text: str, limit: int) -> str:
    """At most `limit` characters, keeping the end (the last lines of printed output)."""
    text = encodable(text)
    if len(text) <= limit:
        return text
    marker = f"[cut: {len(text)} characters in all; the last ones follow]\n"
    return (marker + text[len(text) - max(0, limit - len(marker)) :])[-limit:]


def cut_list(items: list[str], count: int, limit: int) -> list[str]:
    """At most `count` items of at most `limit` characters; a marker item says what was cut."""
    items = [cut(item, limit) for item in items]
    if len(items) <= count:
        return items
    return [*items[: count - 1], f"[cut: {len(items) - count + 1} more]"]
