"""The subject's dashboard in a person's words: records grouped and described, what changed,
consents and proofs with what can be done about them, the access log as sentences.

Everything a person reads is made here from the services' typed values and spoken in the
current language (`i18n`); ids, hashes and machine names stay in the pages' "details".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from babel.dates import format_date, format_skeleton

from sincerity.core.errors import InvalidInputError
from sincerity.core.policy import Policy
from sincerity.core.scoring import Score
from sincerity.services.attest import AttestationSummary
from sincerity.services.checks import UNDO_WINDOW
from sincerity.services.disputes import Dispute
from sincerity.services.subject_file import RecordView
from sincerity.services.subject_view import AccessEntry, Consent, HistoryEntry
from sincerity.web.i18n import N_, current_language, gettext, ngettext, translate

BABEL_LOCALES = {"en": "en_GB", "zh": "zh_Hans_CN"}
RECORDS_PER_GROUP = 24


def locale() -> str:
    return BABEL_LOCALES[current_language()]


def day(value: date | datetime) -> str:
    """A date as a person writes it: "3 May 2026", "2026年5月3日"."""
    return format_date(value if isinstance(value, date) else value.date(), "medium", locale())


def month(value: date) -> str:
    """A month: "May 2026", "2026年5月"."""
    return format_skeleton("yMMM", value, locale=locale())


def parse_day(text: str) -> date | None:
    """A date from a form's date field; empty means none."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(f"the date {text!r} is not a date (YYYY-MM-DD)") from None


KIND_WORDS = {
    "payment": N_("Payments"),
    "contract": N_("Contracts"),
    "rating": N_("Ratings from counterparties"),
    "judgment": N_("Court judgments"),
    "verification": N_("Verifications"),
}
STATUS_WORDS = {
    ("payment", "on_time"): N_("Paid on time"),
    ("payment", "late"): N_("Paid late"),
    ("payment", "missed"): N_("Missed"),
    ("payment", "defaulted"): N_("Defaulted"),
    ("contract", "signed"): N_("Signed, in progress"),
    ("contract", "fulfilled"): N_("Fulfilled"),
    ("contract", "breached"): N_("Breached"),
    ("judgment", "unpaid"): N_("Unpaid"),
    ("judgment", "satisfied"): N_("Satisfied"),
    ("verification", "identity"): N_("Identity verified"),
    ("verification", "licence"): N_("Licence verified"),
}
CATEGORY_WORDS = {
    "not_mine": N_("This is not mine"),
    "wrong_details": N_("The date, amount or status is wrong"),
    "paid_or_settled": N_("It was paid or settled"),
    "duplicate": N_("It appears twice"),
    "other": N_("Something else"),
}
DISPUTE_WORDS = {
    "open": N_("Disputed: it does not count while the source answers"),
    "confirmed": N_("Confirmed by the source with evidence: it counts"),
    "corrected": N_("Corrected by the source"),
    "withdrawn": N_("Withdrawn by the source: it no longer counts"),
    "suppressed": N_("Removed after your dispute: it no longer counts"),
    "dropped": N_("You took your dispute back: it counts"),
}


def describe(view: RecordView) -> str:
    """A record in a few words."""
    body = view.record
    if view.kind == "rating":
        rating = int(body["rating"])
        words = (
            gettext("Positive rating")
            if rating > 0
            else gettext("Negative rating")
            if rating < 0
            else gettext("Neutral rating")
        )
        return f"{words} ({rating:+d})"
    key = (view.kind, str(body.get("what") or body.get("status")))
    words = gettext(STATUS_WORDS[key]) if key in STATUS_WORDS else str(key[1])
    late = body.get("days_late")
    if view.kind == "payment" and late:
        words += " · " + ngettext("%(n)s day late", "%(n)s days late", int(late)) % {"n": late}
    return words


@dataclass
class RecordGroup:
    """A source's records of one kind, newest first."""

    key: str
    source: str
    kind: str
    count: int
    latest: str
    records: list[dict[str, Any]] = field(default_factory=list)
    hidden: int = 0


def record_groups(
    views: Sequence[RecordView],
    totals: dict[tuple[str, str], int],
    disputes: Sequence[Dispute],
    names: dict[str, str],
) -> list[RecordGroup]:
    """Records grouped by source and kind, the group with the latest record first; `views`
    holds the newest of each group (newest first), `totals` how many each holds in all."""
    latest_dispute = {d.record_id: d for d in disputes}  # oldest first: the last one wins
    groups: dict[tuple[str, str], RecordGroup] = {}
    for view in views:  # newest first
        key = (view.source, view.kind)
        group = groups.get(key)
        if group is None:
            count = totals.get(key, 0)
            group = groups[key] = RecordGroup(
                key=f"{len(groups) + 1}",
                source=names.get(view.source, view.source),
                kind=gettext(KIND_WORDS.get(view.kind, view.kind)),
                count=count,
                latest=day(view.occurred_on),
                hidden=max(0, count - RECORDS_PER_GROUP),
            )
        dispute = latest_dispute.get(view.id)
        group.records.append(
            {
                "id": view.id,
                "when": day(view.occurred_on),
                "what": describe(view),
                "counts": view.counts,
                "superseded": view.superseded,
                "dispute": dispute,
                "dispute_words": gettext(DISPUTE_WORDS[dispute.state]) if dispute else "",
                "deadline": day(dispute.deadline) if dispute and dispute.state == "open" else "",
            }
        )
    return list(groups.values())


