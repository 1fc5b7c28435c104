"""One section per graded quantity: its score, each case's verdict, the diagnosis, and its
entries: a table of them, or (when the drawing marks them) the wrong ones with their working."""

from __future__ import annotations

from grader.report.html.markup import num, points, tag, text
from grader.report.html.page import FAIL, PASS, mark
from grader.report.html.placement import graded, status
from grader.result import Check, Entry

MAX_HIDDEN_LISTED = 6  # wrong entries of hidden cases listed per quantity
MAX_LISTED = 64  # entries of a drawn quantity listed in full; more: only the wrong ones


def _cases(check: Check) -> str:
    names = ["worked"] + [f"hidden {n}" for n in range(1, len(check.by_case))]
    chips = [
        tag("span", f"{PASS if ok else FAIL} {text(name)}", class_="pass" if ok else "fail")
        for name, ok in zip(names, check.by_case, strict=True)
    ]
    return tag("p", "cases: " + "".join(chips), class_="cases")


def _message(check: Check) -> str:
    """The text report's message: open when the entries cannot tell the story (nothing read)."""
    block = tag("pre", text(check.message))
    if not check.entries or any(e.got is None for e in check.entries):
        return block
    return tag("details", tag("summary", "The same as text") + block)


def _row(check: Check, entry: Entry, marked: bool, working: bool) -> str:
    """One entry's row; `marked`: the row is where scripts find the entry (not on the drawing)."""
    cells = [
        tag("td", mark(status(entry))),
        tag("td", tag("code", text(entry.label))),
        tag("td", text(num(entry.expected, 8)), class_="n"),
        tag("td", text(num(entry.got, 8)), class_="n"),
    ]
    if working:
        product = tag("span", text(entry.product), class_="product") if entry.product else ""
        cells.append(tag("td", product))
    return f"<tr{graded(check, entry) if marked else ''}>{''.join(cells)}</tr>"


def _table(rows: list[str], working: bool) -> str:
    words = ["", "entry", "expected", "submitted"] + (
        ["chain rule (worked case)"] if working else []
    )
    head = "".join(tag("th", w) for w in words)
    return tag("table", tag("thead", tag("tr", head)) + tag("tbody", "".join(rows)))


def _hidden(check: Check) -> str:
    wrong = [w for w in check.wrong if w.case != "worked case"][:MAX_HIDDEN_LISTED]
    if not wrong:
        return ""
    items = "".join(
        tag(
            "li",
            f"{text(w.case)}: {tag('code', text(w.label))}: expected "
            f"{text(num(w.expected, 8))}, submitted {text(num(w.got, 8))}",
        )
        for w in wrong
    )
    return tag("p", "Wrong on hidden cases (first of them):") + tag("ul", items)


def _entries(check: Check, drawn: bool) -> str:
    """The worked case's entries: every one, or (drawn, and many) only the wrong ones."""
    if check.heat and not check.entries:
        shape = " x ".join(str(n) for n in check.shape)
        return tag(
            "p",
            f"{text(shape)} entries: too many to list; the heat map shows where "
            "the wrong ones are.",
            class_="note",
        )
    shown = check.entries
    if drawn and len(shown) > MAX_LISTED:
        shown = [e for e in shown if not e.passed]
    if not shown:
        return ""
    where = " (marked on the drawing above)" if drawn else ""
    caption = tag("p", f"The worked case, entry by entry{where}:", class_="note")
    working = any(e.product for e in shown)
    return caption + _table([_row(check, e, not drawn, working) for e in shown], working)


def quantity_section(check: Check, drawn: bool) -> str:
    """The section of one check; `drawn`: its entries are marked on the network drawing."""
    head = tag(
        "h3",
        f"{mark(check.status)} {text(check.name)} "
        f"{text(points(check.score))}/{text(points(check.max_score))} points",
    )
    parts = [
        head,
        tag(
            "p",
            f"right on {check.cases_passed} of {check.cases} cases ({text(check.tolerance)})",
            class_="note",
        ),
    ]
    if check.by_case:
        parts.append(_cases(check))
    if check.status != "pass":
        parts.append(_message(check))
    if check.explanation:
        parts.append(
            tag(
                "p",
                f"Likely cause ({tag('code', text(check.diagnosis or ''))}): "
                f"{text(check.explanation)}",
            )
        )
    parts += [_entries(check, drawn), _hidden(check)]
    return tag(
        "section",
        "".join(parts),
        class_=f"quantity {check.status}",
        id=f"q-{check.quantity}",
        data_check=check.quantity,
    )
