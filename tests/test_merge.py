"""`grader grade --shard K/N` and `grader merge`, end to end: a class graded whole and in 3
shards (a real `python -m grader` process per run, once per module), the shards merged, every
report compared with the whole run's, timing aside; then every refusal of the merge, on copies
of those gradebooks whose record is changed the way another run would have left it."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grader.batch.shard import shard_of
from grader.cli import main

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "submissions" / "house-price-backprop"
BACKPROP = "house-price-backprop"
FORMATS = ["json", "junit", "csv", "canvas", "gradescope", "github", "text"]
STYLES = ["correct_vectorized", "buggy_sign-flipped", "correct_loops", "buggy_transposed"]
NAMES = ["alice", "bob", "carol", "dan", "erin", "frank", "gina", "hank", "ivy", "judy"]


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    out: Path
    summary: Path


@dataclass
class Graded:
    root: Path
    whole: Run
    shards: list[Run]
    merged: Run


def make_class(root: Path) -> Path:
    """Ten students in every style, a folder one, an empty folder and a stray file."""
    root.mkdir()
    for number, name in enumerate(NAMES[:8]):
        shutil.copyfile(FIXTURES / f"{STYLES[number % len(STYLES)]}.py", root / f"{name}.py")
    (root / "ivy").mkdir()
    shutil.copyfile(FIXTURES / "buggy_scaled.py", root / "ivy" / f"{BACKPROP}.py")
    (root / "judy").mkdir()
    (root / "notes.txt").write_text("office hours moved\n")
    return root


def run(run_grader: Callable[..., Any], cwd: Path, name: str, *args: str, **env: str) -> Run:
    summary = cwd / f"{name}-summary.md"
    formats = [a for f in FORMATS for a in ("--format", f)]
    done = run_grader(
        *args, "--out", name, *formats,
        cwd=cwd, env={"GITHUB_STEP_SUMMARY": str(summary), **env}, timeout=120,
    )  # fmt: skip
    return Run(done.returncode, done.stdout, done.stderr, cwd / name, summary)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory, run_grader: Callable[..., Any]) -> Graded:
    cwd = tmp_path_factory.mktemp("shards")
    make_class(cwd / "class")
    grade = ["grade", "class", "-e", BACKPROP, "--jobs", "2", "--timeout", "5"]
    whole = run(run_grader, cwd, "whole", *grade)
    shards = [run(run_grader, cwd, f"s{k}", *grade, "--shard", f"{k}/3") for k in (1, 2, 3)]
    merged = run(run_grader, cwd, "merged", "merge", "s1", "s2", "s3")
    return Graded(cwd, whole, shards, merged)


# --- what is compared: every report, timing aside ------------------------------------------

TIMING_KEYS = {"elapsed", "execution_time"}


def _untimed_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _untimed_json(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [_untimed_json(v) for v in value]
    return value


def untimed(path: Path) -> Any:
    """A report's content with its timing fields (elapsed, execution_time, time=) taken out."""
    if path.suffix == ".json":
        return _untimed_json(json.loads(path.read_text()))
    if path.suffix == ".xml":
        root = ET.parse(path).getroot()
        for element in root.iter():
            element.attrib.pop("time", None)
        return ET.tostring(root)
    # text: a time is a number of seconds, "1.2 s" or "(0.31s)"
    return re.sub(r"\d+(\.\d+)? ?s\b", "<time>", path.read_text())


def reports(out: Path) -> dict[str, Any]:
    return {
        str(p.relative_to(out)): untimed(p)
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith("gradebook.sqlite")
    }


def test_every_shard_grades_only_its_students(graded: Graded) -> None:
    students: list[str] = []
    for k, shard in enumerate(graded.shards, start=1):
        assert shard.code == 0, shard.stderr
        found = [
            r["student"] for r in json.loads((shard.out / "results.json").read_text())["results"]
        ]
        assert all(shard_of(s, 3) == k for s in found)
        assert f"shard {k}/3: {len(set(found))} of 11 students" in shard.stderr
        students += found
    assert sorted(students) == sorted([*NAMES, "notes.txt"])


