"""Find, load and check plugins from entry points, the way flake8's finder does.

Three small steps: `_find` reads entry-point metadata (no import), `_load` imports each one and
wraps any failure in a PluginError naming `group[name]`, `_check` holds the object against its
Protocol. The built-ins come through the same path: the project's own pyproject.toml registers
them. Results are cached per process and sorted by name for determinism.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from grader import protocols
from grader.errors import PluginError
from grader.suggest import close_matches

KINDS: dict[str, tuple[str, type]] = {
    "activations": ("grader.activations", protocols.Activation),
    "losses": ("grader.losses", protocols.Loss),
    "tasks": ("grader.tasks", protocols.Task),
    "tolerances": ("grader.tolerances", protocols.Tolerance),
    "reporters": ("grader.reporters", protocols.Reporter),
    "diagnoses": ("grader.diagnoses", protocols.Diagnosis),
}


@dataclass(frozen=True)
class Plugin:
    kind: str
    name: str
    value: str  # "module:attribute", as the entry point says
    distribution: str
    version: str
    obj: Any

    @property
    def where(self) -> str:
        return f"{KINDS[self.kind][0]}[{self.name}] from {self.distribution} {self.version}"


def _find(kind: str) -> list[tuple[metadata.EntryPoint, str, str]]:
    """The group's entry points, without importing them; looked up by group, not by reading
    every installed distribution's metadata (that costs start-up time in big environments)."""
    group = KINDS[kind][0]
    found: dict[tuple[str, str], tuple[metadata.EntryPoint, str, str]] = {}
    for ep in _entry_points().select(group=group):
        dist_name, version = _name_and_version(ep.dist)
        # The same distribution can be seen twice on sys.path (editable + site).
        found.setdefault((ep.name, dist_name), (ep, dist_name, version))
    return sorted(found.values(), key=lambda item: (item[0].name, item[1]))


@functools.cache
def _entry_points() -> Any:
    """Every installed entry point, read once per process: `entry_points(group=...)` reads
    every distribution's entry_points.txt again for each group it is asked for (six here).
    SelectableGroups before Python 3.12, EntryPoints from then on: both `select(group=...)`."""
    return metadata.entry_points()


_DISTRIBUTIONS: dict[str, tuple[str, str]] = {}


def _name_and_version(dist: metadata.Distribution | None) -> tuple[str, str]:
    """A distribution's name and version, its METADATA parsed once per process (not once per
    entry point: the parse is what made discovery slow)."""
    if dist is None:
        return "?", "?"
    key = str(getattr(dist, "_path", "")) or str(id(dist))
    if key not in _DISTRIBUTIONS:
        meta = dist.metadata
        _DISTRIBUTIONS[key] = (meta["Name"] or "?", meta["Version"] or "?")
    return _DISTRIBUTIONS[key]


def _protocol_members(protocol: type) -> tuple[list[str], list[str]]:
    """The (methods, attributes) a Protocol declares, without typing's private helpers."""
    methods = [n for n, v in vars(protocol).items() if callable(v) and not n.startswith("_")]
    attributes = [n for n in getattr(protocol, "__annotations__", {}) if not n.startswith("_")]
    return methods, attributes


def _check(kind: str, where: str, obj: Any) -> None:
    """Every required member is there, and every member that is there (optional ones too) is
    callable where the Protocol declares a method."""
    protocol = KINDS[kind][1]
    methods, attributes = _protocol_members(protocol)
    optional = protocols.OPTIONAL.get(protocol, frozenset())
    missing = [m for m in methods + attributes if m not in optional and not hasattr(obj, m)]
    missing += [
        f"{m} (not callable)" for m in methods if hasattr(obj, m) and not callable(getattr(obj, m))
    ]
    if missing:
        raise PluginError(
            f"plugin {where} does not implement {protocol.__name__}: "
            f"missing {', '.join(repr(m) for m in sorted(missing))}"
        )
    if kind == "tasks":
        _check_explained(where, getattr(obj, "explained", protocols.EXPLAIN_PARTS))
    if kind == "reporters" and not inspect.isclass(obj):
        raise PluginError(f"plugin {where} must be a class (constructed on an output stream)")


