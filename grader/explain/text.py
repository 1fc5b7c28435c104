"""How a worked solution is written: numbers, formulas with numbers in them, sections."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

SIGNIFICANT = 5  # enough to see the lecture's 3-4 printed figures and the exact value behind them


def num(value: float) -> str:
    """A number to 5 significant figures: 1.1701, 0.48426, -0.028054, 0.3."""
    text = f"{float(value):.{SIGNIFICANT}g}"
    return "0" if text == "-0" else text


def factor(value: float) -> str:
    """A number inside a product or sum: negative ones in parentheses, as the lecture does."""
    text = num(value)
    return f"({text})" if text.startswith("-") else text


def product(values: Iterable[float]) -> str:
    return " * ".join(factor(v) for v in values)


def total(terms: Iterable[Iterable[float]]) -> str:
    """A sum of products: a * b + c * d."""
    return " + ".join(product(term) for term in terms)


_WORD = re.compile(r"\b([A-Za-z])\b")


def substitute(formula: str, **values: float | str) -> str:
    """Put values in place of the one-letter variables of a formula: h(1 - h) -> 0.48(1 - 0.48).

    Strings (symbols) go in as they are; a negative number gets parentheses unless it opens the
    formula or a bracket, so that 1 - h^2 reads 1 - (-0.3)^2.
    """

    def put(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        if value is None:
            return match.group(0)
        # "0.01 z" would read 0.01 0.5: a number next to a number needs its times sign.
        times = "* " if re.search(r"\d $", formula[: match.start()]) else ""
        if isinstance(value, str):
            return times + value
        opening = match.start() == 0 or formula[match.start() - 1] in "(["
        return times + (num(value) if opening else factor(value))

    return _WORD.sub(put, formula)


Factor = tuple[str, float]  # a symbol and its value, e.g. ("dL/dh_1^2", 1.1701)


def equation(left: str, terms: list[list[Factor]], value: float, general: str = "") -> str:
    """left = [general =] a sum of products of symbols = the same in numbers = value."""
    symbols = " + ".join(" * ".join(s for s, _ in term) for term in terms)
    numbers = total([v for _, v in term] for term in terms)
    return chain(left, *([general] if general else []), symbols, numbers, num(value))


def chain(*parts: str) -> str:
    """left = step = step = value, without a step that repeats the one before it."""
    kept: list[str] = []
    for part in parts:
        if not kept or part != kept[-1]:
            kept.append(part)
    return " = ".join(kept)


@dataclass
class Section:
    title: str
    note: str = ""  # a sentence of prose before the equations
    lines: list[str] = field(default_factory=list)


def render(title: str, sections: list[Section], markdown: bool) -> str:
    if markdown:
        out = [f"# {title}", ""]
        for s in sections:
            out += [f"## {s.title}", ""]
            out += [s.note, ""] if s.note else []
            out += ["```text", *s.lines, "```", ""] if s.lines else []
    else:
        out = [title, "=" * len(title), ""]
        for s in sections:
            out += [s.title, "-" * len(s.title)]
            out += [s.note] if s.note else []
            out += [f"  {line}" for line in s.lines] + [""]
    return "\n".join(out).rstrip("\n") + "\n"
