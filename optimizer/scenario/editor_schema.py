"""The JSON Schema of scenario files as a planner writes them, for editors (`optimizer schema`).

The pydantic model describes a scenario after `extends` and `from_csv` are resolved. A file is
checked before that, so the schema has two forms of every model:

- a file without `extends` must be complete: the model's own schema, plus `from_csv` under
  `platforms`, and `null` (not given) for any field that is not required;
- a file with `extends` overrides its parent key by key: every field is optional, and `null`
  removes a key (a platform, a tier, a rule list), so the same models with nothing required
  and `null` allowed everywhere.
"""

from __future__ import annotations

import ast
import copy
import inspect
from typing import Any

from optimizer.constants import MAX_FIGURE
from optimizer.scenario import schema as schema_module
from optimizer.scenario.schema import ONE_OF, Scenario

OVERRIDE = "Override"
FROM_CSV = {
    "type": "string",
    "description": "A CSV rate card, one row per platform and tier, relative to this file;"
    " offers given beside it override its rows.",
}
EXTENDS = {
    "type": "string",
    "description": "Start from another scenario file (a path relative to this one) or a"
    " built-in rate card such as benchmarks-2026, and override it key by key; null removes"
    " a key.",
}
NULL = {"type": "null"}


def editor_schema() -> dict[str, Any]:
    model = Scenario.model_json_schema()
    definitions: dict[str, Any] = model.pop("$defs")
    definitions["Scenario"] = model
    _describe(definitions)
    _cap_figures(definitions)
    model["properties"]["platforms"]["properties"] = {"from_csv": FROM_CSV}
    overrides = {name + OVERRIDE: _override(schema) for name, schema in definitions.items()}
    model["properties"]["platforms"] = _platforms(model["properties"]["platforms"])
    # Exactly one of each pair in a complete offer; in an override, not both (the other may
    # come from the file extended, or a null may remove it there).
    definitions["Offer"]["allOf"] = [
        {"oneOf": [_given(first), _given(second)]} for first, second in ONE_OF
    ]
    overrides["Offer" + OVERRIDE]["allOf"] = [
        {"not": {"allOf": [_given(first), _given(second)]}} for first, second in ONE_OF
    ]
    for definition in definitions.values():
        required = set(definition.get("required", ()))
        properties = definition.get("properties", {})
        for name, field in properties.items():
            if name not in required:
                properties[name] = _or_null(field)
    overrides["Scenario" + OVERRIDE]["properties"]["extends"] = EXTENDS
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": model["title"],
        "description": model["description"],
        "type": "object",
        "if": {"required": ["extends"]},
        "then": {"$ref": f"#/$defs/Scenario{OVERRIDE}"},
        "else": {"$ref": "#/$defs/Scenario"},
        "$defs": {**definitions, **overrides},
    }


def _describe(definitions: dict[str, Any]) -> None:
    """Each field's docstring in the schema module as its description (where none is set)."""
    docs = field_docstrings(inspect.getsource(schema_module))
    for name, definition in definitions.items():
        for field, text in docs.get(name, {}).items():
            properties = definition.get("properties", {})
            if field in properties:
                properties[field].setdefault("description", text)


def field_docstrings(source: str) -> dict[str, dict[str, str]]:
    """`{class: {field: docstring}}`: the string literal that follows each annotated field."""
    found: dict[str, dict[str, str]] = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        fields = found.setdefault(node.name, {})
        for statement, following in zip(node.body, node.body[1:], strict=False):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                fields[statement.target.id] = inspect.cleandoc(following.value.value)
    return found


def _cap_figures(node: Any) -> None:
    """Every number without bounds of its own gets validation's: a figure beyond
    +-MAX_FIGURE is a typing slip, and `validate` refuses it."""
    if isinstance(node, list):
        for item in node:
            _cap_figures(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") in ("number", "integer"):
        if "maximum" not in node and "exclusiveMaximum" not in node:
            node["maximum"] = int(MAX_FIGURE)
        if "minimum" not in node and "exclusiveMinimum" not in node:
            node["minimum"] = -int(MAX_FIGURE)
    for value in node.values():
        _cap_figures(value)


def _given(field: str) -> dict[str, Any]:
    """An offer that gives `field` (a null is not given)."""
    return {"required": [field], "properties": {field: {"not": NULL}}}


def _platforms(platforms: dict[str, Any]) -> dict[str, Any]:
    """The platforms of a complete file: each complete, or, beside a CSV rate card, each an
    override of the card's rows (a null removes a platform of the card)."""
    complete = platforms.pop("additionalProperties")
    return {
        **platforms,
        "if": {"required": ["from_csv"]},
        "then": {
            "properties": {"from_csv": True},
            "additionalProperties": _or_null({"$ref": f"#/$defs/Platform{OVERRIDE}"}),
        },
        "else": {"additionalProperties": complete},
    }


def _override(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema of a key-by-key override of `schema`: nothing required, null allowed."""
    out = copy.deepcopy(schema)
    _relax(out)
    return out


def _relax(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _relax(item)
        return
    if not isinstance(node, dict):
        return
    node.pop("required", None)
    if isinstance(node.get("$ref"), str):
        node["$ref"] += OVERRIDE
    for value in node.values():
        _relax(value)
    properties = node.get("properties", {})
    for name, field in properties.items():
        properties[name] = _or_null(field)
    if isinstance(node.get("additionalProperties"), dict):
        node["additionalProperties"] = _or_null(node["additionalProperties"])


def _or_null(field: dict[str, Any]) -> dict[str, Any]:
    """`field` or null, with its description kept on the outside where editors show it."""
    if NULL in field.get("anyOf", ()):
        return field  # null is one of its forms already
    outside: dict[str, Any] = {
        key: field[key] for key in ("title", "description", "default") if key in field
    }
    inside = {key: value for key, value in field.items() if key not in outside}
    return {**outside, "anyOf": [inside, NULL]}
