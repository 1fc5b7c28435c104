"""Tests for grader.validate.printed: the lecture's printed numbers against exact arithmetic.

The bundled `house-price-backprop` exercise holds the lecture's 21 printed values. Five are
rounding artefacts of the lecture's hand calculation; a typo planted in any value is a
discrepancy reported under that value's key, and under no other.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from pathlib import Path

import numpy as np
import pytest

from grader.errors import ExerciseError
from grader.exercise import load_exercise
from grader.tasks import shared as shared_sections
from grader.validate.printed import Verdict, check_printed

EXERCISE = "house-price-backprop"

# Every printed value of the lecture, in file order, as the lecture prints it.
PRINTED = [
    ("expected.forward.h1[0]", "0.484"),
    ("expected.forward.h1[1]", "0.424"),
    ("expected.forward.h2[0]", "0.63"),
    ("expected.gradients.W1[0][0]", "-0.028"),
    ("expected.gradients.W1[0][1]", "-0.058"),
    ("expected.gradients.W1[1][0]", "-0.018"),
    ("expected.gradients.W1[1][1]", "-0.038"),
    ("expected.gradients.b1[0]", "0.088"),
    ("expected.gradients.b1[1]", "0.057"),
    ("expected.gradients.W2[0][0]", "0.5663"),
    ("expected.gradients.W2[0][1]", "0.4961"),
    ("expected.gradients.b2[0]", "1.17"),
    ("expected.updated.W1[0][0]", "0.2056"),
    ("expected.updated.W1[0][1]", "0.1616"),
    ("expected.updated.W1[1][0]", "0.5036"),
    ("expected.updated.W1[1][1]", "0.6076"),
    ("expected.updated.b1[0]", "0.0824"),
    ("expected.updated.b1[1]", "0.2386"),
    ("expected.updated.W2[0][0]", "0.1867"),
    ("expected.updated.W2[0][1]", "0.1008"),
    ("expected.updated.b2[0]", "0.166"),
]
KEYS = [key for key, _ in PRINTED]
# The lecture's rounding artefacts and how many units in the last place each is off.
ARTEFACTS = {
    "expected.updated.b1[0]": -1,  # 0.0824: exact 0.082466 rounds to 0.0825
    "expected.updated.W1[1][0]": -1,  # 0.5036 vs 0.5037
    "expected.updated.W1[1][1]": +1,  # 0.6076 vs 0.6075
    "expected.gradients.W2[0][0]": -3,  # 0.5663 = 1.17 x 0.484, exact 0.566625
    "expected.gradients.W2[0][1]": -1,  # 0.4961 = 1.17 x 0.424, exact 0.496227
}


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The loader looks in ./exercises first: find the bundled exercise, not a checkout's copy.
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Verdict]:
    """The verdicts on the bundled exercise as the lecture prints it."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
        return {v.key: v for v in check_printed(load_exercise(EXERCISE))}


def second_figure(text: str, step: int) -> str:
    """`text` with its second significant digit moved by `step` (the other way at 0 or 9)."""
    chars = list(text)
    digits = [i for i, c in enumerate(chars) if c.isdigit()]
    first = next(n for n, i in enumerate(digits) if chars[i] != "0")
    where = digits[first + 1]
    digit = int(chars[where])
    chars[where] = str(digit + step if 0 <= digit + step <= 9 else digit - step)
    return "".join(chars)


def plant(text: str, key: str, printed: str, typo: str) -> str:
    """The TOML text with the value printed at `key` (which must read `printed`) now `typo`."""
    section, name, where = re.fullmatch(r"expected\.(\w+)\.(\w+)((?:\[\d+\])+)", key).groups()
    index = tuple(int(i) for i in re.findall(r"\d+", where))
    lines = text.splitlines(keepends=True)
    header = next(n for n, line in enumerate(lines) if line.startswith(f"[expected.{section}]"))
    row = next(n for n in range(header + 1, len(lines)) if re.match(rf"{name}\s*=", lines[n]))
    code, hash_, comment = lines[row].partition("#")
    start = code.index("=") + 1
    shape = getattr(load_exercise(EXERCISE).spec.expected, section)[name].shape
    number = list(re.finditer(r"-?\d+(?:\.\d+)?", code[start:]))[np.ravel_multi_index(index, shape)]
    if number.group() != printed:
        raise ValueError(f"{key} reads {number.group()}, not {printed}")
    a, b = start + number.start(), start + number.end()
    lines[row] = code[:a] + typo + code[b:] + hash_ + comment
    return "".join(lines)


