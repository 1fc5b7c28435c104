"""The lecture's symbols as a picture writes them: w_21^1 as w₂₁¹, dL/dw_21^1 as ∂L/∂w₂₁¹."""

from __future__ import annotations

import re

_SUB = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SYMBOL = re.compile(r"\b([A-Za-z])_(\{[\d,]+\}|\d+)(?:\^(\d+))?")
_DERIVATIVE = re.compile(r"\bd(L|[A-Za-z](?=_))")


def pretty(symbol: str) -> str:
    """Every `x_ij^l` in `symbol` with real subscripts and superscripts, `d` as ∂."""

    def written(match: re.Match[str]) -> str:
        sub = match.group(2).strip("{}").translate(_SUB)
        return match.group(1) + sub + (match.group(3) or "").translate(_SUP)

    return _SYMBOL.sub(written, _DERIVATIVE.sub(r"∂\1", symbol))
