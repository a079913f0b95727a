"""``load_profile``: a profile from a file, a shipped name, a mapping or a model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.errors import SpecError, from_validation_error
from sim.profiles.compat import from_healthsim, is_healthsim_form
from sim.profiles.spec import ProfileSpecification
from sim.specio import check_values, load_spec

__all__ = ["load_profile", "parse_profile"]


def parse_profile(data: Any, *, source: str | None = None) -> ProfileSpecification:
    """Validates a mapping (ours or the HealthSim form) into a ProfileSpecification."""
    if isinstance(data, ProfileSpecification):
        return data
    if not isinstance(data, dict):
        raise SpecError("a profile is a mapping of sections", source=source)
    check_values(data, source=source)
    if is_healthsim_form(data):
        data = from_healthsim(data)
    try:
        return ProfileSpecification.model_validate(data)
    except ValidationError as error:
        raise from_validation_error(
            error, data=data, source=source, model=ProfileSpecification
        ) from None


def load_profile(
    source: str | Path | dict[str, Any] | ProfileSpecification,
) -> ProfileSpecification:
    """From a path (YAML or JSON), a shipped name (``medicare-diabetic``), or a mapping."""
    if isinstance(source, ProfileSpecification | dict):
        return parse_profile(source)
    return load_spec(source, "profiles", parse_profile)
