"""The access log by actor: a relying party's history of checks (its page, `checks_made`) is an
index range of its newest entries, not a scan of everyone's.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_access_log_actor", "access_log", ["actor_kind", "actor_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_access_log_actor", table_name="access_log")
