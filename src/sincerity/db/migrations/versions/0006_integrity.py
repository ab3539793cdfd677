"""Integrity: supersedes as a column, a Merkle access log with redactable detail, presentation
requests, shared rate-limit buckets.

The access log's hash chain becomes the leaves of an RFC 6962 Merkle tree. Each entry's free text
(what was read, the purpose) is committed to by a salted digest, so erasure can drop the text and
its salt while the tree still verifies.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _backfill_supersedes(conn: sa.Connection) -> None:
    records = sa.table("records", sa.column("id"), sa.column("body"), sa.column("supersedes"))
    rows = conn.execute(
        sa.select(records.c.id, records.c.body).where(records.c.body.like('%"supersedes"%'))
    ).all()
    for record_id, body in rows:
        target = json.loads(body).get("supersedes")
        if target:
            conn.execute(
                sa.update(records).where(records.c.id == record_id).values(supersedes=target)
            )


def _backfill_log(conn: sa.Connection) -> None:
    # The same leaf definition as services/access_log.py at this revision (kept here verbatim
    # so the migration does not change if the service does).
    log = sa.table(
        "access_log",
        *(sa.column(n) for n in ("seq", "subject_id", "at", "actor_kind", "actor_id", "what")),
        *(sa.column(n) for n in ("purpose", "detail_salt", "detail_digest", "leaf_hash")),
    )
    rows = conn.execute(sa.select(log).order_by(log.c.seq)).mappings().all()
    for row in rows:
        salt = secrets.token_hex(16)
        detail = json.dumps([row["what"], row["purpose"]], separators=(",", ":"))
        digest = hashlib.sha256(f"{salt}:{detail}".encode()).hexdigest()
        at = row["at"]
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        leaf = {
            "seq": row["seq"],
            "subject_id": row["subject_id"],
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_kind": row["actor_kind"],
            "actor_id": row["actor_id"],
            "consent_id": None,
            "detail_digest": digest,
        }
        canonical = json.dumps(leaf, sort_keys=True, separators=(",", ":"))
        leaf_hash = hashlib.sha256(b"\x00" + canonical.encode()).hexdigest()
        conn.execute(
            sa.update(log)
            .where(log.c.seq == row["seq"])
            .values(detail_salt=salt, detail_digest=digest, leaf_hash=leaf_hash)
        )


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("supersedes", sa.String(128), nullable=True))
    op.create_index("ix_records_supersedes", "records", ["supersedes"])
    _backfill_supersedes(conn)

    with op.batch_alter_table("access_log") as batch:
        batch.add_column(sa.Column("consent_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("detail_salt", sa.String(32), nullable=True))
        batch.add_column(sa.Column("detail_digest", sa.String(64), nullable=True))
        batch.add_column(sa.Column("leaf_hash", sa.String(64), nullable=True))
    _backfill_log(conn)
    with op.batch_alter_table("access_log") as batch:
        batch.alter_column("detail_digest", existing_type=sa.String(64), nullable=False)
        batch.alter_column("leaf_hash", existing_type=sa.String(64), nullable=False)
        batch.drop_column("prev_hash")
        batch.drop_column("hash")

    with op.batch_alter_table("status_lists") as batch:
        batch.add_column(sa.Column("next_index", sa.Integer(), nullable=False, server_default="0"))
    conn.execute(
        sa.text(
            "UPDATE status_lists SET next_index = "
            "(SELECT COALESCE(MAX(status_index), -1) + 1 FROM attestations)"
        )
    )

    op.create_table(
        "presentation_requests",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("relying_party_id", sa.String(128), nullable=False),
        sa.Column("audience", sa.String(500), nullable=False),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("claims", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("answered_at", TS, nullable=True),
        sa.Column("presentation", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_presentation_requests"),
    )
    op.create_index(
        "ix_presentation_requests_relying_party", "presentation_requests", ["relying_party_id"]
    )
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_rate_buckets"),
        prefixes=["UNLOGGED"] if conn.dialect.name == "postgresql" else [],
    )


def downgrade() -> None:
    op.drop_table("rate_buckets")
    op.drop_table("presentation_requests")
    with op.batch_alter_table("status_lists") as batch:
        batch.drop_column("next_index")
    with op.batch_alter_table("access_log") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=False, server_default=""))
        batch.drop_column("leaf_hash")
        batch.drop_column("detail_digest")
        batch.drop_column("detail_salt")
        batch.drop_column("consent_id")
    op.drop_index("ix_records_supersedes", "records")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("supersedes")
