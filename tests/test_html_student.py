"""Tests for grader.report.html.student: one submission's page, for every task's quantities."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grader.report.html.student import student_page
from grader.result import Sketch, SketchLayer


def test_the_backward_page_marks_every_entry_once(
    html_result: Callable[..., Any],
    parse_page: Callable[[str], Any],
    marked_entries: Callable[..., Any],
) -> None:
    root = parse_page(student_page(html_result(), back="../report.html"))
    marked = marked_entries(root)
    assert len(marked) == len(set(marked)) == 9
    assert root.find(".//a").get("href") == "../report.html"


def test_a_train_page_has_its_loss_curve(
    html_result: Callable[..., Any],
    entry_check: Callable[..., Any],
    parse_page: Callable[[str], Any],
    marked_entries: Callable[..., Any],
) -> None:
    checks = [entry_check("trained.W1", (2, 2)), entry_check("losses.losses", (11,), {(3,)})]
    page = student_page(html_result(checks))
    marked = marked_entries(parse_page(page))
    assert len(marked) == 4 + 11 and ("losses.losses", "3", "fail") in marked
    assert "the loss while training" in page


def test_a_third_party_task_gets_tables(
    html_result: Callable[..., Any],
    entry_check: Callable[..., Any],
    parse_page: Callable[[str], Any],
    marked_entries: Callable[..., Any],
) -> None:
    checks = [entry_check("answer.score", (3,), {(0,)}), entry_check("answer.grid", (2, 2, 2))]
    marked = marked_entries(parse_page(student_page(html_result(checks))))
    assert len(marked) == 3 + 8 and ("answer.grid", "1,1,1", "pass") in marked


def test_a_large_network_is_blocks_and_says_so(
    html_result: Callable[..., Any], parse_page: Callable[[str], Any]
) -> None:
    wide = Sketch(inputs=12, layers=[SketchLayer(units=16, activation="relu")], loss="l")
    page = student_page(html_result([], network=wide))
    parse_page(page)
    assert "more than 8 units: layers are drawn as blocks" in page


def test_a_submission_that_could_not_be_graded_has_a_page(
    html_result: Callable[..., Any], parse_page: Callable[[str], Any]
) -> None:
    failed = html_result(
        [],
        status="error",
        outcome="error",
        network=None,
        problems=["the grader failed on this submission (RuntimeError: boom)"],
    )
    page = student_page(failed)
    parse_page(page)
    assert "problem: the grader failed" in page and "<svg" not in page


def test_what_the_submission_printed_is_shown_as_text(
    html_result: Callable[..., Any], parse_page: Callable[[str], Any]
) -> None:
    page = student_page(html_result(stdout="<script>alert(1)</script>\nline 2\n"))
    parse_page(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script" not in page
