"""The SQLite gradebook: every result committed as it completes, so a killed run resumes.

A result is keyed by student, exercise, the submission's content hash, the exercise file's
content hash and the grader version: change any of them and the submission is graded again.
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

Key = tuple[str, str, str, str, str]


def content_hash(path: Path | None) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path is not None else ""


class Gradebook:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL survives a killed process
        self._db.execute(SCHEMA)
        self._lock = threading.Lock()

    def get(self, key: Key) -> CheckResult | None:
        with self._lock:
            row = self._db.execute(
                "SELECT result FROM results WHERE student=? AND exercise=? AND "
                "submission_hash=? AND exercise_hash=? AND grader_version=?",
                key,
            ).fetchone()
        return CheckResult.model_validate_json(row[0]) if row else None

    def put(self, key: Key, result: CheckResult) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*key, result.status, result.score, result.max_score, result.model_dump_json()),
            )

    def close(self) -> None:
        self._db.close()
