"""Rater credibility from global trust, and damped (retaliatory) ratings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rater_trust",
        sa.Column("node_id", sa.String(128), nullable=False),
        sa.Column("trust", sa.Float(), nullable=False),
        sa.Column("credibility", sa.Float(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("node_id", name="pk_rater_trust"),
    )
    op.create_table(
        "rating_damping",
        sa.Column("record_id", sa.String(128), nullable=False),
        sa.Column("factor", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            ondelete="CASCADE",
            name="fk_rating_damping_record_id_records",
        ),
        sa.PrimaryKeyConstraint("record_id", name="pk_rating_damping"),
    )


def downgrade() -> None:
    op.drop_table("rating_damping")
    op.drop_table("rater_trust")
