"""mypy, as configured in pyproject.toml's [tool.mypy], reports no error on grader/.

The suite is what CI runs, so this is mypy in CI, with no file exempt.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

api = pytest.importorskip("mypy.api")

REPO = Path(__file__).resolve().parent.parent


def test_mypy_finds_no_error_in_grader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # [tool.mypy] in pyproject.toml: the packages, the plugins
    # mypy's own incremental cache (.mypy_cache, as `mypy` on the command line keeps it): a
    # file whose source or dependencies changed is checked again, the rest read back, with
    # the same result; a fresh clone pays the full check once.
    out, err, _ = api.run([])
    assert not err, err
    checked = re.search(r"(\d+) source files", out)  # the summary: grader/ was read
    assert checked and int(checked[1]) > 100, out
    errors = [line for line in out.splitlines() if ": error: " in line]
    assert errors == []