def write_with_typo(folder: Path, key: str, printed: str, typo: str) -> Path:
    source = load_exercise(EXERCISE).path
    path = folder / f"{EXERCISE}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(plant(source.read_text(encoding="utf-8"), key, printed, typo))
    return path


# --- the helpers the typo tests rely on ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "step", "expected"),
    [
        ("0.5663", 1, "0.5763"),
        ("0.5663", -1, "0.5563"),
        ("1.17", 1, "1.27"),
        ("-0.028", 1, "-0.029"),  # 2 is the first significant figure, 8 the second
        ("0.4961", 1, "0.4861"),  # 9 cannot go up
        ("0.1008", -1, "0.1108"),  # 0 cannot go down
        ("0.0824", 1, "0.0834"),
    ],
    ids=["0.5663+", "0.5663-", "1.17+", "-0.028+", "0.4961+", "0.1008-", "0.0824+"],
)
def test_second_figure(text: str, step: int, expected: str) -> None:
    assert second_figure(text, step) == expected


def test_plant_changes_exactly_one_value_in_the_file(tmp_path: Path) -> None:
    path = write_with_typo(tmp_path, "expected.updated.W1[1][0]", "0.5036", "0.5136")
    updated = load_exercise(path).spec.expected.updated
    assert updated["W1"].floats().tolist() == [[0.2056, 0.1616], [0.5136, 0.6076]]
    original = load_exercise(EXERCISE).path.read_text(encoding="utf-8").splitlines()
    changed = [a for a, b in zip(path.read_text().splitlines(), original, strict=True) if a != b]
    assert len(changed) == 1


# --- the lecture as printed ------------------------------------------------------------------


def test_every_printed_value_is_checked(bundled: dict[str, Verdict]) -> None:
    assert [(v.key, v.printed) for v in bundled.values()] == PRINTED


@pytest.mark.parametrize(("key", "text"), PRINTED, ids=KEYS)
def test_lecture_value_is_exact_or_a_known_artefact(
    bundled: dict[str, Verdict], key: str, text: str
) -> None:
    verdict = bundled[key]
    assert verdict.printed == text
    if key in ARTEFACTS:
        assert (verdict.status, verdict.units_off) == ("artefact", ARTEFACTS[key])
    else:
        assert (verdict.status, verdict.units_off) == ("exact", 0)


def test_0_5663_is_1_17_times_0_484(bundled: dict[str, Verdict]) -> None:
    verdict = bundled["expected.gradients.W2[0][0]"]
    assert verdict.symbol == "dL/dw_11^2"
    assert verdict.exact == pytest.approx(0.566625, abs=1e-6)
    assert verdict.by_hand == pytest.approx(1.17 * 0.484, rel=1e-12)
    # An artefact: a correct rounding of a value between the hand calculation and the exact one.
    low, high = sorted([verdict.by_hand, verdict.exact])
    assert low - 0.00005 <= 0.5663 <= high + 0.00005
    assert abs(0.5663 - verdict.exact) > 0.00005


def test_symbols_follow_the_lecture(bundled: dict[str, Verdict]) -> None:
    assert bundled["expected.updated.b1[0]"].symbol == "b_1^1 (updated)"
    assert bundled["expected.gradients.W1[1][0]"].symbol == "dL/dw_21^1"
    assert bundled["expected.forward.h2[0]"].symbol == "h_1^2"


def test_an_exercise_printed_from_exact_values_is_all_exact() -> None:
    verdicts = check_printed(load_exercise("tanh-chain"))
    assert len(verdicts) == 9
    assert {v.status for v in verdicts} == {"exact"}


# --- a planted typo --------------------------------------------------------------------------


def _check_typo(
    tmp_path: Path, bundled: dict[str, Verdict], key: str, text: str, typo: str
) -> None:
    verdicts = {
        v.key: v for v in check_printed(load_exercise(write_with_typo(tmp_path, key, text, typo)))
    }
    assert verdicts[key].printed == typo
    assert verdicts[key].status == "discrepancy"
    # No other entry changes its verdict: above all, none becomes a discrepancy.
    others = {k: v.status for k, v in verdicts.items() if k != key}
    assert others == {k: v.status for k, v in bundled.items() if k != key}


@pytest.mark.parametrize(
    ("key", "text"), PRINTED, ids=[f"{k}:{t}->{second_figure(t, 1)}" for k, t in PRINTED]
)
def test_a_typo_in_the_second_figure_is_a_discrepancy_at_its_key(
    tmp_path: Path, bundled: dict[str, Verdict], key: str, text: str
) -> None:
    _check_typo(tmp_path, bundled, key, text, second_figure(text, 1))


