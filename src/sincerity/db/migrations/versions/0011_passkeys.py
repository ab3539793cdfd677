"""People sign in with passkeys: invitations, people (who act for a party), their passkeys,
the challenges of ceremonies in progress, and web sessions opened by a person instead of a key.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("actor_kind", sa.String(20), nullable=False),
        sa.Column("actor_id", sa.String(128), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sessions_after", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
    )
    op.create_index("ix_people_actor", "people", ["actor_kind", "actor_id"])
    op.create_table(
        "passkeys",
        sa.Column("credential_id", sa.String(400), nullable=False),
        sa.Column("person_id", sa.String(32), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_used_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("credential_id", name="pk_passkeys"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_passkeys_person_id_people", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_passkeys_person", "passkeys", ["person_id"])
    op.create_table(
        "invitations",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("actor_kind", sa.String(20), nullable=False),
        sa.Column("actor_id", sa.String(128), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("person_id", sa.String(32), nullable=True),
        sa.Column("created_by", sa.String(160), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_invitations"),
        sa.UniqueConstraint("token_hash", name="uq_invitations_token_hash"),
    )
    op.create_table(
        "webauthn_challenges",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("challenge", sa.String(200), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("invitation_id", sa.String(32), nullable=True),
        sa.Column("person_id", sa.String(32), nullable=True),
        sa.Column("actor_kind", sa.String(20), nullable=True),
        sa.Column("actor_id", sa.String(128), nullable=True),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webauthn_challenges"),
    )
    with op.batch_alter_table("web_sessions") as batch:
        batch.alter_column("key_id", existing_type=sa.String(32), nullable=True)
        batch.add_column(sa.Column("person_id", sa.String(32), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM web_sessions WHERE key_id IS NULL")
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("person_id")
        batch.alter_column("key_id", existing_type=sa.String(32), nullable=False)
    op.drop_table("webauthn_challenges")
    op.drop_table("invitations")
    op.drop_table("passkeys")
    op.drop_table("people")
