"""Signed file links: a link opens one file until it expires; any change to it,
another server's key, or its expiry makes it useless; a rotated key still reads
the links it signed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseroom.domain.file_links import (
    FileLinkKeys,
    LinkExpired,
    LinkInvalid,
    read_link,
    sign_link,
)

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
KEYS = FileLinkKeys.derive(["first-secret"])
ATTACHMENT = "01jf3k6v0p8d5mq2w7x9yz4bcd"


def test_a_link_names_its_file_until_it_expires() -> None:
    token = sign_link(KEYS, ATTACHMENT, NOW + timedelta(days=7))
    assert len(token) < 60  # it has to fit in a text message
    assert read_link(KEYS, token, NOW + timedelta(days=6, hours=23)) == ATTACHMENT
    with pytest.raises(LinkExpired):
        read_link(KEYS, token, NOW + timedelta(days=7))


def test_another_key_or_another_file_is_refused() -> None:
    token = sign_link(KEYS, ATTACHMENT, NOW + timedelta(days=7))
    with pytest.raises(LinkInvalid):
        read_link(FileLinkKeys.derive(["another-server"]), token, NOW)
    _, expiry, mac = token.split(".")
    with pytest.raises(LinkInvalid):
        read_link(KEYS, f"01jf3k6v0p8d5mq2w7x9yz4bce.{expiry}.{mac}", NOW)
    with pytest.raises(LinkInvalid):  # a longer life is another link
        read_link(KEYS, f"{ATTACHMENT}.zzzzzz.{mac}", NOW)


def test_a_rotated_key_still_reads_its_links() -> None:
    old = sign_link(KEYS, ATTACHMENT, NOW + timedelta(days=1))
    rotated = FileLinkKeys.derive(["second-secret", "first-secret"])
    assert read_link(rotated, old, NOW) == ATTACHMENT
    assert read_link(rotated, sign_link(rotated, ATTACHMENT, NOW + timedelta(days=1)), NOW)


@given(st.text(max_size=80))
def test_any_other_text_is_refused_not_crashed_on(text: str) -> None:
    with pytest.raises(LinkInvalid):
        read_link(KEYS, text, NOW)
