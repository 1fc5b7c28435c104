"""`grader merge`, as a library call: shard gradebooks into one gradebook and its reports.

Each shard's finished run (grader/batch/record.py) is checked against the others before
anything is written: the same exercises, the same grader, the same shard count and class, no
student twice, every shard there (or `allow_missing`). The results are put back in the whole
class's order, so the reports are what one unsharded run writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.batch.gradebook import Gradebook, RunRow
from grader.batch.record import Record, read_record
from grader.batch.reports import write_reports
from grader.batch.shard import WHOLE
from grader.errors import InputError
from grader.result import CheckResult


@dataclass
class Merged:
    results: list[CheckResult]
    reports: list[str]
    missing_shards: list[int]
    not_graded: list[str]  # students of the missing shards
    fingerprint: str  # the shards' grader

    @property
    def grader_failed(self) -> bool:
        return any(r.status == "error" for r in self.results)


def _read(folder: Path) -> tuple[Record, list[RunRow]]:
    path = folder / "gradebook.sqlite"
    if not path.is_file():
        raise InputError(f"{folder}: no gradebook.sqlite (not the --out of a `grader grade`)")
    book = Gradebook(path)
    try:
        rows, results = book.run_record()
    finally:
        book.close()
    return read_record(rows, str(folder)), results


def _same(records: dict[Path, Record], what: str, attr: str) -> None:
    """Every record has one value of `attr`, or the folders of each value are named."""
    groups: dict[str, list[str]] = {}
    for folder, record in records.items():
        groups.setdefault(repr(getattr(record, attr)), []).append(str(folder))
    if len(groups) > 1:
        listed = "; ".join(f"{', '.join(folders)}: {value}" for value, folders in groups.items())
        raise InputError(f"these gradebooks were graded with different {what}: {listed}")


def _check(records: dict[Path, Record]) -> None:
    _same(records, "exercises (id: content digest)", "exercises")
    _same(records, "grader versions", "version")
    _same(records, "graders (fingerprints: version + code + plugins)", "fingerprint")
    _same(records, "shard counts (N of --shard K/N)", "n")
    _same(records, "classes (the students in the class folder differ)", "roster")
    owner: dict[str, Path] = {}
    for folder, record in records.items():
        twice = [s for s in record.students if s in owner]
        if twice:
            raise InputError(
                f"{owner[twice[0]]} and {folder} overlap: both graded {', '.join(twice[:10])}"
                f"{' ...' if len(twice) > 10 else ''} (shard {record.shard} given twice?)"
            )
        owner.update(dict.fromkeys(record.students, folder))


def merge(folders: list[Path], out: Path, formats: list[str], allow_missing: bool) -> Merged:
    inputs = {folder.resolve() for folder in folders}
    if out.resolve() in inputs:
        raise InputError(f"--out {out} is one of the gradebooks to merge: merge into a new folder")
    if len(inputs) < len(folders):
        raise InputError("a gradebook folder is given twice")
    read = {folder: _read(folder) for folder in folders}
    records = {folder: record for folder, (record, _) in read.items()}
    _check(records)
    first = next(iter(records.values()))
    there = {record.shard.k for record in records.values()}
    missing = [k for k in range(1, first.shard.n + 1) if k not in there]
    not_graded = [s for s, k in first.roster.items() if k in missing]
    if missing and not allow_missing:
        raise InputError(
            f"shard(s) {', '.join(f'{k}/{first.shard.n}' for k in missing)} missing "
            f"({len(not_graded)} students not graded: {', '.join(not_graded[:10])}"
            f"{' ...' if len(not_graded) > 10 else ''}); --allow-missing merges without them"
        )
    rows = sorted((row for _, found in read.values() for row in found), key=lambda r: r[0])
    graded = {s for record in records.values() for s in record.students}
    _write_gradebook(out, first, [s for s in first.roster if s in graded], rows)
    results = [result for _, _, result in rows]
    reports = write_reports(results, formats, out)
    return Merged(results, reports, missing, not_graded, first.fingerprint)


def _write_gradebook(out: Path, first: Record, graded: list[str], rows: list[RunRow]) -> None:
    """What one unsharded run leaves: `grader grade` of the whole class resumes from it."""
    whole = Record(
        WHOLE,
        first.exercises,
        first.version,
        first.fingerprint,
        dict.fromkeys(first.roster, 1),
        graded,
    )
    book = Gradebook(out / "gradebook.sqlite")
    try:
        book.begin_run()
        for _, key, result in rows:
            if result.status != "error":  # as in a run: a grader failure is never final
                book.put(key, result)
        book.finish_run(whole.to_rows(), rows)
    finally:
        book.close()
