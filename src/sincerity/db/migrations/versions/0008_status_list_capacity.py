"""Status lists without a capacity limit: an attestation names its list, a slot is unique per
list, and a slot is released (list and index set to null) when it is reused after expiry.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attestations") as batch:
        batch.add_column(sa.Column("status_list_id", sa.Integer(), nullable=True))
    op.execute("UPDATE attestations SET status_list_id = 1")
    with op.batch_alter_table("attestations") as batch:
        batch.drop_constraint("uq_attestations_status_index", type_="unique")
        batch.alter_column("status_index", existing_type=sa.Integer(), nullable=True)
        batch.create_unique_constraint(
            "uq_attestations_status_list_id", ["status_list_id", "status_index"]
        )
    op.create_index("ix_attestations_expires_at", "attestations", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_attestations_expires_at", "attestations")
    op.execute("DELETE FROM attestations WHERE status_index IS NULL")
    with op.batch_alter_table("attestations") as batch:
        batch.drop_constraint("uq_attestations_status_list_id", type_="unique")
        batch.alter_column("status_index", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint("uq_attestations_status_index", ["status_index"])
        batch.drop_column("status_list_id")
