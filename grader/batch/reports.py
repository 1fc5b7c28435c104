"""Write every requested report format into the output folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from grader import plugins
from grader.errors import InputError
from grader.report.lifecycle import drive, options
from grader.result import CheckResult


def _write(reporter_class: Any, path: Path | None, results: list[CheckResult]) -> None:
    if path is None:
        drive(reporter_class, sys.stdout, results, batch=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as stream:
        drive(reporter_class, stream, results, batch=True)


def write_reports(results: list[CheckResult], formats: list[str], out: Path) -> list[str]:
    """The files (or "stdout") written, one entry per format.

    A file that cannot be written stops no other format: InputError naming each, at the end.
    """
    written, failed = [], []
    for name in formats:
        try:
            written.append(_write_format(name, results, out))
        except OSError as exc:
            failed.append(f"cannot write {exc.filename}: {exc.strerror}")
    if failed:
        raise InputError("; ".join(failed) + " (what was graded is kept in the gradebook)")
    return written


def _write_format(name: str, results: list[CheckResult], out: Path) -> str:
    cls = plugins.get("reporters", name)
    where = options(cls, name)
    if where.per_result:
        for result in results:
            folder = out / name / result.exercise / (result.student or "submission")
            _write(cls, folder / (where.filename or "report"), [result])
        return f"{out / name}/<exercise>/<student>/{where.filename}"
    if where.filename is None:
        _write(cls, None, results)
        return "stdout"
    _write(cls, out / where.filename, results)
    return str(out / where.filename)
