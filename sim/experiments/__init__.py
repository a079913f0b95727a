"""What-if experiments: variants of a scenario, replications, comparison with intervals."""

from sim.experiments.metrics import BUILTINS, evaluate_metric
from sim.experiments.runner import ExperimentResult, load_experiment, run_experiment
from sim.experiments.spec import ExperimentSpecification, MetricSpec, VariantSpec

__all__ = [
    "BUILTINS",
    "ExperimentResult",
    "ExperimentSpecification",
    "MetricSpec",
    "VariantSpec",
    "evaluate_metric",
    "load_experiment",
    "run_experiment",
]