def test_the_merged_reports_are_the_unsharded_runs_timing_aside(graded: Graded) -> None:
    assert graded.whole.code == 0, graded.whole.stderr
    assert graded.merged.code == 0, graded.merged.stderr
    merged, whole = reports(graded.merged.out), reports(graded.whole.out)
    assert sorted(merged) == sorted(whole)
    assert len(merged) > 6  # results.json, junit.xml, gradebook.csv, canvas.csv, ...
    for name in whole:
        assert merged[name] == whole[name], name
    students = [
        r["student"] for r in json.loads((graded.whole.out / "results.json").read_text())["results"]
    ]
    assert students == sorted(students)  # the class's order, kept by the merge
    assert untimed(graded.merged.summary) == untimed(graded.whole.summary)
    annotations = [line for line in graded.whole.stdout.splitlines() if line.startswith("::")]
    assert annotations and graded.merged.stdout.splitlines() == annotations


def test_a_whole_run_resumes_from_the_merged_gradebook(
    graded: Graded, run_grader: Callable[..., Any], tmp_path: Path
) -> None:
    shutil.copytree(graded.merged.out, tmp_path / "merged")
    shutil.copytree(graded.root / "class", tmp_path / "class")
    again = run(run_grader, tmp_path, "merged", "grade", "class", "-e", BACKPROP, "--jobs", "1")
    assert again.code == 0, again.stderr
    assert "(11 from the gradebook)" in again.stderr


def test_grader_shard_in_the_environment_is_the_option(
    graded: Graded, run_grader: Callable[..., Any]
) -> None:
    cwd = graded.root
    by_env = run(run_grader, cwd, "env2", "grade", "class", "-e", BACKPROP, GRADER_SHARD="2/3")
    assert by_env.code == 0, by_env.stderr
    assert reports(by_env.out) == reports(graded.shards[1].out)


# --- refusals ---------------------------------------------------------------------------------


