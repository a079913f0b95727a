"""The adverse event term table (``ae_terms.yaml``): CTCAE v5.0 terms with their MedDRA system
organ class. Protocols name their adverse events by these terms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from sim.errors import SpecError, did_you_mean

__all__ = ["AdverseEventTerm", "AdverseEventTerms", "load_ae_terms"]


@dataclass(frozen=True)
class AdverseEventTerm:
    term: str
    system_organ_class: str

    @property
    def key(self) -> str:
        """The term as a name (``Abdominal pain`` -> ``abdominal_pain``), for journey event ids."""
        return re.sub(r"[^a-z0-9]+", "_", self.term.lower()).strip("_")


class AdverseEventTerms:
    """Terms by name, case-insensitively."""

    def __init__(self, terms: tuple[AdverseEventTerm, ...]) -> None:
        self.terms = terms
        self._by_name = {t.term.lower(): t for t in terms}

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_name

    def get(self, name: str) -> AdverseEventTerm | None:
        return self._by_name.get(name.lower())

    def by_term(self, name: str) -> AdverseEventTerm:
        found = self.get(name)
        if found is None:
            raise SpecError(
                f"unknown adverse event term '{name}': not in the term table",
                hint=did_you_mean(name, [t.term for t in self.terms])
                or "see handlers/trialsim/ae_terms.yaml",
            )
        return found


@cache
def load_ae_terms() -> AdverseEventTerms:
    """The shipped table, read once a process."""
    text = (resources.files("handlers.trialsim") / "ae_terms.yaml").read_text(encoding="utf-8")
    rows = yaml.safe_load(text)["terms"]
    return AdverseEventTerms(tuple(AdverseEventTerm(r["term"], r["soc"]) for r in rows))
