"""Tests for grader.report.github: workflow commands on stdout, a Markdown job summary.

GitHub's runner reads one command per line, `::level key=value,key=value::message`, and undoes
the escaping on its side: in the message `%25`, `%0D`, `%0A`; in a property also `%3A` and
`%2C`. The tests unescape the way the runner does and compare with what was meant.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.report.github import GithubReporter, _data, _property, line_of
from grader.report.safe import printable
from grader.result import CheckResult

COMMAND = re.compile(r"^::(?P<level>notice|warning|error) (?P<props>[^:]*)::(?P<message>.*)$")


def unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


def annotations(stream: io.StringIO) -> list[dict[str, str | dict[str, str]]]:
    found = []
    for line in stream.getvalue().splitlines():
        match = COMMAND.match(line)
        if match:
            props = dict(p.split("=", 1) for p in match["props"].split(","))
            found.append(
                {
                    "level": match["level"],
                    "props": {k: unescape_property(v) for k, v in props.items()},
                    "message": unescape_data(match["message"]),
                }
            )
    return found


def report(results: list[CheckResult]) -> io.StringIO:
    stream = io.StringIO()
    reporter = GithubReporter(stream)
    for result in results:
        reporter.add(result)
    reporter.close()
    return stream


TEXTS = [
    "100% of the points",
    "%0A is not a newline here",
    "first line\nsecond line",
    "carriage\rreturn",
    "windows\r\nline end",
    "file: a.py, line 3",
]
TEXT_IDS = ["percent", "literal-escape", "newline", "carriage-return", "crlf", "colon-comma"]


@pytest.mark.parametrize("text", TEXTS, ids=TEXT_IDS)
def test_a_message_reads_back_as_written(text: str) -> None:
    escaped = _data(text)
    assert "\r" not in escaped
    assert "\n" not in escaped  # one command, one line
    # A carriage return is shown as text (grader.report.safe), never able to rewrite a line.
    assert unescape_data(escaped) == printable(text)


@pytest.mark.parametrize("text", TEXTS, ids=TEXT_IDS)
def test_a_property_reads_back_as_written(text: str) -> None:
    escaped = _property(text)
    assert not set(escaped) & set("\r\n:,")  # `:` ends the properties, `,` separates them
    assert unescape_property(escaped) == printable(text)


def test_escaping_uses_the_runners_codes() -> None:
    assert _data("50%\n") == "50%25%0A"
    assert _property("a:b,c%") == "a%3Ab%2Cc%25"


# Issue 11 changed the levels: a wrong quantity is an error (it was a warning), a missing
# submission a warning, a grader failure an error.
def test_one_annotation_per_result_short_of_full_marks(
    class_result: Callable[..., CheckResult],
) -> None:
    stream = report(
        [
            class_result("full", "alice"),
            class_result("partial", "bob"),
            class_result("missing", "carol"),
            class_result("error", "dave"),
            class_result("timeout", "erin"),
        ]
    )
    found = annotations(stream)
    assert [(a["level"], a["props"]["title"]) for a in found] == [
        ("error", "bob: house-price-backprop 5/9"),
        ("warning", "carol: house-price-backprop 0/9"),
        ("error", "dave: house-price-backprop 0/9"),
        ("error", "erin: house-price-backprop 0/9"),
    ]
    bob, carol, dave, _ = found
    assert bob["props"]["file"] == "class/bob.py"
    assert "dL/dW2: worked case: dL/dW2: expected -0.018290, got 0.018290 (sign-flipped)" in str(
        bob["message"]
    )
    assert "file" not in carol["props"]  # nothing to point at
    assert carol["message"] == "carol/ is empty"
    assert "RuntimeError: boom" in str(dave["message"])


def test_full_marks_with_a_remark_is_a_notice(class_result: Callable[..., CheckResult]) -> None:
    note = "changed its input params['W1'] in place"
    (found,) = annotations(report([class_result("full", problems=[note])]))
    assert found["level"] == "notice"
    assert found["message"] == note


@pytest.mark.parametrize(
    ("problem", "line"),
    [
        ("ZeroDivisionError: division by zero (line 12)", "12"),
        ("SyntaxError: invalid syntax (alice.py, line 16)", "16"),
        ("NameError: name 'x' is not defined (cell 4, line 2)", None),
        ("did not finish within 3 s of wall-clock time", None),
    ],
    ids=["crash", "syntax-error", "notebook-cell", "no-line"],
)
def test_the_line_is_given_where_the_run_knows_it(
    problem: str, line: str | None, class_result: Callable[..., CheckResult]
) -> None:
    result = class_result("timeout", problems=[problem])
    (found,) = annotations(report([result]))
    assert found["level"] == "error"
    assert found["props"].get("line") == line
    assert found["props"]["file"] == "class/alice.py"


def test_a_line_in_a_check_message_counts_too(class_result: Callable[..., CheckResult]) -> None:
    result = class_result("timeout", problems=[])
    check = result.checks[0].model_copy(
        update={"message": "worked case: raised KeyError: 'W1' (line 7)\nhidden case 1: ..."}
    )
    assert line_of(result.model_copy(update={"checks": [check]})) == 7


def test_after_ten_of_a_level_one_notice_points_at_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, class_result: Callable[..., CheckResult]
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    wrong = [class_result("partial", f"s{i:02}") for i in range(14)]
    missing = [class_result("missing", f"m{i:02}") for i in range(3)]
    found = annotations(report(wrong + missing))
    levels = [a["level"] for a in found]
    assert levels == ["error"] * 10 + ["warning"] * 3 + ["notice"]
    assert "4 more results" in str(found[-1]["message"])
    assert "job summary, which lists every result" in str(found[-1]["message"])
    table = summary.read_text()
    assert all(f"| s{i:02} |" in table for i in range(14))  # every student, annotated or not
    assert all(f"| m{i:02} |" in table for i in range(3))


def test_the_pointer_is_shown_even_after_many_notices(
    monkeypatch: pytest.MonkeyPatch, class_result: Callable[..., CheckResult]
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    remarks = [class_result("full", f"s{i:02}", problems=["a remark"]) for i in range(12)]
    levels = [a["level"] for a in annotations(report(remarks))]
    assert levels == ["notice"] * 10  # nine remarks and the pointer: GitHub shows all ten


def test_names_with_separators_do_not_break_the_command(
    class_result: Callable[..., CheckResult],
) -> None:
    student = "o'brien, pat: 100%"
    stream = report([class_result("timeout", student, submission=f"class/{student}.py")])
    (found,) = annotations(stream)
    assert found["props"] == {
        "file": f"class/{student}.py",
        "title": f"{student}: house-price-backprop 0/9",
    }
    assert str(found["message"]).startswith("did not finish within 3 s")


def test_the_summary_goes_to_github_step_summary_when_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, class_result: Callable[..., CheckResult]
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    stream = report([class_result("full", "alice"), class_result("partial", "b|ob")])
    text = summary.read_text()
    assert text.startswith("# earlier step\n")  # appended, as GitHub expects
    assert "| alice | house-price-backprop | 9 / 9 | full marks |" in text
    assert "| b\\|ob | house-price-backprop | 5 / 9 | ok |" in text
    assert "## Grades" not in stream.getvalue()
    assert all(line.startswith("::") for line in stream.getvalue().splitlines())


# Issue 11 changed this premise: outside GitHub Actions the Markdown table is no longer dumped
# on the terminal; one line on stderr says where the summary would go.
def test_without_github_step_summary_one_line_says_where_it_would_go(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    class_result: Callable[..., CheckResult],
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    stream = report([class_result("partial", "bob"), class_result("full", "alice")])
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("::error ")
    assert "## Grades" not in stream.getvalue()
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "GITHUB_STEP_SUMMARY is not set" in err
    assert "2 results" in err
