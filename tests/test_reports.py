"""Tests for grader.batch.reports: every --format written into --out, from one list of results."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader.batch.reports import write_reports
from grader.errors import InputError, PluginError
from grader.result import CheckResult

FORMATS = ["json", "junit", "csv", "gradescope", "github"]
FILES = {
    "json": "results.json",
    "junit": "junit.xml",
    "csv": "gradebook.csv",
    "gradescope": "gradescope",
    "canvas": "canvas.csv",
}


@pytest.fixture
def results(class_result: Callable[..., CheckResult]) -> list[CheckResult]:
    return [
        class_result("full", "alice", "house-price-backprop"),
        class_result("partial", "alice", "house-price-step"),
        class_result("timeout", "bob", "house-price-backprop"),
        class_result("missing", "bob", "house-price-step"),
        class_result("error", "carol", "house-price-backprop"),
    ]


def test_every_format_is_written(
    results: list[CheckResult],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    junit_schema: Any,
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    out = tmp_path / "out"
    written = write_reports(results, FORMATS, out)
    assert written == [
        str(out / "results.json"),
        str(out / "junit.xml"),
        str(out / "gradebook.csv"),
        f"{out / 'gradescope'}/<exercise>/<student>/results.json",
        "stdout",
    ]
    pairs = [(r.student, r.exercise) for r in results]

    payload = json.loads((out / "results.json").read_text())
    assert [(r["student"], r["exercise"]) for r in payload["results"]] == pairs
    assert [CheckResult.model_validate(r) for r in payload["results"]] == results

    junit_schema.validate(str(out / "junit.xml"))
    suites = ET.parse(out / "junit.xml").getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == ["alice", "bob", "carol"]

    with (out / "gradebook.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["student"], r["exercise"]) for r in rows] == pairs

    files = sorted(p.relative_to(out / "gradescope") for p in (out / "gradescope").rglob("*.json"))
    assert files == sorted(Path(e, s, "results.json") for s, e in pairs)
    for result in results:
        path = out / "gradescope" / result.exercise / result.student / "results.json"
        assert json.loads(path.read_text())["score"] == result.score

    captured = capsys.readouterr()
    # wrong answers, a timeout and a grader failure are errors; a missing submission a warning
    assert captured.out.count("::error ") == 3
    assert captured.out.count("::warning ") == 1
    assert "## Grades" not in captured.out  # not in GitHub Actions: one line on stderr says so
    assert "GITHUB_STEP_SUMMARY is not set" in captured.err
    assert not (out / "results.github").exists()


@pytest.mark.parametrize("name", list(FILES), ids=list(FILES))
def test_a_format_alone_writes_only_its_own_file(
    name: str, results: list[CheckResult], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    write_reports(results, [name], out)
    top = sorted(p.name for p in out.iterdir())
    assert top == [FILES[name]]


def test_a_result_without_a_student_has_a_gradescope_folder_too(
    class_result: Callable[..., CheckResult], tmp_path: Path
) -> None:
    write_reports([class_result("full", student="")], ["gradescope"], tmp_path)
    path = tmp_path / "gradescope" / "house-price-backprop" / "submission" / "results.json"
    assert json.loads(path.read_text())["score"] == 9


def test_reports_of_a_rerun_replace_the_old_ones(
    class_result: Callable[..., CheckResult], tmp_path: Path
) -> None:
    write_reports([class_result("timeout"), class_result("full", "bob")], ["json", "csv"], tmp_path)
    write_reports([class_result("full")], ["json", "csv"], tmp_path)
    with (tmp_path / "gradebook.csv").open(newline="") as f:
        assert [r["student"] for r in csv.DictReader(f)] == ["alice"]


def test_an_unknown_format_names_the_near_miss(results: list[CheckResult], tmp_path: Path) -> None:
    with pytest.raises(PluginError, match=r"unknown reporter 'junt' \(did you mean 'junit'\?\)"):
        write_reports(results, ["junt"], tmp_path)


def test_results_json_has_the_same_shape_for_a_class_of_one(
    class_result: Callable[..., CheckResult], tmp_path: Path
) -> None:
    write_reports([class_result("full")], ["json"], tmp_path)
    payload = json.loads((tmp_path / "results.json").read_text())
    assert [r["student"] for r in payload["results"]] == ["alice"]


def test_a_report_that_cannot_be_written_is_a_usage_error_after_the_others(
    results: list[CheckResult], tmp_path: Path
) -> None:
    # A folder where results.json goes: an internal error (exit 3) before, and the formats
    # after it were not written. The gradebook keeps what was graded either way.
    out = tmp_path / "out"
    (out / "results.json").mkdir(parents=True)
    with pytest.raises(InputError, match=r"results\.json") as info:
        write_reports(results, ["json", "csv"], out)
    assert info.value.exit_code == 2
    assert (out / "gradebook.csv").is_file()
