"""Synthetic registries: realistic fake people with years of history, for demos and benchmarks."""

from sincerity.synth.population import DEMO_SOURCES, Population, demo_population, outcome_labels

__all__ = ["DEMO_SOURCES", "Population", "demo_population", "outcome_labels"]
