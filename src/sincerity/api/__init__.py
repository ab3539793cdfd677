"""The registry's HTTP API: `create_app(settings)`."""

from sincerity.api.app import create_app
from sincerity.api.settings import Settings, get_settings

__all__ = ["Settings", "create_app", "get_settings"]
