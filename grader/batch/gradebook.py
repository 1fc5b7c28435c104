"""The SQLite gradebook: every result committed as it completes, so a killed run resumes.

A result is keyed by student, exercise, the hash of the submission's bytes as graded, the
exercise file's content hash and the grader's fingerprint (its version, a hash of its code, the
plugin distributions installed): change any of them and the submission is graded again. A
grader failure (status "error") is never final: it is not stored, and one stored by an older
grader is not reused, so a resume grades that submission again.

Beside the results, a finished run leaves its record (grader/batch/record.py): what was graded,
by which grader, which shard of which class, and every result in the class's order, the ones
its reports were written from. `grader merge` reads only that; a run that did not finish has
none.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

from grader.result import CheckResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    student TEXT NOT NULL,
    exercise TEXT NOT NULL,
    submission_hash TEXT NOT NULL,
    exercise_hash TEXT NOT NULL,
    grader_version TEXT NOT NULL,
    status TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (student, exercise, submission_hash, exercise_hash, grader_version)
)
"""

RUN_SCHEMA = """
CREATE TABLE IF NOT EXISTS run (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS run_results (
    position INTEGER PRIMARY KEY,
    student TEXT NOT NULL,
    exercise TEXT NOT NULL,
    submission_hash TEXT NOT NULL,
    exercise_hash TEXT NOT NULL,
    grader_version TEXT NOT NULL,
    result TEXT NOT NULL
);
"""

Key = tuple[str, str, str, str, str]
# A finished run's result: its position in the whole class's order, its key, the result.
RunRow = tuple[int, Key, CheckResult]


def content_hash(data: bytes | None) -> str:
    """The key's hash of a submission's bytes (as read once, by grader/submission.py)."""
    return hashlib.sha256(data).hexdigest() if data is not None else ""


class Gradebook:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL survives a killed process
        self._db.execute(SCHEMA)
        self._db.executescript(RUN_SCHEMA)
        self._lock = threading.Lock()

    def get(self, key: Key) -> CheckResult | None:
        with self._lock:
            row = self._db.execute(
                "SELECT result FROM results WHERE student=? AND exercise=? AND "
                "submission_hash=? AND exercise_hash=? AND grader_version=? "
                "AND status != 'error'",
                key,
            ).fetchone()
        return CheckResult.model_validate_json(row[0]) if row else None

    def put(self, key: Key, result: CheckResult) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*key, result.status, result.score, result.max_score, result.model_dump_json()),
            )

    def begin_run(self) -> None:
        """Forget the last run's record: until this one finishes, there is nothing to merge."""
        with self._lock:
            self._db.executescript("BEGIN; DELETE FROM run; DELETE FROM run_results; COMMIT;")

    def finish_run(self, record: dict[str, str], rows: list[RunRow]) -> None:
        """The run's record and results, in one transaction: all of it or none."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM run")
            self._db.execute("DELETE FROM run_results")
            self._db.executemany("INSERT INTO run VALUES (?, ?)", record.items())
            self._db.executemany(
                "INSERT INTO run_results VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(pos, *key, result.model_dump_json()) for pos, key, result in rows],
            )
            self._db.execute("COMMIT")

    def run_record(self) -> tuple[dict[str, str], list[RunRow]]:
        """The last finished run's record and results (empty when none finished)."""
        with self._lock:
            record = dict(self._db.execute("SELECT name, value FROM run").fetchall())
            rows = self._db.execute("SELECT * FROM run_results ORDER BY position").fetchall()
        return record, [
            (row[0], tuple(row[1:6]), CheckResult.model_validate_json(row[6])) for row in rows
        ]

    def close(self) -> None:
        self._db.close()
