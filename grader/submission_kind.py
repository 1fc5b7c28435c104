"""What a submission path is: a program, a notebook, a file of answers, or a folder.

The suffix decides, case-insensitively: `Backward.PY` saved by an editor on Windows or macOS
is the same program as `backward.py` (the grader stages its bytes as `submission.py` anyway).
Anything else is refused with a message that says what is accepted. `kind_by_name` looks at
the name only, for a caller that reads the file safely itself; `submission_kind` also looks at
the file system (a folder, or nothing there).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from grader.errors import InputError, SubmissionNotFound

Kind = Literal["program", "notebook", "answers", "folder"]

KINDS: dict[str, Kind] = {".py": "program", ".ipynb": "notebook", ".toml": "answers"}
ACCEPTED = (
    "a Python file (.py), a Jupyter notebook (.ipynb), a file of hand-computed answers (.toml), "
    "or a folder holding one"
)


def kind_by_name(path: Path) -> Kind:
    """The kind a file's suffix says, without touching the file system; InputError if refused."""
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        what = f"a {path.suffix} file" if path.suffix else "a file without a suffix"
        raise InputError(f"{path}: {what} cannot be graded; a submission is {ACCEPTED}")
    return kind


def submission_kind(path: Path) -> Kind:
    """The kind of a submission; SubmissionNotFound if it is not there, InputError if refused."""
    if path.is_dir():
        return "folder"
    kind = kind_by_name(path)
    if not path.is_file():
        raise SubmissionNotFound(f"{path}: no such submission file")
    return kind
