"""Reading people's files (seeds, a terminal's config.json) with pydantic: one way to name
where a problem is (`films[3].runtime_min`) and to say what it is in plain words, with a
"did you mean" for a mistyped key, shared by the central's seeds and the counter's settings."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel
from pydantic_core import ErrorDetails


def check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


TimeZoneName = Annotated[str, AfterValidator(check_zone)]
"""An IANA zone name that exists here (`Asia/Shanghai`)."""


def path(loc: Iterable[int | str]) -> str:
    """('films', 3, 'runtime_min') -> films[3].runtime_min"""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out


def model_at(model: type[BaseModel], loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The model whose table sits at `loc` (list indexes and Optional looked through)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = field.annotation
        while typing.get_origin(current) in (list, typing.Union, types.UnionType):
            current = next(a for a in typing.get_args(current) if a is not type(None))
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def problem(model: type[BaseModel], err: ErrorDetails, noun: str = "key") -> str:
    """One pydantic error in a person's words; `noun` is what the file calls its keys."""
    if err["type"] == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    if err["type"] == "extra_forbidden":
        table = model_at(model, err["loc"][:-1])
        if table is None:
            return f"unknown {noun}"
        known = list(table.model_fields)
        close = difflib.get_close_matches(str(err["loc"][-1]), known, n=1)
        if close:
            return f"unknown {noun} (did you mean {close[0]!r}?)"
        return f"unknown {noun} (known {noun}s: {', '.join(known)})"
    if err["type"] == "missing":
        return f"missing {noun}"
    return err["msg"]
