"""What the gradebook's key says about the grader: its version, its code and its plugins.

A grading fix shipped without a version bump must not keep stale scores, so the key holds a
hash of the installed grader package's Python files and the name and version of every
distribution that provides a plugin (from their metadata: no plugin is imported for it).
Computed once per process.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import grader
from grader import __version__, plugins


def _code_hash() -> str:
    package = Path(grader.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.cache
def fingerprint() -> str:
    """`<version>+<16 hex digits>`: changes with any change of code or plugin versions."""
    digest = hashlib.sha256(_code_hash().encode())
    for distribution in plugins.distributions():  # none imported: it costs start-up time
        digest.update(b"\0" + distribution.encode())
    return f"{__version__}+{digest.hexdigest()[:16]}"
