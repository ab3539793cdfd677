"""The base of every model read from a file or a request: unknown keys are errors, and a
validated model never changes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Unknown keys are refused by name; instances are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)