def monthly_points(history: Sequence[HistoryEntry], months: int = 24) -> list[tuple[str, float]]:
    """The score at the end of each month it was kept (the latest entry of the month), for the
    last `months` months: a line a person can read, not a dot per rescoring."""
    by_month: dict[tuple[int, int], HistoryEntry] = {}
    for entry in history:  # oldest first: the last of a month wins
        if entry.value is not None:
            by_month[(entry.as_of.year, entry.as_of.month)] = entry
    kept = [by_month[k] for k in sorted(by_month)][-months:]
    return [(month(e.as_of), float(e.value)) for e in kept if e.value is not None]


def month_ago(today: date) -> date:
    return today - timedelta(days=30)


def change_since_last_month(
    score: Score,
    history: Sequence[HistoryEntry],
    recent_kinds: dict[str, int],
    disputes: Sequence[Dispute],
    today: date,
) -> dict[str, Any]:
    """What moved in the last 30 days: the score, new records, disputes settled."""
    since = month_ago(today)
    before = [e for e in history if e.as_of <= since and e.value is not None]
    then = round(before[-1].value) if before and before[-1].value is not None else None
    now = score.rounded
    kinds = Counter(
        {gettext(KIND_WORDS.get(kind, kind)): n for kind, n in recent_kinds.items() if n}
    )
    new = sum(kinds.values())
    settled = [d for d in disputes if d.resolved_at and d.resolved_at.date() > since]
    lines: list[str] = []
    if then is not None and now is not None:
        if now == then:
            lines.append(gettext("Your score is the same as a month ago: %(now)s.") % {"now": now})
        else:
            lines.append(
                gettext("Your score went from %(then)s to %(now)s (%(delta)s).")
                % {"then": then, "now": now, "delta": f"{now - then:+d}"}
            )
    elif now is not None:
        lines.append(gettext("This is your first month with a score."))
    if new:
        lines.append(
            ngettext("%(n)s new record: %(kinds)s.", "%(n)s new records: %(kinds)s.", new)
            % {
                "n": new,
                "kinds": ", ".join(
                    k if len(kinds) == 1 else f"{k} {n}" for k, n in kinds.most_common()
                ),
            }
        )
    else:
        lines.append(gettext("No new records."))
    if settled:
        lines.append(
            ngettext("%(n)s dispute settled.", "%(n)s disputes settled.", len(settled))
            % {"n": len(settled)}
        )
    return {"lines": lines, "delta": None if then is None or now is None else now - then}


def next_tier(score: Score, policy: Policy) -> dict[str, Any] | None:
    """The next tier and the points it takes, whenever there is one."""
    if score.next_tier is None or score.value is None:
        return None
    tier = next(t for t in policy.tiers if t.name == score.next_tier)
    return {
        "label": translate(tier.label),
        "points": max(1, round(tier.min_score - score.value)),
    }


def privilege_words(score: Score, policy: Policy) -> list[str]:
    """What a relying party may offer at the subject's tier, in words."""
    offered = policy.privileges.get(score.tier or "", [])
    return [translate(p.description) for p in offered if p.id in score.privileges]


def claim_words(claim: str, policy: Policy) -> str:
    """A claim a proof can carry, as a person reads it."""
    if claim == "tier":
        return gettext("Your tier")
    if claim == "subject":
        return gettext("Your registry id")
    if claim == "identity_verified":
        return gettext("Your identity is verified")
    if match := re.fullmatch(r"score_at_least_(\d+)", claim):
        return gettext("Your score is at least %(n)s") % {"n": match.group(1)}
    if claim.startswith("badge_"):
        badge_id = claim.removeprefix("badge_")
        badge = next((b for b in policy.badges if b.id == badge_id), None)
        name = translate(badge.name) if badge is not None else badge_id
        return gettext("Badge: %(name)s") % {"name": name}
    return claim


