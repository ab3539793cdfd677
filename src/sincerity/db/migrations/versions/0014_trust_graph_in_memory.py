"""The trust job keeps the rating graph in memory between runs: each change to the graph says
which batch it was (its records are then read by batch, through a new index) or which record
stopped or started counting, and trust_state
counts computations, so a process knows whether the graph it holds is the one trust was last
computed from. The trust vector moves a little at nearly every node with every computation: it
is stored whole in trust_state (one Arrow stream), and rater_trust keeps the credibilities,
rewritten only where they move.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trust_state") as batch:
        batch.add_column(sa.Column("generation", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("trust_vector", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("rater_trust") as batch:
        batch.drop_column("trust")
    with op.batch_alter_table("trust_changes") as batch:
        batch.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("record_id", sa.String(128), nullable=True))
    op.create_index("ix_records_batch", "records", ["batch_id"])


def downgrade() -> None:
    op.drop_index("ix_records_batch", table_name="records")
    with op.batch_alter_table("trust_changes") as batch:
        batch.drop_column("record_id")
        batch.drop_column("batch_id")
    with op.batch_alter_table("rater_trust") as batch:
        batch.add_column(sa.Column("trust", sa.Float(), nullable=False, server_default="0"))
    with op.batch_alter_table("trust_state") as batch:
        batch.drop_column("trust_vector")
        batch.drop_column("generation")
