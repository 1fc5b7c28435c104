"""Every string a student controls, through every output: neutralised and capped.

The student's name and file name, what their code raised, printed and returned (key names,
`mutated` labels) travel the real way (the child's JSON lines through grader.run.wire, then
scoring) into a result, which goes through every reporter and the progress display.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader.batch.progress import Progress
from grader.exercise import LoadedExercise
from grader.pipeline import grade_report
from grader.plan.cases import plan_cases
from grader.report.canvas import CanvasReporter
from grader.report.csv_report import CsvReporter
from grader.report.github import GithubReporter
from grader.report.gradescope import GradescopeReporter
from grader.report.html.reporter import HtmlReporter
from grader.report.html.student import student_page
from grader.report.json_report import JsonReporter
from grader.report.junit import JUnitReporter
from grader.report.lifecycle import drive
from grader.report.text import TextReporter
from grader.result import CheckResult
from grader.run.report import RunReport
from grader.run.wire import parse_events

# Terminal escapes, a bell, a carriage return, forged report lines, GitHub workflow commands
# (new and legacy), Unicode line separators, NEL and a C1 CSI, a formula, invalid UTF-8.
HOSTILE = (
    "\x1b[2J\x1b]0;owned\x07\x08\r\n  PASS  dL/dW1  3/3\nscore: 9 / 9 (full marks)\n"
    "::error file=a.py::forged\n  ::warning::forged\n##[error]forged \u2028::set-output\u2029"
    "\x85##[group]\x9b31m\udcff"
)
FORMULAS = ["=1+1", "\t=1+1", "\r=1+1", "+1", "-1", "@SUM(A1)", " =1+1"]
BIG = 12 * 1024 * 1024  # what one student could send before the channel's cap

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def line(event: dict[str, Any]) -> bytes:
    return json.dumps(event).encode() + b"\n"


def hostile_result(exercise: LoadedExercise, student: str, huge: bool = False) -> CheckResult:
    """A real result built from hostile child output: wire -> scoring -> CheckResult."""
    cases = plan_cases(exercise, 1)
    refs = [exercise.task.reference(exercise.network, case) for case in cases]
    text = HOSTILE.replace("\udcff", "")  # the wire refuses invalid Unicode; a file name may not
    raw = line(
        {
            "event": "result",
            "case": 0,
            "type": "dict",
            "values": {"W1": {"error": text}, text[:199]: {"shape": [1], "data": [1.0]}},
            "mutated": [text[:199], "argument 1['W1\n  PASS']"],
        }
    ) + line({"event": "call-error", "case": 1, "error": text})
    events = {e["case"]: e for e in parse_events(raw)}
    assert len(events) == 2  # the hostile text is accepted, so it reaches the reporters
    output = HOSTILE * (BIG // len(HOSTILE)) if huge else HOSTILE
    report = RunReport("crashed", HOSTILE, events, output, output, 0.5)
    path = Path("class") / f"{student}.py"
    result = grade_report(exercise, path, 1, cases, refs, report)
    problems = [HOSTILE * (BIG // len(HOSTILE) // 100)] * 100 if huge else [HOSTILE]
    return result.with_changes(student=student, problems=problems + result.problems)


def results(exercise: LoadedExercise, huge: bool = False) -> list[CheckResult]:
    made = [hostile_result(exercise, name, huge) for name in (HOSTILE, *FORMULAS)]
    missing = CheckResult(
        student=HOSTILE,
        status="missing",
        outcome="missing",
        exercise=exercise.id,
        title=exercise.spec.title,
        submission=HOSTILE,
        score=0,
        max_score=9,
        seed=0,
        hidden_cases=0,
        problems=[f"{HOSTILE} is a symbolic link"],
        grader_version="test",
    )
    return [*made, missing, missing.model_copy(update={"status": "error", "outcome": "error"})]


def render(reporter_class: Any, items: list[CheckResult]) -> str:
    stream = io.StringIO()
    drive(reporter_class, stream, items, batch=True)  # as `grader grade` drives it
    return stream.getvalue()


def progress(items: list[CheckResult]) -> str:
    stream = io.StringIO()
    shown = Progress(len(items), stream)
    for item in items:
        shown.update(item, resumed=False)
    return stream.getvalue()


@pytest.fixture(scope="module")
def hostile(bundled_exercise: Callable[[str], LoadedExercise]) -> list[CheckResult]:
    return results(bundled_exercise("house-price-backprop"))


@pytest.fixture(scope="module")
def huge(bundled_exercise: Callable[[str], LoadedExercise]) -> CheckResult:
    """The first of `results(exercise, huge=True)`, 12 MiB of output and 12 MiB of problems,
    made once (each test renders a deep copy of it)."""
    return hostile_result(bundled_exercise("house-price-backprop"), HOSTILE, huge=True)


def assert_no_terminal_control(output: str) -> None:
    found = UNSAFE.findall(output)
    assert not found, f"raw control or separator characters: {found[:5]}"


def assert_no_workflow_command(output: str, own: tuple[str, ...] = ()) -> None:
    assert "##[" not in output
    for text in output.split("\n"):
        if text.startswith(own):
            assert text.count("::") == 2, text  # our command and its data separator only
        else:
            assert "::" not in text, text


@pytest.mark.parametrize("reporter_class", [TextReporter, GithubReporter], ids=["text", "github"])
def test_text_outputs_carry_no_control_character_and_no_command(
    reporter_class: Any, hostile: list[CheckResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)  # the table comes to stdout too
    output = render(reporter_class, hostile)
    assert_no_terminal_control(output.replace("\t", ""))
    assert_no_workflow_command(output, own=("::notice ", "::warning ", "::error "))


def test_the_text_report_cannot_be_forged(hostile: list[CheckResult]) -> None:
    output = render(TextReporter, hostile[:1])
    marks = [t for t in output.split("\n") if re.match(r"\s*(PASS|PART|FAIL)\b", t)]
    assert len(marks) == len(hostile[0].checks) == 4  # one per graded quantity, none forged
    assert all(m.startswith("  ") and not m.startswith("   ") for m in marks)
    assert [t for t in output.split("\n") if t.lstrip().startswith("score:")] == [
        "score: 0 / 9 (not full marks yet)"
    ]


def test_the_progress_display_shows_names_inert(hostile: list[CheckResult]) -> None:
    output = progress(hostile)
    assert_no_terminal_control(output)
    assert_no_workflow_command(output)
    assert output.count("\n") == len(hostile)  # one line per result, whatever the names


def test_the_github_summary_table_is_only_text(
    hostile: list[CheckResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    render(GithubReporter, hostile)
    table = summary.read_text()
    assert_no_terminal_control(table)
    assert_no_workflow_command(table)
    rows = table.splitlines()[4:]
    assert len(rows) == len(hostile)
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 5 for row in rows)  # 4 cells, no more
    assert "<" not in table and "](" not in table.replace("\\](", "")


def test_csv_cells_are_never_formulas(hostile: list[CheckResult]) -> None:
    rows = list(csv.reader(io.StringIO(render(CsvReporter, hostile))))
    assert len(rows) == len(hostile) + 1
    for row in rows[1:]:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), row
            assert cell.lstrip(" ")[:1] not in ("=", "+", "-", "@"), row
    assert rows[1 + len(FORMULAS)][0].startswith("'")


def test_canvas_cells_are_never_formulas(hostile: list[CheckResult]) -> None:
    rows = list(csv.reader(io.StringIO(render(CanvasReporter, hostile))))
    assert len(rows) == 2 + len(FORMULAS) + 1  # header, points possible, a row per name
    for row in rows:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), row
            assert cell.lstrip(" ")[:1] not in ("=", "+", "-", "@"), row


def test_junit_is_valid_xml_whatever_the_text(
    hostile: list[CheckResult], junit_schema: Any
) -> None:
    document = render(JUnitReporter, hostile)
    ET.fromstring(document.encode())
    junit_schema.validate(document)
    assert_no_terminal_control(document.replace("\t", ""))


@pytest.mark.parametrize(
    "reporter_class", [JsonReporter, GradescopeReporter], ids=["json", "gradescope"]
)
def test_json_outputs_are_strict_ascii_json(
    reporter_class: Any, hostile: list[CheckResult]
) -> None:
    document = render(reporter_class, hostile)
    assert document.isascii()
    for text in filter(None, document.split("\n}\n")):
        json.loads(text if text.endswith("}") else text + "}")


@pytest.mark.parametrize(
    "reporter_class",
    [
        TextReporter,
        JsonReporter,
        JUnitReporter,
        GradescopeReporter,
        CsvReporter,
        GithubReporter,
        CanvasReporter,
        HtmlReporter,
    ],
    ids=["text", "json", "junit", "gradescope", "csv", "github", "canvas", "html"],
)
def test_one_student_puts_a_bounded_amount_into_every_report(
    reporter_class: Any, huge: CheckResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    output = render(reporter_class, [huge.model_copy(deep=True)])
    assert len(output) < 200_000  # from 12 MiB of output and 12 MiB of problems
    assert "[cut: " in output or reporter_class in (CsvReporter, CanvasReporter)


# Markup of their own: a script, an event handler, a link out, a quote that would end an attribute.
MARKUP = (
    '</pre></svg><script>alert(1)</script><img src=x onerror="alert(2)">'
    "<a href='javascript:alert(3)'>x</a>\" onclick=\"alert(4)"
)


def test_html_pages_show_every_hostile_text_as_text(
    hostile: list[CheckResult],
    bundled_exercise: Callable[[str], LoadedExercise],
    tmp_path: Path,
    parse_page: Callable[[str], Any],
) -> None:
    exercise = bundled_exercise("house-price-backprop")
    marked = hostile_result(exercise, MARKUP).with_changes(stdout=MARKUP, stderr=HOSTILE)
    items = [*hostile, marked]
    with (tmp_path / "report.html").open("w", encoding="utf-8") as stream:
        drive(HtmlReporter, stream, items, batch=True)
    pages = [(tmp_path / "report.html").read_text(encoding="utf-8")]
    pages += [p.read_text(encoding="utf-8") for p in (tmp_path / "students").iterdir()]
    assert len(pages) == 1 + len(items) and MARKUP in "".join(
        "".join(parse_page(student_page(marked)).itertext())
    )
    for page in pages:
        root = parse_page(page)  # the HTML5 parser and an XML parser agree it is well-formed
        assert_no_terminal_control(page.replace("\t", "").replace("\n", ""))
        tags = {e.tag.split("}")[-1] for e in root.iter()}
        assert not tags & {"script", "img", "iframe", "object", "embed", "foreignObject"}
        for element in root.iter():
            assert not [k for k in element.attrib if k.lower().startswith("on")], element.attrib
            assert "javascript:" not in element.get("href", "")
