"""Whole-registry rescoring: the policy compiled to SQL for DuckDB (embedded) and Spark."""

from sincerity.batch.compile import compile_policy, minimal_query
from sincerity.batch.engines import run_duckdb, run_spark
from sincerity.batch.results import BatchScores, collect

__all__ = ["BatchScores", "collect", "compile_policy", "minimal_query", "run_duckdb", "run_spark"]