def merge(*args: str | Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(["merge", *map(str, args)])
    return int(exited.value.code or 0), capsys.readouterr().err


def copy(graded: Graded, k: int, to: Path, **record: str) -> Path:
    """Shard k's --out folder, its record changed as another run would have left it."""
    shutil.copytree(graded.shards[k - 1].out, to)
    with closing(sqlite3.connect(to / "gradebook.sqlite")) as db, db:
        for name, value in record.items():
            db.execute("UPDATE run SET value = ? WHERE name = ?", (value, name))
    return to


def test_a_missing_shard_is_refused_and_named_with_its_students(
    graded: Graded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s1, s2 = (s.out for s in graded.shards[:2])
    code, err = merge(s1, s2, "--out", tmp_path / "m", capsys=capsys)
    assert code == 2
    lost = [s for s in sorted([*NAMES, "notes.txt"]) if shard_of(s, 3) == 3]
    assert "shard(s) 3/3 missing" in err and ", ".join(lost) in err
    assert "--allow-missing" in err
    assert not (tmp_path / "m" / "results.json").exists()


def test_allow_missing_merges_the_others_and_lists_who_was_not_graded(
    graded: Graded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s1, s3 = graded.shards[0].out, graded.shards[2].out
    code, err = merge(
        s1, s3, "--out", tmp_path / "m", "--allow-missing", "-f", "json", capsys=capsys
    )
    assert code == 0, err
    lost = [s for s in sorted([*NAMES, "notes.txt"]) if shard_of(s, 3) == 2]
    assert f"shard(s) 2 missing; {len(lost)} students not graded: {', '.join(lost)}" in err
    found = [
        r["student"] for r in json.loads((tmp_path / "m" / "results.json").read_text())["results"]
    ]
    assert found == [s for s in sorted([*NAMES, "notes.txt"]) if s not in lost]


@pytest.mark.parametrize(
    ("record", "says"),
    [
        ({"exercises": json.dumps({BACKPROP: "0" * 64})}, "different exercises"),
        ({"version": "0.0.1", "fingerprint": "0.0.1+0"}, "different grader versions"),
        ({"fingerprint": "x+0123456789abcdef"}, "different graders (fingerprints"),
        ({"shard": "3/4"}, "different shard counts"),
        ({"roster": json.dumps({"zed": 1})}, "different classes"),
    ],
    ids=["exercises", "version", "fingerprint", "shard-count", "class"],
)
def test_gradebooks_that_differ_are_refused_naming_the_folders(
    graded: Graded,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    record: dict[str, str],
    says: str,
) -> None:
    s1, s2 = graded.shards[0].out, graded.shards[1].out
    odd = copy(graded, 3, tmp_path / "odd", **record)
    code, err = merge(s1, s2, odd, "--out", tmp_path / "m", capsys=capsys)
    assert code == 2
    assert says in err
    assert str(odd) in err and str(s1) in err


def test_overlapping_students_are_refused(
    graded: Graded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s1, s2, s3 = (s.out for s in graded.shards)
    again = copy(graded, 2, tmp_path / "s2-again")
    code, err = merge(s1, s2, s3, again, "--out", tmp_path / "m", capsys=capsys)
    assert code == 2
    assert f"{s2} and {again} overlap: both graded" in err


@pytest.mark.parametrize("case", ["unfinished", "not-a-gradebook", "out-is-an-input", "twice"])
def test_what_is_not_a_finished_shard_is_refused(
    graded: Graded, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    s1, s2, s3 = (s.out for s in graded.shards)
    if case == "unfinished":  # killed mid-run: begun, never finished
        s3 = copy(graded, 3, tmp_path / "killed")
        with closing(sqlite3.connect(s3 / "gradebook.sqlite")) as db, db:
            db.execute("DELETE FROM run")
        says = f"{s3}: no finished run"
    elif case == "not-a-gradebook":
        s3 = tmp_path / "empty"
        s3.mkdir()
        says = f"{s3}: no gradebook.sqlite"
    else:
        says = "is one of the gradebooks" if case == "out-is-an-input" else "given twice"
    out = s1 if case == "out-is-an-input" else tmp_path / "m"
    extra = [s1] if case == "twice" else []
    code, err = merge(s1, s2, s3, *extra, "--out", out, capsys=capsys)
    assert code == 2
    assert says in err


def test_shards_of_another_grader_merge_with_a_note(
    graded: Graded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = {"version": "0.0.9", "fingerprint": "0.0.9+0123456789abcdef"}
    shards = [copy(graded, k, tmp_path / f"s{k}", **other) for k in (1, 2, 3)]
    code, err = merge(*shards, "--out", tmp_path / "m", "-f", "json", capsys=capsys)
    assert code == 0, err
    assert "note: the shards were graded by grader 0.0.9+0123456789abcdef" in err
    merged = json.loads((tmp_path / "m" / "results.json").read_text())
    assert untimed(tmp_path / "m" / "results.json") == untimed(graded.whole.out / "results.json")
    assert len(merged["results"]) == 11


def test_a_rerun_whose_canary_fails_leaves_nothing_to_merge(
    tmp_path: Path, run_grader: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    for folder in ("exercises", "solutions"):
        (tmp_path / folder).mkdir()
        name = f"{BACKPROP}.toml" if folder == "exercises" else f"{BACKPROP}.py"
        shutil.copyfile(REPO / folder / name, tmp_path / folder / name)
    (tmp_path / "class").mkdir()
    shutil.copyfile(FIXTURES / "correct_loops.py", tmp_path / "class" / "alice.py")
    args = ["grade", "class", "-e", BACKPROP, "--exercises", "exercises", "--shard", "1/1"]
    first = run(run_grader, tmp_path, "out", *args)
    assert first.code == 0, first.stderr
    (tmp_path / "solutions" / f"{BACKPROP}.py").write_text(
        (FIXTURES / "buggy_sign-flipped.py").read_text()
    )
    broken = run(run_grader, tmp_path, "out", *args)
    assert broken.code == 3 and "the environment is broken" in broken.stderr
    code, err = merge(tmp_path / "out", "--out", tmp_path / "m", capsys=capsys)
    assert code == 2
    assert f"{tmp_path / 'out'}: no finished run" in err
