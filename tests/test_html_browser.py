"""The html report in a real browser: headless Chromium renders both pages from files.

Each page is rendered once per module (Chromium takes a second or two to start): its DOM, as
the browser built it, must hold the marked entries of a known buggy submission, and its
screenshot at 1280x800 must show a page, not a blank one, with the wrong entries in red.

Chromium missing: in CI (the CI variable set, as GitHub Actions and .ci/run set it) the tests
fail, saying so; on a developer's machine they are skipped with the same reason.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from grader.exercise import LoadedExercise
from grader.pipeline import check_submission
from grader.report.html.reporter import HtmlReporter
from grader.report.lifecycle import drive
from grader.result import CheckResult

BUGGY = Path(__file__).parent / "submissions/house-price-backprop"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Paint everything before the screenshot is taken (virtual time runs ahead when idle: no wait).
FLAGS += ["--virtual-time-budget=2000"]
FAIL_RED = (0xC6, 0x28, 0x28)  # --fail in grader/report/html/page.py

Rendered = dict[str, tuple[str, Path]]  # page -> (the DOM Chromium built, its screenshot)


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    reason = "chromium is not installed (Debian: apt-get install -y chromium; .ci/run does it)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: the html report's browser tests cannot run", pytrace=False)
    pytest.skip(reason)


def _browse(page: Path, *action: str) -> str:
    done = subprocess.run(
        [_chromium(), *FLAGS, *action, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=page.parent,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _render(page: Path) -> tuple[str, Path]:
    """The DOM Chromium built from `page`, and its screenshot at 1280x800: one launch."""
    shot = page.with_suffix(".png")
    dom = _browse(page, "--dump-dom", f"--screenshot={shot}", "--window-size=1280,800")
    return dom, shot


# --- PNG, decoded with zlib and struct (8-bit RGB or RGBA, not interlaced: what Chromium writes)


def _paeth(line: np.ndarray, above: np.ndarray, step: int) -> np.ndarray:
    # Each byte depends on the one to its left: no vectorising along the row.
    out, up = line.tolist(), above.tolist()
    for i in range(len(out)):
        left = out[i - step] if i >= step else 0
        corner = up[i - step] if i >= step else 0
        p = left + up[i] - corner
        pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - corner)
        guess = left if pa <= pb and pa <= pc else (up[i] if pb <= pc else corner)
        out[i] = (out[i] + guess) & 0xFF
    return np.array(out, dtype=np.uint8)


def _average(line: np.ndarray, above: np.ndarray, step: int) -> np.ndarray:
    out, up = line.tolist(), above.tolist()
    for i in range(len(out)):
        left = out[i - step] if i >= step else 0
        out[i] = (out[i] + (left + up[i]) // 2) & 0xFF
    return np.array(out, dtype=np.uint8)


def _unfilter(kind: int, line: np.ndarray, above: np.ndarray, step: int) -> np.ndarray:
    if kind == 0:
        return line
    if kind == 1:  # each pixel adds its left neighbour's: a running sum per channel
        summed = np.cumsum(line.reshape(-1, step).astype(np.uint64), axis=0) % 256
        return summed.astype(np.uint8).ravel()
    if kind == 2:
        return line + above  # uint8 arithmetic wraps modulo 256, as PNG's does
    return _average(line, above, step) if kind == 3 else _paeth(line, above, step)


def pixels(png: bytes) -> np.ndarray:
    """A PNG's pixels as a (height, width, 3) array of RGB bytes."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, data, header = 8, b"", b""
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, body = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        header = body if kind == b"IHDR" else header
        data += body if kind == b"IDAT" else b""
        at += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and not interlace, "unexpected PNG layout"
    step = 3 if colour == 2 else 4
    raw = np.frombuffer(zlib.decompress(data), dtype=np.uint8).reshape(height, width * step + 1)
    rows, above = [], np.zeros(width * step, dtype=np.uint8)
    for row in raw:
        above = _unfilter(int(row[0]), row[1:], above, step)
        rows.append(above)
    return np.stack(rows).reshape(height, width, step)[:, :, :3]


# --- the pages --------------------------------------------------------------------------------


