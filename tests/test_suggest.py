"""Tests for grader.suggest: `did you mean ...?` only for a name the user plausibly meant."""

from __future__ import annotations

import pytest

from grader import plugins
from grader.suggest import close_matches, slips

LOSSES = [
    "binary-cross-entropy",
    "categorical-cross-entropy",
    "half-squared-error",
    "mean-squared-error",
]


@pytest.mark.parametrize(
    ("word", "candidates", "meant"),
    [
        ("sigmod", ["sigmoid", "softmax"], "sigmoid"),  # a letter left out
        ("titel", ["title", "tasks"], "title"),  # two letters swapped
        ("lineer", ["linear"], "linear"),  # one replaced
        ("train_step", ["train-step", "train"], "train-step"),
        ("Sigmoid", ["sigmoid"], "sigmoid"),  # case is ignored
        ("los", ["loss"], "loss"),
        ("hiden_cses", ["hidden_cases"], "hidden_cases"),  # two slips in a long name
        ("half-squared-eror", LOSSES, "half-squared-error"),
    ],
    ids=["missing", "swapped", "replaced", "dash", "case", "short", "two-slips", "loss"],
)
def test_a_plausible_slip_is_suggested(word: str, candidates: list[str], meant: str) -> None:
    assert close_matches(word, candidates) == [meant]


@pytest.mark.parametrize(
    ("word", "candidates"),
    [
        ("sum-squared-error", LOSSES),  # a different loss, not a typo of mean-squared-error
        ("cross-entropy", LOSSES),
        ("colour", ["title", "source", "task", "points"]),
        ("tasks", ["mode", "rtol", "atol"]),
        ("x", ["y", "z"]),  # one letter is no evidence
        ("zzz", ["relu", "tanh"]),
    ],
    ids=["sum-squared", "cross-entropy", "colour", "tasks", "one-letter", "zzz"],
)
def test_a_different_name_is_not_suggested(word: str, candidates: list[str]) -> None:
    assert close_matches(word, candidates) == []


def test_the_closest_of_several_is_suggested() -> None:
    assert close_matches("tolerances", ["tolerance", "tolerances"]) == ["tolerances"]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("abc", "abc", 0), ("abc", "acb", 1), ("abc", "ab", 1), ("kitten", "sitting", 3)],
    ids=["same", "swap", "delete", "kitten"],
)
def test_slips_is_the_optimal_string_alignment_distance(a: str, b: str, distance: int) -> None:
    assert slips(a, b, limit=10) == distance


def test_a_long_word_stops_early() -> None:
    assert slips("a" * 10_000, "b" * 10_000, limit=2) == 3


def test_the_unknown_loss_message_suggests_nothing_for_a_different_loss() -> None:
    message = plugins.unknown_name_message("losses", "sum-squared-error")
    assert message.startswith("unknown loss 'sum-squared-error' (known: ")
