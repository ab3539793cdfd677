"""Attestations: the issuer's signing keys, issued attestations and the token status list.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("private_jwk", sa.Text(), nullable=False),
        sa.Column("public_jwk", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("retired_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("kid", name="pk_signing_keys"),
    )
    op.create_table(
        "attestations",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(128), nullable=False),
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("claims", sa.Text(), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("revoked_reason", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["kid"], ["signing_keys.kid"], name="fk_attestations_kid_signing_keys"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_attestations"),
        sa.UniqueConstraint("status_index", name="uq_attestations_status_index"),
    )
    op.create_index("ix_attestations_subject", "attestations", ["subject_id"])
    op.create_table(
        "status_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bits", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_status_lists"),
    )


def downgrade() -> None:
    op.drop_table("status_lists")
    op.drop_table("attestations")
    op.drop_table("signing_keys")
