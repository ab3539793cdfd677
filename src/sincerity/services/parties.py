"""Subjects, sources and consents: who is in the registry and who may report about whom."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import IntegrityError

from sincerity.core.errors import InvalidInputError, NotFoundError, Problem
from sincerity.core.records import RECORD_KINDS, Identifier
from sincerity.db import repo
from sincerity.services.registry import Registry

_IDENTIFIER: TypeAdapter[str] = TypeAdapter(Identifier)

SOURCE_PURPOSE = "report records"


def check_id(value: str, what: str) -> str:
    try:
        return _IDENTIFIER.validate_python(value)
    except ValidationError:
        raise InvalidInputError(
            f"{what} id {value!r} is not valid: use letters, digits and . _ : @ / - "
            "(at most 128 characters, starting with a letter or digit)"
        ) from None


def add_subject(registry: Registry, subject_id: str, display_name: str | None = None) -> None:
    """Register a subject (who opts in to the registry)."""
    check_id(subject_id, "subject")
    try:
        with registry.transaction() as conn:
            if repo.was_erased(conn, subject_id):
                # A new registration must not inherit the erased subject's log or proofs.
                raise InvalidInputError(
                    f"subject id {subject_id!r} belonged to an erased file and is retired: "
                    "choose another id"
                )
            repo.insert_subject(conn, subject_id, display_name, registry.now())
    except IntegrityError:
        raise InvalidInputError(f"subject {subject_id!r} is already registered") from None


def add_source(registry: Registry, source_id: str, name: str, kinds: Sequence[str]) -> None:
    """Register a source and the kinds of record it may report."""
    check_id(source_id, "source")
    unknown = sorted(set(kinds) - set(RECORD_KINDS))
    if unknown or not kinds:
        raise InvalidInputError(
            f"source {source_id!r}: record kinds must be some of {', '.join(RECORD_KINDS)}",
            [Problem(f"unknown kind {k!r}", field="kinds") for k in unknown],
        )
    try:
        with registry.transaction() as conn:
            repo.insert_source(conn, source_id, name, sorted(set(kinds)), registry.now())
    except IntegrityError:
        raise InvalidInputError(f"source {source_id!r} is already registered") from None


def check_consent_end(until: date | None, today: date) -> None:
    """A consent must end today or later (a past end date would be void on arrival)."""
    if until is not None and until < today:
        raise InvalidInputError(
            f"the consent would end on {until.isoformat()}, which has passed: choose a later date"
        )


def grant_source_consent(
    registry: Registry, subject_id: str, source_id: str, until: date | None = None
) -> None:
    """The subject allows `source_id` to report records about them, until a date or revoked."""
    check_consent_end(until, registry.today())
    with registry.transaction() as conn:
        if repo.get_subject(conn, subject_id) is None:
            raise NotFoundError(f"no subject {subject_id!r} in this registry")
        if source_id not in repo.source_kinds(conn):
            raise NotFoundError(f"no source {source_id!r} in this registry")
        repo.insert_consents(
            conn,
            [
                {
                    "subject_id": subject_id,
                    "grantee_kind": "source",
                    "grantee_id": source_id,
                    "purpose": SOURCE_PURPOSE,
                    "granted_at": registry.now(),
                    "expires_on": until,
                }
            ],
        )


def revoke_source_consent(registry: Registry, subject_id: str, source_id: str) -> int:
    """Stop `source_id` reporting about the subject from now on; returns consents revoked."""
    with registry.transaction() as conn:
        return repo.revoke_consents(conn, subject_id, source_id, "source", registry.now())
