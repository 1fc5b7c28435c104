"""The project's packaging: `pip install .` (not editable, as CI and Gradescope install it)
ships every package of grader/, which pyproject.toml lists by name."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_of_grader_is_listed_for_a_plain_install() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(project["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "grader").rglob("__init__.py")
    }
    assert found - listed == set()
