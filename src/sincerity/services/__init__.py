"""The imperative shell: every operation on a registry, owning its transactions.

The CLI, the API and the web pages call these; none of them talks to the database directly.
"""

from sincerity.services.demo import build_demo, load_population
from sincerity.services.disputes import open_dispute
from sincerity.services.ingest import IngestResult, ingest_file, ingest_rows
from sincerity.services.parties import (
    add_source,
    add_subject,
    grant_source_consent,
    revoke_source_consent,
)
from sincerity.services.registry import Registry, utc_now
from sincerity.services.report import SubjectReport, subject_report
from sincerity.services.scores import distribution, rescore_registry

__all__ = [
    "IngestResult",
    "Registry",
    "SubjectReport",
    "add_source",
    "add_subject",
    "build_demo",
    "distribution",
    "grant_source_consent",
    "ingest_file",
    "ingest_rows",
    "load_population",
    "open_dispute",
    "rescore_registry",
    "revoke_source_consent",
    "subject_report",
    "utc_now",
]