def _check_explained(where: str, parts: Any) -> None:
    """A misspelt part would silently show nothing: name it, with the near miss."""
    if isinstance(parts, str) or not isinstance(parts, (tuple, list)):
        raise PluginError(f"plugin {where}: 'explained' must be a tuple of names, not {parts!r}")
    for part in parts:
        if part not in protocols.EXPLAIN_PARTS:
            close = close_matches(str(part), protocols.EXPLAIN_PARTS)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else "known: " + ", ".join(protocols.EXPLAIN_PARTS)
            )
            raise PluginError(f"plugin {where}: unknown part {part!r} in 'explained' ({hint})")


def _load(kind: str, ep: metadata.EntryPoint, dist: str, version: str) -> Plugin:
    where = f"{KINDS[kind][0]}[{ep.name}] from {dist} {version}"
    try:
        obj = ep.load()
    except Exception as exc:  # a broken plugin must be named, never silently skipped
        raise PluginError(f"plugin {where} failed to load ({ep.value}): {exc!r}") from exc
    _check(kind, where, obj)
    return Plugin(kind, ep.name, ep.value, dist, version, obj)


@functools.cache
def _found(kind: str) -> dict[str, tuple[metadata.EntryPoint, str, str]]:
    """Every installed plugin of one kind by name, not imported yet; two of one name refused."""
    found: dict[str, tuple[metadata.EntryPoint, str, str]] = {}
    for ep, dist, version in _find(kind):
        if ep.name in found and found[ep.name][1] != dist:
            _, other, other_version = found[ep.name]
            raise PluginError(
                f"two plugins are named {KINDS[kind][0]}[{ep.name}]: one from "
                f"{other} {other_version}, one from {dist} {version}; uninstall one of them"
            )
        found[ep.name] = (ep, dist, version)
    return found


@functools.cache
def _loaded(kind: str, name: str) -> Plugin:
    return _load(kind, *_found(kind)[name])


class _Registry(Mapping[str, Plugin]):
    """One kind's plugins by name, each imported and checked when first looked up: a command
    imports only the plugins it uses (start-up time), `grader plugins` all of them."""

    def __init__(self, kind: str) -> None:
        self._kind = kind

    def __contains__(self, name: object) -> bool:
        return name in _found(self._kind)

    def __getitem__(self, name: str) -> Plugin:
        if name not in _found(self._kind):
            raise KeyError(name)
        return _loaded(self._kind, name)

    def __iter__(self) -> Iterator[str]:
        return iter(_found(self._kind))

    def __len__(self) -> int:
        return len(_found(self._kind))


@functools.cache
def registry(kind: str) -> Mapping[str, Plugin]:
    """Every installed plugin of one kind, by name (imported when looked up)."""
    return _Registry(kind)


def distributions() -> list[str]:
    """`name==version` of every distribution that provides a plugin of any kind, sorted; read
    from the entry points' metadata, without importing a single plugin."""
    return sorted({f"{dist}=={version}" for kind in KINDS for _, dist, version in _find(kind)})


def names(kind: str) -> list[str]:
    return sorted(registry(kind))


def unknown_name_message(kind: str, name: str) -> str:
    """`unknown activation 'sigmod' (did you mean 'sigmoid'?)` or the list of known names."""
    singular = {"losses": "loss", "diagnoses": "diagnosis"}.get(kind, kind[:-1])
    known = names(kind)
    close = close_matches(name, known)
    hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"
    return f"unknown {singular} {name!r} ({hint})"


def get(kind: str, name: str) -> Any:
    """The plugin object named `name`, or a PluginError that suggests a near miss."""
    plugins = registry(kind)
    if name not in plugins:
        raise PluginError(unknown_name_message(kind, name))
    return plugins[name].obj
