"""The shipped presets (none, accountable, described) and user lab policy files."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import yaml

from sincerity.core.errors import PolicyError
from sincerity.core.policy import Policy
from sincerity.lab.policy import LabPolicy, lab_policy_from_data

PRESETS: tuple[str, ...] = ("none", "accountable", "described")


def load_lab_policy(name_or_path: str | Path, registry_policies: Mapping[str, Policy]) -> LabPolicy:
    """A shipped preset by name, or a lab policy YAML file."""
    if isinstance(name_or_path, str) and name_or_path in PRESETS:
        where = f"presets/{name_or_path}.yaml"
        text = resources.files(__package__).joinpath(where).read_text(encoding="utf-8")
    else:
        path = Path(name_or_path)
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise PolicyError(
                f"{path}: no such lab policy file (presets: {', '.join(PRESETS)})"
            ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{where}: not valid YAML ({exc})") from None
    return lab_policy_from_data(data, registry_policies, where)
