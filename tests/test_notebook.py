"""Notebooks as submissions: code cells to one source, magics dropped, errors by cell and line."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.errors import InputError, SubmissionNotFound
from grader.exercise.loader import LoadedExercise
from grader.notebook import NotebookSource, cell_lines, notebook_source
from grader.pipeline import check_submission, limits_for
from grader.program import program_source, relabel_report
from grader.result import CheckResult
from grader.run.report import RunReport
from grader.submission_kind import kind_by_name, submission_kind

SOLUTION = Path(__file__).resolve().parents[1] / "solutions" / "house-price-backprop.py"


def notebook(*cells: object) -> bytes:
    """A v4 notebook of the given cells; a str is a code cell."""
    made = [new_code_cell(c) if isinstance(c, str) else c for c in cells]
    return nbformat.writes(new_notebook(cells=made)).encode()


def tagged(source: str, *tags: str) -> object:
    return new_code_cell(source, metadata={"tags": list(tags)})


def lines_of(nb: NotebookSource) -> list[str]:
    return nb.source.decode().splitlines()


def line_of(nb: NotebookSource, text: str) -> int:
    """The 1-based line of the generated source holding `text`."""
    return next(n for n, line in enumerate(lines_of(nb), start=1) if text in line)


# --- cells to source ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "kept"),
    [
        ("%matplotlib inline\nx = 1", ["pass", "x = 1"]),
        ("!pip install numpy\nx = 1", ["pass", "x = 1"]),
        ("files = !ls\nout = %env HOME\nx = 1", ["pass", "pass", "x = 1"]),
        ("np.array?\n??len\nx = 1", ["pass", "pass", "x = 1"]),
        ("if x:\n    %time f()\ny = 2", ["if x:", "    pass", "y = 2"]),
        ("!echo a \\\n  b\nx = 1", ["pass", "", "x = 1"]),
        ("%%bash\necho hi\nls", ["", "", ""]),
        ("\n%%writefile helper.py\nx = 1", ["", "", ""]),
        ("%%time\ndef f():\n    !ls\n    return 1", ["", "def f():", "    pass", "    return 1"]),
        ("%%capture out\nx = 1", ["", "x = 1"]),
        ("%%timeit\nx = 1", ["", ""]),
        ("get_ipython().run_line_magic('time', 'f()')\nx = 1", ["pass", "x = 1"]),
        ("get_ipython().system(\n    'ls'\n)\nx = 1", ["pass", "", "", "x = 1"]),
    ],
    ids=[
        "line-magic",
        "shell",
        "assignments",
        "help",
        "indented",
        "continued",
        "cell-magic",
        "cell-magic-after-blank",
        "time-cell-kept",
        "capture-cell-kept",
        "timeit-cell-dropped",
        "get-ipython",
        "get-ipython-multiline",
    ],
)
def test_ipython_syntax_is_dropped_and_lines_keep_their_numbers(cell: str, kept: list[str]) -> None:
    assert cell_lines(cell) == kept


@pytest.mark.parametrize(
    "cell",
    [
        "s = ('%d'\n     % 3)",  # Python's own modulo, starting a continuation line
        'doc = """\n!important\n%s\n"""',  # inside a triple-quoted string
        "total = 1 + \\\n    2",
        "ip = get_ipython()",  # not a magic: stays, and fails as in plain Python
        "x = a != b\nd = {'k': 1}  # why?",
    ],
    ids=["modulo", "string", "backslash", "get-ipython-use", "not-magic"],
)
def test_python_that_looks_like_ipython_is_kept(cell: str) -> None:
    assert cell_lines(cell) == cell.split("\n")


def test_code_cells_in_order_markdown_skipped_and_lines_located() -> None:
    nb = notebook_source(
        notebook("a = 1", new_markdown_cell("# Part 2"), "%time b = 2\nc = a + b"), "nb.ipynb"
    )
    assert nb.cells == 2
    assert nb.locate(line_of(nb, "a = 1")) == "cell 1, line 1"
    assert nb.locate(line_of(nb, "c = a + b")) == "cell 3, line 2"  # markdown counts
    assert nb.locate(1) == "line 1"  # our header: not the student's


def test_only_cells_tagged_grade_when_any_is() -> None:
    data = notebook(
        "import numpy as np", tagged("def backward(p, x, y):\n    pass", "grade"), "scratch = 1"
    )
    nb = notebook_source(data, "nb.ipynb")
    assert nb.cells == 1
    assert "scratch" not in nb.source.decode()
    assert nb.locate(line_of(nb, "def backward")) == "cell 2, line 1"


def test_a_coding_cookie_in_a_cell_cannot_change_how_the_source_is_read() -> None:
    nb = notebook_source(notebook("# -*- coding: latin-1 -*-\nname = 'Zoë'"), "nb.ipynb")
    assert lines_of(nb)[0].startswith("# Generated")
    namespace: dict = {}
    exec(compile(nb.source, "submission.py", "exec"), namespace)
    assert namespace["name"] == "Zoë"


def test_an_nbformat_v3_notebook_is_read() -> None:
    v3 = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {"name": "old"},
        "worksheets": [
            {
                "cells": [
                    {"cell_type": "heading", "level": 1, "source": "Old", "metadata": {}},
                    {
                        "cell_type": "code",
                        "input": "%pylab inline\ny = 3",
                        "language": "python",
                        "outputs": [],
                        "metadata": {},
                    },
                ]
            }
        ],
    }
    nb = notebook_source(json.dumps(v3).encode(), "old.ipynb")
    assert nb.locate(line_of(nb, "y = 3")) == "cell 2, line 2"
    assert "pylab" not in nb.source.decode()


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"def backward(p, x, y): ...", "not valid JSON"),
        (b"[1, 2]", "no 'nbformat' version"),
        (b'{"cells": []}', "no 'nbformat' version"),
        (b'{"nbformat": 99, "cells": []}', "NBFormatError"),
        (b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{}]}', "metadata"),
        (
            b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": '
            b'[{"cell_type": "code", "metadata": {}, "source": 5, "outputs": []}]}',
            "cell 1 has no source text",
        ),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
    ids=["python", "list", "no-version", "version-99", "bare-cell", "number-source", "binary"],
)
def test_a_broken_notebook_is_one_input_error_naming_the_file(data: bytes, why: str) -> None:
    with pytest.raises(InputError) as info:
        notebook_source(data, "work/mine.ipynb")
    assert str(info.value).startswith("work/mine.ipynb: not a Jupyter notebook")
    assert why in str(info.value)
    assert info.value.exit_code == 2


def test_a_notebook_of_another_language_is_refused() -> None:
    nb = new_notebook(cells=[new_code_cell("x <- 1")])
    nb.metadata["kernelspec"] = {"name": "ir", "language": "R", "display_name": "R"}
    with pytest.raises(InputError, match="language is R"):
        notebook_source(nbformat.writes(nb).encode(), "r.ipynb")


# --- relabelling the child's messages ----------------------------------------------------------


def test_relabel_names_the_cell_and_the_line_within_it() -> None:
    nb = notebook_source(notebook(new_markdown_cell("intro"), "a = 1", "b = 2\nc = zz"), "n.ipynb")
    line = line_of(nb, "c = zz")
    message = f"NameError: name 'zz' is not defined (line {line})"
    assert nb.relabel(message) == "NameError: name 'zz' is not defined (cell 3, line 2)"
    syntax = f"SyntaxError: invalid syntax (submission.py, line {line})"
    assert nb.relabel(syntax) == "SyntaxError: invalid syntax (cell 3, line 2)"
    assert nb.relabel("ValueError: bad (line 1)") == "ValueError: bad (line 1)"  # our header
    assert nb.relabel("no line at all") == "no line at all"
    assert nb.relabel(f"(line {line}) in the middle") == f"(line {line}) in the middle"


# --- what a path is ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("mine.py", "program"),
        ("mine.PY", "program"),
        ("mine.ipynb", "notebook"),
        ("answers.toml", "answers"),
    ],
)
def test_submission_kind_by_suffix_case_insensitive(tmp_path: Path, name: str, kind: str) -> None:
    (tmp_path / name).write_text("")
    assert submission_kind(tmp_path / name) == kind
    assert submission_kind(tmp_path) == "folder"


@pytest.mark.parametrize("name", ["mine.txt", "mine", "mine.py.bak"])
def test_other_files_are_refused_saying_what_is_accepted(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("")
    with pytest.raises(InputError) as info:
        submission_kind(tmp_path / name)
    assert not isinstance(info.value, SubmissionNotFound)
    assert ".py" in str(info.value) and ".ipynb" in str(info.value) and ".toml" in str(info.value)
    assert info.value.exit_code == 2


def test_a_missing_notebook_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(SubmissionNotFound):
        submission_kind(tmp_path / "gone.ipynb")
    assert kind_by_name(tmp_path / "gone.ipynb") == "notebook"  # the name alone
    with pytest.raises(InputError, match=r"a \.txt file cannot be graded"):
        kind_by_name(tmp_path / "gone.txt")


def test_program_source_passes_a_py_file_through(tmp_path: Path) -> None:
    program = program_source(b"x = 1 # (line 3)\n", tmp_path / "a.py")
    assert program.source == b"x = 1 # (line 3)\n"
    assert program.relabel("E (line 3)") == "E (line 3)"


def test_relabel_report_rewords_a_new_report_and_leaves_the_run_s_own_alone() -> None:
    nb = notebook_source(notebook("a = 1", "b = zz"), "n.ipynb")
    line = line_of(nb, "b = zz")
    events = {
        0: {"event": "call-error", "case": 0, "error": f"NameError: zz (line {line})"},
        1: {"event": "result", "case": 1, "values": {}},
    }
    report = RunReport(status="import-error", message=f"E (line {line})", events=events)
    relabelled = relabel_report(report, nb.relabel)
    assert relabelled.message == "E (cell 2, line 1)"
    assert relabelled.events[0]["error"] == "NameError: zz (cell 2, line 1)"
    assert relabelled.events[1] == events[1]
    assert report.message == f"E (line {line})"
    assert report.events[0]["error"] == f"NameError: zz (line {line})"


# --- end to end: the same grading as a .py file ------------------------------------------------


def solution_notebook() -> bytes:
    """The model solution split over cells, with a magic, a shell escape and markdown between."""
    code = SOLUTION.read_text()
    head, _, rest = code.partition("def sigmoid")
    return notebook(
        new_markdown_cell("# Backpropagation by hand"),
        "%matplotlib inline\n" + head,
        "!pip list\ndef sigmoid" + rest.partition("def backward")[0],
        new_markdown_cell("## The backward pass"),
        "def backward" + rest.partition("def backward")[2] + "\nbackward?",
    )


def test_the_solution_as_a_notebook_earns_full_marks(
    tmp_path: Path, run_grader: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    nb = notebook_source(solution_notebook(), "solution.ipynb")
    assert nb.cells == 3
    path = tmp_path / "solution.ipynb"
    path.write_bytes(solution_notebook())
    done = run_grader("check", str(path), "-e", "house-price-backprop")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "score: 9 / 9 (full marks)" in done.stdout


def _check_notebook(
    exercise: LoadedExercise, tmp_path: Path, data: bytes, **limits: float
) -> CheckResult:
    """Grade a notebook file through the pipeline, as `grader check mine.ipynb` does."""
    path = tmp_path / "mine.ipynb"
    path.write_bytes(data)
    return check_submission(exercise, path, limits=limits_for(exercise, **limits))


@pytest.mark.parametrize(
    "last_cell",
    [
        "%time x = 1\ndef backward(params, x, y):\n    return {'W1': undefined_name}",
        "%time x = 1\ndef backward(params, x, y):\n    return {'W1': }",
    ],
    ids=["name-error-in-a-call", "syntax-error-on-import"],
)
def test_an_error_in_a_cell_is_reported_at_that_cell(
    tmp_path: Path, bundled_exercise: Callable[[str], LoadedExercise], last_cell: str
) -> None:
    data = notebook(new_markdown_cell("intro"), "import numpy as np", last_cell)
    result = _check_notebook(bundled_exercise("house-price-backprop"), tmp_path, data)
    messages = [*result.problems, *(c.message for c in result.checks)]
    assert any("(cell 3, line 3)" in m for m in messages), messages
    assert not any("(line " in m for m in messages), messages


def test_heavy_work_at_top_level_is_stopped_by_the_same_limits(
    tmp_path: Path, bundled_exercise: Callable[[str], LoadedExercise]
) -> None:
    data = notebook("import numpy as np", "while True:\n    pass")
    exercise = bundled_exercise("house-price-backprop")
    result = _check_notebook(exercise, tmp_path, data, wall_seconds=0.5)
    assert result.outcome == "timeout"
    assert result.score == 0


def test_a_file_that_is_no_submission_is_a_usage_error(
    tmp_path: Path, run_grader: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    path = tmp_path / "mine.txt"
    path.write_text("def backward(params, x, y):\n    return {}\n")
    done = run_grader("check", str(path), "-e", "house-price-backprop")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "mine.txt" in done.stderr and ".ipynb" in done.stderr
    assert "Traceback" not in done.stderr
