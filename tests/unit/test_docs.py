"""Every CLI command is documented in docs/cli.md, and the README shows the two commands."""

from pathlib import Path

import typer

from sincerity.cli import build_app

ROOT = Path(__file__).parents[2]


def command_paths(app: typer.Typer, prefix: str = "sincerity") -> list[str]:
    paths = []
    for command in app.registered_commands:
        name = command.name or command.callback.__name__.replace("_", "-")  # type: ignore[union-attr]
        paths.append(f"{prefix} {name}")
    for group in app.registered_groups:
        paths.extend(command_paths(group.typer_instance, f"{prefix} {group.name}"))
    return paths


def test_every_command_has_a_section_in_the_cli_docs() -> None:
    docs = (ROOT / "docs/cli.md").read_text()
    paths = command_paths(build_app())
    assert len(paths) >= 11
    missing = [p for p in paths if f"## {p}\n" not in docs]
    assert missing == []


def test_readme_shows_the_two_commands_first() -> None:
    readme = (ROOT / "README.md").read_text()
    first_screen = "\n".join(readme.splitlines()[:25])
    assert "make demo" in first_screen and "make test" in first_screen


def test_the_readme_layers_are_the_ones_import_linter_enforces() -> None:
    import re
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    enforced = [layer.replace("sincerity.", "") for layer in contract["layers"]]
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"Import direction.*?```\n(.*?)```", readme, re.S)
    assert block is not None
    assert block.group(1).strip().splitlines() == enforced
