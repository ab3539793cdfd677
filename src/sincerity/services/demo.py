"""Fill a registry with a synthetic population (for `sincerity demo` and benchmarks)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sincerity.db import repo
from sincerity.services.checks import grant_relying_party_consent
from sincerity.services.ingest import ingest_rows
from sincerity.services.keys import issue_key
from sincerity.services.operator import register_relying_party
from sincerity.services.parties import SOURCE_PURPOSE
from sincerity.services.registry import Registry
from sincerity.services.scores import rescore_registry
from sincerity.synth import Population, demo_population

BATCH = 20_000
DEMO_PARTY = "acme-rentals"
DEMO_PURPOSE = "tenancy application"


def load_population(
    registry: Registry,
    population: Population,
    progress: Callable[[str, int, int], None] | None = None,
) -> None:
    """Register the population's sources, subjects and consents, ingest its records, score all."""
    now = registry.now()
    with registry.transaction() as conn:
        known = repo.source_kinds(conn)
        for source_id, name, kinds in population.sources:
            if source_id not in known:
                repo.insert_source(conn, source_id, name, kinds, now)
        existing = repo.existing_subjects(conn, [s["id"] for s in population.subjects])
        new_subjects = [s for s in population.subjects if s["id"] not in existing]
        repo.insert_subjects(conn, [{**s, "created_at": now} for s in new_subjects])
        repo.insert_consents(
            conn,
            [
                {
                    "subject_id": subject,
                    "grantee_kind": "source",
                    "grantee_id": source,
                    "purpose": SOURCE_PURPOSE,
                    "granted_at": now,
                    "expires_on": None,
                }
                for subject, source in sorted(set(population.consents))
            ],
        )
    total = len(population.records)
    for start in range(0, total, BATCH):
        chunk = population.records[start : start + BATCH]
        ingest_rows(registry, chunk, name=f"demo batch {start // BATCH + 1}", rescore=False)
        if progress is not None:
            progress("records", len(chunk), total)
    repo.refresh_planner_statistics(registry.engine)
    subjects = len(population.subjects)
    rescore_registry(
        registry, progress=None if progress is None else (lambda n: progress("scores", n, subjects))
    )


def build_demo(
    registry: Registry,
    subjects: int,
    seed: int = 7,
    as_of: date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    history_months: int = 0,
) -> Population:
    """Generate and load a demo population of `subjects` people as of `as_of` (default: today),
    with a score at each of the last `history_months` month ends."""
    population = demo_population(subjects, as_of or registry.today(), seed)
    load_population(registry, population, progress)
    if history_months:
        from sincerity.services.rescore_batch import backfill_history

        backfill_history(
            registry,
            history_months,
            None if progress is None else (lambda n: progress("history", n, history_months)),
        )
    return population


def demo_credentials(registry: Registry, subject: str) -> dict[str, tuple[str, str]]:
    """Fresh keys for one party of each role, and the demo subject's consent to the relying
    party, so every role can be tried at once: role -> (who, key)."""
    with registry.engine.connect() as conn:
        registered = repo.relying_party_exists(conn, DEMO_PARTY)
    party_key = None if registered else register_relying_party(registry, DEMO_PARTY, "Acme Rentals")
    now = registry.now()
    with registry.transaction() as conn:
        keys = {
            "operator": ("operator", issue_key(conn, "operator", "operator", now)),
            "source": ("city-power", issue_key(conn, "source", "city-power", now)),
            "subject": (subject, issue_key(conn, "subject", subject, now)),
            "relying party": (
                DEMO_PARTY,
                party_key or issue_key(conn, "relying_party", DEMO_PARTY, now),
            ),
        }
    grant_relying_party_consent(
        registry, subject, DEMO_PARTY, DEMO_PURPOSE, now.date() + timedelta(days=90)
    )
    return keys


def demo_invitation(registry: Registry, subject: str) -> str:
    """A one-time invitation for the demo subject to make a passkey; returns its token."""
    from sincerity.services.keys import Actor
    from sincerity.services.operator import party_name
    from sincerity.services.passkeys import invite

    operator = Actor("operator", "operator", "")
    return invite(registry, operator, "subject", subject, party_name(registry, "subject", subject))[
        1
    ]
