"""A worksheet as Markdown: headings, a table of the student's numbers, the answers file."""

from __future__ import annotations

from grader.worksheet.content import Worksheet


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render(sheet: Worksheet) -> str:
    lines = [
        f"# {sheet.exercise}: {sheet.title}",
        "",
        f"Worksheet of **{sheet.student}**. {sheet.whose()}",
        "",
        "## The network",
        "",
        *(f"- {line}" for line in sheet.network),
        "",
        "Notation: w_kj^l is the weight from unit j of layer l-1 to unit k of layer l, b_k^l "
        "the bias of unit k of layer l, z_k^l its weighted input and h_k^l = act(z_k^l) its "
        "output.",
        "",
        "## Your numbers",
        "",
        "| symbol | value |",
        "| --- | --- |",
        *(f"| {_cell(symbol)} | {_cell(value)} |" for symbol, value in sheet.numbers),
        "",
        "## What to compute",
        "",
        f"Round every value you write down to {sheet.decimals} decimals, and use the rounded "
        "value in the next step.",
        "",
    ]
    for number, (step, handed_in) in enumerate(sheet.steps, start=1):
        lines.append(f"{number}. {step}" + (" (hand in)" if handed_in else ""))
    lines += [
        "",
        "## Your answers file",
        "",
        'Save this as `answers.toml`, replace every `"?"` by your number, and check it:',
        "",
        f"    {sheet.command}",
        "",
        "```toml",
        sheet.template.rstrip("\n"),
        "```",
        "",
    ]
    return "\n".join(lines)
