"""Tests for grader.report.html.dashboard: what a class got right and wrong, on one page."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest

from grader.report.html.dashboard import dashboard_page
from grader.result import CheckResult


@pytest.fixture
def klass(class_result: Callable[..., Any]) -> list[CheckResult]:
    """Five students: two full marks, two sign-flipped (one partly), one timeout, one missing."""
    return [
        class_result("full", "alice", elapsed=0.2),
        class_result("full", "bob", elapsed=1.5),
        class_result("partial", "carl", elapsed=0.3),
        class_result("timeout", "dora", elapsed=3.0),
        class_result("missing", "erin"),
    ]


def _tables(page: str, parse_page: Callable[[str], Any]) -> dict[str, list[list[str]]]:
    """Each h3's table, as rows of cell texts."""
    root = parse_page(page)
    found, heading = {}, ""
    for element in root.iter():
        if element.tag == "h3":
            heading = "".join(element.itertext())
        elif element.tag == "table":
            rows = element.iter("tr")
            found[heading] = [["".join(c.itertext()) for c in row] for row in rows][1:]
    return found


def test_the_class_at_a_glance(klass: list[CheckResult], parse_page: Callable[[str], Any]) -> None:
    page = dashboard_page(klass, {})
    tables = _tables(page, parse_page)
    assert "5 submissions, 4 graded" in page and "2 with full marks" in page
    rates = {row[0]: row[1] for row in tables["Each quantity's pass rate"]}
    assert rates == {"dL/dW1": "2 of 4", "dL/db1": "3 of 4", "dL/dW2": "2 of 4", "dL/db2": "3 of 4"}
    assert [r[0] for r in tables["The slowest submissions"]][:2] == ["dora", "bob"]
    stopped = tables["Hit a limit, or did not run to the end"]
    assert [(r[0], r[1]) for r in stopped] == [("dora", "timeout"), ("erin", "missing")]


def test_diagnoses_ranked_by_how_many_students_they_explain(
    class_result: Callable[..., Any], parse_page: Callable[[str], Any]
) -> None:
    results = [
        class_result("partial", "amy"),
        class_result("partial", "ben"),
        class_result("partial", "cat"),
    ]
    rare = results[2].checks[2].model_copy(update={"diagnosis": "transposed"})
    results[2] = results[2].with_changes(
        checks=[*results[2].checks[:2], rare, results[2].checks[3]]
    )
    ranked = _tables(dashboard_page(results, {}), parse_page)[
        "Diagnoses, by how many students they explain"
    ]
    assert [(r[0], r[1], r[3]) for r in ranked] == [
        ("sign-flipped", "2", "amy, ben"),
        ("transposed", "1", "cat"),
    ]


def test_each_student_links_to_their_page(
    klass: list[CheckResult], parse_page: Callable[[str], Any]
) -> None:
    links = {id(r): f"students/{r.student}.html" for r in klass}
    root = parse_page(dashboard_page(klass, links))
    hrefs = {a.get("href") for a in root.iter("a")}
    assert hrefs == {f"students/{name}.html" for name in ["alice", "bob", "carl", "dora", "erin"]}


def test_nobody_graded_is_still_a_page(parse_page: Callable[[str], Any]) -> None:
    assert "No submissions were graded." in "".join(parse_page(dashboard_page([], {})).itertext())


def test_names_are_text(class_result: Callable[..., Any], parse_page: Callable[[str], Any]) -> None:
    page = dashboard_page([class_result("partial", '<img src=x onerror="alert(1)">')], {})
    root = parse_page(page)
    assert not list(root.iter("img")) and '<img src=x onerror="alert(1)">' in ET.tostring(
        root, encoding="unicode", method="text"
    )


def test_whose_variant_an_answers_file_fits_is_on_the_instructors_page(
    class_result: Callable[..., Any], parse_page: Callable[[str], Any]
) -> None:
    plain = parse_page(dashboard_page([class_result("full", "alice")], {}))
    assert "fits the variant of" not in "".join(plain.itertext())
    copied = class_result("partial", "carol", fits_variant_of="alice")
    root = parse_page(dashboard_page([class_result("full", "alice"), copied], {}))
    rows = [["".join(td.itertext()) for td in tr.iter("td")] for tr in root.iter("tr")]
    assert any(row and row[0].strip() == "carol" and row[-1].strip() == "alice" for row in rows)
