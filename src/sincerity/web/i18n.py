"""The pages' languages: English and Simplified Chinese, from Babel message catalogues.

Two catalogues per language live in `locale/<lang>/LC_MESSAGES/`:

- `messages.po`, the pages' own words, marked `_()` / `N_()` in templates and web modules and
  extracted with `make messages` (Babel's extractors): their msgid is the English text;
- `scorer.po`, the sentences the scorer and services write in English (reasons, steps, factor
  summaries, the default policy's labels, errors a person meets), kept by hand: those with
  placeholders are patterns flagged `python-brace-format`: "{n} late payments" matches
  "3 late payments", and each captured part is translated in turn, so one pattern covers every
  count and tier. The scorer stays language-free and the catalogue is the one place its words
  are translated; `tests/unit/test_i18n.py` fails when the scorer writes a sentence no pattern
  covers.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from babel.messages.pofile import read_po

LANGUAGES: dict[str, str] = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
PATTERN_FLAG = "python-brace-format"

_language: ContextVar[str] = ContextVar("sincerity_language", default=DEFAULT_LANGUAGE)
# Placeholders holding a name or an id: shown as written, in any language.
VERBATIM = frozenset({"who", "id", "name", "purpose"})
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
# A captured part with no letters in it (a count, a date, points) needs no translation.
_NO_WORDS = re.compile(r"[^A-Za-z]*")


@dataclass(frozen=True)
class Pattern:
    """A catalogue sentence with placeholders, as a regular expression."""

    regex: re.Pattern[str]
    translation: str
    specificity: int


@dataclass(frozen=True)
class Catalogue:
    """One language's messages: exact ones, plural ones and patterns (most specific first)."""

    exact: dict[str, str]
    plural: dict[str, tuple[str, ...]]
    patterns: tuple[Pattern, ...]


DOMAINS = ("messages", "scorer")


def catalogue_path(language: str, domain: str = "messages") -> Any:
    """Where a language's catalogue lives in the package."""
    return resources.files("sincerity.web") / "locale" / language / "LC_MESSAGES" / f"{domain}.po"


def _regex(msgid: str) -> re.Pattern[str]:
    parts: list[str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(msgid):
        parts.append(re.escape(msgid[last : match.start()]))
        parts.append(f"(?P<{match.group(1)}>.+?)")
        last = match.end()
    parts.append(re.escape(msgid[last:]))
    return re.compile("".join(parts), re.DOTALL)


@cache
def catalogue(language: str) -> Catalogue:
    """A language's catalogue, read once (English has none: its msgids are the text)."""
    if language == DEFAULT_LANGUAGE:
        return Catalogue({}, {}, ())
    messages = []
    for domain in DOMAINS:
        with catalogue_path(language, domain).open("rb") as handle:
            messages += list(read_po(handle, locale=language))
    exact: dict[str, str] = {}
    plural: dict[str, tuple[str, ...]] = {}
    patterns: list[Pattern] = []
    for message in messages:
        if not message.id or not message.string or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            plural[message.id[0]] = tuple(message.string)
        elif PATTERN_FLAG in message.flags:
            msgid = str(message.id)
            literal = len(_PLACEHOLDER.sub("", msgid))
            patterns.append(Pattern(_regex(msgid), str(message.string), literal))
        else:
            exact[str(message.id)] = str(message.string)
    patterns.sort(key=lambda p: -p.specificity)
    return Catalogue(exact, plural, tuple(patterns))


def current_language() -> str:
    """The language of the page being rendered."""
    return _language.get()


def use_language(language: str) -> None:
    """Render what follows (in this context) in `language`."""
    _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def choose_language(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The visitor's language: asked for in the address, else remembered, else the browser's
    first preference we speak, else English."""
    for asked in (query, cookie):
        if asked in LANGUAGES:
            return asked
    for entry in (accept_language or "").split(","):
        tag = entry.split(";")[0].strip().lower()
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def gettext(message: str) -> str:
    """A page's own message in the current language."""
    return catalogue(current_language()).exact.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """A page's message with a count, in the current language's plural form."""
    forms = catalogue(current_language()).plural.get(singular)
    if forms:
        return forms[0] if len(forms) == 1 or n == 1 else forms[1]
    return singular if n == 1 else plural


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the name Babel's extractor looks for
    """Mark a message for the catalogue where it is defined; translate it where it is shown."""
    return message


def translated(text: str, language: str | None = None) -> tuple[str, bool]:
    """A sentence in `language` (the current one by default), and whether all of it was
    translated: exactly, or by the most specific pattern whose every worded part translates."""
    language = language or current_language()
    if language == DEFAULT_LANGUAGE:
        return text, True
    book = catalogue(language)
    if text in book.exact:
        return book.exact[text], True
    if not text or _NO_WORDS.fullmatch(text):
        return text, True
    for pattern in book.patterns:
        match = pattern.regex.fullmatch(text)
        if match is None:
            continue
        parts: dict[str, str] = {}
        complete = True
        for name, value in match.groupdict().items():
            if name in VERBATIM:
                parts[name] = value
                continue
            parts[name], done = translated(value, language)
            complete = complete and done
        if complete:
            return _fill(pattern.translation, parts), True
    return text, False


def _fill(template: str, parts: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], template)


def translate(text: str | None) -> str:
    """A sentence the scorer or a service wrote, in the current language where the catalogue
    covers it, else as written."""
    if text is None:
        return ""
    return translated(str(text))[0]
