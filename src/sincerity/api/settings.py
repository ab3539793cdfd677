"""Service settings, from the environment (SINCERITY_*) or passed to create_app."""

from __future__ import annotations

from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the HTTP service needs to know; nothing is read at import time."""

    model_config = SettingsConfigDict(env_prefix="SINCERITY_", extra="ignore")

    database_url: str = "sqlite:///sincerity.db"
    public_url: str = "http://localhost:8000"  # the issuer name in attestations; links and QR codes
    max_body_bytes: int = 5_000_000
    max_batch_records: int = 10_000
    rate_limit_per_minute: int = 1200
    rate_limit_burst: int = 200
    client_rate_limit_per_minute: int = 120  # keyless requests (verify, lab, sign-in) per address
    client_rate_limit_burst: int = 30
    auth_failures_per_minute: int = 10  # failed API keys or sign-ins per address
    auth_failure_burst: int = 20
    # Where the rate-limit buckets live: "shared" (the database, for several processes) or
    # "memory" (this process; `serve` with one worker, the only process answering requests).
    rate_limit_store: Literal["shared", "memory"] = "shared"
    page_size_max: int = 200
    log_sequence_every_seconds: float = 1.0  # how often serve files access-log entries in the tree
    trust_every_seconds: float = 60.0  # how often serve checks for ratings the trust job owes
    trust_staleness_bound_seconds: float = 900.0  # warn when trust lags the ratings longer
    # serve's trust job keeps the rating graph in memory between runs (~75 bytes per rating) and
    # grows it from new batches; false reads every rating each run (less memory, more time).
    trust_keep_graph: bool = True
    log_level: str = "INFO"  # SINCERITY_LOG_LEVEL: DEBUG, INFO, WARNING or ERROR


def get_settings() -> Settings:
    """Settings from the environment."""
    return Settings()
