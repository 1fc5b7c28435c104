"""The class dashboard `grader grade --format html` writes: per exercise, the score
distribution, each quantity's pass rate, the diagnoses ranked by how many students they
explain, the slowest submissions and those that hit a limit, every student linked."""

from __future__ import annotations

import statistics
from collections import defaultdict

from grader.report.html.histogram_svg import histogram_svg
from grader.report.html.markup import points, tag, text
from grader.report.html.page import document
from grader.result import CheckResult

LIMITS = ("timeout", "output-limit")  # outcomes that mean a run limit stopped the submission
SLOWEST = 10

Links = dict[int, str]  # id(result) -> its page, relative to the dashboard


def _who(result: CheckResult, links: Links) -> str:
    name = text(result.student or result.submission or "(unnamed)")
    page = links.get(id(result))
    return tag("a", name, href=page) if page else name


def _table(head: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return tag("p", "None.", class_="note")
    top = tag("tr", "".join(tag("th", h) for h in head))
    body = "".join(tag("tr", "".join(tag("td", c) for c in row)) for row in rows)
    return tag("table", tag("thead", top) + tag("tbody", body))


def _summary(results: list[CheckResult]) -> tuple[str, str]:
    """A line of figures, and the chart of the score distribution."""
    graded = [r for r in results if r.status == "graded"]
    scores = [r.score for r in graded]
    full = max((r.max_score for r in results), default=0.0)
    line = f"{len(results)} submissions, {len(graded)} graded"
    if scores:
        line += (
            f"; mean {points(statistics.mean(scores))}, median "
            f"{points(statistics.median(scores))} of {points(full)}; "
            f"{sum(r.full_marks for r in graded)} with full marks"
        )
    chart = histogram_svg(scores, full) if graded else ""
    return tag("p", text(line), class_="score"), tag(
        "div", tag("h3", "Score distribution") + tag("figure", chart)
    )


def _pass_rates(results: list[CheckResult]) -> str:
    per: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for result in results:
        for check in result.checks:
            per[check.quantity].append(check.status)
            names.setdefault(check.quantity, check.name)
    rows = []
    for quantity, statuses in per.items():
        share = statuses.count("pass") / len(statuses)
        bar = tag("span", "", class_="bar", style=f"width: {share * 8:.2f}rem")
        rows.append(
            [
                tag("code", text(names[quantity])),
                f"{statuses.count('pass')} of {len(statuses)}",
                f"{bar} {share:.0%}",
                str(statuses.count("partial")),
            ]
        )
    return tag(
        "div",
        tag("h3", "Each quantity's pass rate")
        + _table(["quantity", "right on every case", "pass rate", "partly right"], rows),
    )


def _diagnoses(results: list[CheckResult], links: Links) -> str:
    students: dict[str, list[CheckResult]] = defaultdict(list)
    quantities: dict[str, dict[str, None]] = defaultdict(dict)  # in the order checks come
    for result in results:
        for diagnosis in dict.fromkeys(c.diagnosis for c in result.checks if c.diagnosis):
            students[diagnosis].append(result)
        for check in result.checks:
            if check.diagnosis:
                quantities[check.diagnosis][check.name] = None
    ranked = sorted(students.items(), key=lambda item: (-len(item[1]), item[0]))
    rows = [
        [
            tag("code", text(diagnosis)),
            str(len(who)),
            text(", ".join(quantities[diagnosis])),
            ", ".join(_who(r, links) for r in who),
        ]
        for diagnosis, who in ranked
    ]
    return tag("h3", "Diagnoses, by how many students they explain") + _table(
        ["diagnosis", "students", "in", "who"], rows
    )


def _slowest(results: list[CheckResult], links: Links) -> str:
    slow = sorted((r for r in results if r.status == "graded"), key=lambda r: -r.elapsed)
    rows = [[_who(r, links), f"{r.elapsed:.2f} s", text(r.outcome)] for r in slow[:SLOWEST]]
    return tag(
        "div", tag("h3", "The slowest submissions") + _table(["student", "time", "outcome"], rows)
    )


def _stopped(results: list[CheckResult], links: Links) -> str:
    hit = [r for r in results if r.outcome != "ok"]
    hit.sort(key=lambda r: (r.outcome not in LIMITS, r.outcome))
    rows = [
        [
            _who(r, links),
            tag("strong" if r.outcome in LIMITS else "span", text(r.outcome)),
            text("; ".join(r.problems[:1])),
        ]
        for r in hit
    ]
    return tag(
        "div",
        tag("h3", "Hit a limit, or did not run to the end")
        + _table(["student", "outcome", "why"], rows),
    )


def _everyone(results: list[CheckResult], links: Links) -> str:
    # The instructor's page names whose personal variant a student's answers fit better than
    # their own (grader/batch/integrity.py); the column is there only when a class has one.
    flagged = any(r.fits_variant_of for r in results)
    rows = [
        [
            _who(r, links),
            f"{points(r.score)} / {points(r.max_score)}",
            text(r.outcome if r.status == "graded" else r.status),
            text(", ".join(dict.fromkeys(c.diagnosis for c in r.checks if c.diagnosis))),
            *([text(r.fits_variant_of)] if flagged else []),
        ]
        for r in sorted(results, key=lambda r: (r.student or r.submission).lower())
    ]
    head = [
        "student",
        "score",
        "outcome",
        "diagnoses",
        *(["fits the variant of"] if flagged else []),
    ]
    return tag("h3", "Every student") + _table(head, rows)


def _exercise(results: list[CheckResult], links: Links) -> str:
    first = results[0]
    summary, chart = _summary(results)
    parts = [
        tag("h2", f"{text(first.exercise)}: {text(first.title)}"),
        summary,
        tag("div", chart + _pass_rates(results), class_="row"),
        _diagnoses(results, links),
        tag("div", _stopped(results, links) + _slowest(results, links), class_="row"),
        _everyone(results, links),
    ]
    return tag("section", "".join(parts), data_exercise=first.exercise)


def dashboard_page(results: list[CheckResult], links: Links, note: str = "") -> str:
    """The whole dashboard; `links` gives each result's own page (none: names only)."""
    by_exercise: dict[str, list[CheckResult]] = defaultdict(list)
    for result in results:
        by_exercise[result.exercise].append(result)
    head = tag("h1", "Class report") + tag(
        "p",
        text(
            f"{len(results)} results, {len(by_exercise)} "
            f"exercise{'' if len(by_exercise) == 1 else 's'}. {note}"
        ),
        class_="muted",
    )
    body = head + "".join(_exercise(group, links) for group in by_exercise.values())
    if not results:
        body += tag("p", "No submissions were graded.")
    return document("Class report", body)
