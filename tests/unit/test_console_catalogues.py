"""The console's catalogues: every language has exactly the English keys, each
with the same placeholders and the same plural shape, so no text goes missing
or breaks when the console switches language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from caseroom.domain.locales import CONSOLE_LOCALES

LOCALES = Path(__file__).parents[2] / "src/caseroom/web/static/console/locales"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalogue(code: str) -> dict[str, str | dict[str, str]]:
    data: dict[str, str | dict[str, str]] = json.loads((LOCALES / f"{code}.json").read_text())
    return data


def placeholders(entry: str | dict[str, str]) -> set[str]:
    forms = entry.values() if isinstance(entry, dict) else [entry]
    return {name for form in forms for name in PLACEHOLDER.findall(form)}


def test_every_console_language_has_a_catalogue_and_no_other_is_offered() -> None:
    assert sorted(p.stem for p in LOCALES.glob("*.json")) == sorted(CONSOLE_LOCALES)


@pytest.mark.parametrize("code", [c for c in CONSOLE_LOCALES if c != "en"])
def test_a_translation_has_exactly_the_english_keys(code: str) -> None:
    english, other = catalogue("en"), catalogue(code)
    assert sorted(set(english) - set(other)) == [], "missing"
    assert sorted(set(other) - set(english)) == [], "not in English"


@pytest.mark.parametrize("code", [c for c in CONSOLE_LOCALES if c != "en"])
def test_a_translation_keeps_every_placeholder_and_plural_form(code: str) -> None:
    english, other = catalogue("en"), catalogue(code)
    for key, text in english.items():
        assert placeholders(other[key]) == placeholders(text), key
        assert isinstance(other[key], dict) == isinstance(text, dict), key
        if isinstance(text, dict):
            assert isinstance(other[key], dict) and "other" in other[key], key


def test_no_entry_is_empty() -> None:
    for code in CONSOLE_LOCALES:
        for key, entry in catalogue(code).items():
            forms = entry.values() if isinstance(entry, dict) else [entry]
            assert all(form.strip() for form in forms), (code, key)
