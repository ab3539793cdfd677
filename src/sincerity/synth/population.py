"""A synthetic population with years of varied history, drawn from a seeded RNG.

Each person has a hidden reliability; their bills, contracts, ratings and judgments follow from it
with noise, so a good policy should rank them roughly by it. Nobody here is real.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

DEMO_SOURCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("city-power", "City Power & Water (utility)", ("payment",)),
    ("northside-lettings", "Northside Lettings (landlord)", ("contract", "payment")),
    ("fairlend", "FairLend Cooperative (lender)", ("contract", "payment")),
    ("openmarket", "OpenMarket (marketplace)", ("contract", "rating")),
    ("county-court", "County Court registry", ("judgment",)),
    ("idcheck", "IDCheck (identity verification)", ("verification",)),
)

_FIRST = (
    "Ada",
    "Bo",
    "Chen",
    "Dana",
    "Emeka",
    "Fatima",
    "Goran",
    "Hana",
    "Ines",
    "Jonas",
    "Kwame",
    "Lena",
    "Mateo",
    "Noor",
    "Olga",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tomas",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
)
_LAST = (
    "Abara",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Rossi",
    "Silva",
    "Tanaka",
    "Novak",
    "Weber",
    "Yilmaz",
    "Zhang",
)


@dataclass
class Population:
    """Sources, subjects, consents and records, ready to ingest."""

    sources: list[tuple[str, str, tuple[str, ...]]]
    subjects: list[dict[str, Any]] = field(default_factory=list)
    consents: list[tuple[str, str]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    reliability: dict[str, float] = field(default_factory=dict)


class _Person:
    def __init__(self, rng: random.Random, subject: str, reliability: float, as_of: date) -> None:
        self.rng = rng
        self.subject = subject
        self.reliability = reliability
        self.as_of = as_of
        self.records: list[dict[str, Any]] = []
        self.sources: set[str] = set()

    def add(self, source: str, kind: str, day: date, **fields: Any) -> str:
        day = min(day, self.as_of)
        record_id = f"{source}:{self.subject}:{len(self.records) + 1}"
        lag = timedelta(days=self.rng.randint(0, 5))
        reported = min(day + lag, self.as_of)
        self.records.append(
            {
                "id": record_id,
                "source": source,
                "subject": self.subject,
                "kind": kind,
                "occurred_on": day,
                "reported_on": reported,
                **fields,
            }
        )
        self.sources.add(source)
        return record_id

    def payment(self, source: str, day: date, amount: float) -> None:
        rng, r = self.rng, self.reliability
        roll = rng.random()
        if roll < 0.55 + 0.45 * r:
            self.add(source, "payment", day, status="on_time", amount=amount)
        elif roll < 0.97 + 0.029 * r:
            days = min(180, int(rng.expovariate(1 / (10 + 40 * (1 - r)))) + 1)
            self.add(source, "payment", day, status="late", days_late=days, amount=amount)
        elif rng.random() < 0.9:
            self.add(source, "payment", day, status="missed", amount=amount)
        else:
            self.add(source, "payment", day, status="defaulted", amount=amount)

    def monthly(self, source: str, start: date, months: int, amount: float) -> None:
        for month in range(months):
            day = start + timedelta(days=30 * month)
            if day > self.as_of:
                break
            self.payment(source, day, amount)


def demo_population(subjects: int, as_of: date, seed: int = 7) -> Population:
    """`subjects` synthetic people with up to nine years of history before `as_of`."""
    rng = random.Random(seed)
    population = Population(sources=list(DEMO_SOURCES))
    ids = [f"subj-{i:05d}" for i in range(1, subjects + 1)]
    for subject in ids:
        struggling = rng.random() < 0.15
        reliability = rng.betavariate(2, 2) if struggling else rng.betavariate(8, 1.5)
        person = _Person(rng, subject, reliability, as_of)
        if rng.random() < 0.05:  # newcomers: a thin file
            start = as_of - timedelta(days=rng.randint(10, 80))
            person.monthly("city-power", start, 2, 40.0)
        else:
            _history(person, rng, as_of)
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        population.subjects.append({"id": subject, "display_name": name})
        population.consents.extend((subject, source) for source in sorted(person.sources))
        population.records.extend(person.records)
        population.reliability[subject] = reliability
    _rate_marketplace(population, rng, ids, as_of)
    return population


def _history(person: _Person, rng: random.Random, as_of: date) -> None:
    r = person.reliability
    years = rng.uniform(0.5, 9.0)
    start = as_of - timedelta(days=int(years * 365))
    person.monthly("city-power", start, int(years * 12) + 1, round(rng.uniform(30, 150), 2))
    if rng.random() < 0.5:
        lease_start = start + timedelta(days=rng.randint(0, 200))
        while lease_start < as_of - timedelta(days=60):
            months = rng.choice((12, 12, 24))
            end = lease_start + timedelta(days=30 * months)
            rent = round(rng.uniform(400, 1600), 2)
            person.monthly("northside-lettings", lease_start, months, rent)
            if end <= as_of:
                status = "fulfilled" if rng.random() < 0.6 + 0.4 * r else "breached"
                person.add(
                    "northside-lettings", "contract", end, status=status, value=rent * months
                )
            else:
                person.add(
                    "northside-lettings",
                    "contract",
                    lease_start,
                    status="signed",
                    value=rent * months,
                )
            lease_start = end + timedelta(days=rng.randint(0, 90))
    if rng.random() < 0.4:
        loan_day = start + timedelta(days=rng.randint(0, max(1, int(years * 300))))
        months = rng.choice((12, 24, 36))
        amount = round(rng.uniform(500, 10000), 2)
        person.monthly("fairlend", loan_day, months, round(amount / months, 2))
        end = loan_day + timedelta(days=30 * months)
        if end <= as_of:
            status = "fulfilled" if rng.random() < 0.5 + 0.5 * r else "breached"
            person.add("fairlend", "contract", end, status=status, value=amount)
    if rng.random() < (1 - r) * 0.35:
        day = start + timedelta(days=rng.randint(0, max(1, int(years * 365) - 1)))
        unpaid_id = person.add(
            "county-court",
            "judgment",
            day,
            status="unpaid",
            amount=round(rng.uniform(200, 8000), 2),
        )
        if rng.random() < 0.5:
            person.add(
                "county-court",
                "judgment",
                day,
                status="satisfied",
                supersedes=unpaid_id,
                amount=person.records[-1]["amount"],
            )
    if rng.random() < 0.7:
        person.add(
            "idcheck", "verification", start + timedelta(days=rng.randint(0, 60)), what="identity"
        )
    if rng.random() < 0.15:
        person.add(
            "idcheck", "verification", start + timedelta(days=rng.randint(0, 400)), what="licence"
        )


def _rate_marketplace(
    population: Population, rng: random.Random, ids: list[str], as_of: date
) -> None:
    """Marketplace trades: a contract each, and the counterparty's rating of it."""
    if len(ids) < 2:
        return
    by_subject: dict[str, int] = {}
    for subject in ids:
        if rng.random() >= 0.5:
            continue
        r = population.reliability[subject]
        trades = rng.randint(1, 15)
        for _ in range(trades):
            day = as_of - timedelta(days=rng.randint(1, 5 * 365))
            rater = rng.choice(ids)
            while rater == subject:
                rater = rng.choice(ids)
            n = by_subject.get(subject, 0) + 1
            by_subject[subject] = n
            trade = f"trade-{subject}-{n}"
            kept = rng.random() < 0.7 + 0.3 * r
            base = {
                "source": "openmarket",
                "subject": subject,
                "occurred_on": day,
                "reported_on": min(as_of, day + timedelta(days=2)),
            }
            population.records.append(
                {
                    **base,
                    "id": f"openmarket:{trade}:c",
                    "kind": "contract",
                    "status": "fulfilled" if kept else "breached",
                }
            )
            rating = rng.choice((10, 10, 8, 6)) if kept else rng.choice((-10, -6, -2, 2))
            population.records.append(
                {
                    **base,
                    "id": f"openmarket:{trade}:r",
                    "kind": "rating",
                    "rater": rater,
                    "transaction": trade,
                    "rating": rating,
                }
            )
    for subject in sorted(by_subject):
        population.consents.append((subject, "openmarket"))


def outcome_labels(population: Population, seed: int = 11) -> list[tuple[str, bool]]:
    """Who "later defaulted": drawn from each person's hidden reliability (the less reliable,
    the likelier), for fitting and evaluating policies on the demo population."""
    rng = random.Random(seed)
    labels = []
    for subject in population.subjects:
        reliability = population.reliability[subject["id"]]
        chance = 1.0 / (1.0 + pow(2.718281828, 10.0 * (reliability - 0.62)))
        labels.append((subject["id"], rng.random() < chance))
    return labels
