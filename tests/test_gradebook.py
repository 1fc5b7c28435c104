"""Tests for grader.batch.gradebook: resume keys, WAL, and a result that outlives its process."""

from __future__ import annotations

import hashlib
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from grader import __version__
from grader.batch.gradebook import Gradebook, Key, content_hash
from grader.result import CheckResult

KEY: Key = ("alice", "house-price-backprop", "a" * 64, "e" * 64, __version__)
PARTS = ["student", "exercise", "submission_hash", "exercise_hash", "grader_version"]


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Gradebook]:
    gradebook = Gradebook(tmp_path / "out" / "gradebook.sqlite")
    yield gradebook
    gradebook.close()


def test_a_result_comes_back_as_it_was_put(
    book: Gradebook, class_result: Callable[..., CheckResult]
) -> None:
    result = class_result("partial")
    book.put(KEY, result)
    assert book.get(KEY) == result


@pytest.mark.parametrize("part", range(len(PARTS)), ids=PARTS)
def test_any_change_in_the_key_means_grading_again(
    part: int, book: Gradebook, class_result: Callable[..., CheckResult]
) -> None:
    book.put(KEY, class_result("full"))
    changed = tuple(value + "x" if i == part else value for i, value in enumerate(KEY))
    assert book.get(changed) is None  # type: ignore[arg-type]
    assert book.get(KEY) is not None


def test_putting_the_same_key_again_replaces_the_result(
    tmp_path: Path, book: Gradebook, class_result: Callable[..., CheckResult]
) -> None:
    book.put(KEY, class_result("timeout"))
    book.put(KEY, class_result("full"))  # --regrade
    stored = book.get(KEY)
    assert stored is not None
    assert stored.score == 9
    with closing(sqlite3.connect(tmp_path / "out" / "gradebook.sqlite")) as db:
        assert db.execute("SELECT count(*) FROM results").fetchone() == (1,)


def test_the_database_is_in_wal_mode(
    tmp_path: Path, book: Gradebook, class_result: Callable[..., CheckResult]
) -> None:
    book.put(KEY, class_result("full"))
    path = tmp_path / "out" / "gradebook.sqlite"
    with closing(sqlite3.connect(path)) as db:  # WAL is persistent: any connection sees it
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert path.with_name("gradebook.sqlite-wal").exists()


def test_the_columns_hold_the_key_and_the_score(
    tmp_path: Path, book: Gradebook, class_result: Callable[..., CheckResult]
) -> None:
    result = class_result("partial")
    book.put(KEY, result)
    with closing(sqlite3.connect(tmp_path / "out" / "gradebook.sqlite")) as db:
        row = db.execute(
            "SELECT student, exercise, submission_hash, exercise_hash, grader_version, status, "
            "score, max_score, result FROM results"
        ).fetchone()
    assert row[:8] == (*KEY, "graded", 5.0, 9.0)
    assert CheckResult.model_validate_json(row[8]) == result


def test_threads_can_share_one_gradebook(
    book: Gradebook, class_result: Callable[..., CheckResult]
) -> None:
    def lane(number: int) -> None:
        for i in range(20):
            key = (f"s{number}-{i}", *KEY[1:])
            book.put(key, class_result("full", student=key[0]))  # type: ignore[arg-type]

    threads = [threading.Thread(target=lane, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for n in range(6):
        for i in range(20):
            stored = book.get((f"s{n}-{i}", *KEY[1:]))  # type: ignore[arg-type]
            assert stored is not None
            assert stored.student == f"s{n}-{i}"


def test_a_result_survives_a_process_killed_right_after_put(
    tmp_path: Path, class_result: Callable[..., CheckResult]
) -> None:
    path = tmp_path / "out" / "gradebook.sqlite"
    result = class_result("partial")
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        from pathlib import Path
        from grader.batch.gradebook import Gradebook
        from grader.result import CheckResult

        book = Gradebook(Path({str(path)!r}))
        book.put({KEY!r}, CheckResult.model_validate_json(sys.stdin.read()))
        os.kill(os.getpid(), signal.SIGKILL)  # no close, no atexit, no flush
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=result.model_dump_json(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    reopened = Gradebook(path)
    try:
        assert reopened.get(KEY) == result
    finally:
        reopened.close()


def test_content_hash_is_the_sha256_of_the_bytes() -> None:
    # The key hashes the bytes read once for grading (grader/submission.py), never a path.
    data = b"def backward(p, x, y):\n    return {}\n"
    assert content_hash(data) == hashlib.sha256(data).hexdigest()
    assert content_hash(None) == ""  # nothing to grade: still a key of its own


def test_a_grader_failure_is_never_reused(
    book: Gradebook, class_result: Callable[..., CheckResult]
) -> None:
    # An older grader stored its failures: a resume must grade that submission again.
    book.put(KEY, class_result("error"))
    assert book.get(KEY) is None


def test_a_finished_runs_record_comes_back_in_the_class_order(
    book: Gradebook, class_result: Callable[..., CheckResult]
) -> None:
    assert book.run_record() == ({}, [])
    other: Key = ("bob", *KEY[1:])  # type: ignore[assignment]
    rows = [(7, other, class_result("partial")), (2, KEY, class_result("full"))]
    book.finish_run({"shard": "2/3"}, rows)
    record, found = book.run_record()
    assert record == {"shard": "2/3"}
    assert found == sorted(rows, key=lambda row: row[0])
    book.begin_run()  # a new run: the last one's record is forgotten until it finishes
    assert book.run_record() == ({}, [])
