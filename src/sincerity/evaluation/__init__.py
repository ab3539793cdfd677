"""Evaluations of Sincerity's methods on real data, with the baselines they must beat."""

from sincerity.evaluation.ratings import MethodResult, RatingsEvaluation, evaluate_ratings

__all__ = ["MethodResult", "RatingsEvaluation", "evaluate_ratings"]