@pytest.mark.parametrize(
    ("key", "text"),
    PRINTED,
    ids=[f"{k}:{t}->{second_figure(t, -1)}" for k, t in PRINTED],
)
def test_a_typo_down_in_the_second_figure_is_a_discrepancy_at_its_key(
    tmp_path: Path, bundled: dict[str, Verdict], key: str, text: str
) -> None:
    _check_typo(tmp_path, bundled, key, text, second_figure(text, -1))


@pytest.mark.parametrize(
    ("key", "text", "typo"),
    [
        ("expected.gradients.W1[0][0]", "-0.028", "-0.038"),
        ("expected.gradients.W2[0][0]", "0.5663", "0.6663"),
        ("expected.updated.b2[0]", "0.166", "0.266"),
        ("expected.forward.h2[0]", "0.63", "0.36"),  # swapped digits
    ],
    ids=["-0.028->-0.038", "0.5663->0.6663", "0.166->0.266", "0.63->0.36"],
)
def test_other_typos_are_discrepancies_at_their_key(
    tmp_path: Path, bundled: dict[str, Verdict], key: str, text: str, typo: str
) -> None:
    _check_typo(tmp_path, bundled, key, text, typo)


# --- through the command line ----------------------------------------------------------------


def _validate(tmp_path: Path, key: str | None) -> subprocess.CompletedProcess[str]:
    """`grader validate` on a copy laid out as a course: exercises/ and its solutions/."""
    folder = tmp_path / "course"
    text = dict(PRINTED)[key] if key else "0.0824"
    typo = second_figure(text, 1) if key else text
    path = write_with_typo(folder / "exercises", key or "expected.updated.b1[0]", text, typo)
    (folder / "solutions").mkdir()
    shutil.copy(load_exercise(EXERCISE).solution_path(), folder / "solutions")
    return subprocess.run(
        [sys.executable, "-m", "grader", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,
    )


def test_validate_command_passes_the_lecture(tmp_path: Path) -> None:
    run = _validate(tmp_path, None)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "DISCREPANCY" not in run.stdout


def test_validate_command_exits_1_and_names_the_key_of_a_typo(tmp_path: Path) -> None:
    run = _validate(tmp_path, "expected.updated.b1[0]")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    flagged = [line for line in run.stdout.splitlines() if "DISCREPANCY" in line]
    assert len(flagged) == 1
    assert "expected.updated.b1[0]" in flagged[0] and "printed 0.0834" in flagged[0]
    assert "PROBLEM" not in run.stdout  # the model solution still earns full marks


# --- any magnitude: the units-off arithmetic is exact integers, never a decimal context ----------


@pytest.mark.parametrize(
    "typo",
    ["1.17e-30", "1.17E+25", "4e25", "1e-320", "0e-340", "-1.17e300"],
    ids=["1.17e-30", "1.17e25", "4e25", "1e-320", "0e-340", "-1.17e300"],
)
def test_a_printed_value_of_any_magnitude_is_judged(tmp_path: Path, typo: str) -> None:
    path = write_with_typo(tmp_path, "expected.gradients.b2[0]", "1.17", typo)
    verdict = {v.key: v for v in check_printed(load_exercise(path))}["expected.gradients.b2[0]"]
    assert verdict.status == "discrepancy"
    assert Decimal(verdict.printed).as_tuple() == Decimal(typo).as_tuple()  # as printed
    # units_off is (d - r rounded to d's place) / u: an integer, here of any size.
    d = Decimal(typo)
    u = Decimal(1).scaleb(d.as_tuple().exponent)
    with localcontext() as exact:
        exact.prec = 1000
        r = Decimal(repr(verdict.exact))  # the exact value as float64 prints it
        want = int(d / u) - int((r / u).to_integral_value(ROUND_HALF_EVEN))
    assert verdict.units_off == want


@pytest.mark.parametrize("value", ["4e25", "-4e25", "1e-300"], ids=["4e25", "-4e25", "1e-300"])
def test_a_parameter_of_any_magnitude_is_validated(tmp_path: Path, value: str) -> None:
    source = load_exercise(EXERCISE).path.read_text(encoding="utf-8")
    assert "b2 = [0.4]" in source
    path = tmp_path / f"{EXERCISE}.toml"
    path.write_text(source.replace("b2 = [0.4]", f"b2 = [{value}]"))
    verdicts = check_printed(load_exercise(path))
    assert [v.key for v in verdicts] == KEYS


def test_a_case_that_overflows_float64_is_refused_naming_the_file(tmp_path: Path) -> None:
    source = load_exercise(EXERCISE).path.read_text(encoding="utf-8")
    path = tmp_path / f"{EXERCISE}.toml"
    path.write_text(source.replace("b2 = [0.4]", "b2 = [1e300]"))
    with pytest.raises(ExerciseError) as info:
        check_printed(load_exercise(path))
    [(key, message)] = info.value.problems
    assert key == "case" and message.startswith("the worked case overflows float64")
    assert str(info.value).startswith(f"{path}: case: ")


def test_training_runs_once_however_many_rounds_of_repairs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A typo in the first loss makes check_printed redo the hand calculation; the training is
    # the exact reference of every round, so it is computed once.
    source = load_exercise("house-price-train").path.read_text(encoding="utf-8")
    path = tmp_path / "house-price-train.toml"
    path.write_text(source.replace("0.6846, 0.3506", "0.6946, 0.3506"))
    calls = []
    # The shared sections' exact values and hand calculation live with the tasks now.
    real_train = shared_sections.solver.train
    monkeypatch.setattr(
        shared_sections.solver, "train", lambda *a: calls.append(1) or real_train(*a)
    )
    verdicts = check_printed(load_exercise(path))
    assert [v.key for v in verdicts if v.status == "discrepancy"] == ["expected.losses[0]"]
    assert len(calls) == 1


# --- gaps ("?"), deltas, and a published article: Mazur's --------------------------------------


def _mazur_text(old: str = "", new: str = "") -> str:
    text = load_exercise("mazur-step").path.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def _verdicts_of(tmp_path: Path, text: str) -> dict[str, Verdict]:
    path = tmp_path / "mazur-step.toml"
    path.write_text(text, encoding="utf-8")
    return {v.key: v for v in check_printed(load_exercise(path))}


def test_a_gap_gets_no_verdict_and_its_neighbours_do(tmp_path: Path) -> None:
    verdicts = _verdicts_of(tmp_path, _mazur_text())
    assert "expected.gradients.W2[0][0]" in verdicts
    assert not any(key.startswith("expected.gradients.W2[0][1]") for key in verdicts)
    assert len(verdicts) == 19  # every number the article prints, and nothing else


def test_every_number_mazur_prints_is_exact_but_the_error_after_the_round(tmp_path: Path) -> None:
    verdicts = _verdicts_of(tmp_path, _mazur_text())
    odd = {k: v for k, v in verdicts.items() if v.status != "exact"}
    assert list(odd) == ["expected.loss_after"]
    after = odd["expected.loss_after"]
    assert after.status == "discrepancy" and after.printed == "0.291027924"
    assert round(after.exact, 9) == 0.291027774  # with the biases frozen, as the article has it
    assert after.units_off == 150


def test_a_typo_in_a_printed_delta_is_a_discrepancy(tmp_path: Path) -> None:
    text = _mazur_text("z2 = [0.138498562", "z2 = [0.138598562")
    verdicts = _verdicts_of(tmp_path, text)
    assert verdicts["expected.deltas.z2[0]"].status == "discrepancy"
    assert verdicts["expected.deltas.z2[0]"].symbol == "dL/dz_1^2"
    # The typo does not condemn what is computed from it (the repair uses the exact value).
    assert verdicts["expected.gradients.W2[0][0]"].status == "exact"


def test_a_hand_calculation_from_a_rounded_delta_is_a_rounding_artefact(tmp_path: Path) -> None:
    # dL/dw_11^2 = 0.1385 * 0.593269992 = 0.0821679, printed from the rounded delta: not the
    # exact 0.0821670, but what the document's own printed numbers give.
    text = _mazur_text("z2 = [0.138498562", "z2 = [0.1385")
    text = text.replace("W2 = [[0.082167041,", "W2 = [[0.0821679,", 1)
    verdicts = _verdicts_of(tmp_path, text)
    assert verdicts["expected.deltas.z2[0]"].status == "exact"
    assert verdicts["expected.gradients.W2[0][0]"].status == "artefact"


def test_validate_mazur_exits_1_for_the_article_error_after_the_round_only() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "grader", "validate", "mazur-step"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "19 checked: 18 exact, 0 rounding artefacts, 1 discrepancy" in run.stdout
    flagged = [line for line in run.stdout.splitlines() if "DISCREPANCY" in line]
    assert len(flagged) == 1 and "expected.loss_after" in flagged[0]
    assert "printed 0.291027924, exact 0.291027774" in flagged[0]
    assert "model solution: 6/6" in run.stdout and "PROBLEM" not in run.stdout
