"""The languages the agent console speaks. A catalogue per language lives in
web/static/console/locales/; an agent's preference must name one of them."""

from __future__ import annotations

from caseroom.domain.errors import InvalidInput

CONSOLE_LOCALES = ("en", "de")


def console_locale(value: str | None) -> str | None:
    """The preference as stored: a known language code, or None (follow the browser)."""
    if value is None:
        return None
    code = value.strip().lower()
    if code not in CONSOLE_LOCALES:
        known = ", ".join(CONSOLE_LOCALES)
        raise InvalidInput(f"the console speaks {known}, not {value!r}", field="locale")
    return code
