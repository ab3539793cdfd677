"""The access log's appends stop serialising on its head row: an entry is first written to
access_log_pending, and a sequencer gives pending entries their place in the tree in batches.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "access_log_pending",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject_id", sa.String(128), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor_kind", sa.String(20), nullable=False),
        sa.Column("actor_id", sa.String(128), nullable=False),
        sa.Column("what", sa.String(200), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=True),
        sa.Column("detail_salt", sa.String(32), nullable=True),
        sa.Column("detail_digest", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_log_pending"),
    )
    op.create_index("ix_access_log_pending_subject", "access_log_pending", ["subject_id"])


def downgrade() -> None:
    op.drop_table("access_log_pending")
