"""Every public name is exported on purpose, resolves, and is documented (as httpx guards it)."""

import subprocess
import sys
import types

import sincerity


def test_every_exported_name_resolves_and_has_a_docstring() -> None:
    for name in sincerity.__all__:
        value = getattr(sincerity, name)
        assert value.__doc__, f"sincerity.{name} has no docstring"


def test_exports_are_deliberate() -> None:
    public = {
        name
        for name in dir(sincerity)
        if not name.startswith("_") and not isinstance(getattr(sincerity, name), types.ModuleType)
    }
    assert public - set(sincerity.__all__) <= {
        "annotations",
        "import_module",
        "TYPE_CHECKING",
        "Any",
    }


def test_unknown_names_raise_attribute_error() -> None:
    try:
        sincerity.not_a_thing  # noqa: B018
    except AttributeError as exc:
        assert "not_a_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_importing_the_core_does_not_load_the_database_layer() -> None:
    code = "import sincerity.core.scoring, sys; print('sqlalchemy' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
