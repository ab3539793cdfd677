"""The trust job rescores in short transactions: the subjects a trust computation moved wait in
trust_rescore_due, stored with the computation, and are rescored a chunk per transaction, so the
job never holds the writer for the whole of a large rescore, and an interrupted job's rescoring
is finished by the next run.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trust_rescore_due",
        sa.Column("subject_id", sa.String(128), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            ondelete="CASCADE",
            name="fk_trust_rescore_due_subject_id_subjects",
        ),
        sa.PrimaryKeyConstraint("subject_id", name="pk_trust_rescore_due"),
    )


def downgrade() -> None:
    op.drop_table("trust_rescore_due")
