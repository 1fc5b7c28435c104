"""Plain-text views for instructors: `validate`, `solve` and `plugins`."""

from __future__ import annotations

from decimal import Decimal

import click
import numpy as np

from grader import plugins
from grader.exercise.loader import LoadedExercise
from grader.plan.cases import worked_case
from grader.score.scoring import fmt
from grader.validate import Validation
from grader.validate.printed import Verdict, check_printed, exact_values

_STATUS = {"exact": "exact", "artefact": "rounding artefact", "discrepancy": "DISCREPANCY"}


def _shown(value: float, printed: str) -> str:
    """`value` as fmt writes it, or to the printed number's decimals when it prints more
    (0.291027774 beside a printed 0.291027924, not 0.291028 beside it)."""
    exponent = Decimal(printed).as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 0
    if places > 6 and np.isfinite(value) and 1e-3 <= abs(value) < 1e5:
        return f"{value:.{places}f}"
    return fmt(value)


def _verdict_line(v: Verdict) -> str:
    line = f"{_STATUS[v.status]:<17} {v.key:<30} {v.symbol:<18} "
    line += f"printed {v.printed}, exact {_shown(v.exact, v.printed)}"
    if v.status != "exact":
        line += f" ({v.units_off:+d} in the last place"
        line += f"; from the document's printed values: {_shown(v.by_hand, v.printed)})"
    return line


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def print_validation(validation: Validation) -> None:
    ex = validation.exercise
    click.echo(f"{ex.id} ({ex.path})")
    click.echo("  schema: ok")
    counts = {s: sum(v.status == s for v in validation.verdicts) for s in _STATUS}
    click.echo(
        f"  printed values: {len(validation.verdicts)} checked: {counts['exact']} exact, "
        f"{_count(counts['artefact'], 'rounding artefact')}, "
        f"{_count(counts['discrepancy'], 'discrepancy', 'discrepancies')}"
    )
    for v in validation.verdicts:
        if v.status != "exact":
            click.echo("    " + _verdict_line(v))
    if validation.solution is not None:
        s = validation.solution
        click.echo(
            f"  model solution: {s.score:g}/{s.max_score:g} on the worked case and "
            f"{s.hidden_cases} hidden cases (seed {s.seed})"
        )
    for problem in validation.problems:
        click.echo(f"  PROBLEM: {problem}")
    click.echo(f"  => {'valid' if validation.ok else 'NOT VALID'}")


def print_solve(ex: LoadedExercise) -> None:
    click.echo(f"{ex.id}: {ex.spec.title}")
    click.echo(f"source: {ex.spec.source}")
    verdicts = {v.key: v for v in check_printed(ex)}
    exact = exact_values(ex, worked_case(ex))
    for key, values in exact.items():
        for index in np.ndindex(values.shape):
            where = "".join(f"[{i}]" for i in index)
            v = verdicts.get(f"expected.{key}{where}")
            printed = f"{v.printed:<10} {_STATUS[v.status]}" if v else ""
            value = _shown(float(values[index]), v.printed) if v else fmt(float(values[index]))
            click.echo(f"  {key + where:<20} {value:>14}   {printed}")


def print_plugins() -> None:
    for kind in plugins.KINDS:
        click.echo(f"{kind} ({plugins.KINDS[kind][0]}):")
        for name, plugin in plugins.registry(kind).items():
            click.echo(f"  {name:<26} {plugin.distribution} {plugin.version}  ({plugin.value})")
