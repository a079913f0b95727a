"""``load_triggers``: trigger sets from shipped names (``default``), files, or inline mappings,
in our form or the HealthSim default-trigger form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.errors import SpecError, did_you_mean, from_validation_error
from sim.specio import check_values, load_spec, shipped_names
from sim.triggers.compiled import TriggerSet, compile_triggers
from sim.triggers.spec import (
    DEFAULT_MAX_DEPTH,
    TriggerSpecification,
    from_healthsim,
    is_healthsim_form,
)

__all__ = ["load_triggers", "parse_triggers", "shipped_trigger_sets"]

TriggerSource = str | Path | Mapping[str, Any]


def shipped_trigger_sets() -> list[str]:
    return shipped_names("triggers")


def parse_triggers(items: Any, *, source: str | None = None) -> list[TriggerSpecification]:
    """A list of trigger mappings (or ``{triggers: [...]}``) -> validated specs."""
    check_values(items, source=source)
    if isinstance(items, Mapping) and "triggers" in items:
        extra = sorted(str(key) for key in items if key != "triggers")
        if extra:  # a set has only its list: anything beside it would be dropped silently
            raise SpecError(
                "unknown field",
                path=(extra[0],),
                source=source,
                hint="a trigger set has 'triggers'",
            )
        items = items["triggers"]
    if not isinstance(items, list):
        raise SpecError("a trigger set is a list of triggers", source=source)
    specs = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise SpecError("a trigger is a mapping", path=("triggers", i), source=source)
        data = item
        try:
            if is_healthsim_form(item):
                data = from_healthsim(item, i)
            specs.append(TriggerSpecification.model_validate(data))
        except ValueError as error:
            if isinstance(error, ValidationError):
                raise from_validation_error(
                    error,
                    data=data,
                    source=source,
                    prefix=("triggers", i),
                    model=TriggerSpecification,
                ) from None
            raise SpecError(str(error), path=("triggers", i), source=source) from None
    return specs


def _specs(item: TriggerSource) -> list[TriggerSpecification]:
    if isinstance(item, Mapping):
        if "triggers" in item:
            return parse_triggers(item)
        return parse_triggers([item])
    return load_spec(item, "triggers", parse_triggers)


def load_triggers(
    sources: Sequence[TriggerSource] | TriggerSource = ("default",),
    *,
    disable: Sequence[str] = (),
    max_depth: int = DEFAULT_MAX_DEPTH,
    changes: Mapping[str, Mapping[str, Any]] | None = None,
) -> TriggerSet:
    """The triggers of ``sources`` (shipped set names, paths, mappings) less ``disable``, with
    ``changes`` (trigger id -> fields to replace, e.g. ``{refill-fill: {delay: 3}}``)."""
    if isinstance(sources, str | Path | Mapping):
        sources = [sources]
    if not isinstance(sources, Sequence):
        raise SpecError(
            f"triggers are a list of sets, files or triggers, not {type(sources).__name__}",
            path=("triggers",),
        )
    specs: list[TriggerSpecification] = []
    for item in sources:
        specs.extend(_specs(item))
    known = {s.id for s in specs}
    for name in disable:
        if name not in known:
            raise SpecError(
                f"cannot disable unknown trigger '{name}'",
                path=("disable_triggers",),
                hint=did_you_mean(name, known),
            )
    for trigger_id, fields in (changes or {}).items():
        if trigger_id not in known:
            raise SpecError(
                f"cannot change unknown trigger '{trigger_id}'",
                path=("trigger_changes",),
                hint=did_you_mean(trigger_id, known),
            )
        index = next(i for i, spec in enumerate(specs) if spec.id == trigger_id)
        data = {**specs[index].model_dump(mode="json"), **dict(fields)}
        try:
            specs[index] = TriggerSpecification.model_validate(data)
        except ValidationError as error:
            raise from_validation_error(
                error, data=data, prefix=("trigger_changes", trigger_id), model=TriggerSpecification
            ) from None
    return compile_triggers([s for s in specs if s.id not in set(disable)], max_depth=max_depth)
