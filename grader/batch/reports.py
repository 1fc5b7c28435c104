"""Write every requested report format into the output folder."""

from __future__ import annotations

import sys
from pathlib import Path

from grader import plugins
from grader.result import CheckResult


def _write(reporter_class, path: Path | None, results: list[CheckResult]) -> None:
    if path is None:
        reporter = reporter_class(sys.stdout)
        if hasattr(reporter, "start"):
            reporter.start(len(results))
        for result in results:
            reporter.add(result)
        reporter.close()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as stream:
        reporter = reporter_class(stream)
        if hasattr(reporter, "start"):
            reporter.start(len(results))
        for result in results:
            reporter.add(result)
        reporter.close()


def write_reports(results: list[CheckResult], formats: list[str], out: Path) -> list[str]:
    """The files (or "stdout") written, one entry per format."""
    written = []
    for name in formats:
        cls = plugins.get("reporters", name)
        filename = getattr(cls, "filename", f"results.{name}")
        if getattr(cls, "per_result", False):
            for result in results:
                folder = out / name / result.exercise / (result.student or "submission")
                _write(cls, folder / filename, [result])
            written.append(f"{out / name}/<exercise>/<student>/{filename}")
        elif filename is None:
            _write(cls, None, results)
            written.append("stdout")
        else:
            _write(cls, out / filename, results)
            written.append(str(out / filename))
    return written
