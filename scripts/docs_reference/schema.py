"""One spec kind's JSON Schema as Markdown: a section per model, a row per field with its
type, default, description and example; nested models link to their sections."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined, to_jsonable_python

from docs_reference.markdown import block, code, escaped, flow, table

Schema = dict[str, Any]

SCALARS = {"string": "text", "integer": "integer", "number": "number", "boolean": "boolean"}


@dataclass
class Rendered:
    """A page's models (JSON Schema by name, and their classes) and how it links to them."""

    defs: dict[str, Schema]
    #: models shown on another page: name -> its link text
    elsewhere: dict[str, str] = field(default_factory=dict)
    #: a union of all these models is written as this link (the distributions)
    union: tuple[frozenset[str], str] | None = None
    #: the model classes, for the defaults a schema leaves out
    classes: dict[str, type[BaseModel]] = field(default_factory=dict)

    def link(self, name: str) -> str:
        if name in self.elsewhere:
            return self.elsewhere[name]
        return f"[{name}](#{name.lower()})"


def ref_name(schema: Schema) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def type_text(schema: Schema, page: Rendered) -> str:
    """A field's type in words, with its constraints: ``number (>= 0, <= 1)``."""
    name = ref_name(schema)
    if name is not None:
        return page.link(name)
    if "oneOf" in schema or "anyOf" in schema:
        return _union(schema, page)
    if "const" in schema:
        return code(str(schema["const"]))
    if "enum" in schema:
        return "one of " + ", ".join(code(str(value)) for value in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        return _array(schema, page)
    if kind == "object":
        values = schema.get("additionalProperties")
        if isinstance(values, dict) and values:
            text = f"mapping of text to {_grouped(type_text(values, page))}"
        else:
            text = "mapping"
        return _constrained(text, schema)
    if kind == "string" and schema.get("format") == "date":
        return "date (YYYY-MM-DD)"
    if kind in SCALARS:
        return SCALARS[kind] + _constraints(schema)
    return "any"


def _union(schema: Schema, page: Rendered) -> str:
    options = schema.get("oneOf") or schema.get("anyOf") or []
    refs = {ref_name(option) for option in options}
    if page.union is not None and refs == page.union[0]:
        return page.union[1]
    parts: list[str] = []
    for option in options:
        text = "null" if option == {"type": "null"} else type_text(option, page)
        # integer or number reads as number
        if text == "integer" and {"type": "number"} in options:
            continue
        if text not in parts:
            parts.append(text)
    if len(parts) == 1:
        return parts[0]
    if any("," in part or " or " in part for part in parts):
        return " or ".join(parts)
    return ", ".join(parts[:-1]) + " or " + parts[-1]


def _array(schema: Schema, page: Rendered) -> str:
    if "prefixItems" in schema:
        items = ", ".join(type_text(item, page) for item in schema["prefixItems"])
        return f"list ({items})"
    items = schema.get("items")
    inner = type_text(items, page) if isinstance(items, dict) and items else "any"
    return _constrained(f"list of {_grouped(inner)}", schema)


def _grouped(text: str) -> str:
    """A union inside a container, in parentheses: ``list of (text or mapping)``."""
    return f"({text})" if " or " in text else text


def _constrained(text: str, schema: Schema) -> str:
    """A container's own constraints after its items' (which may end in parentheses)."""
    constraints = _constraints(schema)
    if constraints and text.endswith(")"):
        return f"{text}, {constraints.strip()[1:-1]}"
    return text + constraints


def _constraints(schema: Schema) -> str:
    words = {
        "minimum": ">= {}",
        "exclusiveMinimum": "> {}",
        "maximum": "<= {}",
        "exclusiveMaximum": "< {}",
        "minLength": "at least {} characters",
        "maxLength": "at most {} characters",
        "minItems": "at least {} items",
        "maxItems": "at most {} items",
        "minProperties": "at least {} entries",
        "maxProperties": "at most {} entries",
    }
    given = {key: schema[key] for key in words if key in schema}
    found = []
    if "minimum" in given and "maximum" in given:
        found.append(f"{_number(given.pop('minimum'))} to {_number(given.pop('maximum'))}")
    for key, value in given.items():
        empty = key in ("minLength", "minItems", "minProperties") and value == 1
        found.append("not empty" if empty else words[key].format(_number(value)))
    if "pattern" in schema:
        found.append("matching " + code(schema["pattern"]))
    return f" ({', '.join(found)})" if found else ""


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and abs(value) >= 10_000 else str(value)


def model_classes(root: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every model reachable from ``root``'s fields, by the name its schema gives it."""
    found: dict[str, type[BaseModel]] = {}
    stack: list[Any] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item.__name__ in found:
                continue
            found[item.__name__] = item
            stack += [info.annotation for info in item.model_fields.values()]
        stack += list(getattr(item, "__args__", ()))
        stack += list(getattr(item, "__metadata__", ()))
    return found


def fallback_default(model: type[BaseModel] | None, name: str) -> Any:
    """A default the schema leaves out (a ``default_factory``), from the model itself."""
    if model is None:
        return PydanticUndefined
    for field_name, info in model.model_fields.items():
        if (info.alias or field_name) == name:
            value = info.get_default(call_default_factory=True)
            return PydanticUndefined if value is PydanticUndefined else to_jsonable_python(value)
    return PydanticUndefined


def reading_order(root: Schema, defs: dict[str, Schema]) -> list[str]:
    """Models in the order a reader meets them: breadth-first from the root's fields."""
    order: list[str] = []
    queue = [root]
    while queue:
        schema = queue.pop(0)
        for name in _refs(schema):
            if name in defs and name not in order:
                order.append(name)
                queue.append(defs[name])
    return order


def _refs(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        name = ref_name(schema)
        if name is not None:
            yield name
        for key, value in schema.items():
            if key not in ("$defs", "default", "examples"):
                yield from _refs(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _refs(item)


def used_in(defs: dict[str, Schema]) -> dict[str, list[tuple[str, str]]]:
    """Model -> the (model, field) pairs that refer to it."""
    users: dict[str, list[tuple[str, str]]] = {}
    for owner, schema in defs.items():
        for prop, value in schema.get("properties", {}).items():
            for name in dict.fromkeys(_refs(value)):
                users.setdefault(name, []).append((owner, prop))
    return users


def model_section(name: str, page: Rendered, users: list[tuple[str, str]]) -> str:
    """The model's heading, description, where it is used, its fields and its examples."""
    schema = page.defs[name]
    parts = [f"## {name}"]
    if schema.get("description"):
        parts.append(escaped(schema["description"]))
    if users:
        owners: dict[str, list[str]] = {}
        for owner, prop in users:
            owners.setdefault(owner, []).append(code(prop))
        where = "; ".join(f"{page.link(o)} {', '.join(props)}" for o, props in owners.items())
        parts.append(f"Used in: {where}.")
    required = set(schema.get("required", []))
    rows = []
    properties = schema.get("properties", {})
    # a distribution's type reads best first (a bounded one lists its min and max before it)
    for prop in sorted(properties, key=lambda prop: prop != "type"):
        value = properties[prop]
        default = _default(prop, value, required, page, page.classes.get(name))
        rows.append((code(prop), type_text(value, page), default, _description(value)))
    if rows:
        parts.append(table(("field", "type", "default", "description"), rows))
    for example in schema.get("examples", []):
        parts.append("Example:\n\n" + block(type_first(example)))
    return "\n\n".join(parts)


def type_first(mapping: Any) -> Any:
    """A distribution's ``type`` reads best first (the schema sorts examples' keys)."""
    if isinstance(mapping, list):
        return [type_first(item) for item in mapping]
    if not isinstance(mapping, dict):
        return mapping
    ordered = {key: type_first(value) for key, value in mapping.items()}
    return {"type": ordered.pop("type"), **ordered} if "type" in ordered else ordered


def _default(
    prop: str, value: Schema, required: set[str], page: Rendered, model: type[BaseModel] | None
) -> str:
    if prop in required:
        return "required"
    default = value.get("default", PydanticUndefined)
    if default is PydanticUndefined:
        default = fallback_default(model, prop)
    if default is PydanticUndefined:
        return ""
    name = ref_name(value)
    if name is not None and isinstance(default, dict) and default == _all_defaults(name, page):
        return code("{}") + " (every field's default)"
    return code(flow(default))


def _all_defaults(name: str, page: Rendered) -> dict[str, Any] | None:
    schema = page.defs.get(name, {})
    if schema.get("required"):
        return None
    model = page.classes.get(name)
    return {
        prop: value.get("default", fallback_default(model, prop))
        for prop, value in schema.get("properties", {}).items()
    }


def _description(value: Schema) -> str:
    text = value.get("description", "")
    if not text and "const" in value:
        text = "Names the type."
    examples = value.get("examples") or []
    if examples:
        shown = ", ".join(code(flow(example)) for example in examples)
        text = f"{text} Example: {shown}." if text else f"Example: {shown}."
    return text
