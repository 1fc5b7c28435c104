"""The run's own steps (grader/run/child.py) that need no sandbox: reading the request, writing
the submission and the results, importing it, and the fork server's warm-up.

The module is a script that runs inside the run; it is loaded here by path, the way the fork
server loads it. Whole runs are tested in tests/test_worker.py and tests/test_sandbox.py.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import stat
import sys
import threading
from pathlib import Path

import pytest

CHILD = Path(__file__).resolve().parent.parent / "grader" / "run" / "child.py"
spec = importlib.util.spec_from_file_location("child_under_test", CHILD)
child = importlib.util.module_from_spec(spec)
spec.loader.exec_module(child)


def test_the_warm_up_runs_its_sample_and_an_error_without_a_file() -> None:
    events = [json.loads(line) for line in child.prepare()]
    assert [e["event"] for e in events] == ["result", "result", "call-error"]
    assert events[0]["values"]["W"]["shape"] == [2, 2] and events[0]["mutated"] == []
    assert "TypeError" in events[2]["error"]
    left = [
        m
        for m in list(sys.modules.values())
        if (getattr(m, "__file__", None) or "").startswith("/nonexistent")
    ]
    assert left == []  # its made-up submission is not a module of the server
    assert "/nonexistent" not in sys.path  # nor its folder a place the server imports from


def test_a_request_larger_than_a_pipe_is_read_to_its_end() -> None:
    request = {"source": "x" * 300_000, "calls": [[1.5, [2.0, 3.0]]]}
    read, write = os.pipe()

    def feed() -> None:
        with os.fdopen(write, "wb") as pipe:
            pipe.write(json.dumps(request).encode())

    feeder = threading.Thread(target=feed)
    feeder.start()
    assert child._read_request(read) == request
    feeder.join()
    with pytest.raises(OSError):
        os.fstat(read)  # closed: the run keeps no descriptor it does not need


def test_each_event_is_one_json_line_even_if_json_is_patched_later() -> None:
    read, write = os.pipe()
    send = child.sender(write)
    original = json.dumps
    try:
        json.dumps = lambda *args, **kwargs: "forged"
        send(event="result", case=0, values={"W": [1.0]})
    finally:
        json.dumps = original
    send(event="done")
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        lines = pipe.read().splitlines(keepends=True)
    assert lines == [
        b'{"event": "result", "case": 0, "values": {"W": [1.0]}}\n',
        b'{"event": "done"}\n',
    ]


def test_the_submission_is_written_once_and_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source = b"def backward(p, x, y):\n    return p\n"
    encoded = base64.b64encode(source).decode()
    path, data = child._write_submission(encoded)
    assert (Path(path), data) == (tmp_path / "submission.py", source)
    assert Path(path).read_bytes() == source
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o444
    with pytest.raises(FileExistsError):
        child._write_submission(encoded)


def _imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: bytes) -> tuple:
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "submission", raising=False)
    path = tmp_path / "submission.py"
    path.write_bytes(source)
    sent: list[dict] = []
    module = child.load_submission(str(path), source, lambda **event: sent.append(event))
    return module, sent


def test_the_submission_is_a_module_as_importlib_would_make_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = b"import sys\nNAME = __name__\nSPEC = __spec__.origin\ndef f():\n    return 1\n"
    module, sent = _imported(tmp_path, monkeypatch, source)
    path = str(tmp_path / "submission.py")
    assert sent == [] and sys.modules["submission"] is module and sys.path[0] == str(tmp_path)
    assert (module.NAME, module.SPEC, module.__file__) == ("submission", path, path)
    assert module.__cached__ == importlib.util.cache_from_source(path)
    assert type(module.__loader__).__name__ == "SourceFileLoader" and module.f() == 1


@pytest.mark.parametrize(
    ("source", "error"),
    [
        (b"x = (\n", "SyntaxError: '(' was never closed (submission.py, line 1)"),
        (b"\n\nraise ValueError('no')\n", "ValueError: no (line 3)"),
        (b"import sys\nsys.exit(4)\n", "the file called sys.exit(4) on import"),
    ],
    ids=["syntax", "raises", "exits"],
)
def test_an_import_that_fails_is_reported_as_importlib_reported_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: bytes, error: str
) -> None:
    module, sent = _imported(tmp_path, monkeypatch, source)
    assert module is None and sent == [{"event": "import-error", "error": error}]
