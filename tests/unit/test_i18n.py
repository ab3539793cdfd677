"""Every message in both languages: the pages' words (extracted from the templates and web
modules as `make messages` does) and every sentence the scorer writes, which the Chinese
catalogue must cover by a pattern — so a new sentence in core fails here, not in front of a
person."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from sincerity.core.records import RECORD_ADAPTER
from sincerity.core.scoring import score
from sincerity.policies import load_policy
from sincerity.synth import demo_population
from sincerity.web import i18n

ROOT = Path(__file__).parents[2]
WEB = ROOT / "src" / "sincerity" / "web"
PERCENT = re.compile(r"%\((\w+)\)s")
BRACES = re.compile(r"\{(\w+)\}")


def extracted() -> set[str | tuple[str, str]]:
    """The pages' messages, found as `make messages` finds them (babel.cfg's two methods)."""
    found: set[str | tuple[str, str]] = set()
    methods = [("**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    for _, _, message, _, _ in extract_from_dir(
        str(WEB), methods, options_map=options, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def catalogue(language: str, domain: str) -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    with (WEB / "locale" / language / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id and not m.fuzzy}


def test_every_page_message_has_a_chinese_translation_with_the_same_placeholders() -> None:
    zh = catalogue("zh", "messages")
    pages = extracted()
    assert len(pages) > 100
    missing = sorted(str(m) for m in pages if not zh.get(m))
    assert missing == [], f"run `make messages` and translate: {missing}"
    stale = sorted(str(m) for m in zh if m not in pages)
    assert stale == [], f"no longer used (run `make messages`): {stale}"
    for msgid, msgstr in zh.items():
        english = msgid if isinstance(msgid, str) else msgid[0]
        for translation in [msgstr] if isinstance(msgstr, str) else msgstr:
            assert set(PERCENT.findall(english)) == set(PERCENT.findall(translation)), msgid


def test_the_scorer_patterns_use_only_their_own_placeholders() -> None:
    for msgid, msgstr in catalogue("zh", "scorer").items():
        assert isinstance(msgid, str) and isinstance(msgstr, str) and msgstr, msgid
        assert set(BRACES.findall(msgstr)) == set(BRACES.findall(msgid)), msgid


def scorer_sentences() -> set[str]:
    """Every sentence the default policy's scorer writes for a synthetic society, at three
    dates: reasons, steps, factor labels and summaries, tiers, badges, privileges."""
    policy = load_policy("default")
    sentences: set[str] = set()
    sentences.update(t.label for t in policy.tiers)
    sentences.update(p.description for ps in policy.privileges.values() for p in ps)
    for as_of in (date(2024, 6, 30), date(2026, 11, 28)):
        population = demo_population(400, as_of, seed=3)
        records = defaultdict(list)
        for row in population.records:
            records[row["subject"]].append(RECORD_ADAPTER.validate_python(row))
        for subject_records in records.values():
            result = score(subject_records, policy, as_of)
            sentences.update(result.reasons)
            sentences.update(step.action for step in result.steps)
            sentences.update(f.label for f in result.factors)
            sentences.update(f.summary for f in result.factors)
            sentences.update(b.name for b in result.badges)
            sentences.update(b.description for b in result.badges)
    return sentences


def test_every_sentence_the_scorer_writes_is_translated_whole() -> None:
    sentences = scorer_sentences()
    assert len(sentences) > 150  # the society is varied enough to say many things
    untranslated = sorted(s for s in sentences if not i18n.translated(s, "zh")[1])
    assert untranslated == [], f"add a pattern to locale/zh/LC_MESSAGES/scorer.po: {untranslated}"


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        (
            "Make your next 7 payments on time to reach Very good",
            "按时支付接下来的 7 笔付款即可达到“很好”",
        ),
        ("Fulfil 2 more contracts (+30 points)", "再履行 2 份合同（+30 分）"),
        (
            "3 of 5 payments on time; 1 late payment, 1 missed payment",
            "5 笔付款中 3 笔按时；1 笔逾期，1 笔未付",
        ),
    ],
)
def test_a_sentence_is_translated_by_its_pattern_and_its_parts(english: str, chinese: str) -> None:
    assert i18n.translated(english, "zh") == (chinese, True)


def test_a_sentence_no_pattern_covers_is_left_as_written_and_said_so() -> None:
    assert i18n.translated("A sentence nobody wrote a pattern for", "zh") == (
        "A sentence nobody wrote a pattern for",
        False,
    )


def test_the_language_is_what_the_visitor_asked_for_then_remembered_then_their_browsers() -> None:
    assert i18n.choose_language("zh", "en", "en-GB") == "zh"
    assert i18n.choose_language(None, "zh", "en-GB") == "zh"
    assert i18n.choose_language(None, None, "fr-FR, zh-CN;q=0.8, en;q=0.5") == "zh"
    assert i18n.choose_language("xx", None, "fr") == "en"
