"""Tests for grader.batch.shard: K/N written and refused, the assignment stable and balanced."""

from __future__ import annotations

import pytest

from grader.batch.shard import ENV, Shard, from_option, parse, shard_of
from grader.cli import main
from grader.errors import InputError

ROSTER = [f"student{n:04d}" for n in range(400)]


@pytest.mark.parametrize(
    ("text", "shard"), [("1/1", Shard(1, 1)), ("2/3", Shard(2, 3)), (" 4 / 4 ", Shard(4, 4))]
)
def test_k_counts_from_1(text: str, shard: Shard) -> None:
    assert parse(text) == shard


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("0/3", "K counts from 1"),
        ("4/3", "K is larger than N"),
        ("1/0", "N must be 1 to"),
        ("2", "is not a shard"),
        ("-1/3", "is not a shard"),
        ("a/b", "is not a shard"),
        ("1/3/5", "is not a shard"),
    ],
)
def test_anything_else_is_refused_saying_how_to_write_it(text: str, says: str) -> None:
    with pytest.raises(InputError, match=says):
        parse(text)


def test_the_option_wins_then_the_environment_then_the_whole_class() -> None:
    assert from_option("1/2", {ENV: "2/2"}) == Shard(1, 2)
    assert from_option(None, {ENV: "2/2"}) == Shard(2, 2)
    assert from_option(None, {ENV: ""}) is None
    assert from_option(None, {}) is None
    with pytest.raises(InputError, match=f"^{ENV}: '0/2'"):
        from_option(None, {ENV: "0/2"})


def test_the_assignment_is_pinned_sha256_of_the_name() -> None:
    # Shards graded by two versions are merged only when their fingerprints agree; still, the
    # assignment is documented (docs/ci.md), so a change to it must be deliberate.
    assert [shard_of(s, 3) for s in ["alice", "bob", "carol", "dan"]] == [3, 3, 3, 2]
    assert [shard_of(s, 4) for s in ["alice", "bob", "carol", "dan"]] == [4, 3, 3, 2]


def test_a_student_added_late_moves_no_one_else() -> None:
    before = {s: shard_of(s, 4) for s in ROSTER}
    after = {s: shard_of(s, 4) for s in [*ROSTER, "zoe-late"]}
    assert {s: after[s] for s in ROSTER} == before


@pytest.mark.parametrize("n", [2, 3, 4, 8])
def test_shards_are_balanced_and_cover_the_class_once(n: int) -> None:
    sizes = [sum(Shard(k, n).holds(s) for s in ROSTER) for k in range(1, n + 1)]
    assert sum(sizes) == len(ROSTER)
    expected = len(ROSTER) / n
    assert all(abs(size - expected) < 0.3 * expected for size in sizes), sizes


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["--shard", "0/4"], {}, "--shard: '0/4': K counts from 1"),
        ([], {ENV: "5/4"}, "GRADER_SHARD: '5/4': K is larger than N"),
    ],
)
def test_a_bad_shard_exits_2_before_anything_is_graded(
    args: list[str],
    env: dict[str, str],
    says: str,
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exited:
        main(
            [
                "grade",
                str(tmp_path),
                "-e",
                "house-price-backprop",
                "--out",
                str(tmp_path / "o"),
                *args,
            ]
        )
    assert exited.value.code == 2
    assert says in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
