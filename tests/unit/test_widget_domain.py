from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseroom.domain.errors import InvalidInput, NotAuthenticated
from caseroom.domain.identity import read_identity_token, sign_identity_token
from caseroom.domain.widget import (
    Position,
    WidgetChanges,
    WidgetSettings,
    apply_changes,
    contrast,
    text_color_on,
)

SECRET = "s" * 43
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def claims(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "external_id": "u-1",
        "name": "Kim Lee",
        "email": "kim@example.com",
        "iat": int(NOW.timestamp()) - 10,
        "exp": int(NOW.timestamp()) + 600,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def read(token: str, secret: str = SECRET, audience: str = "acme") -> object:
    return read_identity_token(
        token, secret, audience=audience, now=NOW, max_age=24 * HOUR, leeway=timedelta(minutes=1)
    )


def test_changes_are_validated_and_merged() -> None:
    changed = apply_changes(WidgetSettings(), WidgetChanges(position="LEFT", color=" #FF6600 "))
    assert changed.position is Position.LEFT
    assert changed.color == "#ff6600"
    assert changed.title == WidgetSettings().title


@pytest.mark.parametrize(
    "changes",
    [
        WidgetChanges(color="red"),
        WidgetChanges(color="#12345"),
        WidgetChanges(color="#12345g"),
        WidgetChanges(position="top"),
        WidgetChanges(title="   "),
        WidgetChanges(title="x" * 81),
        WidgetChanges(greeting="bell\x07"),
    ],
)
def test_bad_changes_are_refused(changes: WidgetChanges) -> None:
    with pytest.raises(InvalidInput):
        apply_changes(WidgetSettings(), changes)


@pytest.mark.parametrize("color", ["#2563eb", "#000000", "#ffffff", "#facc15", "#16a34a"])
def test_text_on_the_brand_colour_is_the_more_readable_choice(color: str) -> None:
    chosen = text_color_on(color)
    other = "#111827" if chosen == "#ffffff" else "#ffffff"
    assert contrast(color, chosen) >= contrast(color, other)


def test_a_genuine_token_gives_its_claims() -> None:
    got = read(sign_identity_token(claims(), SECRET))
    assert got.external_id == "u-1"  # type: ignore[attr-defined]
    assert got.email == "kim@example.com"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("token_claims", "secret", "reason"),
    [
        (claims(), "another-organizations-secret-" + "x" * 20, "signature"),
        (claims(exp=int(NOW.timestamp()) - 120), SECRET, "expired"),
        (claims(iat=int(NOW.timestamp()) + 600, exp=int(NOW.timestamp()) + 900), SECRET, "future"),
        (claims(exp=int(NOW.timestamp()) + 48 * 3600), SECRET, "longer"),
        (claims(external_id=None), SECRET, "external_id"),
        (claims(name=""), SECRET, "name"),
        (claims(exp=None), SECRET, "exp"),
        (claims(exp="tomorrow"), SECRET, "number"),
        (claims(name=["Kim"]), SECRET, "string"),
        (claims(aud="other-org"), SECRET, "another organization"),
    ],
)
def test_tokens_that_are_not_genuine_and_current_are_refused(
    token_claims: dict[str, object], secret: str, reason: str
) -> None:
    with pytest.raises(NotAuthenticated, match=reason):
        read(sign_identity_token(token_claims, secret))


def test_the_leeway_forgives_a_little_clock_skew() -> None:
    assert read(sign_identity_token(claims(exp=int(NOW.timestamp()) - 30), SECRET))


def test_a_matching_audience_is_accepted() -> None:
    assert read(sign_identity_token(claims(aud="acme"), SECRET))


def test_unsigned_and_other_algorithms_are_refused() -> None:
    unsigned = jwt.encode(claims(), None, algorithm="none")
    with pytest.raises(NotAuthenticated):
        read(unsigned)
    hs512 = jwt.encode(claims(), SECRET * 2, algorithm="HS512")
    with pytest.raises(NotAuthenticated):
        read(hs512, secret=SECRET * 2)


@given(position=st.integers(min_value=0), replacement=st.sampled_from("AbZ09-_"))
def test_any_changed_character_is_refused(position: int, replacement: str) -> None:
    """HMAC covers the text of header and payload, so any change there is caught; in
    the signature every character but the last (whose spare bits base64 ignores)
    carries signature bits."""
    token = sign_identity_token(claims(), SECRET)
    index = position % (len(token) - 1)
    if token[index] in (replacement, "."):
        return
    with pytest.raises(NotAuthenticated):
        read(token[:index] + replacement + token[index + 1 :])


def test_garbage_is_refused() -> None:
    for garbage in ["", "abc", "a.b.c", "x" * 5000]:
        with pytest.raises(NotAuthenticated):
            read(garbage)
