"""Tests for grader.report.junit: junit.xml validated against tests/schemas/junit.xsd.

The schema is the JUnit XML that Jenkins and Surefire read; beyond validity, the counts a CI
viewer shows must add up, and a student is one <testsuite> however many exercises they hand in.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest

from grader.report.junit import JUnitReporter
from grader.result import CheckResult

KINDS = ["full", "partial", "timeout", "missing", "error"]


def junit_xml(results: list[CheckResult]) -> str:
    stream = io.StringIO()
    reporter = JUnitReporter(stream)
    for result in results:
        reporter.add(result)
    reporter.close()
    return stream.getvalue()


def assert_counts_add_up(root: ET.Element) -> None:
    """Each suite's counts are its testcases'; the totals are the suites' sums."""
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        counted = {
            "tests": len(cases),
            "failures": sum(c.find("failure") is not None for c in cases),
            "errors": sum(c.find("error") is not None for c in cases),
            "skipped": sum(c.find("skipped") is not None for c in cases),
        }
        for key, value in counted.items():
            assert int(suite.get(key, "0")) == value, (suite.get("name"), key)
        for key in totals:
            totals[key] += counted[key]
    for key, value in totals.items():
        assert int(root.get(key, "0")) == value, key


@pytest.mark.parametrize("kind", KINDS, ids=KINDS)
def test_every_kind_of_result_is_valid_junit(
    kind: str, class_result: Callable[..., CheckResult], junit_schema: Any
) -> None:
    result = class_result(kind)
    text = junit_xml([result])
    junit_schema.validate(text)
    root = ET.fromstring(text)
    assert_counts_add_up(root)
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "alice"
    cases = suite.findall("testcase")
    if result.checks:
        assert [c.get("name") for c in cases] == [c.name for c in result.checks]
        failed = [c.get("name") for c in cases if c.find("failure") is not None]
        assert failed == [c.name for c in result.checks if c.status != "pass"]
    else:  # nothing was graded: one testcase that says why
        (case,) = cases
        # A missing submission is the student's failure; the grader failing is an error.
        problem = case.find("error" if kind == "error" else "failure")
        assert problem is not None
        assert case.find("failure" if kind == "error" else "error") is None
        assert problem.get("type") == kind
        assert result.problems[0] in (problem.text or "")
    assert all(c.get("classname") == "alice.house-price-backprop" for c in cases)


@pytest.mark.parametrize(
    ("kind", "score"),
    [("full", "9"), ("partial", "5"), ("missing", "0"), ("error", "0")],
    ids=["full", "partial", "missing", "error"],
)
def test_the_score_is_a_property_of_the_suite(
    kind: str, score: str, class_result: Callable[..., CheckResult]
) -> None:
    suite = ET.fromstring(junit_xml([class_result(kind)])).find("testsuite")
    assert suite is not None
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties == {
        "house-price-backprop.score": score,
        "house-price-backprop.max_score": "9",
    }


def test_one_testsuite_per_student_across_several_exercises(
    class_result: Callable[..., CheckResult], junit_schema: Any
) -> None:
    results = [
        class_result("full", "alice", "house-price-backprop"),
        class_result("partial", "alice", "house-price-step"),
        class_result("missing", "bob", "house-price-backprop"),
        class_result("full", "bob", "house-price-step"),
        class_result("error", "carol", "house-price-backprop"),
        class_result("timeout", "carol", "house-price-step"),
    ]
    text = junit_xml(results)
    junit_schema.validate(text)
    root = ET.fromstring(text)
    assert_counts_add_up(root)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["alice", "bob", "carol"]
    alice = suites[0]
    classes = [c.get("classname") for c in alice.findall("testcase")]
    # The student is in the classname: GitLab keys a test by classname and name.
    assert classes == ["alice.house-price-backprop"] * 4 + ["alice.house-price-step"] * 4
    names = {p.get("name") for p in alice.iter("property")}
    assert names == {
        f"{exercise}.{key}"
        for exercise in ("house-price-backprop", "house-price-step")
        for key in ("score", "max_score")
    }
    # bob: a missing exercise is one failing testcase beside the four checks of the other
    assert int(suites[1].get("tests", "")) == 5
    assert int(suites[1].get("failures", "")) == 1
    # carol: the grader failing is an error, a timeout four failed checks
    assert (suites[2].get("failures"), suites[2].get("errors")) == ("4", "1")
    assert int(root.get("tests", "")) == 8 + 5 + 5
    assert (root.get("failures"), root.get("errors")) == (str(2 + 1 + 4), "1")


def test_problems_are_kept_in_system_out(class_result: Callable[..., CheckResult]) -> None:
    suite = ET.fromstring(junit_xml([class_result("timeout")])).find("testsuite")
    assert suite is not None
    out = suite.find("system-out")
    assert out is not None
    assert "house-price-backprop: did not finish within 3 s" in (out.text or "")


