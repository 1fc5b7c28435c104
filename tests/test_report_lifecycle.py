"""Tests for the reporter contract: grader.protocols.Reporter, grader.report.base and
grader.report.lifecycle, the one driver `grader check` and `grader grade` share."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest

from grader import plugins, protocols
from grader.batch.reports import write_reports
from grader.report.base import BaseReporter
from grader.report.lifecycle import Options, drive, options
from grader.result import CheckResult

BUILT_IN = ["text", "json", "junit", "gradescope", "csv", "github", "canvas"]


@pytest.mark.parametrize("name", BUILT_IN, ids=BUILT_IN)
def test_every_built_in_keeps_the_contract(name: str) -> None:
    cls = plugins.get("reporters", name)
    assert issubclass(cls, BaseReporter)
    assert isinstance(cls(io.StringIO()), protocols.Reporter)  # runtime_checkable


class Recorder:
    """A third-party reporter with only the required members: no base class, no options."""

    calls: ClassVar[list[str]] = []

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        Recorder.calls = ["init"]

    def add(self, result: CheckResult) -> None:
        Recorder.calls.append(f"add {result.student}")

    def close(self) -> None:
        Recorder.calls.append("close")
        self.stream.write("done\n")


class Starter(BaseReporter):
    calls: ClassVar[list[str]] = []

    def start(self, total: int) -> None:
        Starter.calls.append(f"start {total}")

    def add(self, result: CheckResult) -> None:
        Starter.calls.append(f"add {result.student}")


def test_a_minimal_reporter_gets_the_documented_defaults() -> None:
    assert isinstance(Recorder(io.StringIO()), protocols.Reporter)
    assert options(Recorder, "mine") == Options("results.mine", False, False)


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        ("text", Options("results.txt", False, False)),
        ("json", Options("results.json", False, False)),
        ("gradescope", Options("results.json", True, True)),
        ("github", Options(None, False, False)),
    ],
    ids=["text", "json", "gradescope", "github"],
)
def test_the_built_ins_say_where_they_go(cls: str, expected: Options) -> None:
    assert options(plugins.get("reporters", cls), cls) == expected


def test_drive_runs_the_cycle_once_in_order(class_result: Callable[..., CheckResult]) -> None:
    stream = io.StringIO()
    drive(Recorder, stream, [class_result("full", "a"), class_result("full", "b")], batch=True)
    assert Recorder.calls == ["init", "add a", "add b", "close"]
    assert stream.getvalue() == "done\n"


@pytest.mark.parametrize(
    ("batch", "started"), [(True, ["start 2"]), (False, [])], ids=["grade", "check"]
)
def test_start_is_called_by_a_class_run_only(
    batch: bool, started: list[str], class_result: Callable[..., CheckResult]
) -> None:
    Starter.calls = []
    drive(
        Starter, io.StringIO(), [class_result("full", "a"), class_result("full", "b")], batch=batch
    )
    assert Starter.calls == [*started, "add a", "add b"]


def test_a_class_run_writes_a_minimal_reporter_where_the_defaults_say(
    class_result: Callable[..., CheckResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = plugins.get

    def get(kind: str, name: str) -> Any:
        return Recorder if (kind, name) == ("reporters", "mine") else real(kind, name)

    monkeypatch.setattr(plugins, "get", get)
    written = write_reports([class_result("full")], ["mine"], tmp_path)
    assert written == [str(tmp_path / "results.mine")]
    assert (tmp_path / "results.mine").read_text() == "done\n"


def test_the_base_class_refuses_to_report_nothing_silently() -> None:
    with pytest.raises(NotImplementedError, match="must implement add"):
        BaseReporter(io.StringIO()).add(None)  # type: ignore[arg-type]


def test_a_reporter_without_a_required_method_is_refused_when_it_loads() -> None:
    from grader.errors import PluginError

    class NoClose:
        def __init__(self, stream: Any) -> None:
            self.stream = stream

        def add(self, result: CheckResult) -> None:
            pass

    with pytest.raises(PluginError, match=r"grader.reporters\[mine\] .*missing 'close'"):
        plugins._check("reporters", "grader.reporters[mine] from test 0", NoClose)
    plugins._check("reporters", "grader.reporters[mine] from test 0", Recorder)  # enough
