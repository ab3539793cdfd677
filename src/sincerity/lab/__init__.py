"""The policy lab: run a scoring policy over a synthetic society and measure what it does.

from sincerity.lab import LabConfig, Model, load_lab_policy
policy = load_lab_policy("described", {"default": shipped_policy()})
model = Model(policy, LabConfig(agents=10_000), seed=1)
history = model.run(100)
"""

from sincerity.lab.config import LabConfig
from sincerity.lab.model import Model
from sincerity.lab.policy import LabPolicy, lab_policy_from_data
from sincerity.lab.presets import PRESETS, load_lab_policy
from sincerity.lab.run import METRICS, Summary, run_presets, seeds_for, summarize

__all__ = [
    "METRICS",
    "PRESETS",
    "LabConfig",
    "LabPolicy",
    "Model",
    "Summary",
    "lab_policy_from_data",
    "load_lab_policy",
    "run_presets",
    "seeds_for",
    "summarize",
]
