"""The registry's tables. Schema changes go through Alembic migrations (db/migrations)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from sincerity.db.types import UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = 128

subjects = Table(
    "subjects",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("display_name", String(200), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kinds", String(200), nullable=False, doc="comma-separated record kinds it may report"),
    Column("created_at", UtcDateTime(), nullable=False),
)

consents = Table(
    "consents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject_id", String(ID), ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    Column("grantee_kind", String(20), nullable=False, doc="'source' or 'relying_party'"),
    Column("grantee_id", String(ID), nullable=False),
    Column("purpose", String(200), nullable=False),
    Column("granted_at", UtcDateTime(), nullable=False),
    Column("expires_on", Date, nullable=True),
    Column("revoked_at", UtcDateTime(), nullable=True),
    Index("ix_consents_subject_grantee", "subject_id", "grantee_id"),
)

batches = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(500), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("records_received", Integer, nullable=False),
    Column("records_inserted", Integer, nullable=False),
)

records = Table(
    "records",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("source_id", String(ID), ForeignKey("sources.id"), nullable=False),
    Column("subject_id", String(ID), ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("reported_on", Date, nullable=False),
    Column("body", Text, nullable=False, doc="the validated record as canonical JSON"),
    Column("content_hash", String(64), nullable=False),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("ingested_at", UtcDateTime(), nullable=False),
    Column(
        "supersedes", String(ID), nullable=True, doc="the record of the same source it replaces"
    ),
    Column("rater", String(ID), nullable=True, doc="a rating's rater (the graph step reads it)"),
    Column("rating", Float, nullable=True, doc="a rating's value, -10 to +10"),
    Index("ix_records_subject", "subject_id"),
    Index("ix_records_source", "source_id"),
    Index("ix_records_supersedes", "supersedes"),
    Index("ix_records_rater", "rater"),
    Index("ix_records_batch", "batch_id"),
)

disputes = Table(
    "disputes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(ID), ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
    Column("subject_id", String(ID), ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    Column("reason", Text, nullable=False),
    Column("state", String(20), nullable=False),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("deadline", UtcDateTime(), nullable=False),
    Column("resolved_at", UtcDateTime(), nullable=True),
    Column("resolution", Text, nullable=True),
    Column("category", String(40), nullable=True, doc="the subject's reason category"),
    Column("evidence_name", String(200), nullable=True),
    Column("evidence_type", String(100), nullable=True),
    Column("evidence", LargeBinary, nullable=True, doc="a file the subject attached"),
    Index("ix_disputes_subject", "subject_id"),
    Index("ix_disputes_record", "record_id"),
)

policies = Table(
    "policies",
    metadata,
    Column("version", String(100), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("body", Text, nullable=False, doc="the policy's canonical JSON"),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("active", Boolean, nullable=False, default=False),
)

scores = Table(
    "scores",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject_id", String(ID), ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("policy_version", String(100), ForeignKey("policies.version"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("value", Float, nullable=True),
    Column("tier", String(50), nullable=True),
    Column("explanation", Text, nullable=False, doc="the full Score as JSON"),
    Column("computed_at", UtcDateTime(), nullable=False),
    UniqueConstraint("subject_id", "as_of", "policy_version", name="uq_scores_subject_day_policy"),
)

rater_trust = Table(
    "rater_trust",
    metadata,
    Column("node_id", String(ID), primary_key=True, doc="a rater or rated party"),
    Column("credibility", Float, nullable=False, doc="weight of its ratings, 0 to 1"),
    Column("computed_at", UtcDateTime(), nullable=False),
)

trust_state = Table(
    "trust_state",
    metadata,
    Column("id", Integer, primary_key=True, doc="always 1: one row"),
    Column("computed_at", UtcDateTime(), nullable=True, doc="the snapshot scores are using"),
    Column(
        "generation",
        Integer,
        nullable=False,
        server_default="0",
        doc="counts computations: a process holding the graph in memory knows it is current",
    ),
    Column(
        "trust_vector",
        LargeBinary,
        nullable=True,
        doc="every node's share of global trust, as one Arrow IPC stream (node, trust): "
        "written whole by each computation, where rows would be rewritten nearly all",
    ),
)

trust_changes = Table(
    "trust_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime(), nullable=False, doc="a batch changed the rating graph"),
    Column(
        "batch_id",
        Integer,
        nullable=True,
        doc="the batch whose new records are the change",
    ),
    Column(
        "record_id",
        String(ID),
        nullable=True,
        doc="the record that stopped or started counting (a dispute); with no batch either, "
        "the change was wider (an erasure)",
    ),
)

trust_rescore_due = Table(
    "trust_rescore_due",
    metadata,
    Column(
        "subject_id", String(ID), ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("since", UtcDateTime(), nullable=False, doc="the trust computation that moved them"),
)

rating_damping = Table(
    "rating_damping",
    metadata,
    Column("record_id", String(ID), ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
    Column("factor", Float, nullable=False, doc="retaliation damping applied to the rating"),
)

relying_parties = Table(
    "relying_parties",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(32), primary_key=True, doc="the public part of a key"),
    Column(
        "actor_kind", String(20), nullable=False, doc="operator, source, subject, relying_party"
    ),
    Column("actor_id", String(ID), nullable=False),
    Column(
        "secret_hash", String(64), nullable=False, doc="SHA-256 of the secret part; never the key"
    ),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    Index("ix_api_keys_actor", "actor_kind", "actor_id"),
)

consent_options = Table(
    "consent_options",
    metadata,
    Column("consent_id", Integer, ForeignKey("consents.id", ondelete="CASCADE"), primary_key=True),
    Column("share_score", Boolean, nullable=False, doc="may the relying party see the exact score"),
)


def _log_entry_columns() -> list[Column[object]]:
    """What a logged read holds, the same while it waits for the sequencer and once in the log
    (the sequencer copies it across by these names)."""
    return [
        Column("subject_id", String(ID), nullable=False, doc="kept after erasure: evidence"),
        Column("at", UtcDateTime(), nullable=False),
        Column("actor_kind", String(20), nullable=False),
        Column("actor_id", String(ID), nullable=False),
        Column("what", String(200), nullable=False, doc="free text: dropped on erasure"),
        Column("purpose", String(200), nullable=False, doc="free text: dropped on erasure"),
        Column("consent_id", Integer, nullable=True, doc="the consent the read relied on"),
        Column("detail_salt", String(32), nullable=True, doc="dropped on erasure with the text"),
        Column("detail_digest", String(64), nullable=False, doc="salted digest of the text"),
    ]


access_log = Table(
    "access_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    *_log_entry_columns(),
    Column("leaf_hash", String(64), nullable=False, doc="RFC 6962 leaf hash of the entry"),
    Index("ix_access_log_subject", "subject_id"),
    Index("ix_access_log_actor", "actor_kind", "actor_id", "seq"),
)

access_log_pending = Table(
    "access_log_pending",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *_log_entry_columns(),
    Index("ix_access_log_pending_subject", "subject_id"),
)

log_head = Table(
    "log_head",
    metadata,
    Column("id", Integer, primary_key=True, doc="always 1: the row appenders lock"),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False, doc="the leaf hash of the last entry"),
)

idempotency = Table(
    "idempotency",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("actor_id", String(ID), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("response", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

erasures = Table(
    "erasures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject_id", String(ID), nullable=False),
    Column("erased_at", UtcDateTime(), nullable=False),
    Column("records_deleted", Integer, nullable=False),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column(
        "private_jwk", Text, nullable=False, doc="the issuer's Ed25519 key (protect the database)"
    ),
    Column("public_jwk", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column(
        "retired_at", UtcDateTime(), nullable=True, doc="no longer signs; verifies until expiry"
    ),
)

attestations = Table(
    "attestations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("subject_id", String(ID), nullable=False),
    Column("kid", String(64), ForeignKey("signing_keys.kid"), nullable=False),
    Column("status_list_id", Integer, nullable=True, doc="its status list (null: slot reused)"),
    Column("status_index", Integer, nullable=True, doc="its bit in that list (null: reused)"),
    Column("claims", Text, nullable=False, doc="the attested claims as JSON (what must stay true)"),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    Column("revoked_reason", String(200), nullable=True),
    Column("presentation", Text, nullable=True, doc="shared from the web: behind its short link"),
    Index("ix_attestations_subject", "subject_id"),
    Index("ix_attestations_expires_at", "expires_at"),
    UniqueConstraint("status_list_id", "status_index"),
)

status_lists = Table(
    "status_lists",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("bits", LargeBinary, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column(
        "next_index",
        Integer,
        nullable=False,
        server_default="0",
        doc="the next unused index: never derived from live rows, which erasure deletes",
    ),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column(
        "token_hash", String(64), primary_key=True, doc="SHA-256 of the cookie; never the cookie"
    ),
    Column("actor_kind", String(20), nullable=False),
    Column("actor_id", String(ID), nullable=False),
    Column(
        "key_id",
        String(32),
        nullable=True,
        doc="the API key signed in with: revoking it ends the session",
    ),
    Column("csrf", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("person_id", String(32), nullable=True, doc="or the person who signed in (passkey)"),
)

people = Table(
    "people",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("actor_kind", String(20), nullable=False, doc="the kind of party they act for"),
    Column("actor_id", String(ID), nullable=False),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sessions_after", UtcDateTime(), nullable=True, doc="signed out everywhere at"),
    Index("ix_people_actor", "actor_kind", "actor_id"),
)

passkeys = Table(
    "passkeys",
    metadata,
    Column("credential_id", String(400), primary_key=True, doc="base64url"),
    Column("person_id", String(32), ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("public_key", LargeBinary, nullable=False, doc="COSE public key"),
    Column("sign_count", Integer, nullable=False),
    Column("label", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_used_at", UtcDateTime(), nullable=True),
    Index("ix_passkeys_person", "person_id"),
)

invitations = Table(
    "invitations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True, doc="SHA-256 of the link's"),
    Column("actor_kind", String(20), nullable=False),
    Column("actor_id", String(ID), nullable=False),
    Column("name", String(200), nullable=False),
    Column("person_id", String(32), nullable=True, doc="recovery: a passkey for this person"),
    Column("created_by", String(160), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime(), nullable=True),
)

webauthn_challenges = Table(
    "webauthn_challenges",
    metadata,
    Column("id", String(64), primary_key=True, doc="the ceremony cookie's value"),
    Column("challenge", String(200), nullable=False),
    Column("purpose", String(20), nullable=False),
    Column("invitation_id", String(32), nullable=True),
    Column("person_id", String(32), nullable=True),
    Column("actor_kind", String(20), nullable=True),
    Column("actor_id", String(ID), nullable=True),
    Column("expires_at", UtcDateTime(), nullable=False),
)

presentation_requests = Table(
    "presentation_requests",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("relying_party_id", String(ID), nullable=False),
    Column("audience", String(500), nullable=False),
    Column("nonce", String(64), nullable=False),
    Column("claims", Text, nullable=False, doc="JSON list of the claims asked for"),
    Column("purpose", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("answered_at", UtcDateTime(), nullable=True),
    Column("presentation", Text, nullable=True),
    Index("ix_presentation_requests_relying_party", "relying_party_id"),
)

rate_buckets = Table(
    "rate_buckets",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("updated", Float, nullable=False, doc="seconds since the epoch"),
)