class Marked(HTMLParser):
    """Every element carrying data-quantity, data-entry and data-status, and every link."""

    def __init__(self) -> None:
        super().__init__()
        self.marked: set[tuple[str, str, str]] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if {"data-quantity", "data-entry", "data-status"} <= found.keys():
            key = (found["data-quantity"], found["data-entry"], found["data-status"])
            assert key not in self.marked, f"{key} is marked twice"
            self.marked.add(key)  # type: ignore[arg-type]
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")


def marked(dom: str) -> Marked:
    parser = Marked()
    parser.feed(dom)
    return parser


@pytest.fixture(scope="module")
def buggy(bundled_exercise: Callable[[str], LoadedExercise]) -> CheckResult:
    """The one submission graded for real here: it drops the sigmoid's derivative in layer 1."""
    exercise = bundled_exercise("house-price-backprop")
    return check_submission(exercise, BUGGY / "buggy_missing-activation-derivative.py", seed=7)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory, buggy: CheckResult) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("html")
    single = folder / "check.html"
    with single.open("w", encoding="utf-8") as stream:
        drive(HtmlReporter, stream, [buggy], batch=False)
    out = folder / "class"
    out.mkdir()
    timeout = "did not finish within 3 s of wall-clock time"
    results = [
        buggy.with_changes(student="bea"),
        buggy.with_changes(student="alice", score=9.0, checks=[]),
        buggy.with_changes(student="carl", outcome="timeout", score=0, problems=[timeout]),
    ]
    with (out / "report.html").open("w", encoding="utf-8") as stream:
        drive(HtmlReporter, stream, results, batch=True)
    return {"check": single, "dashboard": out / "report.html"}


@pytest.fixture(scope="module")
def rendered(pages: dict[str, Path]) -> dict[str, tuple[str, Path]]:
    """Each page rendered once: (its DOM, its screenshot)."""
    return {name: _render(page) for name, page in pages.items()}


WRONG_W1 = {("gradients.W1", f"{k},{j}", "fail") for k in range(2) for j in range(2)}
WRONG_B1 = {("gradients.b1", "0", "fail"), ("gradients.b1", "1", "fail")}
RIGHT = {("gradients.W2", "0,0", "pass"), ("gradients.W2", "0,1", "pass")}
RIGHT |= {("gradients.b2", "0", "pass")}


def test_the_browser_finds_every_graded_entry_marked_once(rendered: Rendered) -> None:
    dom = rendered["check"][0]
    assert marked(dom).marked == WRONG_W1 | WRONG_B1 | RIGHT
    assert "missing-activation-derivative" in dom
    assert "dL/dw_21^1 = dL/dh_1^2 * dh_1^2/dh_2^1 * dh_2^1/dz_2^1 * dz_2^1/dw_21^1" in dom


def test_the_dashboard_links_each_student_to_a_page_that_opens(
    rendered: Rendered, pages: dict[str, Path]
) -> None:
    dom = rendered["dashboard"][0]
    links = [link for link in marked(dom).links if link.startswith("students/")]
    assert len(set(links)) == 3
    own = next(pages["dashboard"].parent.glob("students/bea-*.html"))
    assert f"students/{own.name}" in links
    assert marked(own.read_text(encoding="utf-8")).marked == WRONG_W1 | WRONG_B1 | RIGHT


@pytest.mark.parametrize("name", ["check", "dashboard"])
def test_the_screenshot_is_a_page_with_the_wrong_entries_in_red(
    rendered: Rendered, name: str
) -> None:
    image = pixels(rendered[name][1].read_bytes())
    assert image.shape == (800, 1280, 3)
    inked = int(np.any(image != 255, axis=2).sum())
    assert inked > 0.02 * 800 * 1280, f"only {inked} pixels are not white"
    packed = image.astype(np.uint32) @ np.array([1 << 16, 1 << 8, 1], dtype=np.uint32)
    colours = np.unique(packed)
    assert len(colours) > 50  # text, lines and colours, not one flat fill
    if name == "check":
        red = int(np.all(np.abs(image.astype(int) - FAIL_RED) <= 24, axis=2).sum())
        assert red > 200, f"only {red} pixels in the colour of a wrong entry"
