"""Storage: SQLAlchemy tables, Alembic migrations, make_engine(url) and the repositories."""

from sincerity.db.engine import make_engine
from sincerity.db.migrate import current_revision, head_revision, upgrade

__all__ = ["current_revision", "head_revision", "make_engine", "upgrade"]
