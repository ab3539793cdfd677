"""A subject's dispute carries a reason category and, optionally, an evidence file; a proof
shared from the web keeps its presentation so a short link (and a small QR code) can name it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("disputes") as batch:
        batch.add_column(sa.Column("category", sa.String(40), nullable=True))
        batch.add_column(sa.Column("evidence_name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("evidence_type", sa.String(100), nullable=True))
        batch.add_column(sa.Column("evidence", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("attestations") as batch:
        batch.add_column(sa.Column("presentation", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attestations") as batch:
        batch.drop_column("presentation")
    with op.batch_alter_table("disputes") as batch:
        batch.drop_column("evidence")
        batch.drop_column("evidence_type")
        batch.drop_column("evidence_name")
        batch.drop_column("category")