def consent_rows(
    consents: Sequence[Consent], names: dict[str, str], now: datetime
) -> list[dict[str, Any]]:
    """Consents, those in force first, each with what can be done about it."""
    rows = []
    for c in consents:
        expired = c.expires_on is not None and c.expires_on < now.date()
        in_force = c.revoked_at is None and not expired
        undoable = c.revoked_at is not None and now - c.revoked_at <= UNDO_WINDOW and not expired
        if c.revoked_at is not None:
            state = gettext("Revoked on %(day)s") % {"day": day(c.revoked_at)}
        elif expired:
            state = gettext("Ended on %(day)s") % {"day": day(c.expires_on or now.date())}
        else:
            state = gettext("In force")
        rows.append(
            {
                "id": c.id,
                "who": names.get(c.grantee_id, c.grantee_id),
                "role": gettext("reports records about you")
                if c.grantee_kind == "source"
                else gettext("may check your tier"),
                "purpose": c.purpose if c.grantee_kind == "relying_party" else "",
                "until": day(c.expires_on) if c.expires_on else gettext("until you revoke it"),
                "state": state,
                "in_force": in_force,
                "undoable": undoable,
            }
        )
    rows.sort(key=lambda r: (not r["in_force"], not r["undoable"]))
    return rows


def active_proofs(
    attestations: Sequence[AttestationSummary], policy: Policy, now: datetime
) -> list[dict[str, Any]]:
    """The subject's proofs that still verify, with what each says and when it expires."""
    return [
        {
            "id": a.id,
            "says": ", ".join(
                claim_words(c, policy) for c in sorted(a.claims) if c not in ("subject", "sub")
            ),
            "issued": day(a.issued_at),
            "expires": day(a.expires_at),
        }
        for a in attestations
        if a.revoked_at is None and a.expires_at > now
    ]


ACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"trust check: tier, score >= (?P<n>\d+), exact score"),
        N_("checked your tier, whether your score is at least %(n)s, and your exact score"),
    ),
    (
        re.compile(r"trust check: tier, score >= (?P<n>\d+)"),
        N_("checked your tier and whether your score is at least %(n)s"),
    ),
    (re.compile(r"trust check: tier, exact score"), N_("checked your tier and exact score")),
    (re.compile(r"trust check: tier"), N_("checked your tier")),
    (re.compile(r"proof shared: .*"), N_("received a proof you shared")),
    (re.compile(r"attestation \S+ issued: .*"), N_("issued a proof at your request")),
    (re.compile(r"dispute queue review"), N_("reviewed your open disputes")),
    (re.compile(r"status of record.*"), N_("checked the records it reported about you")),
    (re.compile(r"disputes against its records"), N_("read your disputes about its records")),
    (re.compile(r"erasure of the file.*"), N_("erased your file")),
)
PURPOSE_WORDS = {
    "dispute oversight": N_("dispute oversight"),
    "managing its reports": N_("managing its reports"),
    "sharing proof of trust": N_("sharing proof of trust"),
    "right to erasure": N_("right to erasure"),
}


def access_sentence(entry: AccessEntry, names: dict[str, str], subject_id: str) -> str:
    """An access-log entry as a sentence: "Landlord Ltd checked your tier for “tenancy” on
    3 May 2026."."""
    if entry.actor_kind == "subject" and entry.actor_id == subject_id:
        who = gettext("You")
    elif entry.actor_kind == "operator":
        who = gettext("The registry's operator")
    else:
        who = names.get(entry.actor_id, entry.actor_id)
    action = next(
        (
            gettext(words) % m.groupdict()
            for rx, words in ACTIONS
            if (m := rx.fullmatch(entry.what))
        ),
        gettext("read your file (%(what)s)") % {"what": entry.what},
    )
    purpose = (
        gettext(PURPOSE_WORDS[entry.purpose]) if entry.purpose in PURPOSE_WORDS else entry.purpose
    )
    return gettext("%(who)s %(action)s for “%(purpose)s” on %(day)s.") % {
        "who": who,
        "action": action,
        "purpose": purpose,
        "day": day(entry.at),
    }


def dispute_effect(now: Score, without: Score) -> str:
    """What disputing a record does to the score, said before the subject confirms."""
    before, after = now.rounded, without.rounded
    if before is None and after is None:
        return gettext("Your file is too thin for a score either way.")
    if after is None:
        return gettext("Without this record your file would be too thin for a score.")
    if before is None:
        return gettext("Without this record you would have a score of %(after)s.") % {
            "after": after
        }
    if before == after:
        return gettext("Your score would stay at %(before)s while the dispute is open.") % {
            "before": before
        }
    tier_note = ""
    if now.tier != without.tier and without.tier_label:
        tier_note = " " + gettext("Your tier would be %(tier)s.") % {
            "tier": translate(without.tier_label)
        }
    return (
        gettext("While the dispute is open your score would go from %(before)s to %(after)s.")
        % {"before": before, "after": after}
        + tier_note
    )
