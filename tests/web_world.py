"""The small world the web tests sign into: an operator, a utility reporting 30 monthly
payments of Alice's (the latest missed), and a landlord she lets check her for tenancy."""

from __future__ import annotations

from datetime import date, timedelta

from sincerity.services import Registry, grant_source_consent, ingest_rows
from sincerity.services.checks import grant_relying_party_consent
from sincerity.services.operator import (
    create_operator_key,
    register_relying_party,
    register_source,
    register_subject,
)


def populate(registry: Registry) -> dict[str, str]:
    """Fill an empty registry; returns each party's API key by name."""
    keys = {
        "operator": create_operator_key(registry),
        "utility": register_source(registry, "utility", "City Utility", ["payment"]),
        "alice": register_subject(registry, "alice", "Alice Example"),
        "landlord": register_relying_party(registry, "landlord", "Landlord Ltd"),
        "lender": register_relying_party(registry, "lender", "Lender Bank"),
    }
    grant_source_consent(registry, "alice", "utility")
    grant_relying_party_consent(registry, "alice", "landlord", "tenancy", None)
    today = date.today()
    rows = [
        {
            "id": f"p{i}",
            "source": "utility",
            "subject": "alice",
            "kind": "payment",
            "status": "on_time",
            "occurred_on": (today - timedelta(days=30 * i + 5)).isoformat(),
            "reported_on": (today - timedelta(days=30 * i + 3)).isoformat(),
        }
        for i in range(1, 30)
    ]
    rows.append(
        {
            "id": "missed-1",
            "source": "utility",
            "subject": "alice",
            "kind": "payment",
            "status": "missed",
            "occurred_on": (today - timedelta(days=4)).isoformat(),
            "reported_on": (today - timedelta(days=2)).isoformat(),
        }
    )
    ingest_rows(registry, rows)
    return keys
