"""The SQLite gradebook: every result committed as it completes, so a killed run resumes.

A result is keyed by student, exercise, the hash of the submission's bytes as graded, the
exercise file's content hash and the grader's fingerprint (its version, a hash of its code, the
plugin distributions installed): change any of them and the submission is graded again. A
grader failure (status "error") is never final: it is not stored, and one stored by an older
grader is not reused, so a resume grades that submission again.
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

    def close(self) -> None:
        self._db.close()
