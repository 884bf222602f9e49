"""Every key the configuration file takes, walked from the pydantic models
(the one source of truth), with its type and default: what
``incident config keys`` prints and what the docs' reference is checked
against (tests/test_docs.py), so a key added to a model without being
documented fails a test."""

from __future__ import annotations

import enum
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from incident.config import AppConfig


@dataclass(frozen=True)
class Key:
    path: str  # "detection.min_count", "people.<key>.name", "webhooks[].url"
    type: str
    default: str  # "" when required or a table


def _models(annotation: Any) -> tuple[str, type[BaseModel]] | None:
    """("", Model) for a model field, (".<key>", Model) for a dict of models,
    ("[]", Model) for a list of them; None for a plain value."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _models(inner[0]) if len(inner) == 1 else None
    if origin is typing.Annotated:
        return _models(args[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "", annotation
    if origin is dict and len(args) == 2:
        found = _models(args[1])
        return (".<key>" + found[0], found[1]) if found else None
    if origin is list and args:
        found = _models(args[0])
        return ("[]" + found[0], found[1]) if found else None
    return None


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(a) for a in typing.get_args(annotation))
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in typing.get_args(annotation))
    if origin is not None:
        args = ", ".join(_type_name(a) for a in typing.get_args(annotation))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    if annotation is type(None):
        return "none"
    return getattr(annotation, "__name__", str(annotation))


def _default(field: Any) -> str:
    if field.default is not PydanticUndefined:
        value = field.default
    elif field.default_factory is not None:
        value = field.default_factory()
    else:
        return ""
    if isinstance(value, BaseModel):
        return ""
    return _show(value)


def _show(value: Any) -> str:
    """A default as it would be written in the TOML (enums by their value)."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_show(k)} = {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, enum.Enum):
        return value.name if isinstance(value.value, int) else _show(value.value)  # SEV1, a role's key
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return f'"{value}"' if isinstance(value, str) else str(value)


def walk(model: type[BaseModel] = AppConfig, prefix: str = "") -> list[Key]:
    """Every key under ``model``, tables before their keys, in declaration order."""
    out: list[Key] = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        found = _models(field.annotation)
        if found is None:
            out.append(Key(path, _type_name(field.annotation), _default(field)))
            continue
        suffix, inner = found
        out.append(Key(path + suffix, "table", ""))
        out.extend(walk(inner, f"{path}{suffix}."))
    return out
