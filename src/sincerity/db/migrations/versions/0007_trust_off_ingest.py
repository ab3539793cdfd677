"""Global trust leaves the ingest path: a rating's rater and value as indexed columns, when trust
was last computed, and the changes to the rating graph it has not taken in yet.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
BACKFILL_CHUNK = 5_000


def _backfill_ratings(conn: sa.Connection) -> None:
    records = sa.table(
        "records",
        sa.column("id"),
        sa.column("kind"),
        sa.column("body"),
        sa.column("rater"),
        sa.column("rating"),
    )
    rows = conn.execute(
        sa.select(records.c.id, records.c.body).where(records.c.kind == "rating")
    ).all()
    update = (
        sa.update(records)
        .where(records.c.id == sa.bindparam("record_id"))
        .values(rater=sa.bindparam("new_rater"), rating=sa.bindparam("new_rating"))
    )
    for start in range(0, len(rows), BACKFILL_CHUNK):
        params = []
        for record_id, body in rows[start : start + BACKFILL_CHUNK]:
            data = json.loads(body)
            params.append(
                {"record_id": record_id, "new_rater": data["rater"], "new_rating": data["rating"]}
            )
        conn.execute(update, params)


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("rater", sa.String(128), nullable=True))
        batch.add_column(sa.Column("rating", sa.Float(), nullable=True))
    op.create_index("ix_records_rater", "records", ["rater"])
    _backfill_ratings(conn)

    op.create_table(
        "trust_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("computed_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_trust_state"),
    )
    op.create_table(
        "trust_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_trust_changes"),
    )
    computed = conn.scalar(sa.text("SELECT MAX(computed_at) FROM rater_trust"))
    state = sa.table("trust_state", sa.column("id"), sa.column("computed_at"))
    conn.execute(sa.insert(state).values(id=1, computed_at=computed))


def downgrade() -> None:
    op.drop_table("trust_changes")
    op.drop_table("trust_state")
    op.drop_index("ix_records_rater", "records")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("rating")
        batch.drop_column("rater")
