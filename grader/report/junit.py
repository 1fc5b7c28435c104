"""JUnit XML: one <testsuite> per student, one <testcase> per check (tests/schemas/junit.xsd)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import IO

from grader.report.safe import printable
from grader.result import CheckResult


def _testcase(result: CheckResult) -> list[ET.Element]:
    cases = []
    for check in result.checks:
        case = ET.Element("testcase", classname=result.exercise, name=check.name, time="0")
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
    if not result.checks:  # nothing was graded: missing, or the grader failed
        case = ET.Element("testcase", classname=result.exercise, name="submission", time="0")
        failure = ET.SubElement(case, "failure", type=result.status, message=result.outcome)
        failure.text = "\n".join(result.problems)
        cases.append(case)
    return cases


def _clean(element: ET.Element) -> None:
    """XML 1.0 cannot hold most control characters; a submission's text may contain them."""
    for node in element.iter():
        if node.text:
            node.text = printable(node.text)
        for key, value in node.attrib.items():
            node.set(key, printable(value))


class JUnitReporter:
    filename = "junit.xml"

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.by_student: dict[str, list[CheckResult]] = {}

    def add(self, result: CheckResult) -> None:
        self.by_student.setdefault(result.student or result.submission, []).append(result)

    def close(self) -> None:
        root = ET.Element("testsuites", name="backprop-grader")
        totals = {"tests": 0, "failures": 0, "time": 0.0}
        for student, results in self.by_student.items():
            cases = [c for r in results for c in _testcase(r)]
            failures = sum(c.find("failure") is not None for c in cases)
            elapsed = sum(r.elapsed for r in results)
            suite = ET.SubElement(
                root,
                "testsuite",
                name=student,
                tests=str(len(cases)),
                failures=str(failures),
                errors="0",
                skipped="0",
                time=f"{elapsed:.3f}",
            )
            properties = ET.SubElement(suite, "properties")
            for r in results:
                for key in ("score", "max_score"):
                    ET.SubElement(
                        properties,
                        "property",
                        name=f"{r.exercise}.{key}",
                        value=f"{getattr(r, key):g}",
                    )
            suite.extend(cases)
            problems = [f"{r.exercise}: {p}" for r in results for p in r.problems]
            if problems:
                ET.SubElement(suite, "system-out").text = "\n".join(problems)
            totals["tests"] += len(cases)
            totals["failures"] += failures
            totals["time"] += elapsed
        root.set("tests", str(totals["tests"]))
        root.set("failures", str(totals["failures"]))
        root.set("errors", "0")
        root.set("time", f"{totals['time']:.3f}")
        _clean(root)
        ET.indent(root)
        self.stream.write(ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n")
        self.stream.flush()


reporter = JUnitReporter
