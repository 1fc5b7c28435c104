"""JUnit XML: one <testsuite> per student, one <testcase> per check (tests/schemas/junit.xsd).

A testcase is named `<student>.<exercise>` (classname) and the quantity (name), so that GitLab,
which keys tests by classname and name, keeps every student's. A wrong answer is a <failure>
(so is a missing submission: the student's to fix); the grader failing is an <error>.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from grader.report.base import BaseReporter
from grader.report.safe import printable
from grader.result import CheckResult


def _classname(result: CheckResult) -> str:
    return f"{result.student}.{result.exercise}" if result.student else result.exercise


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _checks(result: CheckResult) -> list[ET.Element]:
    # One run graded every quantity: its time is shared out evenly, so the times add up.
    share = round(result.elapsed / len(result.checks), 3)
    cases = []
    for check in result.checks:
        case = ET.Element(
            "testcase", classname=_classname(result), name=check.name, time=_seconds(share)
        )
        if check.status != "pass":
            detail = check.message + (
                f"\nlikely cause ({check.diagnosis}): {check.explanation}"
                if check.explanation
                else ""
            )
            failure = ET.SubElement(
                case, "failure", type=check.status, message=f"{check.score:g}/{check.max_score:g}"
            )
            failure.text = detail
        cases.append(case)
    return cases


def _ungraded(result: CheckResult) -> ET.Element:
    """Nothing was graded: missing (a <failure>) or the grader failed (an <error>)."""
    case = ET.Element(
        "testcase", classname=_classname(result), name="submission", time=_seconds(result.elapsed)
    )
    kind = "error" if result.status == "error" else "failure"
    problem = ET.SubElement(case, kind, type=result.outcome, message=result.outcome)
    problem.text = "\n".join(result.problems)
    return case


def _testcases(result: CheckResult) -> list[ET.Element]:
    return _checks(result) if result.checks else [_ungraded(result)]


def _clean(element: ET.Element) -> None:
    """XML 1.0 cannot hold most control characters; a submission's text may contain them."""
    for node in element.iter():
        if node.text:
            node.text = printable(node.text)
        for key, value in node.attrib.items():
            node.set(key, printable(value))


def _counts(cases: list[ET.Element]) -> dict[str, float]:
    return {
        "tests": len(cases),
        "failures": sum(c.find("failure") is not None for c in cases),
        "errors": sum(c.find("error") is not None for c in cases),
        "skipped": sum(c.find("skipped") is not None for c in cases),
        "time": sum(float(c.get("time", "0")) for c in cases),
    }


def _suite(root: ET.Element, student: str, results: list[CheckResult]) -> dict[str, float]:
    cases = [c for r in results for c in _testcases(r)]
    counts = _counts(cases)
    attributes = {"name": student}
    attributes |= {k: str(int(v)) for k, v in counts.items() if k != "time"}
    suite = ET.SubElement(root, "testsuite", attributes, time=_seconds(counts["time"]))
    properties = ET.SubElement(suite, "properties")
    for r in results:
        for key in ("score", "max_score"):
            ET.SubElement(
                properties, "property", name=f"{r.exercise}.{key}", value=f"{getattr(r, key):g}"
            )
        if r.fits_variant_of:  # for the instructor: whose numbers the answers fit
            ET.SubElement(
                properties,
                "property",
                name=f"{r.exercise}.fits_variant_of",
                value=r.fits_variant_of,
            )
    suite.extend(cases)
    problems = [f"{r.exercise}: {p}" for r in results for p in r.problems]
    problems += [
        f"{r.exercise}: the answers fit the variant of {r.fits_variant_of} better than their own"
        for r in results
        if r.fits_variant_of
    ]
    if problems:
        ET.SubElement(suite, "system-out").text = "\n".join(problems)
    return counts


class JUnitReporter(BaseReporter):
    filename = "junit.xml"

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.by_student: dict[str, list[CheckResult]] = {}

    def add(self, result: CheckResult) -> None:
        self.by_student.setdefault(result.student or result.submission, []).append(result)

    def close(self) -> None:
        root = ET.Element("testsuites", name="backprop-grader")
        totals = {"tests": 0.0, "failures": 0.0, "errors": 0.0, "time": 0.0}
        for student, results in self.by_student.items():
            counts = _suite(root, student, results)
            for key in totals:
                totals[key] += counts[key]
        # The schema's <testsuites> has no `skipped`: nothing is ever skipped here anyway.
        for key in ("tests", "failures", "errors"):
            root.set(key, str(int(totals[key])))
        root.set("time", _seconds(totals["time"]))
        _clean(root)
        ET.indent(root)
        self.stream.write(ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n")
        self.stream.flush()


reporter = JUnitReporter
