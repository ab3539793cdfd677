"""Policy files: read YAML with line numbers for every error, and the shipped policies."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sincerity.core.errors import PolicyError, Problem
from sincerity.core.policy import Policy, policy_from_data
from sincerity.core.scorecard import Scorecard

__all__ = [
    "SHIPPED_POLICIES",
    "dump_yaml",
    "load_policy",
    "load_scorecard",
    "parse_policy_text",
    "shipped_policy",
]

SHIPPED_POLICIES: tuple[str, ...] = ("default",)

Path_ = tuple[str | int, ...]


def _line_index(node: yaml.Node, path: Path_ = ()) -> dict[Path_, int]:
    """Map every key path in a composed YAML document to its 1-based line."""
    lines: dict[Path_, int] = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*path, str(key_node.value))
            lines.update(_line_index(value_node, key))
            lines[key] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(_line_index(item, (*path, index)))
    return lines


def parse_policy_text(text: str, where: str = "<policy>") -> Policy:
    """Validate YAML text as a policy; errors name the file, line and key path."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError(
            f"{where}: not valid YAML", [Problem(str(problem), where, line)]
        ) from None
    lines = {} if node is None else _line_index(node)
    return policy_from_data(data, where, lines.get)


def shipped_policy(name: str = "default") -> Policy:
    """A policy that ships with Sincerity, by name."""
    if name not in SHIPPED_POLICIES:
        raise PolicyError(
            f"no shipped policy named {name!r}; shipped: {', '.join(SHIPPED_POLICIES)}"
        )
    text = resources.files(__package__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return parse_policy_text(text, f"{name}.yaml")


def load_policy(path_or_name: str | Path) -> Policy:
    """Load a policy from a YAML file, or a shipped policy by name ('default')."""
    if isinstance(path_or_name, str) and path_or_name in SHIPPED_POLICIES:
        return shipped_policy(path_or_name)
    path = Path(path_or_name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"{path}: no such policy file") from None
    except UnicodeDecodeError:
        raise PolicyError(f"{path}: not a UTF-8 text file") from None
    return parse_policy_text(text, str(path))


def load_scorecard(path: str | Path) -> Scorecard:
    """Load and validate a scorecard file; errors name the file, line and key path."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except FileNotFoundError:
        raise PolicyError(f"{path}: no such scorecard file") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML ({exc})") from None
    lines = {} if node is None else _line_index(node)
    try:
        return Scorecard.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            key = tuple(p for p in error["loc"] if isinstance(p, str | int))
            line = next(
                (lines[key[:cut]] for cut in range(len(key), -1, -1) if key[:cut] in lines), None
            )
            problems.append(
                Problem(error["msg"], str(path), line, ".".join(str(k) for k in key) or None)
            )
        raise PolicyError(f"{path}: the scorecard is not valid", problems) from None


def dump_yaml(data: Any, header: str = "") -> str:
    """Plain data as YAML, keys in their given order, with an optional comment header."""
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    return comment + body