def test_no_results_is_an_empty_valid_document(junit_schema: Any) -> None:
    text = junit_xml([])
    junit_schema.validate(text)
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    assert root.get("tests") == "0"
    assert root.findall("testsuite") == []


# The premise changed with issue 11: every testcase has a time now (a run's time shared out
# among its checks), and a suite's and the document's times are the sums of their testcases'.
def test_times_are_filled_in_and_add_up(
    class_result: Callable[..., CheckResult], junit_schema: Any
) -> None:
    results = [
        class_result("full", elapsed=1234.56789),
        class_result("missing", "bob", elapsed=0.5),
        class_result("partial", "carol", elapsed=0.25),
    ]
    text = junit_xml(results)
    junit_schema.validate(text)
    root = ET.fromstring(text)
    suite_times = []
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        assert all(c.get("time") for c in cases)
        assert float(suite.get("time", "")) == pytest.approx(
            sum(float(c.get("time", "")) for c in cases)
        )
        suite_times.append(float(suite.get("time", "")))
    assert suite_times == pytest.approx([1234.568, 0.5, 0.248])  # 308.642 x 4; 0.062 x 4
    assert float(root.get("time", "")) == pytest.approx(sum(suite_times))


def test_every_student_keeps_their_own_testcases_in_a_real_consumer(
    class_result: Callable[..., CheckResult], tmp_path: Any
) -> None:
    """junitparser reads the report as GitLab does: one test per (classname, name)."""
    junitparser = pytest.importorskip("junitparser")
    results = [
        class_result("full", "alice"),
        class_result("partial", "bob"),
        class_result("error", "carol"),
        class_result("missing", "dave"),
        class_result("timeout", "erin", "house-price-step"),
    ]
    path = tmp_path / "junit.xml"
    path.write_text(junit_xml(results), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    cases = [(suite.name, case) for suite in xml for case in suite]
    keys = [(case.classname, case.name) for _, case in cases]
    assert len(keys) == len(set(keys)) == 4 + 4 + 1 + 1 + 4
    outcome = {}
    for student, case in cases:
        kinds = {type(r).__name__ for r in case.result}
        outcome[student, case.name] = kinds or {"passed"}
        assert case.time >= 0
    assert outcome["alice", "dL/dW1"] == {"passed"}
    assert outcome["bob", "dL/dW2"] == {"Failure"}
    assert outcome["carol", "submission"] == {"Error"}
    assert outcome["dave", "submission"] == {"Failure"}
    assert all(outcome["erin", q] == {"Failure"} for q in ("dL/dW1", "dL/db2"))
    assert (xml.tests, xml.failures, xml.errors) == (14, 2 + 1 + 4, 1)
    for suite in xml:  # the counts junitparser reads are the ones its own tally finds
        tally = [type(r).__name__ for case in suite for r in case.result]
        assert (suite.failures, suite.errors) == (tally.count("Failure"), tally.count("Error"))


def test_text_from_a_submission_cannot_break_the_xml(
    class_result: Callable[..., CheckResult], junit_schema: Any
) -> None:
    # An exception message raised by a submission (tests/hostile/output_spoofing.py does this):
    # terminal escapes, a bell, a NUL, a carriage return, none of which XML 1.0 may hold.
    nasty = "raised ValueError: \x1b[2K\x1b[1A  PASS\r\x07\x00\x1b]0;all tests passed\x07 <&>"
    result = class_result("partial", problems=[nasty])
    result.checks[2].message = nasty
    text = junit_xml([result])
    root = ET.fromstring(text)  # well-formed
    junit_schema.validate(text)
    failure = root.find(".//testcase[@name='dL/dW2']/failure")
    assert failure is not None
    assert "raised ValueError" in (failure.text or "")
    assert "<&>" in (failure.text or "")
    assert not any(ch in text for ch in "\x1b\x07\x00")


@pytest.mark.parametrize(
    "document",
    [
        '<testsuites><testsuite tests="0" failures="0" errors="0"/></testsuites>',
        '<testsuites><testsuite name="a" tests="0" failures="0" errors="0" time="0.0001"/>'
        "</testsuites>",
        '<testsuites><testsuite name="a" tests="1" failures="0" errors="0">'
        '<testcase name="t"/><properties><property name="p" value="1"/></properties>'
        "</testsuite></testsuites>",
        '<testsuites><testsuite name="a" tests="1" failures="0" errors="0">'
        '<testcase classname="c"/></testsuite></testsuites>',
        '<testsuites><testsuite name="a" tests="1" failures="1" errors="0">'
        '<testcase name="t"><failure/><skipped/></testcase></testsuite></testsuites>',
        '<testsuites><testsuite name="a" tests="many" failures="0" errors="0"/></testsuites>',
    ],
    ids=[
        "suite-without-name",
        "four-decimals",
        "properties-after-testcases",
        "testcase-without-name",
        "skipped-after-failure",
        "count-not-a-number",
    ],
)
def test_the_schema_rejects_what_jenkins_would(document: str, junit_schema: Any) -> None:
    assert not junit_schema.is_valid(document)
