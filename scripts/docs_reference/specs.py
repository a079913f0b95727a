"""The spec reference: a page per spec kind, generated from the models' JSON Schema."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from pydantic import BaseModel

from docs_reference.markdown import GENERATED, code, table
from docs_reference.schema import Rendered, model_classes, model_section, reading_order, used_in


@dataclass(frozen=True)
class Kind:
    slug: str
    title: str
    #: ``module:Class`` of the root model, imported when its page is made
    model_path: str
    intro: str

    def model(self) -> type[BaseModel]:
        module, name = self.model_path.split(":")
        return getattr(importlib.import_module(module), name)


KINDS = (
    Kind(
        "scenarios",
        "Scenarios",
        "sim.scenario.spec:ScenarioSpecification",
        "A scenario puts a profile (or explicit households), journeys and triggers together "
        "with a start date and a horizon. Shipped ones are in `scenarios/scenarios/`; the guide "
        "is [running scenarios](../../running.md).",
    ),
    Kind(
        "profiles",
        "Profiles",
        "sim.profiles.spec:ProfileSpecification",
        "A profile says who is generated. Shipped ones are in `scenarios/profiles/`; the guide "
        "is [profiles](../../profiles.md). Profiles in the HealthSim form load too.",
    ),
    Kind(
        "journeys",
        "Journeys",
        "sim.journeys.spec:JourneySpecification",
        "A journey says what happens to a person over time. Shipped ones are in "
        "`scenarios/journeys/`; the guide is [journeys](../../journeys.md). Journeys in the "
        "HealthSim forms load too.",
    ),
    Kind(
        "triggers",
        "Triggers",
        "sim.triggers.spec:TriggerSpecification",
        "A trigger makes a fired source event cause a target event. A trigger set file holds "
        "`triggers:`, a list of them (or is the list itself). The shipped set is "
        "`scenarios/triggers/default.yaml`; the guide is [triggers](../../triggers.md). "
        "HealthSim's default-trigger form loads too.",
    ),
    Kind(
        "plans",
        "Benefit plans",
        "handlers.membersim.benefits:BenefitPlan",
        "A benefit plan's cost sharing for one plan year. Shipped ones are in "
        "`scenarios/plans/`; the guide is [plans and adjudication]"
        "(../../plans-and-adjudication.md).",
    ),
    Kind(
        "pharmacy-benefit",
        "Pharmacy benefit",
        "handlers.rxmembersim.config:PharmacyBenefit",
        "Which benefit plan pays whose drugs, how pharmacy claims are routed, and which drugs "
        "need prior authorization. The shipped one is `handlers/rxmembersim/"
        "pharmacy-benefit.yaml`; the guide is [RxMemberSim](../../rxmembersim.md).",
    ),
    Kind(
        "trials",
        "Trial protocols",
        "handlers.trialsim.protocol:TrialProtocol",
        "A randomised trial protocol. The shipped one is in `scenarios/trials/`; the guide is "
        "[TrialSim](../../trialsim.md).",
    ),
    Kind(
        "experiments",
        "Experiments",
        "sim.experiments.spec:ExperimentSpecification",
        "A what-if experiment: variants of a scenario, replications and metrics. Shipped ones "
        "are in `scenarios/experiments/`; the guide is [experiments](../../experiments.md).",
    ),
)
#: the distribution page links to these from other pages
DISTRIBUTIONS_PAGE = "distributions.md"
#: the kinds ``healthsim schema`` knows
SCHEMA_COMMAND_KINDS = ("scenarios", "profiles", "journeys", "triggers", "plans", "experiments")


def kind_page(kind: Kind) -> str:
    model = kind.model()
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    union = _distribution_schema()
    shared = union["$defs"]
    page = Rendered(
        defs={**defs, model.__name__: schema},
        elsewhere={name: f"[{name}]({DISTRIBUTIONS_PAGE}#{name.lower()})" for name in shared},
        union=(frozenset(_union_names(union)), f"[distribution]({DISTRIBUTIONS_PAGE})"),
        classes=model_classes(model),
    )
    users = used_in(page.defs)
    names = [model.__name__] + [n for n in reading_order(schema, defs) if n not in shared]
    sections = [model_section(name, page, users.get(name, [])) for name in names]
    note = _header_note(kind, any(f"]({DISTRIBUTIONS_PAGE}" in s for s in sections))
    header = [f"# {kind.title}", GENERATED, kind.intro, note]
    return "\n\n".join([*header, *sections]) + "\n"


def _header_note(kind: Kind, distributions: bool) -> str:
    note = "Every field below is checked when the spec loads; an unknown field is an error that "
    note += "names it"
    if kind.slug in SCHEMA_COMMAND_KINDS:
        note += f" (`healthsim schema {kind.slug}` prints the JSON Schema)"
    note += "."
    if distributions:
        note += f" A delay or any other random quantity is a [distribution]({DISTRIBUTIONS_PAGE})."
    return note


def _distribution_schema() -> dict:
    from sim.distributions import distribution_json_schema

    return distribution_json_schema()


def distributions_page() -> str:
    from sim.distributions import specs as models

    union = _distribution_schema()
    defs = union["$defs"]
    mapping = union["discriminator"]["mapping"]
    classes = {name: getattr(models, name) for name in defs if hasattr(models, name)}
    page = Rendered(
        defs=defs,
        union=(frozenset(_union_names(union)), "[distribution](#distributions)"),
        classes=classes,
    )
    rows = [(code(kind), page.link(ref.rsplit("/", 1)[-1])) for kind, ref in mapping.items()]
    order = _union_names(union) + [n for n in reading_order(union, defs) if n not in mapping]
    # a type is used wherever a distribution is: its "used in" would list every one of them
    members = set(_union_names(union))
    users = {name: found for name, found in used_in(defs).items() if name not in members}
    sections = [model_section(name, page, users.get(name, [])) for name in dict.fromkeys(order)]
    header = [
        "# Distributions",
        GENERATED,
        "Every random quantity of a spec is a distribution: a mapping with a `type` and that "
        "type's parameters. The guide is [distributions](../../guide/distributions.md); "
        "`sim.distributions.distribution_json_schema()` gives the JSON Schema.",
        table(("type", "model"), rows),
    ]
    return "\n\n".join([*header, *sections]) + "\n"


def _union_names(union: dict) -> list[str]:
    return [option["$ref"].rsplit("/", 1)[-1] for option in union["oneOf"]]


def index_page() -> str:
    rows = [(f"[{kind.title}]({kind.slug}.md)", kind.intro.split(". ")[0] + ".") for kind in KINDS]
    rows.append(("[Distributions](distributions.md)", "Every random quantity of a spec."))
    return (
        "\n\n".join(
            [
                "# Specifications",
                GENERATED,
                "Specs are YAML or JSON files (or mappings in Python), validated by frozen "
                "pydantic models. These pages list every field of every kind, from the models' "
                "JSON Schema: its type and constraints, its default, what it means and an "
                "example where one is given. `healthsim validate FILE` checks a spec as a run "
                "loads it; `healthsim templates` lists the shipped ones.",
                table(("kind", "what"), rows),
            ]
        )
        + "\n"
    )


def spec_pages() -> dict[str, str]:
    """Page path (under docs/reference/) -> Markdown."""
    pages = {"specs/index.md": index_page()}
    pages |= {f"specs/{kind.slug}.md": kind_page(kind) for kind in KINDS}
    pages["specs/distributions.md"] = distributions_page()
    return pages
