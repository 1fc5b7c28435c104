"""Tests for grader.score.tolerances: every band at its boundary and just beyond it.

"Just beyond" is a step of 1e-9 past the boundary (relative to the band's width, or to the
value for `document`): far above the 1e-12 relative slack the modes allow for binary rounding
and the float64 error of the arithmetic here (~1e-16), far below anything a student's answer
could depend on.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from pydantic import ValidationError

from grader import plugins
from grader.exercise.numbers import to_decimal_array
from grader.score.printed import Printed
from grader.score.tolerances import (
    DigitsSettings,
    DocumentSettings,
    RelAbsSettings,
    decimals,
    document,
    relabs,
    sigfigs,
)

BEYOND = 1e-9  # relative step past a boundary


def accepted(mode, submitted, exact, printed=None, settings=None) -> list[bool]:
    settings = settings if settings is not None else mode.settings()
    result = mode.accepts(np.asarray(submitted, float), np.asarray(exact, float), printed, settings)
    return np.atleast_1d(result).tolist()


def printed(*texts: str) -> Printed:
    return Printed.of(to_decimal_array([Decimal(t) for t in texts]))


@pytest.mark.parametrize(
    ("name", "mode"),
    [("relabs", relabs), ("decimals", decimals), ("sigfigs", sigfigs), ("document", document)],
    ids=["relabs", "decimals", "sigfigs", "document"],
)
def test_registered_under_its_name(name: str, mode: object) -> None:
    assert plugins.get("tolerances", name) is mode


# --- relabs ----------------------------------------------------------------------------------


def test_relabs_defaults_suit_float64_code() -> None:
    assert RelAbsSettings() == RelAbsSettings(rtol=1e-6, atol=1e-9)
    assert DocumentSettings() == DocumentSettings(rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("sign", [1.0, -1.0], ids=["above", "below"])
def test_relabs_default_band_at_zero_is_atol(sign: float) -> None:
    at = sign * 1e-9
    assert accepted(relabs, [at, at * (1 + BEYOND)], [0.0, 0.0]) == [True, False]


@pytest.mark.parametrize("r", [1.0, -0.566625, 1e6], ids=["1", "-0.566625", "1e6"])
def test_relabs_default_band_scales_with_r(r: float) -> None:
    band = 1e-9 + 1e-6 * abs(r)
    inside, outside = r + 0.999 * band, r + 1.001 * band
    assert accepted(relabs, [inside, outside, 2 * r - inside, 2 * r - outside], [r] * 4) == [
        True,
        False,
        True,
        False,
    ]


def test_relabs_band_is_inclusive() -> None:
    # Binary fractions make the boundary exact: band = 0.125 + 0.25 * 2 = 0.625.
    settings = RelAbsSettings(rtol=0.25, atol=0.125)
    subs = [2.625, 1.375, np.nextafter(2.625, 3), np.nextafter(1.375, 1)]
    assert accepted(relabs, subs, [2.0] * 4, None, settings) == [True, True, False, False]


def test_relabs_ignores_what_was_printed() -> None:
    assert accepted(relabs, [0.5663], [0.566625], printed("0.5663")) == [False]


# --- decimals and sigfigs: PrairieLearn's is_correct_scalar_dd / is_correct_scalar_sf -------
# Open bands r - eps < s < r + eps, eps = 0.51 * 10^-n, computed in the same float64 steps:
# a submission exactly on r +- eps is refused, the next float inside is accepted.


def pl_eps(n: int) -> float:
    """0.51 * 10^-n as PrairieLearn computes it (a Python int power)."""
    return 0.51 * (10**-n)


def open_band_cases(r: float, eps: float) -> tuple[list[float], list[bool]]:
    upper, lower = r + eps, r - eps
    subs = [upper, lower, np.nextafter(upper, -np.inf), np.nextafter(lower, np.inf), r]
    return subs, [False, False, True, True, True]


@pytest.mark.parametrize(
    ("digits", "r"),
    [(0, 3.2), (1, -0.7), (2, 0.5), (3, 0.484), (4, 0.566625), (6, 12.5)],
    ids=["N=0", "N=1", "N=2", "N=3", "N=4", "N=6"],
)
def test_decimals_band_is_open(digits: int, r: float) -> None:
    subs, expected = open_band_cases(r, pl_eps(digits))
    assert accepted(decimals, subs, [r] * len(subs), None, DigitsSettings(digits=digits)) == (
        expected
    )


def test_decimals_lecture_case() -> None:
    # 0.5663 against the exact 0.566625 is 0.000325 off: within 3 decimals, not within 4.
    assert accepted(decimals, [0.5663], [0.566625], None, DigitsSettings(digits=3)) == [True]
    assert accepted(decimals, [0.5663], [0.566625], None, DigitsSettings(digits=4)) == [False]


@pytest.mark.parametrize(
    ("digits", "r", "n"),
    [
        (3, 0.566625, 3),
        (2, 1.17, 1),
        (2, -0.028, 3),
        (4, 0.0824659, 5),
        (1, 0.999, 1),
        (2, 1.0, 1),  # a power of ten starts the next decade
        (2, 100.0, -1),
        (3, 1e-3, 5),
        (2, 0.0, 1),  # r = 0: n = N - 1, PrairieLearn's rule (eps 0.051, not 0.0051)
        (4, 0.0, 3),
    ],
    ids=[
        "3@0.566625",
        "2@1.17",
        "2@-0.028",
        "4@0.0825",
        "1@0.999",
        "2@1",
        "2@100",
        "3@0.001",
        "2@0",
        "4@0",
    ],
)
def test_sigfigs_band_is_open(digits: int, r: float, n: int) -> None:
    # n, the decimals of r's Nth significant figure, is written out by hand for each case.
    subs, expected = open_band_cases(r, pl_eps(n))
    assert accepted(sigfigs, subs, [r] * len(subs), None, DigitsSettings(digits=digits)) == (
        expected
    )


def test_sigfigs_is_elementwise_and_quiet_at_zero() -> None:
    with np.errstate(all="raise"):
        result = accepted(
            sigfigs, [0.0509, 1.0509, 0.0511], [0.0, 1.0, 0.0], None, DigitsSettings(digits=2)
        )
    assert result == [True, True, False]


@pytest.mark.parametrize("mode", [decimals, sigfigs], ids=["decimals", "sigfigs"])
def test_a_non_finite_exact_value_accepts_only_itself(mode: object) -> None:
    inf, nan = float("inf"), float("nan")
    settings = DigitsSettings(digits=3)
    with np.errstate(all="raise"):
        assert accepted(mode, [inf, 1e308, -inf], [inf] * 3, None, settings) == [
            True,
            False,
            False,
        ]
        assert accepted(mode, [nan, 0.0], [nan, nan], None, settings) == [True, False]


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"digits": -1},
        {"digits": 16},
        {"digits": 3, "rtol": 1e-3},
        {"digits": "3"},
        {"digits": True},
        {"digits": 3.0},
    ],
    ids=["missing", "negative", "16", "extra-key", "string", "bool", "float"],
)
def test_digits_settings_are_checked(settings: dict) -> None:
    with pytest.raises(ValidationError):
        DigitsSettings.model_validate(settings)


# --- document: [min(r, d) - u, max(r, d) + u] ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "r", "low", "high"),
    [
        ("0.5663", 0.566625, 0.5662, 0.566725),  # the lecture's 1.17 x 0.484; r above d
        ("0.6076", 0.6075446, 0.6074446, 0.6077),  # r below d
        ("0.0824", 0.0824659, 0.0823, 0.0825659),
        ("-0.028", -0.0280544, -0.0290544, -0.027),  # negative
        ("1.17", 1.17, 1.16, 1.18),  # printed exactly: one unit either side
        ("0.30", 0.3, 0.29, 0.31),  # 0.30 states two decimals ...
        ("0.3", 0.3, 0.2, 0.4),  # ... 0.3 one
    ],
    ids=["0.5663", "0.6076", "0.0824", "-0.028", "1.17", "0.30", "0.3"],
)
def test_document_band(text: str, r: float, low: float, high: float) -> None:
    d = float(text)
    u = float(Decimal(1).scaleb(Decimal(text).as_tuple().exponent))
    subs = [r, d, d - u, d + u, r - u, r + u, low, high]
    assert all(accepted(document, subs, [r] * len(subs), printed(*[text] * len(subs))))
    # The band is exactly [low, high]: both ends in, a hair beyond out.
    outside = [low - BEYOND * max(1.0, abs(low)), high + BEYOND * max(1.0, abs(high))]
    assert accepted(document, outside, [r, r], printed(text, text)) == [False, False]


def test_document_lecture_case_accepts_hand_and_exact_answers() -> None:
    # d = 0.5663 (1.17 x 0.484), exact 0.566625, u = 0.0001: band [0.5662, 0.566725].
    subs = [0.5663, 0.566625, 0.56628, 0.5662, 0.566725, 0.56619, 0.56674, 0.5763]
    result = accepted(document, subs, [0.566625] * 8, printed(*["0.5663"] * 8))
    assert result == [True, True, True, True, True, False, False, False]


def test_document_units_are_per_entry() -> None:
    # Printed [0.30, 0.3], exact 0.3 for both: 0.31 is in both bands, 0.32 only in the second.
    p = printed("0.30", "0.3")
    assert accepted(document, [0.31, 0.31], [0.3, 0.3], p) == [True, True]
    assert accepted(document, [0.32, 0.32], [0.3, 0.3], p) == [False, True]


def test_document_falls_back_to_relabs_where_nothing_was_printed() -> None:
    r = 0.566625
    band = 1e-9 + 1e-6 * r
    subs = [r, r + 0.999 * band, r + 1.001 * band, 0.5663]  # relabs has no slack
    assert accepted(document, subs, [r] * 4) == [True, True, False, False]
    settings = DocumentSettings(rtol=1e-3, atol=0.0)
    assert accepted(document, [0.5663, 0.5656], [r, r], None, settings) == [True, False]


@pytest.mark.parametrize(
    "settings",
    [{"rtol": "0.1"}, {"atol": True}, {"rtol": -1e-6}, {"rtol": float("inf")}, {"atol": None}],
    ids=["string", "bool", "negative", "inf", "none"],
)
def test_relabs_settings_are_strict_finite_numbers(settings: dict) -> None:
    with pytest.raises(ValidationError):
        RelAbsSettings.model_validate(settings)


def test_relabs_settings_take_printed_decimals_and_integers() -> None:
    settings = RelAbsSettings.model_validate({"rtol": Decimal("1e-4"), "atol": 0})
    assert (settings.rtol, settings.atol) == (1e-4, 0.0)


def test_document_holds_a_gap_to_relabs_and_its_printed_neighbour_to_the_band() -> None:
    from grader.exercise.numbers import to_printed_array

    printed = Printed.of(to_printed_array([Decimal("0.5663"), "?"]))
    exact = np.array([0.566625, 0.496227])
    settings = DocumentSettings()
    # 0.5663 (printed) passes; at the gap only the exact value does, not a unit off it.
    ok = document.accepts(np.array([0.5663, 0.496227]), exact, printed, settings)
    assert ok.tolist() == [True, True]
    off = document.accepts(np.array([0.5662, 0.4962]), exact, printed, settings)
    assert off.tolist() == [True, False]
    assert document.accepts(np.array([0.5660, 0.496227]), exact, printed, settings).tolist() == [
        False,
        True,
    ]
