"""The `html` report format: one page for `grader check`, a class dashboard for `grader grade`.

`grader check SUBMISSION -e ID --format html > report.html` writes one self-contained page.
`grader grade ... --format html` calls `start` first (the reporter contract in
grader/protocols.py): it then writes the dashboard to `<out>/report.html` and each result's
own page beside it, in `<out>/students/`, linked from the dashboard. Written to a stream that
is not a file (standard output), the dashboard has no folder beside it, and names no pages.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import IO

from grader.report.base import CollectingReporter
from grader.report.html.dashboard import Links, dashboard_page
from grader.report.html.student import student_page
from grader.result import CheckResult

PAGES = "students"  # the folder of per-student pages, beside report.html
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def page_name(result: CheckResult) -> str:
    """A file name made of the student's name, safe anywhere, and unique by a short hash
    (two names that differ only in characters dropped here still get two files)."""
    who = result.student or result.submission
    key = f"{result.exercise}\0{who}".encode("utf-8", "backslashreplace")
    readable = _UNSAFE.sub("-", f"{who}-{result.exercise}").strip("-")[:60] or "submission"
    return f"{readable}-{hashlib.sha256(key).hexdigest()[:10]}.html"


def _folder(stream: IO[str]) -> Path | None:
    """The folder of the file `stream` writes, if it writes a file."""
    name = getattr(stream, "name", None)
    if not isinstance(name, str) or not Path(name).is_file():
        return None
    return Path(name).resolve().parent


class HtmlReporter(CollectingReporter):
    filename = "report.html"

    def close(self) -> None:
        # A class gets the dashboard, even a class of one.
        if not self.batch and len(self.results) == 1:
            self.stream.write(student_page(self.results[0]))
        else:
            self.stream.write(self._dashboard())
        self.stream.flush()

    def _dashboard(self) -> str:
        folder = _folder(self.stream)
        if folder is None:
            return dashboard_page(
                self.results,
                {},
                "Per-student pages are written beside a report.html in an output folder.",
            )
        pages = folder / PAGES
        pages.mkdir(exist_ok=True)
        links: Links = {}
        taken: set[str] = set()
        for result in self.results:
            name = page_name(result)
            if name in taken:  # the same student twice on one exercise: both pages kept
                name = name.replace(".html", f"-{len(taken)}.html")
            taken.add(name)
            (pages / name).write_text(student_page(result, back="../report.html"), encoding="utf-8")
            links[id(result)] = f"{PAGES}/{name}"
        return dashboard_page(self.results, links, "Each name links to that student's page.")


reporter = HtmlReporter
