"""Pydantic's validation errors as an instructor reads them: key paths, TOML types, near misses."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from grader.exercise.schema import Exercise
from grader.exercise.strict import describe
from grader.suggest import close_matches

# Pydantic's strict type errors, by the TOML type the key takes.
_EXPECTED = {
    "int_type": "an integer",
    "float_type": "a number",
    "string_type": "a string",
    "bool_type": "a boolean",
    "list_type": "an array",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
}


def key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model whose fields a key path ends in (for suggesting near misses)."""
    model: Any = Exercise
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        ann = field.annotation
        args = [a for a in getattr(ann, "__args__", ()) if isinstance(a, type)]
        candidates = [ann, *args]
        model = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
    return model


def message(err: ErrorDetails, fields: list[str] | None = None) -> str:
    """Pydantic's error in our words; near misses come from `fields` or the model at loc."""
    loc = err["loc"]
    if err["type"] == "extra_forbidden":
        if fields is None:
            model = model_at(loc)
            fields = list(model.model_fields) if model else []
        close = close_matches(str(loc[-1]), fields)
        return "unknown key" + (f" (did you mean {close[0]!r}?)" if close else "")
    if err["type"] == "missing":
        return "missing required key"
    if err["type"] == "literal_error":  # bias = "shraed", reduction = "total"
        options = [o.strip(" '") for o in str(err.get("ctx", {}).get("expected", "")).split(",")]
        known = ", ".join(repr(p.strip(" '")) for o in options for p in o.split(" or "))
        got = err.get("input")
        if not isinstance(got, str):
            return f"expected one of {known}, got {describe(got)}"
        close = close_matches(got, [p.strip("'") for p in known.split(", ")])
        hint = f"did you mean {close[0]!r}?" if close else f"expected one of {known}"
        return f"unknown value {got!r} ({hint})"
    if err["type"] in _EXPECTED:
        return f"expected {_EXPECTED[err['type']]}, got {describe(err.get('input'))}"
    return err["msg"]
